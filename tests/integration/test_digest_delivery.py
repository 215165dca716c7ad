"""A digest target gets one POST per window with every edit of the window in it, grouped by article, while an
ordinary target beside it gets one per edit; what waits for a window outlives the process (the store's outbox)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from watcher.config import NotifyTarget
from watcher.models import CheckResult, Edit
from watcher.notify.notifier import Notifier
from watcher.store import open_store


def result(url: str, version: int, old: str, new: str) -> CheckResult:
    edit = Edit(field="body", op="replace", old=old, new=new, cls="substantive")
    return CheckResult(url=url, status="changed", checked_at=datetime.now(UTC), version=version, edits=[edit])


def wait_for_window_start(seconds: int) -> None:
    # Start just after a boundary, so all three submissions fall in one window.
    time.sleep(seconds - time.time() % seconds + 0.05)


def test_one_message_per_window_grouped_by_article(receiver, tmp_path):
    store = open_store(tmp_path / "data")
    digest = NotifyTarget(url=f"{receiver.url}/digest", digest="2s", retries=0)
    each = NotifyTarget(url=f"{receiver.url}/each", retries=0)
    notifier = Notifier([digest, each], log=lambda line: None, outbox=store)
    try:
        wait_for_window_start(2)
        notifier.submit(result("https://n.example/a", 2, "7 to 2", "6 to 3"), "Budget vote", ["city"])
        notifier.submit(result("https://n.example/b", 5, "hire", "fire"), "Staff cuts", [])
        notifier.submit(result("https://n.example/a", 3, "6 to 3", "5 to 4"), "Budget vote", ["city"])
        assert receiver.wait_for(lambda: len(receiver.got("/each")) == 3, timeout=5)
        assert receiver.wait_for(lambda: len(receiver.got("/digest")) == 1, timeout=5)
        time.sleep(2.2)  # a window with nothing in it sends nothing
        assert len(receiver.got("/digest")) == 1
        (sent,) = receiver.got("/digest")
        assert sent["digest"] is True and sent["count"] == 3
        assert [g["url"] for g in sent["articles"]] == ["https://n.example/a", "https://n.example/b"]
        assert [c["version"] for c in sent["articles"][0]["changes"]] == [2, 3]
        assert sent["articles"][0]["tags"] == ["city"]
        assert sent["articles"][1]["changes"][0]["edits"][0]["new"] == "fire"

        wait_for_window_start(2)
        notifier.submit(result("https://n.example/c", 1, "a", "b"), "Later", [])
    finally:
        notifier.close(timeout=0.5)  # before that window closes: kept in the outbox
    assert len(receiver.got("/digest")) == 1

    again = Notifier([digest], log=lambda line: None, outbox=open_store(tmp_path / "data"))
    try:
        assert receiver.wait_for(lambda: len(receiver.got("/digest")) == 2, timeout=5)
    finally:
        again.close(timeout=0.5)
    assert [g["url"] for g in receiver.got("/digest")[1]["articles"]] == ["https://n.example/c"]
    assert open_store(tmp_path / "data").outbox_pending() == []  # delivered once, then forgotten
