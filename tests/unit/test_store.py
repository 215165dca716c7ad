"""TinyStore's files: blobs on disk, durability, corruption and backups, locks, open_store's choice.

Behaviour every backend shares is in tests/contract/test_store_contract.py; these tests are about
the embedded backend's data folder in particular."""

from __future__ import annotations

import errno
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from support.store_data import OTHER, T0, URL, art, check

from watcher.errors import BadInput, RefusedScheme, StoreCorrupt, StoreError, StoreLocked
from watcher.store import Store, open_store
from watcher.store.docs import url_key
from watcher.store.tiny import jsonfile as storage_module
from watcher.store.tiny.lock import WriteLock
from watcher.store.tiny.store import TinyStore


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "data", check_log_size=5)


def json_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.json")]


def test_add_refuses_bad_urls_and_creates_no_folder(tmp_path):
    store = open_store(tmp_path / "data")
    with pytest.raises(RefusedScheme):
        store.add_article("file:///etc/passwd")
    with pytest.raises(BadInput):
        store.add_article("https://user:pw@news.example/x")
    assert not (tmp_path / "data").exists()


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


def test_prune_raw_deletes_unreferenced_blob_files(store, tmp_path):
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


def test_reads_of_a_missing_folder_write_nothing(tmp_path):
    store = open_store(tmp_path / "absent")
    assert store.list_articles() == [] and store.list_feeds() == []
    assert not (tmp_path / "absent").exists()
    store.add_article(URL, now=T0)
    assert (tmp_path / "absent" / "watcher.json").exists()


def test_uncreatable_folder_is_one_line_store_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError) as info:
        open_store(tmp_path / "file" / "data").add_article(URL)
    assert "cannot create the data folder" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="is not a folder"):
        open_store(tmp_path / "file").add_article(URL)


def test_corrupt_file_names_file_and_backup_and_is_never_overwritten(store, tmp_path):
    urls = [URL] + [f"https://news.example/{i}" for i in range(5)]
    for url in urls:
        store.add_article(url, now=T0)
    store.record_check(check())
    path = tmp_path / "data" / "watcher.json"
    assert (tmp_path / "data" / "watcher.json.bak").exists()  # made by the writes so far
    path.write_text('{"articles": {"1": {"url": ')  # hand edit gone wrong
    fresh = open_store(tmp_path / "data")
    with pytest.raises(StoreCorrupt) as info:
        fresh.list_articles()
    message = str(info.value)
    assert "\n" not in message and str(path) in message and f"cp {path}.bak {path}" in message
    with pytest.raises(StoreCorrupt):
        fresh.add_article("https://news.example/third")
    assert path.read_text() == '{"articles": {"1": {"url": '
    # Following the advice loses nothing: the journals written since the backup are replayed over it.
    (tmp_path / "data" / "watcher.json.bak").replace(path)
    restored = open_store(tmp_path / "data")
    assert [a.url for a in restored.list_articles()] == urls and restored.get_article(URL).checks_total == 1
    restored.record_check(check())
    assert open_store(tmp_path / "data").get_article(URL).checks_total == 2


def test_empty_store_file_is_corrupt_not_empty(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "watcher.json").write_bytes(b"")
    with pytest.raises(StoreCorrupt, match="the file is empty"):
        open_store(tmp_path / "data").list_articles()


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
    reopened = open_store(tmp_path / "data")
    assert reopened.get_article(URL).versions == 1 and reopened.latest_version(URL).article.headline == "Headline"
    assert store.get_article(URL).checks_total == 0  # the failed transaction left no trace in memory either
    store.record_check(check())
    assert store.get_article(URL).checks_total == 1


def test_write_lock_times_out_with_store_locked(tmp_path):
    store = open_store(tmp_path / "data", lock_timeout=0.2)
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


def test_run_lock_message_names_the_folder_and_pid(tmp_path):
    first, second = open_store(tmp_path / "data"), open_store(tmp_path / "data")
    with first.run_lock():
        with pytest.raises(StoreLocked) as info:
            with second.run_lock():
                pass
        assert f"pid {os.getpid()}" in str(info.value) and str(tmp_path / "data") in str(info.value)
    with second.run_lock():
        pass


def test_store_files_are_json(store, tmp_path):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    store.record_check(check())
    for path in json_files(tmp_path / "data"):
        assert isinstance(json.loads(path.read_text()), dict)


def test_corrupt_file_without_backup_says_so(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "watcher.json").write_text("{oops")
    with pytest.raises(StoreCorrupt, match="there is no backup yet; move .*watcher.json aside"):
        open_store(tmp_path / "data").list_articles()


def test_open_store_picks_the_backend_from_the_location(tmp_path):
    assert isinstance(open_store(tmp_path / "a"), TinyStore)
    by_url = open_store(f"file://{tmp_path / 'b'}")
    assert isinstance(by_url, TinyStore) and by_url.location == str(tmp_path / "b")
    assert isinstance(by_url, Store)
    # A server URL picks the PostgreSQL backend; with no server there, one line naming it, no password.
    with pytest.raises(
        StoreError, match="cannot reach the PostgreSQL store postgresql://watcher@127.0.0.1:9/w"
    ) as info:
        open_store("postgresql://watcher:secret@127.0.0.1:9/w", connect_wait=0)
    assert "\n" not in str(info.value) and "secret" not in str(info.value)
    with pytest.raises(BadInput, match="unknown store ftp://"):
        open_store("ftp://example/x")


# ----- a data folder written by the release before the journal -------------------------------

SCHEMA1 = Path(__file__).resolve().parents[1] / "fixtures" / "store-schema1"  # made by the code at 5a13bdd
HARBOUR, VOTE = "https://news.example/world/harbour", "https://news.example/politics/vote"


def test_a_schema1_store_is_upgraded_on_first_open_with_a_backup(tmp_path, caplog):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SCHEMA1, data)
    original = (data / "watcher.json").read_bytes()
    store = open_store(data)
    with caplog.at_level("WARNING", logger="watcher.store"):
        listed = store.list_articles()  # a read upgrades too
    [message] = [r.getMessage() for r in caplog.records]
    assert f"upgraded the store in {data}" in message and str(data / "watcher.json.schema1.bak") in message
    assert (data / "watcher.json.schema1.bak").read_bytes() == original
    assert json.loads((data / "watcher.json").read_text())["meta"]["1"]["schema"] == 2
    # Everything the old release stored reads back the same.
    assert [(a.url, a.tags, a.every, a.versions, a.checks_total) for a in listed] == [
        (HARBOUR, ["world"], None, 2, 3),
        (VOTE, [], 900, 0, 1),
    ]
    harbour = store.get_article(HARBOUR)
    assert (
        harbour.next_check == T0 + timedelta(hours=3) and harbour.last_edit_summary == "1 edit, substantive (stealth)"
    )
    old, new = store.list_versions(HARBOUR)
    assert new.edits[0].old == "The harbour closed at noon." and new.flags == ["stealth"]
    assert store.get_html(old) == "<html><p>The harbour closed at noon.</p></html>"
    assert [c.status for c in store.recent_checks(HARBOUR)] == ["unchanged"] * 3
    assert store.recent_checks(VOTE)[0].error == "timed out after 20s"
    assert [f.every for f in store.list_feeds()] == [300]
    assert store.seen_feed_links("https://news.example/rss.xml") == {HARBOUR, VOTE}
    # It goes on working, and a second open does not upgrade again.
    store.record_check(check(url=VOTE))
    caplog.clear()
    with caplog.at_level("WARNING", logger="watcher.store"):
        again = open_store(data)
        assert again.get_article(VOTE).checks_total == 2 and again.get_article(VOTE).consecutive_errors == 0
    assert caplog.records == []


def test_the_upgrade_message_is_one_line_on_the_command_line(tmp_path):
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(SCHEMA1, data)

    def watcher_list():
        return subprocess.run(
            [sys.executable, "-m", "watcher", "--data-dir", str(data), "list", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = watcher_list()
    assert first.returncode == 0, first.stderr
    assert [a["url"] for a in json.loads(first.stdout)] == [HARBOUR, VOTE]
    [line] = first.stderr.splitlines()
    assert line.startswith("watcher: upgraded the store in") and "watcher.json.schema1.bak" in line
    second = watcher_list()
    assert second.returncode == 0 and second.stderr == "" and second.stdout == first.stdout


# ----- damage, reported per version, and watcher doctor (issue 17 item 13) ---------------------------

PAGE = (
    "<html><head><title>Storm</title></head><body><article><h1>Storm closes the harbour</h1>"
    "<p>The harbour closed at noon as the storm arrived from the west, the port authority said.</p>"
    "<p>Ferries to the islands were cancelled until Thursday, the operator said on Monday.</p>"
    "</article></body></html>"
)


def damaged_store(tmp_path: Path):
    store = open_store(tmp_path / "data", durable=False)
    store.add_article(URL, now=T0)
    store.add_article(OTHER, now=T0)
    first = store.save_version(URL, art(body=("One.", "Two.")), html=PAGE, diff=None, captured_at=T0)
    store.save_version(URL, art(body=("One.", "Two!")), html=None, diff=None, captured_at=T0 + timedelta(hours=1))
    store.save_version(OTHER, art(headline="Other"), html=None, diff=None, captured_at=T0)
    return store, first


def text_blob(store, url: str, number: int) -> Path:
    chunk = json.loads(next((store.root / "articles").rglob(f"*{url_key(url)}/v00000.json")).read_text())
    return store.blobs.path(chunk["versions"][str(number)]["text"])


def doctor(store, repair=False):
    from watcher.extract import extract
    from watcher.store.tiny.doctor import examine

    return examine(store, repair=repair, extract=lambda html, url: extract(html, url))


def test_a_missing_or_damaged_blob_costs_one_version_its_text_and_says_so(tmp_path):
    store, _ = damaged_store(tmp_path)
    text_blob(store, URL, 2).unlink()
    lost = store.get_version(URL, 2)
    assert lost.article.body == [] and "its text is missing" in lost.damage and lost.article.headline == "Headline"
    assert store.get_version(URL, 1).damage is None and store.get_version(URL, 1).article.body == ["One.", "Two."]
    text_blob(store, OTHER, 1).write_bytes(b"not gzip at all")
    assert "its text is damaged" in store.get_version(OTHER, 1).damage
    # Every reader of many versions goes on: history, reports.
    assert [v.damage is None for v in store.list_versions(URL)] == [True, False]
    assert len(store.versions_since(None)) == 3


def test_doctor_rebuilds_lost_text_from_raw_html_and_marks_what_it_cannot(tmp_path):
    store, first = damaged_store(tmp_path)
    text_blob(store, URL, 1).write_bytes(b"garbage")  # has raw HTML
    text_blob(store, URL, 2).unlink()  # has none
    found = doctor(store)
    assert [(f.where, f.repaired) for f in found] == [
        (str(text_blob(store, URL, 1)), False),
        (f"{URL} v1", False),
        (f"{URL} v2", False),
    ]
    assert "rebuilt from its raw HTML" in found[1].remedy and "no raw HTML" in found[2].problem
    assert all(f.repaired for f in doctor(store, repair=True))
    rebuilt = open_store(store.root).get_version(URL, 1)
    assert rebuilt.damage is None and rebuilt.article.body[0].startswith("The harbour closed at noon")
    assert open_store(store.root).get_version(URL, 2).damage == "its text was lost"
    assert doctor(store) == []  # consistent: nothing left to repair
    assert list(store.root.rglob("*.gz.damaged"))  # set aside, not deleted


def test_doctor_sets_a_damaged_chunk_aside_and_the_article_goes_on(tmp_path):
    from watcher.report.collect import report_entries

    store = open_store(tmp_path / "data", durable=False)
    store.add_article(URL, now=T0)
    with store.transaction():
        for i in range(103):
            store.save_version(
                URL, art(headline=f"h{i + 1}"), html=None, diff=None, captured_at=T0 + timedelta(minutes=i)
            )
    chunk = next(store.root.rglob("v00000.json"))
    chunk.write_text("{oops")
    assert [v.number for v in open_store(store.root).list_versions(URL)] == [101, 102, 103]
    found = doctor(store)
    assert (
        len(found) == 1 and "versions 1-100 are unreadable" in found[0].problem and "--repair" not in found[0].problem
    )
    doctor(store, repair=True)
    again = open_store(store.root)
    assert doctor(again) == [] and chunk.with_name("v00000.json.damaged").exists()
    assert [e.new.number for e in report_entries(again)] == [102, 103]  # no change to show for 101
    assert (
        again.save_version(URL, art(headline="next"), html=None, diff=None, captured_at=T0 + timedelta(days=1)).number
        == 104
    )


def test_doctor_fixes_a_counter_past_the_versions_left_and_restores_a_damaged_watch_list(tmp_path):
    store = open_store(tmp_path / "data", durable=False)
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    store.save_version(URL, art(headline="two"), html=None, diff=None, captured_at=T0 + timedelta(hours=1))
    next(store.root.rglob("v00000.json")).unlink()  # moved aside by hand, as the old advice said
    found = doctor(store)
    assert [f.problem for f in found] == ["its counter says 2 versions, the files hold up to version 0"]
    doctor(store, repair=True)
    fresh = open_store(store.root)
    assert fresh.latest_version(URL) is None and fresh.get_article(URL).versions == 0
    assert fresh.save_version(URL, art(), html=None, diff=None, captured_at=T0).number == 1
    (store.root / "watcher.json").write_text("{broken")
    [finding] = doctor(open_store(store.root))
    assert finding.where == str(store.root / "watcher.json") and "backup" in finding.remedy
    doctor(open_store(store.root), repair=True)
    assert open_store(store.root).get_article(URL).versions == 1 and doctor(open_store(store.root)) == []


def test_a_compaction_that_fails_does_not_fail_the_write_it_follows(tmp_path, monkeypatch, caplog):
    from watcher.store.tiny import journal

    store = open_store(tmp_path / "data", durable=False)
    store.add_article(URL, now=T0)

    def full(path, data, **kw):
        raise StoreError(f"cannot write {path}: No space left on device")

    monkeypatch.setattr(journal, "atomic_write", full)
    with caplog.at_level("WARNING", logger="watcher.store"):
        for i in range(30):  # enough journal to make a compaction due, several times over
            store.record_check(check(at=T0 + timedelta(minutes=i)))
    assert len([r for r in caplog.records if "could not compact" in r.getMessage()]) < 10
    monkeypatch.undo()
    assert open_store(tmp_path / "data").get_article(URL).checks_total == 30
