"""Copy requests waiting in the outbox (watcher/copies.py) through each store backend: a request names its version
so that a `watcher reextract` renumbering the versions meanwhile does not send the copy to another version."""

from __future__ import annotations

import time
from datetime import timedelta

from support.standins import ArchiveToday
from support.store_data import T0, URL, art, check

from watcher.config import CopiesSettings
from watcher.copies import OUTBOX_PREFIX, Copier
from watcher.monitor.reextract import rebuild_versions


def test_a_waiting_copy_lands_on_its_version_after_reextract_renumbers_the_versions(store):
    store.add_article(URL, now=T0)
    first, edited = art(headline="Bridge to close"), art(headline="Bridge to close for two years")
    for i in range(3):
        store.save_version(
            URL,
            art(headline=f"Bridge to close (chrome {i})") if i == 1 else (first if i == 0 else edited),
            html=f"<html>{i}</html>",
            diff=None,
            captured_at=T0 + timedelta(hours=i),
        )
    today = ArchiveToday(mode="limit")  # the first run is told to slow down: its request stays in the outbox
    try:
        settings = CopiesSettings(archive_today=True, archive_today_url=today.base, gap=0, timeout=2, backoff=1)
        lines: list[str] = []
        copier = Copier(settings, [], store, log=lines.append)
        copier.submit(check("changed", version=3))
        deadline = time.monotonic() + 10
        while not today.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        copier.close()
        # A request written by an older watcher names its version by number only; it must still be read.
        store.outbox_put([(OUTBOX_PREFIX + "archive_today", {"url": URL, "version": 1, "service": "archive_today"})])
        assert len(store.outbox_pending()) == 2

        # Better rules see version 2's change as page chrome: re-extraction merges it into version 1, and the
        # version the waiting request was made for becomes version 2.
        pages = {"<html>0</html>": first, "<html>1</html>": first, "<html>2</html>": edited}
        assert rebuild_versions(store, URL, lambda html, url: pages[html]) == 2

        today.mode = "ok"
        Copier(settings, [], store, log=lines.append).close(timeout=10)
    finally:
        today.close()
    assert store.outbox_pending() == [], lines
    one, two = store.list_versions(URL, full=False)
    assert (two.captured_at, two.article.headline) == (T0 + timedelta(hours=2), edited.headline)
    assert [c["url"] for c in two.copies] == [f"{today.base}/a0001"]  # the request for the edited version
    assert [c["url"] for c in one.copies] == [f"{today.base}/a0002"]  # the old request, by its number
