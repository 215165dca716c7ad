"""Where a stored version's page came from (issue 27): raw HTML from plain HTTP or a browser render, kept with the
version in the store and shown by history, the JSON contract and every report format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from rich.console import Console
from support.versions import edited_versions

from watcher.diff import diff_articles
from watcher.models import Article, CheckResult, Version, WatchedArticle, change_json
from watcher.render.timeline import history_timeline
from watcher.report import ReportEntry, ReportOptions, render_report
from watcher.store import open_store

URL = "https://news.example/2026/12/baths"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OLD = Article(headline="Baths to close", body=["The council will close the baths in two years."], lang="en")
NEW = Article(headline="Baths to close", body=["The council will close the baths in three years."], lang="en")


def test_the_source_is_stored_with_the_version_and_an_older_version_reads_as_a_render(tmp_path):
    store = open_store(tmp_path / "data")
    store.add_article(URL, now=T0)
    store.save_version(URL, OLD, html="<p>", diff=None, captured_at=T0)  # as written before sources were kept
    store.save_version(URL, NEW, html="<p>", diff=diff_articles(OLD, NEW), captured_at=T0, source="http")
    again = open_store(tmp_path / "data")
    first, second = again.list_versions(URL)
    assert (first.source, first.source_name, first.to_json()["source"]) == (None, "browser", "browser")
    assert (second.source, second.to_json()["source"]) == ("http", "http")


def test_check_json_says_what_the_check_read_and_the_audit_only_when_there_was_one():
    plain = CheckResult(url=URL, status="unchanged", checked_at=T0)
    assert "source" not in plain.to_json() and "audit" not in plain.to_json()
    read = CheckResult(url=URL, status="unchanged", checked_at=T0, source="browser", audit="agreed")
    assert (read.to_json()["source"], read.to_json()["audit"]) == ("browser", "agreed")


def versions() -> tuple[Version, Version]:
    return edited_versions(URL, OLD, NEW, T0, source="http")


def test_history_shows_each_versions_source():
    console = Console(width=160, record=True)
    console.print(history_timeline(list(versions()), lambda t: t.strftime("%H:%M")))
    lines = console.export_text().splitlines()
    assert "from" in next(line for line in lines if "captured" in line)
    assert "browser" in next(line for line in lines if line.strip().startswith("1 "))
    assert "http" in next(line for line in lines if line.strip().startswith("2 "))


def test_reports_say_where_the_newer_version_came_from():
    v1, v2 = versions()
    entry = ReportEntry(WatchedArticle(url=URL, added_at=T0), v1, v2)
    options = ReportOptions(generated_at=T0 + timedelta(days=1))
    assert "from the raw HTML" in render_report([entry], "html", options)
    assert "from the raw HTML" in render_report([entry], "md", options)
    assert json.loads(render_report([entry], "json", options))[0]["source"] == "http"
    assert change_json(URL, v1, v2, v2.edits, "Baths")["source"] == "http"
