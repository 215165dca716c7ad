"""A story walked through its versions with the real `watcher` command, real Chromium and the local site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import data_dir_with, fast_config, watcher

FAST_CONFIG = fast_config(settle_ms=None, confirm_delay=0.2)


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return data_dir_with(tmp_path / "data", FAST_CONFIG)


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_story_through_versions(site, data_dir):
    site.serve_fixture("/news/barrier", "en-daily/story")
    url = site.url("/news/barrier")

    added = watcher(data_dir, "add", url + "?utm_source=newsletter#comments", "--tag", "city")
    assert added.returncode == 0, added.stderr
    listed = json_lines(watcher(data_dir, "list", "--json").stdout)[0]
    assert [a["url"] for a in listed] == [url]  # tracking parameter and fragment dropped

    first = json_lines(watcher(data_dir, "check", "--json").stdout)
    assert [(r["status"], r["version"]) for r in first] == [("new", 1)]

    again = json_lines(watcher(data_dir, "check", url, "--json").stdout)
    assert [(r["status"], r["version"], r["edits"]) for r in again] == [("unchanged", 1, [])]

    site.set_version("/news/barrier", "v2")
    changed_run = watcher(data_dir, "check", url, "--json")
    assert changed_run.returncode == 0, changed_run.stderr
    (changed,) = json_lines(changed_run.stdout)
    assert changed["status"] == "changed" and changed["version"] == 2
    assert "correction_notice" in changed["flags"]
    body_edits = [e for e in changed["edits"] if e["field"] == "body"]
    number_edit = next(e for e in body_edits if e["old"] and "60 residents" in e["old"])
    assert number_edit["class"] == "substantive"
    assert ["-", "60"] in number_edit["inline"] and ["+", "80"] in number_edit["inline"]
    assert any(e["field"] == "caption" for e in changed["edits"])

    history = json.loads(watcher(data_dir, "history", url, "--json").stdout)
    assert [v["version"] for v in history] == [1, 2]
    assert history[1]["edits_count"] == len(changed["edits"])

    site.status("/news/barrier", 500)
    failed = watcher(data_dir, "check", url, "--json")
    assert failed.returncode == 1
    (error,) = json_lines(failed.stdout)
    assert error["status"] == "error" and "500" in error["error"]
    assert [v["version"] for v in json.loads(watcher(data_dir, "history", url, "--json").stdout)] == [1, 2]
    diff = json.loads(watcher(data_dir, "diff", url, "--json").stdout)
    assert diff["version"] == 2 and diff["edits"]


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_human_output_shows_the_edit(site, data_dir):
    site.serve_fixture("/zh/story", "zh-daily/story")
    url = site.url("/zh/story")
    assert watcher(data_dir, "add", url).returncode == 0
    assert watcher(data_dir, "check").returncode == 0
    site.set_version("/zh/story", "v2")
    shown = watcher(data_dir, "check", url)
    assert shown.returncode == 0, shown.stderr
    assert "changed" in shown.stdout
    diff = watcher(data_dir, "diff", url, "--side-by-side")
    assert diff.returncode == 0 and "Traceback" not in diff.stderr


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,hi",
        "not a url",
        "ftp://example.com/x",
        "http://user:pw@example.com/",
    ],
)
def test_bad_urls_are_refused_with_one_line(data_dir, bad):
    result = watcher(data_dir, "add", bad)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(watcher(data_dir, "list", "--json").stdout) == []


def test_unknown_article_is_exit_2(data_dir):
    for command in (
        ["history", "http://example.com/nope"],
        ["diff", "http://example.com/nope"],
        ["check", "http://example.com/nope"],
        ["remove", "http://example.com/nope"],
    ):
        result = watcher(data_dir, *command)
        assert result.returncode == 2, command
        assert "not watching http://example.com/nope" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_extract_command_shows_what_would_be_tracked(site, data_dir):
    site.serve_fixture("/zh", "zh-daily/story")
    manifest = json.loads((Path(__file__).parent.parent / "fixtures/sites/zh-daily/story/manifest.json").read_text())
    expected = manifest["versions"]["v1"]
    result = watcher(data_dir, "extract", site.url("/zh"), "--json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["headline"] == expected["headline"]
    assert article["body"] == expected["body"]
    assert article["captions"] == expected["captions"]
    shown = watcher(data_dir, "extract", site.url("/zh"))
    assert expected["headline"] in shown.stdout and expected["captions"][0][:10] in shown.stdout
