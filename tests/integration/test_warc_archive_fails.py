"""[archive] warc on a folder that cannot be written (a full disk, a path that is a file): the WARC copy is
lost, said on stderr, and the version is still stored and reported as a change, not as a check error."""

from __future__ import annotations

import json

import pytest
from support.cli import data_dir_with, fast_config, watcher

from watcher.store import open_store

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser


def page(figure: str) -> str:
    return (
        "<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
        + "<p>The council met on Tuesday evening to debate next year's budget in full.</p>" * 3
        + f"<p>The budget passed by {figure} after a long debate.</p></article></body></html>"
    )


def test_an_unwritable_archive_folder_costs_the_warc_copy_not_the_version(site, tmp_path):
    site.page_versions("/budget", {"v1": page("7 votes to 2"), "v2": page("6 votes to 3")})
    url = site.url("/budget")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the archive folder should be")
    data = data_dir_with(
        tmp_path / "data", fast_config(retries=0, extra=f'[archive]\nwarc = true\nfolder = "{blocked}"\n')
    )
    assert watcher(data, "add", url).returncode == 0
    first = watcher(data, "check", "--json", url)
    site.set_version("/budget", "v2")
    second = watcher(data, "check", "--json", url)
    for done in (first, second):
        assert done.returncode == 0, done.stderr
        assert "cannot archive" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(first.stdout)["status"] == "new"
    assert json.loads(second.stdout)["status"] == "changed"
    assert [v.number for v in open_store(data).list_versions(url)] == [1, 2]
