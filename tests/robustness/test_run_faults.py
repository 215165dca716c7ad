"""Faults that used to stop `watcher run` watching or make it spin: each check or feed poll that fails,
however it fails, is reported once and retried after a backoff, and the other articles keep being checked.

The run is the real loop over a real store and the session's Chromium; the faults are real too (a
damaged file, a page whose JSON-LD is 100,000 levels deep, an interval too large for a date)."""

from __future__ import annotations

import asyncio
import gzip
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.site_server import Response

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.config import Config, FeedSettings, ScheduleSettings, Tier, TrustSettings
from watcher.models import CheckResult
from watcher.monitor.check import Services
from watcher.monitor.loop import FeedPoll, Runner, is_due
from watcher.store import open_store
from watcher.store.docs import url_key
from watcher.times import utcnow

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def page(topic: str, head: str = "") -> str:
    paras = "".join(
        f"<p>Paragraph {i} of a story about the {topic}, told for the reader at length.</p>" for i in range(4)
    )
    return (
        f"<!doctype html><html><head><title>{topic}</title>{head}</head><body><article>"
        f"<h1>The {topic} story</h1>{paras}</article></body></html>"
    )


DEEP = page("deep", "<script type='application/ld+json'>" + "[" * 100_000 + "]" * 100_000 + "</script>")


def config() -> Config:
    # Checked every second when healthy; a failure waits 60 s, far longer than any of these runs.
    return Config(
        schedule=ScheduleSettings(tiers=[Tier(until=86400, every=1)], jitter=0.0, error_backoff=60),
        trust=TrustSettings(confirm_delay=0),
        feeds=FeedSettings(default_every=1),
    )


def run_for(svc: Services, seconds: float, wait_for: tuple[str, ...] = ()) -> tuple[list[CheckResult], list[FeedPoll]]:
    results: list[CheckResult] = []
    polls: list[FeedPoll] = []
    runner = Runner(svc, on_result=results.append, on_feed=polls.append)

    async def go() -> None:
        task = asyncio.create_task(runner.run())
        # First until every article named has been checked once (a busy machine is slow), then `seconds`
        # more, in which a failed check must not come back.
        deadline = time.monotonic() + 30
        while wait_for and not all(any(r.url == u for r in results) for u in wait_for):
            assert time.monotonic() < deadline, results
            await asyncio.sleep(0.1)
        await asyncio.sleep(seconds)
        runner.stop()
        await task

    asyncio.run(go())
    return results, polls


def services(tmp_path: Path, fetcher) -> Services:
    return Services(fetcher=fetcher, store=open_store(tmp_path / "data"), config=config())


def test_failures_of_every_kind_are_retried_after_a_backoff_not_at_once(site, fetcher, tmp_path):
    svc = services(tmp_path, fetcher)
    store = svc.store
    site.page("/deep", DEEP)  # RecursionError in the JSON-LD parser
    topics = ("good", "blob", "huge", "log", "locked")
    for topic in topics:
        site.page(f"/{topic}", page(topic))
    good = site.url("/good", host="localhost")  # a host of its own: not queued behind the others' checks
    deep, blob, huge, log, locked = (site.url(f"/{p}") for p in ("deep", *topics[1:]))
    urls = (good, deep, blob, huge, log, locked)
    for url in urls:
        store.add_article(url)
    # A first version of three of them, then damage: the text blob of one, the check log of another,
    # and for the third a check log that cannot be written at all (a folder where the file goes).
    asyncio.run(_check_once(svc, blob))
    for path in (tmp_path / "data" / "blobs").rglob("*.gz"):
        path.write_bytes(gzip.compress(b"not json")[:10])
    asyncio.run(_check_once(svc, log, locked))
    key = url_key(log)
    (tmp_path / "data" / "articles" / key[:2] / key / "checks.json").write_text('{"checks": {"1": {"log": [')
    key = url_key(locked)
    checks = tmp_path / "data" / "articles" / key[:2] / key / "checks.json"
    checks.unlink()
    checks.mkdir()
    # An interval beyond the last date a datetime can hold (`add --every 1000000w` in an older store).
    article = store.get_article(huge)
    article.every = 1_000_000 * 7 * 86400
    store.update_article(article)

    results, _ = run_for(svc, 2.5, wait_for=urls)

    by_url = {url: [r for r in results if r.url == url] for url in urls}
    assert len(by_url[good]) >= 2, results  # the healthy article kept its one-second schedule
    assert [r.status for r in by_url[huge]] == ["new"], by_url[huge]
    assert store.get_article(huge).next_check is not None
    # A check log that cannot be written: one failure, reported on one line, then the 60 s backoff.
    assert [r.status for r in by_url[locked]] == ["error"], by_url[locked]
    assert "\n" not in by_url[locked][0].error and "retrying in 60 s" in by_url[locked][0].error
    # The other damage may be repaired or read around by the store, or the parser may cope with the deep
    # JSON-LD; when it is a failure, it is one failure, not a retry at once.
    for url in (deep, blob, log):
        statuses = [r.status for r in by_url[url]]
        assert "error" not in statuses or statuses == ["error"], (url, by_url[url])
    if [r.status for r in by_url[deep]] == ["error"]:
        assert "RecursionError" in by_url[deep][0].error and site.hits("/deep") == 1
        # Recorded where the store could: the error count and the retry time are stored.
        deep_article = store.get_article(deep)
        assert deep_article.consecutive_errors == 1 and deep_article.last_status == "error"
        assert deep_article.next_check >= deep_article.last_checked + timedelta(seconds=50)


async def _check_once(svc: Services, *urls: str) -> None:
    from watcher.monitor.check import check_article

    for url in urls:
        assert (await check_article(url, svc)).status == "new"


def test_a_feed_poll_that_cannot_be_recorded_is_not_repeated_at_once(site, fetcher, tmp_path):
    svc = services(tmp_path, fetcher)
    site.bytes("/rss.xml", _rss([site.url("/a")]), "application/rss+xml")
    feed, _ = svc.store.add_feed(site.url("/rss.xml"), every=1_000_000 * 7 * 86400)  # OverflowError on reschedule
    results, polls = run_for(svc, 2.5)
    assert site.hits("/rss.xml") == 1, polls
    assert svc.store.list_feeds()[0].next_poll is not None


def _rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>f</title>{items}</channel></rss>".encode()


def test_feeds_that_hang_do_not_keep_a_good_feed_from_being_polled(site, fetcher, tmp_path):
    svc = services(tmp_path, fetcher)
    svc.config.fetch.nav_timeout = 60  # the hanging ones stay unanswered for the whole test
    for n in range(6):  # more than the feed threads of old (4), listed before the good feed
        site.hang(f"/hang{n}.xml")
        svc.store.add_feed(site.url(f"/hang{n}.xml"), every=1)
    site.bytes("/good.xml", _rss([site.url("/news/1")]), "application/rss+xml")
    svc.store.add_feed(site.url("/good.xml"), every=1)
    _, polls = run_for(svc, 3.0)
    good = [p for p in polls if p.feed == site.url("/good.xml")]
    assert good and good[0].error is None and good[0].added == [site.url("/news/1")], polls


def test_a_clock_jumping_a_month_ahead_during_a_check_does_not_stop_the_article(site, fetcher, tmp_path):
    svc = services(tmp_path, fetcher)
    svc.config.schedule = ScheduleSettings(jitter=0.0)  # the default tiers: every 10 min, ..., stop at 30 days
    site.page("/story", page("story"))
    url = site.url("/story")
    svc.store.add_article(url, now=T0)
    now = [T0]
    svc.clock = lambda: now[0]
    results: list[CheckResult] = []

    def jumped(result: CheckResult) -> None:
        # The first check read the clock at T0; the clock jumps 31 days while it runs (here: as it
        # reports), so the next check comes a month after it was due.
        results.append(result)
        now[0] = T0 + timedelta(days=31)

    runner = Runner(svc, on_result=jumped, max_checks=2)
    asyncio.run(asyncio.wait_for(runner.run(), 30))
    assert [r.status for r in results] == ["new", "unchanged"]
    article = svc.store.get_article(url)
    assert not article.stopped and article.next_check is not None
    assert article.next_check - (T0 + timedelta(days=31)) <= timedelta(minutes=10)


def test_resume_revives_an_article_that_was_stopped(data_dir_with_stopped):
    data_dir, url = data_dir_with_stopped
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), "resume", url], Environment(stdout=out, stderr=err, width=200))
    assert exited.value.code == 0, err.getvalue()
    article = open_store(data_dir).get_article(url)
    assert not article.stopped and not article.paused
    assert is_due(article, utcnow() + timedelta(seconds=1))


@pytest.fixture
def data_dir_with_stopped(tmp_path):
    """An article left `stopped` with no next check, as the clock-jump bug left them."""
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    url = "https://news.example/stopped"
    store.add_article(url, now=T0)
    article = store.get_article(url)
    article.stopped, article.next_check, article.last_checked = True, None, T0
    store.update_article(article)
    return data_dir, url


def test_the_politeness_wait_does_not_eat_the_confirming_fetchs_deadline(site, make_fetcher, tmp_path):
    # A confirming re-fetch waits its turn at the host (per_host_delay) right after the first fetch;
    # counted against its deadline, that wait left too little time to load the page, and no
    # substantive edit was ever stored.
    fetcher = make_fetcher(per_host_delay=2.9, deadline=3.0, nav_timeout=3.0)
    svc = services(tmp_path, fetcher)
    svc.config.fetch.per_host_delay, svc.config.fetch.deadline = 2.9, 3.0
    edited = page("harbour").replace("Paragraph 2", "Section 9").encode()
    slow = [Response(edited, 200, "text/html; charset=utf-8", {}, 0.8)]  # loads in 0.8 s of the 3 s deadline
    site.page_versions("/story", {"v1": page("harbour"), "v2": slow})
    url = site.url("/story")
    svc.store.add_article(url)
    asyncio.run(_check_once(svc, url))
    site.set_version("/story", "v2")
    result = asyncio.run(_check(svc, url))
    assert result.status == "changed", (result.status, result.flags, result.error)


async def _check(svc: Services, url: str) -> CheckResult:
    from watcher.monitor.check import check_article

    return await check_article(url, svc)


def test_a_full_disk_holds_every_check_back_briefly_and_charges_no_page(site, fetcher, tmp_path):
    from support.tmpfs import tmpfs

    with tmpfs(tmp_path / "small", "2m") as mount:
        svc = Services(fetcher=fetcher, store=open_store(mount / "data"), config=config())
        site.page("/story", page("storm " * 20))
        url = site.url("/story")
        svc.store.add_article(url)
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * max(0, free - 4096))  # not even room for the first version
        results: list[CheckResult] = []
        runner = Runner(svc, on_result=results.append)

        async def go() -> tuple[list[CheckResult], int, float]:
            task = asyncio.create_task(runner.run())
            deadline = time.monotonic() + 30
            while not results:
                assert time.monotonic() < deadline, "no check in 30 s"
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.5)
            while_full, hits = list(results), site.hits("/story")
            (mount / "filler").unlink()  # space again
            freed = time.monotonic()
            while not any(r.status == "new" for r in results) and time.monotonic() < freed + 20:
                await asyncio.sleep(0.1)
            runner.stop()
            await task
            return while_full, hits, time.monotonic() - freed

        while_full, hits, took = asyncio.run(go())
        assert [r.status for r in while_full] == ["error"], while_full
        assert "\n" not in while_full[0].error and "retrying in 5 s" in while_full[0].error, while_full
        assert hits <= 2  # the page load, and at most its confirmation; not one per loop
        # The page did not fail: no error counted against it, so no back-off of its own (60 s here).
        assert "new" in [r.status for r in results] and took < 15, (results, took)
        assert [r.status for r in results].count("error") == 1, results
        article = svc.store.get_article(url)
        assert article.consecutive_errors == 0 and article.versions == 1, article
