"""The store API: articles, versions, the bounded check log, blobs, retention, feeds, failures."""

from __future__ import annotations

import errno
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watcher.errors import BadInput, RefusedScheme, StoreCorrupt, StoreError, StoreLocked, UnknownArticle
from watcher.models import Article, CheckResult, Edit, VersionDiff
from watcher.store import Store
from watcher.store import storage as storage_module
from watcher.store.lock import WriteLock

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
URL = "https://news.example/world/story"


def art(headline: str = "Headline", body: tuple[str, ...] = ("First paragraph.", "Second paragraph."), **kw) -> Article:
    return Article(headline=headline, body=list(body), captions=kw.pop("captions", ["A caption."]), **kw)


def check(status: str = "unchanged", at: datetime = T0, **kw) -> CheckResult:
    return CheckResult(url=kw.pop("url", URL), status=status, checked_at=at, **kw)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data", check_log_size=5)


def json_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.json")]


# ----- articles -----------------------------------------------------------------------------


def test_add_normalizes_and_does_not_watch_twice(store):
    first, created = store.add_article("HTTPS://News.Example:443/world/story?utm_source=tw#x", tags=["world"], now=T0)
    assert created and first.url == URL and first.added_at == T0 and first.next_check == T0
    again, created_again = store.add_article(URL + "?fbclid=abc", tags=["europe"], every=900)
    assert not created_again
    assert again.tags == ["world", "europe"] and again.every == 900
    assert [a.url for a in store.list_articles()] == [URL]


def test_add_refuses_bad_urls_and_writes_nothing(tmp_path):
    store = Store(tmp_path / "data")
    with pytest.raises(RefusedScheme):
        store.add_article("file:///etc/passwd")
    with pytest.raises(BadInput):
        store.add_article("https://user:pw@news.example/x")
    assert not (tmp_path / "data").exists()


def test_unknown_article_errors_name_the_url(store):
    with pytest.raises(UnknownArticle, match="not watching https://nowhere.example/"):
        store.get_article("https://nowhere.example/")
    store.add_article(URL, now=T0)
    with pytest.raises(UnknownArticle, match="no version 3 of .* \\(it has 0\\)"):
        store.get_version(URL, 3)


def test_remove_article_deletes_history_and_readding_starts_fresh(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html="<p>x</p>", diff=None, captured_at=T0)
    removed = store.remove_article(URL)
    assert removed.url == URL and store.list_articles() == []
    with pytest.raises(UnknownArticle):
        store.remove_article(URL)
    store.add_article(URL, now=T0)
    assert store.latest_version(URL) is None and store.list_versions(URL) == []


def test_update_article_keeps_store_counters(store):
    stale, _ = store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    store.record_check(check("new", T0 + timedelta(minutes=1), version=1))
    stale.next_check = T0 + timedelta(hours=1)
    stale.tags = ["kept"]
    saved = store.update_article(stale)  # a caller's old copy must not roll back counters
    assert saved.versions == 1 and saved.checks_total == 1
    assert saved.last_checked == T0 + timedelta(minutes=1) and saved.last_changed == T0
    reread = store.get_article(URL)
    assert reread.next_check == T0 + timedelta(hours=1) and reread.tags == ["kept"] and reread.versions == 1


# ----- versions -----------------------------------------------------------------------------


def test_versions_are_numbered_and_round_trip(store):
    store.add_article(URL, now=T0)
    v1 = store.save_version(
        URL,
        art(byline="By A. Writer", published="2026-03-01T08:00:00Z", lang="en"),
        html="<html>one</html>",
        diff=None,
        captured_at=T0,
    )
    edit = Edit(
        "body",
        "replace",
        "Second paragraph.",
        "Second paragraph, corrected.",
        "substantive",
        [("=", "Second paragraph"), ("-", "."), ("+", ", corrected.")],
    )
    diff = VersionDiff(edits=[edit], flags=["stealth"])
    v2 = store.save_version(
        URL,
        art(body=("First paragraph.", "Second paragraph, corrected.")),
        html="<html>two</html>",
        diff=diff,
        captured_at=T0 + timedelta(hours=1),
    )
    assert (v1.number, v2.number) == (1, 2)
    latest = store.latest_version(URL)
    assert latest.number == 2 and latest.edits == [edit] and latest.flags == ["stealth"]
    assert latest.article.body == ["First paragraph.", "Second paragraph, corrected."]
    assert latest.article.captions == ["A caption."]
    first = store.get_version(URL, 1)
    assert first.article.byline == "By A. Writer" and first.article.lang == "en" and first.captured_at == T0
    assert first.content_hash != latest.content_hash
    assert [v.number for v in store.list_versions(URL)] == [1, 2]
    assert store.get_html(first) == "<html>one</html>"
    watched = store.get_article(URL)
    assert watched.versions == 2 and watched.headline == "Headline"
    assert watched.last_changed == T0 + timedelta(hours=1)
    assert watched.last_edit_summary == "1 edit, substantive (stealth)"


def test_event_versions_are_kept_in_history(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    removed = store.save_version(
        URL, Article(), html=None, diff=None, captured_at=T0 + timedelta(hours=1), event="removed"
    )
    assert removed.event == "removed"
    assert [v.event for v in store.list_versions(URL)] == [None, "removed"]
    watched = store.get_article(URL)
    assert watched.headline == "Headline"  # an empty removal page does not erase the headline
    assert watched.last_edit_summary == "removed"


def test_large_text_lives_in_compressed_blobs_stored_once(store, tmp_path):
    store.add_article(URL, now=T0)
    marker = "UNIQUE-BODY-MARKER"
    body = tuple(f"{marker} paragraph {i} " + "words " * 50 for i in range(40))
    html = "<html>" + "<p>raw page</p>" * 2000 + "</html>"
    store.save_version(URL, art(body=body), html=html, diff=None, captured_at=T0)
    store.save_version(
        URL, art(headline="New headline", body=body), html=html, diff=None, captured_at=T0 + timedelta(hours=1)
    )
    for path in json_files(tmp_path / "data"):
        text = path.read_text()
        assert marker not in text and "raw page" not in text, path
    # same body and same HTML in both versions: one body blob, one HTML blob
    assert len(list(store.blobs.digests())) == 2
    total_blob_bytes = sum(p.stat().st_size for p in (tmp_path / "data" / "blobs").rglob("*.gz"))
    assert total_blob_bytes < len(html) / 10
    assert store.get_version(URL, 2).article.body == list(body)


def test_long_edit_lists_round_trip_through_a_blob(store):
    store.add_article(URL, now=T0)
    edits = [Edit("body", "insert", None, f"paragraph {i} " * 20, "substantive") for i in range(30)]
    store.save_version(URL, art(), html=None, diff=VersionDiff(edits=edits), captured_at=T0)
    assert store.get_version(URL, 1).edits == edits
    brief = store.list_versions(URL, full=False)[0]
    assert brief.article.body == [] and brief.number == 1  # history listing need not read blobs


def test_odd_text_round_trips(store):
    store.add_article(URL, now=T0)
    html = "<p>\ud800 lone surrogate, 中文，\u202e bidi, \x1b[31m ansi</p>"
    version = store.save_version(
        URL, art(headline="[bold]not markup[/bold] 更正"), html=html, diff=None, captured_at=T0
    )
    assert store.get_html(version) == html
    assert store.latest_version(URL).article.headline == "[bold]not markup[/bold] 更正"


def test_versions_since_filters_by_capture_time(store):
    other = "https://news.example/other"
    store.add_article(URL, now=T0)
    store.add_article(other, now=T0)
    for hours in (0, 24, 48):
        store.save_version(
            URL, art(headline=f"h{hours}"), html=None, diff=None, captured_at=T0 + timedelta(hours=hours)
        )
    store.save_version(other, art(headline="o"), html=None, diff=None, captured_at=T0 + timedelta(hours=30))
    found = store.versions_since(T0 + timedelta(hours=12), T0 + timedelta(hours=40))
    assert [(v.url, v.number) for v in found] == [(URL, 2), (other, 1)]
    assert len(store.versions_since(None)) == 4


def test_prune_raw_drops_old_html_keeps_versions(store, tmp_path):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(headline="a"), html="<html>old</html>", diff=None, captured_at=T0)
    store.save_version(URL, art(headline="b"), html="<html>new</html>", diff=None, captured_at=T0 + timedelta(days=10))
    before = set(store.blobs.digests())
    dropped = store.prune_raw(T0 + timedelta(days=5))
    assert dropped == 1
    old, new = store.list_versions(URL)
    assert store.get_html(old) is None and old.article.headline == "a" and old.article.body
    assert store.get_html(new) == "<html>new</html>"
    assert len(set(store.blobs.digests())) == len(before) - 1
    assert store.prune_raw(T0 + timedelta(days=5)) == 0


# ----- checks -------------------------------------------------------------------------------


def test_unchanged_check_adds_no_version_and_log_is_bounded(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    for i in range(12):
        store.record_check(check(at=T0 + timedelta(minutes=i), version=1, http_status=200, duration=0.5))
    watched = store.get_article(URL)
    assert watched.versions == 1 and watched.checks_total == 12 and watched.last_status == "unchanged"
    assert watched.last_checked == T0 + timedelta(minutes=11)
    log = store.recent_checks(URL)
    assert len(log) == 5  # check_log_size
    assert log[-1]["checked_at"] == "2026-03-01T09:11:00Z" and log[-1]["http_status"] == 200
    assert log[0]["checked_at"] == "2026-03-01T09:07:00Z"
    assert len(store.list_versions(URL)) == 1


def test_errors_count_consecutively_and_reset(store):
    store.add_article(URL, now=T0)
    store.record_check(check("error", error="timed out after 20s"))
    second = store.record_check(check("error", T0 + timedelta(minutes=1), error="x" * 5000))
    assert second.consecutive_errors == 2
    assert store.recent_checks(URL)[-1]["error"] == "x" * 500  # error text is capped
    assert store.record_check(check("unchanged", T0 + timedelta(minutes=2))).consecutive_errors == 0


def test_record_check_on_unknown_url(store):
    with pytest.raises(UnknownArticle):
        store.record_check(check(url="https://nowhere.example/"))


# ----- feeds --------------------------------------------------------------------------------


def test_feeds_and_seen_links(store):
    feed, created = store.add_feed("https://news.example/rss.xml", every=300, tags=["rss"], now=T0)
    assert created and store.add_feed(feed.url)[1] is False
    feed.last_polled = T0 + timedelta(minutes=5)
    feed.articles_added = 3
    store.update_feed(feed)
    [listed] = store.list_feeds()
    assert listed.last_polled == T0 + timedelta(minutes=5) and listed.articles_added == 3 and listed.tags == ["rss"]
    assert store.seen_feed_links(feed.url) == set()
    store.mark_feed_links(feed.url, ["https://news.example/a", "https://news.example/b"])
    store.mark_feed_links(feed.url, ["https://news.example/b", "https://news.example/c"])
    assert store.seen_feed_links(feed.url) == {f"https://news.example/{c}" for c in "abc"}
    store.remove_feed(feed.url)
    assert store.list_feeds() == []
    with pytest.raises(UnknownArticle):
        store.seen_feed_links(feed.url)


# ----- files, locks, failures ---------------------------------------------------------------


def test_reads_of_a_missing_folder_write_nothing(tmp_path):
    store = Store(tmp_path / "absent")
    assert store.list_articles() == [] and store.list_feeds() == []
    assert not (tmp_path / "absent").exists()
    store.add_article(URL, now=T0)
    assert (tmp_path / "absent" / "watcher.json").exists()


def test_uncreatable_folder_is_one_line_store_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "file" / "data").add_article(URL)
    assert "cannot create the data folder" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="is not a folder"):
        Store(tmp_path / "file").add_article(URL)


def test_corrupt_file_names_file_and_backup_and_is_never_overwritten(store, tmp_path):
    store.add_article(URL, now=T0)
    store.add_article("https://news.example/second", now=T0)
    path = tmp_path / "data" / "watcher.json"
    path.write_text('{"articles": {"1": {"url": ')  # hand edit gone wrong
    fresh = Store(tmp_path / "data")
    with pytest.raises(StoreCorrupt) as info:
        fresh.list_articles()
    message = str(info.value)
    assert "\n" not in message and str(path) in message and f"cp {path}.bak {path}" in message
    with pytest.raises(StoreCorrupt):
        fresh.add_article("https://news.example/third")
    assert path.read_text() == '{"articles": {"1": {"url": '
    # the backup is the state one write earlier: the first article
    (tmp_path / "data" / "watcher.json.bak").replace(path)
    assert [a.url for a in Store(tmp_path / "data").list_articles()] == [URL]


def test_empty_store_file_is_corrupt_not_empty(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "watcher.json").write_bytes(b"")
    with pytest.raises(StoreCorrupt, match="the file is empty"):
        Store(tmp_path / "data").list_articles()


def test_disk_full_keeps_previous_store(store, tmp_path, monkeypatch):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html="<p>1</p>", diff=None, captured_at=T0)
    before = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()}

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage_module.os, "write", full)
    with pytest.raises(StoreError) as info:
        store.save_version(
            URL, art(headline="Changed"), html="<p>2</p>", diff=None, captured_at=T0 + timedelta(hours=1)
        )
    assert "disk is full" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError):
        store.record_check(check())
    monkeypatch.undo()
    after = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()}
    assert after == before  # no temp files left, nothing changed
    reopened = Store(tmp_path / "data")
    assert reopened.get_article(URL).versions == 1 and reopened.latest_version(URL).article.headline == "Headline"
    assert store.get_article(URL).checks_total == 0  # the failed transaction left no trace in memory either
    store.record_check(check())
    assert store.get_article(URL).checks_total == 1


def test_write_lock_times_out_with_store_locked(tmp_path):
    store = Store(tmp_path / "data", lock_timeout=0.2)
    store.add_article(URL, now=T0)
    holder = WriteLock(tmp_path / "data" / "watcher.lock")
    holder.acquire()
    try:
        with pytest.raises(StoreLocked, match="busy"):
            store.add_article("https://news.example/other")
    finally:
        holder.release()
    store.add_article("https://news.example/other")
    assert len(store.list_articles()) == 2


def test_run_lock_refuses_a_second_run(tmp_path):
    first, second = Store(tmp_path / "data"), Store(tmp_path / "data")
    with first.run_lock():
        with pytest.raises(StoreLocked) as info:
            with second.run_lock():
                pass
        assert f"pid {os.getpid()}" in str(info.value) and str(tmp_path / "data") in str(info.value)
    with second.run_lock():
        pass


def test_a_second_store_sees_another_writers_changes(tmp_path):
    reader, writer = Store(tmp_path / "data"), Store(tmp_path / "data")
    writer.add_article(URL, now=T0)
    assert reader.get_article(URL).checks_total == 0
    writer.record_check(check())
    assert reader.get_article(URL).checks_total == 1


def test_transaction_groups_writes_and_rolls_back(store, tmp_path):
    store.add_article(URL, now=T0)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
            store.record_check(check("new", version=1))
            raise RuntimeError("monitor crashed mid-check")
    assert store.get_article(URL).versions == 0 and store.list_versions(URL) == []
    with store.transaction():
        store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
        store.record_check(check("new", version=1))
    assert store.get_article(URL).versions == 1 and store.get_article(URL).checks_total == 1


def test_store_files_are_json(store, tmp_path):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    store.record_check(check())
    for path in json_files(tmp_path / "data"):
        assert isinstance(json.loads(path.read_text()), dict)


def test_other_threads_never_see_an_open_transaction(store):
    import threading

    store.add_article(URL, now=T0)
    inside, release = threading.Event(), threading.Event()

    def writer():
        with store.transaction():
            store.add_article("https://news.example/uncommitted", now=T0)
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    assert inside.wait(5)
    try:
        assert [a.url for a in store.list_articles()] == [URL]
    finally:
        release.set()
        thread.join(5)
    assert len(store.list_articles()) == 2


def test_list_versions_last_n_across_chunks(store):
    from watcher.store.store import CHUNK

    store.add_article(URL, now=T0)
    with store.transaction():
        for i in range(CHUNK + 3):
            store.save_version(
                URL, art(headline=f"h{i + 1}"), html=None, diff=None, captured_at=T0 + timedelta(minutes=i)
            )
    assert [v.number for v in store.list_versions(URL, last=5)] == list(range(CHUNK - 1, CHUNK + 4))
    assert [v.article.headline for v in store.list_versions(URL, last=2)] == [f"h{CHUNK + 2}", f"h{CHUNK + 3}"]
    assert len(store.list_versions(URL, last=1000)) == CHUNK + 3
    assert store.list_versions(URL, last=0) == []
    assert [v.number for v in store.list_versions(URL)] == list(range(1, CHUNK + 4))


def test_corrupt_file_without_backup_says_so(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "watcher.json").write_text("{oops")
    with pytest.raises(StoreCorrupt, match="there is no backup yet; move .*watcher.json aside"):
        Store(tmp_path / "data").list_articles()


def test_fields_added_to_watched_article_round_trip(store):
    watched, _ = store.add_article(URL, now=T0)
    watched.headline_variants = ["Variant A", "Variant B"]
    watched.stopped = True
    store.update_article(watched)
    again = Store(store.root).get_article(URL)
    assert again.headline_variants == ["Variant A", "Variant B"] and again.stopped is True


def test_replace_versions_rewrites_history_keeping_raw_html(store):
    from dataclasses import replace

    store.add_article(URL, now=T0)
    for i in range(3):
        store.save_version(
            URL, art(headline=f"h{i}"), html=f"<html>{i}</html>", diff=None, captured_at=T0 + timedelta(hours=i)
        )
    old = store.list_versions(URL)
    kept = [
        replace(old[0], article=art(headline="re-extracted 0")),
        replace(old[2], article=art(headline="re-extracted 2")),
    ]
    saved = store.replace_versions(URL, kept)
    assert [v.number for v in saved] == [1, 2]
    again = store.list_versions(URL)
    assert [v.article.headline for v in again] == ["re-extracted 0", "re-extracted 2"]
    assert [store.get_html(v) for v in again] == ["<html>0</html>", "<html>2</html>"]
    assert again[1].captured_at == T0 + timedelta(hours=2)
    watched = store.get_article(URL)
    assert watched.versions == 2 and watched.headline == "re-extracted 2"
    assert (
        store.save_version(URL, art(headline="next"), html=None, diff=None, captured_at=T0 + timedelta(hours=5)).number
        == 3
    )
