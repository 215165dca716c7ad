"""Notifications delivered to a real HTTP receiver on 127.0.0.1: webhook JSON, Apprise json://, 500s, hangs."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from watcher.config import NotifyTarget
from watcher.models import CheckResult, Edit
from watcher.notify.notifier import Notifier, send_test


def changed(url="https://news.test/world/flood", cls="substantive", flags=("stealth",)):
    return CheckResult(
        url=url,
        status="changed",
        checked_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        version=2,
        flags=list(flags),
        edits=[
            Edit(
                field="body",
                op="replace",
                old="水位上升了三米。",
                new="水位上升了五米。",
                cls=cls,
                inline=[("=", "水位上升了"), ("-", "三"), ("+", "五"), ("=", "米。")],
            )
        ],
        headline="颱風過境 河水暴漲",
    )


def test_webhook_receives_the_json_contract(receiver):
    lines: list[str] = []
    notifier = Notifier([NotifyTarget(url=f"{receiver.url}/ok/hook")], log=lines.append)
    notifier.submit(changed(), "颱風過境 河水暴漲", ["asia"])
    notifier.close(timeout=5)
    assert lines == []
    assert len(receiver.posts) == 1
    path, body = receiver.posts[0]
    assert path == "/ok/hook"
    assert body == {
        "url": "https://news.test/world/flood",
        "status": "changed",
        "version": 2,
        "checked_at": "2026-11-25T10:00:00Z",
        "error": None,
        "flags": ["stealth"],
        "edits": [
            {
                "field": "body",
                "op": "replace",
                "old": "水位上升了三米。",
                "new": "水位上升了五米。",
                "class": "substantive",
                "inline": [["=", "水位上升了"], ["-", "三"], ["+", "五"], ["=", "米。"]],
            }
        ],
        "headline": "颱風過境 河水暴漲",
        "tags": ["asia"],
    }


def test_filters_hold_back_what_they_should(receiver):
    targets = [
        NotifyTarget(url=f"{receiver.url}/ok/substantive"),
        NotifyTarget(url=f"{receiver.url}/ok/typo", min_class="typo"),
        NotifyTarget(url=f"{receiver.url}/ok/headlines", flags=["headline_changed"]),
        NotifyTarget(url=f"{receiver.url}/ok/asia", tags=["asia"]),
    ]
    notifier = Notifier(targets, log=lambda line: None)
    notifier.submit(changed(url="https://news.test/typo", cls="typo", flags=()), "Typo fixed", ["sport"])
    notifier.submit(changed(url="https://news.test/stealth"), "Stealth edit", ["asia"])
    notifier.submit(changed(url="https://news.test/headline", flags=("headline_changed",)), "New headline", [])
    unchanged = CheckResult(url="https://news.test/quiet", status="unchanged", checked_at=changed().checked_at)
    notifier.submit(unchanged, "Quiet", ["asia"])
    notifier.close(timeout=5)
    got = sorted((path, body["url"]) for path, body in receiver.posts)
    assert got == sorted(
        [
            ("/ok/typo", "https://news.test/typo"),
            ("/ok/substantive", "https://news.test/stealth"),
            ("/ok/typo", "https://news.test/stealth"),
            ("/ok/asia", "https://news.test/stealth"),
            ("/ok/substantive", "https://news.test/headline"),
            ("/ok/typo", "https://news.test/headline"),
            ("/ok/headlines", "https://news.test/headline"),
        ]
    )


def test_a_receiver_answering_500_is_retried_then_given_up_and_logged(receiver):
    lines: list[str] = []
    notifier = Notifier([NotifyTarget(url=f"{receiver.url}/fail", retries=2)], log=lines.append, backoff=0.01)
    notifier.submit(changed(), "H", [])
    assert receiver.wait_for(lambda: receiver.failures == 3)
    notifier.close(timeout=5)
    assert receiver.failures == 3
    assert len(lines) == 1
    assert "gave up on https://news.test/world/flood after 3 attempts: HTTP 500" in lines[0]


def test_a_hanging_receiver_never_blocks_submit_and_close_is_bounded(receiver):
    lines: list[str] = []
    targets = [NotifyTarget(url=f"{receiver.url}/hang", timeout=5, retries=3), NotifyTarget(url=f"{receiver.url}/ok/")]
    notifier = Notifier(targets, log=lines.append, backoff=0.01)
    started = time.monotonic()
    for i in range(5):
        notifier.submit(changed(url=f"https://news.test/{i}"), "H", [])
    assert time.monotonic() - started < 0.5
    # the healthy target is not held up behind the hanging one
    assert receiver.wait_for(lambda: len(receiver.posts) == 5)
    started = time.monotonic()
    notifier.close(timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert lines == ["notify: stopped with 5 notification(s) not delivered"]


def test_a_hanging_receiver_times_out_per_attempt(receiver):
    lines: list[str] = []
    notifier = Notifier(
        [NotifyTarget(url=f"{receiver.url}/hang", timeout=0.2, retries=1)], log=lines.append, backoff=0.01
    )
    notifier.submit(changed(), "H", [])
    notifier.close(timeout=5)
    assert len(lines) == 1 and "after 2 attempts: no answer within 0.2 s" in lines[0]


def test_apprise_json_target_reaches_the_receiver(receiver):
    lines: list[str] = []
    port = receiver.url.rsplit(":", 1)[1]
    notifier = Notifier([NotifyTarget(url=f"json://127.0.0.1:{port}/ok/apprise")], log=lines.append)
    notifier.submit(changed(), "颱風過境 河水暴漲", [])
    notifier.close(timeout=10)
    assert lines == []
    ((path, body),) = receiver.posts
    assert path == "/ok/apprise"
    assert body["title"] == "Edited: 颱風過境 河水暴漲"
    assert "https://news.test/world/flood (version 2; substantive; flags: stealth)" in body["message"]
    assert '"水位上升了三米。" -> "水位上升了五米。"' in body["message"]


def test_send_test_reaches_good_targets_and_reports_bad_ones(receiver):
    port = receiver.url.rsplit(":", 1)[1]
    outcome = send_test(
        [
            NotifyTarget(url=f"{receiver.url}/ok/webhook"),
            NotifyTarget(url=f"json://127.0.0.1:{port}/ok/apprise"),
            NotifyTarget(url=f"{receiver.url}/fail", retries=5),
        ]
    )
    assert [(ok, error) for _, ok, error in outcome] == [
        (True, None),
        (True, None),
        (False, "HTTP 500 Internal Server Error"),
    ]
    assert sorted(path for path, _ in receiver.posts) == ["/ok/apprise", "/ok/webhook"]
    assert receiver.failures == 1  # a test is sent once, not retried
