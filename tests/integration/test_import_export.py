"""Switching tools in one command: `watcher import` of another tool's list, `watcher export` of ours."""

from __future__ import annotations

import json

from support.cli import ok, watcher


def test_import_a_urlwatch_list_then_export_it_as_opml_and_read_that_back(tmp_path):
    jobs = tmp_path / "urls.yaml"
    jobs.write_text('url: "https://news.example/a"\n---\nnavigate: "https://news.example/b"\n---\ncommand: "date"\n')
    data = tmp_path / "data"
    done = watcher(data, "import", str(jobs), "--tag", "from-urlwatch")
    assert done.returncode == 0 and "imported 2 new articles and 0 new feeds" in done.stderr, done.stderr
    listed = json.loads(ok(data, "list", "--json"))
    assert sorted(a["url"] for a in listed) == ["https://news.example/a", "https://news.example/b"]
    assert all(a["tags"] == ["from-urlwatch"] for a in listed)

    opml = tmp_path / "out.opml"
    assert watcher(data, "export", "--format", "opml", "-o", str(opml)).returncode == 0
    assert 'url="https://news.example/a"' in opml.read_text()
    other = tmp_path / "other"
    again = watcher(other, "import", str(opml))
    assert again.returncode == 0 and "imported 2 new articles" in again.stderr
    assert ok(data, "export").splitlines() == ["https://news.example/a", "https://news.example/b"]


def test_import_of_a_file_with_nothing_to_watch_is_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n")
    result = watcher(tmp_path / "data", "import", str(empty))
    assert result.returncode == 2 and result.stderr.strip().endswith("empty.txt: no URLs found in it")
