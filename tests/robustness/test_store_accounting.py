"""The store refuses to lose what it cannot account for: a newer store is refused, orphaned article folders
are found and put back on the watch list, a backup is never rotated over a larger list, damaged shapes of
every file are reported and repaired without an internal error, and wrong-typed fields are read around."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import psycopg
import pytest
from conftest import WATCHED, folder_state, run_cli
from support.cli import data_dir_with
from support.pages import article_html

from watcher.errors import StoreError
from watcher.store import open_store


def set_fields(data: Path, changes: dict) -> None:
    """Edit the watched article's stored document as a hand or a bad tool would: a journal line."""
    with open(data / "watcher.journal", "a") as journal:
        journal.write(json.dumps(["s", "articles", "1", changes]) + "\n")


def one_line_error(outcome) -> str:
    lines = outcome.err.strip().splitlines()
    assert outcome.code == 2 and len(lines) == 1 and "Traceback" not in outcome.err, outcome
    return lines[0]


def test_a_store_written_by_a_newer_watcher_is_refused_in_one_line_and_left_alone(data_dir):
    snapshot = json.loads((data_dir / "watcher.json").read_text())
    snapshot["meta"]["1"]["schema"] = 3
    (data_dir / "watcher.json").write_text(json.dumps(snapshot))
    before = folder_state(data_dir)
    for command in (["list"], ["check", WATCHED], ["add", "https://news.example/other"], ["doctor", "--repair"]):
        line = one_line_error(run_cli("--data-dir", str(data_dir), *command))
        assert "newer watcher" in line and "schema 3" in line, line
    assert folder_state(data_dir) == before


@pytest.mark.postgres
def test_a_postgresql_store_set_up_by_a_newer_watcher_is_refused(postgres):
    dsn = postgres.fresh_dsn("n_")
    open_store(dsn).add_article("https://news.example/a")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    with pytest.raises(StoreError, match="newer watcher") as info:
        open_store(dsn)
    assert "\n" not in str(info.value)


def test_a_deeply_nested_config_is_one_line(tmp_path):
    config = tmp_path / "watcher.toml"
    config.write_text("a = " + "[" * 100_000 + "\n")
    line = one_line_error(run_cli("--config", str(config), "--data-dir", str(tmp_path / "d"), "list"))
    assert "watcher.toml" in line and "nested too deeply" in line, line


WRONG = {"tags": 5, "next_check": "not a date", "every": "often", "consecutive_errors": "x", "checks_total": [1]}


def test_every_reader_reads_around_wrong_typed_fields_and_keeps_the_article(data_dir, caplog):
    set_fields(data_dir, WRONG)
    caplog.set_level(logging.WARNING, logger="watcher.store")
    listed = run_cli("--data-dir", str(data_dir), "list", "--json")
    assert listed.code == 0, listed
    (entry,) = json.loads(listed.out)
    assert entry["url"] == WATCHED and entry["versions"] == 2 and entry["tags"] == []
    assert set(entry["unreadable"]) == set(WRONG)
    assert "cannot read its stored" in caplog.text and "every" in caplog.text
    shown = run_cli("--data-dir", str(data_dir), "show", WATCHED)
    assert shown.code == 0 and "Traceback" not in shown.err, shown
    assert run_cli("--data-dir", str(data_dir), "list").code == 0
    store = open_store(data_dir)
    assert [a.url for a in store.articles_due(store.get_article(WATCHED).added_at)] == [WATCHED]  # due: reschedule it


def test_a_check_of_an_article_with_wrong_typed_fields_works_and_writes_them_sound(site, tmp_path):
    data = data_dir_with(tmp_path / "data")
    paragraphs = [f"Paragraph {i} of the story about the harbour, long enough to count." for i in range(4)]
    site.page("/story", article_html("Harbour", paragraphs))
    url = site.url("/story")
    assert run_cli("--data-dir", str(data), "add", url, "--no-probe").code == 0
    set_fields(data, WRONG)
    checked = run_cli("--data-dir", str(data), "check", url, "--json")
    assert checked.code == 0 and json.loads(checked.out)["status"] == "new", checked
    article = open_store(data).get_article(url)
    assert article.unreadable == [] and article.checks_total == 1 and article.next_check is not None


def test_a_watch_list_entry_without_a_url_is_passed_over_not_a_crash(data_dir):
    set_fields(data_dir, {"url": None})
    listed = run_cli("--data-dir", str(data_dir), "list", "--json")
    assert listed.code == 0 and json.loads(listed.out) == [], listed
    assert run_cli("--data-dir", str(data_dir), "list").code == 0


DEEP = "[" * 100_000 + "]" * 100_000


def _journal_line(data: Path, line: str) -> None:
    with open(data / "watcher.journal", "a") as journal:
        journal.write(line + "\n")


def _snapshot_meta(data: Path, **meta) -> None:
    snapshot = json.loads((data / "watcher.json").read_text())
    snapshot["meta"]["1"].update(meta)
    (data / "watcher.json").write_text(json.dumps(snapshot))


def _first_chunk(data: Path) -> Path:
    return next((data / "articles").rglob("v00000.json"))


def _add_to_chunk(data: Path, vdoc: dict) -> None:
    chunk = _first_chunk(data)
    tables = json.loads(chunk.read_text())
    tables["versions"]["77"] = vdoc
    chunk.write_text(json.dumps(tables))


DAMAGE = {
    "journal line too short": lambda d: _journal_line(d, '["s"]'),
    "journal line an object": lambda d: _journal_line(d, '{"url": 5}'),
    "journal insert of a number": lambda d: _journal_line(d, '["i", "articles", "9", 5]'),
    "journal line nested deeply": lambda d: _journal_line(d, DEEP),
    "document without url": lambda d: set_fields(d, {"url": None}),
    "document without key": lambda d: set_fields(d, {"key": None}),
    "wrong-typed fields": lambda d: set_fields(d, WRONG),
    "schema two": lambda d: _snapshot_meta(d, schema="two"),
    "snapshot nested deeply": lambda d: (d / "watcher.json").write_text('{"articles": {"1": {"tags": ' + DEEP + "}}}"),
    "chunk nested deeply": lambda d: _first_chunk(d).write_text('{"versions": {"1": {"n": ' + DEEP + "}}}"),
    "chunk document without number": lambda d: _add_to_chunk(d, {"hash": "x"}),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_doctor_reports_and_repairs_every_damaged_shape_without_an_internal_error(data_dir, damage):
    DAMAGE[damage](data_dir)
    if damage == "chunk document without number":  # read around before the repair too
        assert [v.number for v in open_store(data_dir).list_versions(WATCHED)] == [1, 2]
    said = []
    for args in (["doctor"], ["doctor", "--repair"], ["doctor"]):
        said.append(run_cli("--data-dir", str(data_dir), *args))
        assert "internal error" not in said[-1].err and "Traceback" not in said[-1].err, (args, said[-1])
    assert said[0].code == 1, said[0]  # the damage is reported
    if damage != "document without url":  # a folder's name is a hash of its URL: that one cannot be worked back
        assert said[2].code == 0 and "intact" in said[2].err, said
    if damage == "chunk document without number":  # the sound versions beside it stay
        assert [v.number for v in open_store(data_dir).list_versions(WATCHED)] == [1, 2]
    # After the repair every reader works (what could not be repaired is reported, not a crash).
    for args in (["list", "--json"], ["list"], ["history", WATCHED, "--json"]):
        outcome = run_cli("--data-dir", str(data_dir), *args)
        assert "internal error" not in outcome.err and "Traceback" not in outcome.err, (args, outcome)


def test_a_watch_list_moved_aside_loses_nothing_doctor_finds_the_folders_and_puts_them_back(tmp_path, caplog):
    from datetime import UTC, datetime, timedelta

    from watcher.models import Article

    data = tmp_path / "data"
    store = open_store(data)
    urls = [f"https://news.example/story/{i}" for i in range(20)]
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with store.transaction():
        for url in urls:
            store.add_article(url, tags=["kept"], now=at)
    for i, url in enumerate(urls):
        article = Article(headline=f"Story {i}", body=[f"Paragraph of story {i}."], canonical_url=url)
        store.save_version(url, article, html=None, diff=None, captured_at=at + timedelta(minutes=i))
    # The store's advice for a damaged watch list: move it aside to start an empty store.
    (data / "watcher.json").rename(tmp_path / "watcher.json.moved")
    (data / "watcher.journal").rename(tmp_path / "watcher.journal.moved")
    caplog.set_level(logging.WARNING, logger="watcher.store")
    fresh = open_store(data)
    fresh.add_article("https://news.example/new", now=at)
    for minute in range(40):  # enough writes for several compactions, each rotating the backup
        article = fresh.get_article("https://news.example/new")
        article.next_check = at + timedelta(minutes=minute)
        fresh.update_article(article)
    # The 20-article list was not rotated away without a word.
    kept = [p for p in data.glob("watcher.json*") if len(json.loads(p.read_bytes()).get("articles") or {}) == 20]
    assert kept, sorted(p.name for p in data.iterdir())
    assert "lists 20 articles" in caplog.text and "kept as" in caplog.text

    found = run_cli("--data-dir", str(data), "doctor")
    assert found.code == 1 and found.out.count("that the watch list does not name") == 20, found
    repaired = run_cli("--data-dir", str(data), "doctor", "--repair")
    assert repaired.code == 0, repaired
    assert "intact" in run_cli("--data-dir", str(data), "doctor").err
    back = {a.url: a for a in open_store(data).list_articles()}
    assert set(back) == {*urls, "https://news.example/new"}
    assert all(back[u].versions == 1 and back[u].tags == ["kept"] for u in urls)
    assert open_store(data).get_version(urls[7], 1).article.headline == "Story 7"


def test_an_orphaned_folder_with_no_list_left_is_put_back_from_its_versions_own_address(tmp_path):
    from datetime import UTC, datetime

    from watcher.models import Article

    data = tmp_path / "data"
    store = open_store(data)
    url = "https://news.example/story/orphan"
    store.add_article(url)
    article = Article(headline="Orphan", body=["Text."], canonical_url=url)
    store.save_version(url, article, html=None, diff=None, captured_at=datetime(2026, 3, 1, tzinfo=UTC))
    for name in ("watcher.json", "watcher.journal", "watcher.json.bak", "watcher.journal.bak"):
        (data / name).unlink(missing_ok=True)
    assert run_cli("--data-dir", str(data), "doctor", "--repair").code == 0
    assert [(a.url, a.versions) for a in open_store(data).list_articles()] == [(url, 1)]


@pytest.mark.postgres
def test_the_postgresql_store_reads_around_wrong_typed_fields_and_writes_them_sound(postgres):
    from watcher.models import CheckResult
    from watcher.times import utcnow

    dsn = postgres.fresh_dsn("f_")
    store = open_store(dsn)
    store.add_article(WATCHED, tags=["kept"])
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE articles SET doc = doc || %s::jsonb", (json.dumps(WRONG),))
    (article,) = store.list_articles()
    assert article.url == WATCHED and sorted(article.unreadable) == sorted(WRONG)
    store.record_check(CheckResult(url=WATCHED, status="unchanged", checked_at=utcnow()))
    again = store.get_article(WATCHED)
    assert again.unreadable == [] and again.checks_total == 1 and again.consecutive_errors == 0


def test_adding_again_an_article_whose_watch_list_entry_was_lost_keeps_its_versions(tmp_path):
    from datetime import UTC, datetime

    from watcher.models import Article

    data = tmp_path / "data"
    store = open_store(data)
    url = "https://news.example/story/again"
    store.add_article(url)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    store.save_version(url, Article(headline="Again", body=["Text."]), html=None, diff=None, captured_at=at)
    for name in ("watcher.json", "watcher.journal", "watcher.json.bak", "watcher.journal.bak"):
        (data / name).unlink(missing_ok=True)
    assert run_cli("--data-dir", str(data), "add", url, "--no-probe").code == 0
    again = open_store(data)
    assert again.get_article(url).versions == 1
    assert [v.article.headline for v in again.list_versions(url)] == ["Again"]


def test_a_feed_with_wrong_typed_fields_is_listed_with_its_defaults(tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    store.add_feed("https://news.example/rss.xml", every=600, tags=["world"])
    with open(data / "watcher.journal", "a") as journal:
        journal.write(json.dumps(["s", "feeds", "1", {"every": "often", "tags": 5, "next_poll": "soon"}]) + "\n")
        journal.write(json.dumps(["i", "feeds", "2", {"url": None}]) + "\n")
    (feed,) = open_store(data).list_feeds()
    assert (feed.url, feed.every, feed.tags, feed.next_poll) == ("https://news.example/rss.xml", 600, [], None)
