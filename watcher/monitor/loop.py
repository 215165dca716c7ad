"""The `watcher run` loop: checks due articles and polls due feeds until told to stop."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watcher import feeds
from watcher.errors import WatcherError
from watcher.models import PAGE_EVENTS, CheckResult, Feed, WatchedArticle
from watcher.monitor import schedule
from watcher.monitor.check import Services, check_article
from watcher.urls import host_of

IDLE_POLL = 0.5  # seconds between looks at the schedule when nothing is due
CHILD_SITEMAPS_PER_POLL = 20
FEED_DOWNLOADS = 4  # feeds downloaded and parsed at once, beside the page checks


@dataclass
class RunStats:
    """Counters the dashboard and the closing summary show."""

    started: float = field(default_factory=time.monotonic)
    checks: int = 0
    edits: int = 0
    errors: int = 0
    queue: int = 0
    in_flight: int = 0
    feeds_polled: int = 0
    articles_followed: int = 0
    recent: deque = field(default_factory=lambda: deque(maxlen=50))  # CheckResults with edits, newest last

    def pages_per_minute(self) -> float:
        minutes = max((time.monotonic() - self.started) / 60, 1 / 60)
        return self.checks / minutes


@dataclass
class FeedPoll:
    """What one poll of a feed did."""

    feed: str
    added: list[str] = field(default_factory=list)
    error: str | None = None


def is_due(article: WatchedArticle, now: datetime) -> bool:
    """An article is due when it was never checked or its next check time has come."""
    if article.stopped:
        return False
    if article.last_checked is None and article.next_check is None:
        return True
    return article.next_check is not None and article.next_check <= now


class Runner:
    """Bounded-concurrency scheduler over the store's watched articles and feeds."""

    def __init__(
        self,
        svc: Services,
        *,
        on_result: Callable[[CheckResult], None] = lambda r: None,
        on_feed: Callable[[FeedPoll], None] = lambda p: None,
        download: Callable[[str], bytes] | None = None,
        max_checks: int | None = None,
    ):
        self.svc = svc
        self.on_result = on_result
        self.on_feed = on_feed
        self.download = download or (lambda url: feeds.download(url, timeout=svc.config.fetch.nav_timeout))
        self.max_checks = max_checks
        self.stats = RunStats()
        self.stop_event = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task] = {}
        self._polling: dict[str, asyncio.Task] = {}
        # Own threads, not asyncio's default pool: asyncio.run waits for that one at exit, and a feed
        # server that hangs would hold up the end of the run until its timeout.
        self._pool = ThreadPoolExecutor(max_workers=FEED_DOWNLOADS, thread_name_prefix="feed")

    def stop(self) -> None:
        """Ask the loop to finish; safe to call from a signal handler in the loop's thread."""
        self.stop_event.set()

    async def run(self, grace: float = 3.0) -> RunStats:
        """Run until stop() or max_checks; in-flight checks get `grace` seconds to finish, then are abandoned."""
        concurrency = max(1, self.svc.config.fetch.concurrency)
        try:
            while not self.stop_event.is_set():
                now = self.svc.clock()
                self._poll_feeds(now)
                due = self._due_articles(now)
                self.stats.queue = len(due)
                for article in due:
                    if len(self._in_flight) >= concurrency or self._budget_spent():
                        break
                    self._start(article.url)
                self.stats.in_flight = len(self._in_flight)
                if self._budget_spent() and not self._in_flight:
                    break
                await self._wait_for_work()
        finally:
            await self._drain(grace)
        return self.stats

    def _budget_spent(self) -> bool:
        started = self.stats.checks + len(self._in_flight)
        return self.max_checks is not None and started >= self.max_checks

    def _due_articles(self, now: datetime) -> list[WatchedArticle]:
        busy_hosts = {host_of(url) for url in self._in_flight}
        due = sorted(
            (a for a in self.svc.store.list_articles() if a.url not in self._in_flight and is_due(a, now)),
            key=lambda a: a.next_check or a.added_at,
        )
        # One page per host at a time: a busy host's articles wait rather than hold a slot.
        picked, hosts = [], set(busy_hosts)
        for article in due:
            host = host_of(article.url)
            if host not in hosts:
                picked.append(article)
                hosts.add(host)
        self.stats.queue = len(due)
        return picked

    def _start(self, url: str) -> None:
        task = asyncio.create_task(self._check(url))
        self._in_flight[url] = task
        task.add_done_callback(lambda _t, u=url: self._in_flight.pop(u, None))

    async def _check(self, url: str) -> None:
        try:
            result = await check_article(url, self.svc)
        except WatcherError as exc:  # store trouble, or the article was removed meanwhile
            result = CheckResult(url=url, status="error", checked_at=self.svc.clock(), error=str(exc))
        self.stats.checks += 1
        if result.status == "error":
            self.stats.errors += 1
        elif result.status != "revert" and (result.edits or result.status in PAGE_EVENTS):
            self.stats.edits += 1
            self.stats.recent.append(result)
        self.on_result(result)

    async def _wait_for_work(self) -> None:
        waiters = [asyncio.create_task(self.stop_event.wait())]
        waiters += list(self._in_flight.values()) + list(self._polling.values())
        await asyncio.wait(waiters, timeout=IDLE_POLL, return_when=asyncio.FIRST_COMPLETED)
        waiters[0].cancel()

    async def _drain(self, grace: float) -> None:
        # An unfinished poll has stored nothing yet and the next run polls again: it is dropped at once.
        for task in self._polling.values():
            task.cancel()
        pending = list(self._in_flight.values()) + list(self._polling.values())
        try:
            if not pending:
                return
            _, still = await asyncio.wait(pending, timeout=grace)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1.0)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _poll_feeds(self, now: datetime) -> None:
        """Start a poll of every due feed in the background: a slow or hanging feed must not hold up the checks."""
        if self.stop_event.is_set():
            return
        for feed in self.svc.store.list_feeds():
            if feed.url in self._polling:
                continue
            if feed.next_poll is None or feed.next_poll <= now:
                task = asyncio.create_task(self._poll_and_report(feed, now))
                self._polling[feed.url] = task
                task.add_done_callback(lambda _t, u=feed.url: self._polling.pop(u, None))

    async def _poll_and_report(self, feed: Feed, now: datetime) -> None:
        poll = await self._poll_feed(feed, now)
        self.stats.feeds_polled += 1
        self.stats.articles_followed += len(poll.added)
        self.on_feed(poll)

    async def _poll_feed(self, feed: Feed, now: datetime) -> FeedPoll:
        poll = FeedPoll(feed=feed.url)
        try:
            loop = asyncio.get_running_loop()
            links = await loop.run_in_executor(self._pool, self._feed_links, feed.url)
            poll.added = follow_links(self.svc, feed, links, now)
            feed.last_status = "ok"
        except WatcherError as exc:
            poll.error = str(exc)
            feed.last_status = "error"
        except Exception as exc:  # noqa: BLE001 - a feed is untrusted input; a parser bug must not end the run
            poll.error = f"internal error reading the feed: {type(exc).__name__}: {exc}"
            feed.last_status = "error"
        feed.last_polled = now
        feed.articles_added += len(poll.added)
        feed.next_poll = schedule.next_due(
            now, timedelta(seconds=feed.every), self.svc.config.schedule.jitter, self.svc.rng
        )
        try:
            self.svc.store.update_feed(feed)
        except WatcherError as exc:  # unfollowed while it was being polled
            poll.error = poll.error or str(exc)
        return poll

    def _feed_links(self, url: str) -> list[str]:
        items = feeds.parse_feed(self.download(url), url)
        links = list(items.links)
        for child in items.children[:CHILD_SITEMAPS_PER_POLL]:
            links += feeds.parse_feed(self.download(child), child).links
        return links


def follow_links(svc: Services, feed: Feed, links: list[str], now: datetime) -> list[str]:
    """Watch the feed's links not seen before, at most the configured number per poll."""
    seen = svc.store.seen_feed_links(feed.url)
    fresh = feeds.select_new(links, seen, svc.config.feeds.max_new_per_poll)
    added = []
    for link in fresh:
        _, created = svc.store.add_article(link, tags=feed.tags, now=now, feed=feed.url)
        if created:
            added.append(link)
    svc.store.mark_feed_links(feed.url, fresh)
    return added
