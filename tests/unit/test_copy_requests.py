"""Third-party copies (watcher/copies.py) apart from the network: which sites are copied, how a copy reads, the
key kept out of errors, and the notifier leaving copy requests in the shared outbox alone."""

from __future__ import annotations

from watcher.config import CopiesSettings, NotifyTarget, SiteRule
from watcher.copies import OUTBOX_PREFIX, Copier, copy_line, wanted
from watcher.notify.notifier import Notifier, message
from watcher.store import open_store


def test_sites_opt_in_or_out_of_copies():
    every = CopiesSettings(archive_today=True)
    listed = CopiesSettings(archive_today=True, every_site=False)
    sites = [SiteRule(domain="news.example", copies=False), SiteRule(domain="world.news.example", copies=True)]
    assert wanted("https://other.example/a", every, sites)
    assert not wanted("https://www.news.example/a", every, sites)
    assert wanted("https://world.news.example/a", every, sites)  # the most specific entry decides
    assert not wanted("https://other.example/a", listed, sites)
    assert wanted("https://world.news.example/a", listed, sites)


def test_a_copy_in_words():
    assert copy_line({"service": "wayback", "url": "https://web.archive.org/web/1/x"}) == (
        "archived copy (Internet Archive): https://web.archive.org/web/1/x"
    )
    assert copy_line({"service": "archive_today", "url": None, "error": "asks for a CAPTCHA"}) == (
        "no archived copy (archive.today): asks for a CAPTCHA"
    )


def test_the_key_never_appears_in_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHER_WAYBACK_KEY", "myaccess:mysecret")
    store = open_store(tmp_path / "data")
    lines: list[str] = []
    copier = Copier(CopiesSettings(wayback=True), [], store, log=lines.append)
    try:
        assert copier._scrub("refused LOW myaccess:mysecret and mysecret") == "refused LOW … and …"
    finally:
        copier.close()


def test_the_notifier_leaves_copy_requests_in_the_outbox(tmp_path):
    store = open_store(tmp_path / "data")
    store.outbox_put([(OUTBOX_PREFIX + "wayback", {"url": "https://news.example/a", "version": 1})])
    lines: list[str] = []
    notifier = Notifier([NotifyTarget(url="https://hooks.test/")], log=lines.append, outbox=store)
    notifier.close(timeout=0)
    assert [e["target"] for e in store.outbox_pending()] == [OUTBOX_PREFIX + "wayback"]
    assert not [line for line in lines if "dropped" in line]


def test_a_notification_names_the_copies_made():
    body = {
        "url": "https://news.example/a",
        "status": "changed",
        "version": 2,
        "headline": "Bridge",
        "edits": [],
        "copies": [{"service": "wayback", "url": "https://web.archive.org/web/20261207/https://news.example/a"}],
    }
    _, text = message(body)
    assert "archived copy (Internet Archive): https://web.archive.org/web/20261207/https://news.example/a" in text


def test_the_services_are_held_to_the_public_address_rule(monkeypatch):
    import pytest

    from watcher.copies import CopyFailed, save_archive_today

    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    with pytest.raises(CopyFailed, match="private|non-public|loopback") as caught:
        save_archive_today(
            CopiesSettings(archive_today=True, archive_today_url="http://127.0.0.1:9"), "https://a.example/"
        )
    assert not caught.value.retryable


def test_a_notification_carries_the_copies_recorded_by_the_time_it_is_sent(tmp_path):
    from datetime import UTC, datetime

    from watcher.models import Article

    store = open_store(tmp_path / "data")
    url = "https://news.example/a"
    store.add_article(url)
    store.save_version(url, Article(headline="H", body=["p"]), html=None, diff=None, captured_at=datetime.now(UTC))
    notifier = Notifier([NotifyTarget(url="https://hooks.test/")], log=lambda line: None, outbox=store)
    try:
        body = {"url": url, "status": "new", "version": 1, "edits": []}
        assert "copies" not in notifier._with_copies(body)  # none made yet: the body as it was
        copy = {"service": "archive_today", "url": "https://archive.ph/abcde", "saved_at": None, "error": None}
        store.record_copy(url, 1, copy)
        assert notifier._with_copies(body)["copies"] == [copy]
    finally:
        notifier.close(timeout=0)


def test_a_digest_message_names_the_copies_made():
    from datetime import UTC, datetime

    from watcher.notify.digest import digest_body, digest_message

    copy = {"service": "archive_today", "url": "https://archive.ph/abcde"}
    body = {"url": "https://news.example/a", "status": "changed", "version": 2, "edits": [], "copies": [copy]}
    _, text = digest_message(digest_body([body], None, datetime.now(UTC)))
    assert "archived copy (archive.today): https://archive.ph/abcde" in text


def test_requests_wait_for_a_run_with_the_key_and_are_dropped_once_their_service_is_off(tmp_path, monkeypatch):
    store = open_store(tmp_path / "data")
    store.outbox_put(
        [(OUTBOX_PREFIX + "wayback", {"url": "https://news.example/a", "version": 1, "service": "wayback"})]
    )
    monkeypatch.delenv("WATCHER_WAYBACK_KEY", raising=False)
    lines: list[str] = []
    Copier(CopiesSettings(wayback=True, archive_today=True), [], store, log=lines.append).close()
    assert [e["target"] for e in store.outbox_pending()] == [OUTBOX_PREFIX + "wayback"]
    assert any("needs an archive.org key" in line for line in lines)
    Copier(CopiesSettings(archive_today=True), [], store, log=lines.append).close()
    assert store.outbox_pending() == []
