"""The `watcher run` loop: checks due articles and polls due feeds until told to stop.

No failure stops the watching or makes it spin: a check or a feed poll that raises anything at all
(a full disk, a damaged store file, a parser's RecursionError) is reported once and retried after a
backoff held in memory, so the retry waits even when the store could not record the failure.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from watcher.config import FetchSettings
from watcher.errors import StoreUnavailable, WatcherError
from watcher.feeds import links as feeds
from watcher.fetch.base import proxy_for, user_agent
from watcher.fetch.robots import RobotsGuard, RobotsRefused
from watcher.models import PAGE_EVENTS, CheckResult, Feed, WatchedArticle
from watcher.monitor import precheck, schedule
from watcher.monitor.check import check_article, record
from watcher.monitor.services import Services
from watcher.untrusted import one_line
from watcher.urls import host_of

IDLE_POLL = 0.5  # seconds between looks at the schedule when nothing is due
CHILD_SITEMAPS_PER_POLL = 20
# Feed downloads run in threads beside the page checks, one per poll. A poll past its time is given
# up (the thread ends on its own read deadline), so slow feeds never hold up the good ones; this
# bounds the threads alive at once, given-up ones included.
FEED_THREADS = 16
CLOCK_JUMP = 60.0  # seconds the wall clock may drift from the monotonic one before it counts as a jump
# A store that cannot be written at all (full disk) holds every check back, first this long, doubling up
# to [schedule] error_backoff: no page is charged for it, and checking resumes soon after space is freed.
STORE_RETRY = 5.0
STOP_GRACE = 3.0  # seconds in-flight checks get to finish after SIGTERM; SIGINT abandons them at once
# Seconds between looks through the watch list for articles learned static from their raw HTML whose first render
# is still to come (rendered when a slot is free and nothing is due: 10,000 new URLs are 10,000 GETs before the
# first results). This run's own are queued as their first check ends; the look finds those stored by earlier runs
# or by `watcher check` beside this one, and reads every article, so it is rare (the audit bound is the backstop).
FIRST_RENDER_SCAN = 600.0
# The due articles are read from the store again only after this many times the CPU the last read took: reading
# them scans the whole watch list (16 ms with 50,000 watched in the embedded store, bench/capacity.py), and asked
# after every check it cost more than the checks themselves on a large list. A read of a small list costs
# next to nothing, so the list is read again at once as before; on a large one the run spends about 5% of a core
# reading it and an article waits at most about a second more. What this run starts meanwhile is not started twice.
DUE_READ_SPACING = 20.0


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
    recorded: bool = True  # False when the store could not save the poll (its next poll time with it)
    skipped: str | None = None  # new links not watched because robots.txt disallows them, said in one line


def is_due(article: WatchedArticle, now: datetime) -> bool:
    """An article is due when it was never checked or its next check time has come."""
    if article.stopped or getattr(article, "paused", False):
        return False
    if article.last_checked is None and article.next_check is None:
        return True
    return article.next_check is not None and article.next_check <= now


class _Backoff:
    """Retry times after failures the store may not have been able to record, on the monotonic clock."""

    def __init__(self, first: float, cap: float):
        self.first, self.cap = max(first, 1.0), max(cap, 1.0)
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}

    def failed(self, key: str) -> float:
        count = self._failures.get(key, 0) + 1
        self._failures[key] = count
        delay = min(self.first * 2 ** min(count - 1, 32), self.cap)
        self._until[key] = time.monotonic() + delay
        return delay

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
        self._until.pop(key, None)

    def waiting(self, key: str) -> bool:
        until = self._until.get(key)
        return until is not None and time.monotonic() < until


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
        on_start: Callable[[Runner], None] = lambda r: None,
    ):
        self.svc = svc
        self.on_result = on_result
        self.on_feed = on_feed
        self.on_start = on_start
        self.download = download or (lambda url: poll_download(svc, url))
        self.max_checks = max_checks
        self.stats = RunStats()
        self.stop_event = asyncio.Event()
        self.abandon = False  # set by stop(abandon=True): in-flight checks are dropped, not finished
        self._in_flight: dict[str, asyncio.Task] = {}
        self._polling: dict[str, asyncio.Task] = {}
        settings = svc.config.schedule
        self._held = _Backoff(settings.error_backoff, settings.max_error_backoff)
        self._feeds_held = _Backoff(settings.error_backoff, settings.max_error_backoff)
        self._store_held = _Backoff(min(STORE_RETRY, settings.error_backoff), settings.error_backoff)
        self._feed_threads = threading.BoundedSemaphore(FEED_THREADS)
        self._clock_offset: float | None = None
        self._first_renders: deque[str] = deque()
        self._next_scan = 0.0
        self._due: list[WatchedArticle] = []  # the last read of the due articles
        self._next_due_read = 0.0  # monotonic time the store is asked again
        self._started: set[str] = set()  # the articles started since that read, or in flight at it

    def stop(self, abandon: bool = False) -> None:
        """Ask the loop to finish; safe to call from a signal handler in the loop's thread.

        With `abandon` (Ctrl-C) the checks in flight are cancelled at once and record nothing: the
        terminal's SIGINT reaches the browser too, so what they would record is the browser dying."""
        self.stop_event.set()
        if abandon:
            self.abandon = True
            for task in list(self._in_flight.values()):
                task.cancel()

    async def run(self, grace: float = STOP_GRACE) -> RunStats:
        """Run until stop() or max_checks; in-flight checks get `grace` seconds to finish, then are abandoned."""
        concurrency = max(1, self.svc.config.fetch.concurrency)
        try:
            # A store that cannot be read at all is reported at once (one line, exit 2) instead of a run
            # that waits for work it cannot see; later read failures only skip a round.
            self.svc.store.list_articles()
            self.svc.store.list_feeds()
            self.apply_schedule(self.svc.clock())
            try:
                self.on_start(self)
            except WatcherError:
                pass  # a store that cannot be listed: the checks will say what is wrong with it
            while not self.stop_event.is_set():
                now = self.svc.clock()
                if self._clock_jumped(now):
                    self.apply_schedule(now)
                    self._next_due_read = 0.0
                self._poll_feeds(now)
                due = self._due_articles(now)
                for article in due:
                    if len(self._in_flight) >= concurrency or self._budget_spent():
                        break
                    self._start(article.url)
                self._start_first_renders(concurrency)
                self.stats.in_flight = len(self._in_flight)
                if self._budget_spent() and not self._in_flight:
                    break
                await self._wait_for_work()
        finally:
            await self._drain(0.0 if self.abandon else grace)
        return self.stats

    def apply_schedule(self, now: datetime) -> int:
        """Bring every article's next check in line with the current schedule settings (and clock).

        Articles keep the next check they were given when it was scheduled, so without this a
        changed watcher.toml would reach them only after their old next check."""
        try:
            plans = [(a, schedule.replan(a, now, self.svc.config.schedule)) for a in self.svc.store.list_articles()]
            changed = [(a, p) for a, p in plans if p is not None]
            if changed:
                with self.svc.store.transaction():
                    for article, plan in changed:
                        article.next_check, article.stopped = plan.next_check, plan.stopped
                        self.svc.store.update_article(article)
            return len(changed)
        except WatcherError:
            return 0  # the checks report what is wrong with the store; the old schedule still works

    def next_due(self) -> datetime | None:
        """When the earliest article is due (None when nothing is scheduled), for the start line."""
        times = [
            a.next_check or a.added_at
            for a in self.svc.store.list_articles()
            if not a.stopped and not getattr(a, "paused", False)
        ]
        return min(times, default=None)

    def _clock_jumped(self, now: datetime) -> bool:
        offset = now.timestamp() - time.monotonic()
        jumped = self._clock_offset is not None and abs(offset - self._clock_offset) > CLOCK_JUMP
        self._clock_offset = offset
        return jumped

    def _budget_spent(self) -> bool:
        started = self.stats.checks + len(self._in_flight)
        return self.max_checks is not None and started >= self.max_checks

    def _due_articles(self, now: datetime) -> list[WatchedArticle]:
        if self._store_held.waiting("store"):
            return []
        busy_hosts = {host_of(url) for url in self._in_flight}
        if time.monotonic() >= self._next_due_read:
            spent = time.thread_time()
            try:
                self._due = self.svc.store.articles_due(now)
            except WatcherError:
                self._due = []  # a damaged hot file: nothing can be checked until it is repaired; feeds go on
            self._started = set(self._in_flight)  # still due in this read, though their checks are about to end
            self._next_due_read = time.monotonic() + (time.thread_time() - spent) * DUE_READ_SPACING
        due = sorted(
            (
                a
                for a in self._due
                if a.url not in self._in_flight
                and a.url not in self._started
                and not self._held.waiting(a.url)
                and is_due(a, now)
            ),
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

    def _start_first_renders(self, concurrency: int) -> None:
        """Low priority: a slot no due check wants renders a new article learned static from its raw HTML at its
        first check (precheck.first_render_pending), one page per host at a time as ever."""
        if self.stats.queue or len(self._in_flight) >= concurrency or self._budget_spent():
            return
        if not self._first_renders and time.monotonic() >= self._next_scan:
            self._next_scan = time.monotonic() + FIRST_RENDER_SCAN
            try:
                pending = [a.url for a in self.svc.store.list_articles() if self._render_pending(a)]
            except WatcherError:
                return
            self._first_renders.extend(pending)
        busy = {host_of(url) for url in self._in_flight}
        for _ in range(len(self._first_renders)):
            if len(self._in_flight) >= concurrency or self._budget_spent():
                return
            url = self._first_renders.popleft()
            if url in self._in_flight or self._held.waiting(url):
                continue
            if host_of(url) in busy:
                self._first_renders.append(url)  # its host's turn is taken: later
                continue
            try:
                if not self._render_pending(self.svc.store.get_article(url)):
                    continue  # rendered (its audit came first), removed or paused meanwhile
            except WatcherError:
                continue
            busy.add(host_of(url))
            self._start(url, audit=True)

    def _render_pending(self, article: WatchedArticle) -> bool:
        paused = article.stopped or getattr(article, "paused", False)
        return not paused and precheck.first_render_pending(self.svc.config, article)

    def _start(self, url: str, audit: bool = False) -> None:
        self._started.add(url)
        task = asyncio.create_task(self._check(url, audit))
        self._in_flight[url] = task
        task.add_done_callback(functools.partial(self._forget, self._in_flight, url))

    @staticmethod
    def _forget(tasks: dict[str, asyncio.Task], key: str, _done: asyncio.Task) -> None:
        tasks.pop(key, None)

    async def _check(self, url: str, audit: bool = False) -> None:
        try:
            result = await check_article(url, self.svc, audit=audit)
            self._held.succeeded(url)
            self._store_held.succeeded("store")
        except asyncio.CancelledError:
            raise
        except StoreUnavailable as exc:
            result = self._store_failed(url, exc)
        except Exception as exc:  # anything a check raises is reported, never a stopped run
            result = self._failed(url, exc)
        self.stats.checks += 1
        if result.status == "new" and result.source == "http":
            self._first_renders.append(url)  # stored from its raw HTML: its first render waits for a free slot
        if result.status == "error":
            self.stats.errors += 1
        elif result.status != "revert" and (result.edits or result.status in PAGE_EVENTS):
            self.stats.edits += 1
            self.stats.recent.append(result)
        self.on_result(result)

    def _failed(self, url: str, exc: Exception) -> CheckResult:
        """A check that raised: record it as an error if the store can, and hold the retry back either way."""
        text = str(exc) if isinstance(exc, WatcherError) else f"internal error: {type(exc).__name__}: {exc}"
        result = CheckResult(url=url, status="error", checked_at=self.svc.clock(), error=one_line(text))
        delay = self._held.failed(url)
        try:
            record(self.svc, result)
        except Exception as again:  # the store is what failed; the hold above is the backstop
            if str(again) != str(exc):
                text += f" (not recorded: {again})"
            result.error = one_line(f"{text}; retrying in {_seconds(delay)}")
        return result

    def _store_failed(self, url: str, exc: StoreUnavailable) -> CheckResult:
        """The store as a whole cannot be written: every check waits, and the article's own record (its
        error count, its back-off) is left alone, since the page is not what failed."""
        delay = self._store_held.failed("store")
        text = f"{exc}; not counted against the page, checks retrying in {_seconds(delay)}"
        return CheckResult(url=url, status="error", checked_at=self.svc.clock(), error=one_line(text))

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
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=grace) if grace > 0 else (set(), set(pending))
        for task in still:
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=1.0)

    def _poll_feeds(self, now: datetime) -> None:
        """Start a poll of every due feed in the background: a slow or hanging feed must not hold up the checks."""
        if self.stop_event.is_set():
            return
        try:
            followed = self.svc.store.list_feeds()
        except WatcherError:
            return
        for feed in followed:
            if feed.url in self._polling or self._feeds_held.waiting(feed.url):
                continue
            if feed.next_poll is None or feed.next_poll <= now:
                task = asyncio.create_task(self._poll_and_report(feed, now))
                self._polling[feed.url] = task
                task.add_done_callback(functools.partial(self._forget, self._polling, feed.url))

    async def _poll_and_report(self, feed: Feed, now: datetime) -> None:
        try:
            poll = await self._poll_feed(feed, now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # whatever it was, the poll is retried after a backoff
            poll = FeedPoll(feed=feed.url, error=one_line(f"{type(exc).__name__}: {exc}"), recorded=False)
        if not poll.recorded:
            # Its next poll time was not saved: without a hold it would be polled again at once.
            self._feeds_held.failed(feed.url)
        else:
            self._feeds_held.succeeded(feed.url)
        self.stats.feeds_polled += 1
        self.stats.articles_followed += len(poll.added)
        self.on_feed(poll)

    async def _poll_feed(self, feed: Feed, now: datetime) -> FeedPoll:
        return await poll_once(self.svc, feed, now, lambda url: self._in_thread(self._feed_links, url))

    async def _in_thread(self, work: Callable[[str], Any], url: str) -> Any:
        """`work(url)` in a daemon thread, given up after the poll's time limit.

        Daemon threads, not an executor: a process exits without waiting for a feed server that
        drips bytes (an executor's threads are joined at exit), and SIGTERM ends `run` promptly."""
        limit = poll_limit(self.svc)
        if not self._feed_threads.acquire(blocking=False):
            raise WatcherError(f"{FEED_THREADS} feed downloads still running; polled again later")
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()
        # A download given up on may still fail later; its error is then nobody's to read.
        done.add_done_callback(lambda f: f.cancelled() or f.exception())

        def settle(value: Any, exc: BaseException | None) -> None:
            if done.done():
                return
            if exc is not None:
                done.set_exception(exc)
            else:
                done.set_result(value)

        def body() -> None:
            try:
                value, exc = work(url), None
            except BaseException as caught:  # handed to the loop, which reports it
                value, exc = None, caught
            finally:
                self._feed_threads.release()
            try:
                loop.call_soon_threadsafe(settle, value, exc)
            except RuntimeError:
                pass  # the loop is closed: the run ended while this feed was still downloading

        threading.Thread(target=body, name="feed", daemon=True).start()
        try:
            return await asyncio.wait_for(asyncio.shield(done), limit)
        except TimeoutError:
            raise WatcherError(f"{url}: no complete answer within {_seconds(limit)}") from None

    def _feed_links(self, url: str) -> list[str]:
        return feed_links(self.download, url)


def feed_links(download: Callable[[str], bytes], url: str) -> list[str]:
    """The links a feed lists now, with those of its first child sitemaps (a sitemap index)."""
    items = feeds.parse_feed(download(url), url)
    links = list(items.links)
    for child in items.children[:CHILD_SITEMAPS_PER_POLL]:
        links += feeds.parse_feed(download(child), child).links
    return links


async def poll_once(
    svc: Services, feed: Feed, now: datetime, links_of: Callable[[str], Awaitable[list[str]]]
) -> FeedPoll:
    """One poll of a followed feed: watch what it lists that is new and schedule its next poll.

    `links_of(url)` reads the feed (and must bound its own time); whatever goes wrong reading it is the
    poll's error, never an exception: a feed is untrusted input and a parser bug must not end a run."""
    poll = FeedPoll(feed=feed.url)
    added: list[str] = []
    try:
        # follow_links, with robots.txt (of a host not asked yet, a request) off the event loop.
        fresh = new_links(svc, feed, await links_of(feed.url))
        refused = await asyncio.to_thread(robots_refusals, getattr(svc.fetcher, "robots", None), fresh)
        added, poll.skipped = watch_links(svc, feed, fresh, refused, now)
    except WatcherError as exc:
        poll.error = str(exc)
    except Exception as exc:
        poll.error = f"internal error reading the feed: {type(exc).__name__}: {exc}"
    poll.added = added
    record_poll(svc, feed, now, added, ok=poll.error is None)
    try:
        svc.store.update_feed(feed)
    except WatcherError as exc:  # unfollowed while it was being polled, or the store cannot write
        poll.error = poll.error or str(exc)
        poll.recorded = False
    return poll


def poll_limit(svc: Services) -> float:
    """Seconds a feed poll's downloads may take in all before the poll is given up (retried later)."""
    return max(3 * svc.config.fetch.nav_timeout, 30.0)


def record_poll(svc: Services, feed: Feed, now: datetime, added: list[str], *, ok: bool) -> None:
    """A poll's outcome on the feed (saved by the caller); the next poll is jittered like a check."""
    feed.last_polled = now
    feed.last_status = "ok" if ok else "error"
    feed.articles_added += len(added)
    feed.next_poll = schedule.next_due(now, timedelta(seconds=feed.every), svc.config.schedule.jitter, svc.rng)


def follow_links(
    svc: Services, feed: Feed, links: list[str], now: datetime, robots: RobotsGuard | None = None
) -> tuple[list[str], str | None]:
    """Watch the feed's links not seen before, at most the configured number per poll: the ones watched,
    and a line on those robots.txt disallows (skipped, and marked seen like the others, so said once)."""
    fresh = new_links(svc, feed, links)
    return watch_links(svc, feed, fresh, robots_refusals(robots, fresh), now)


def new_links(svc: Services, feed: Feed, links: list[str]) -> list[str]:
    """The feed's links not seen before, on its own site, at most the configured number per poll."""
    seen = svc.store.seen_feed_links(feed.url)
    limit, allow_hosts = svc.config.feeds.max_new_per_poll, svc.config.feeds.allow_hosts
    return feeds.select_new(links, seen, limit, site=feed.url, allow_hosts=allow_hosts)


def robots_refusals(robots: RobotsGuard | None, links: list[str]) -> dict[str, RobotsRefused]:
    """Why robots.txt refuses each of `links` it disallows (asking the server of a host not known yet)."""
    refused: dict[str, RobotsRefused] = {}
    if robots is None:
        return refused
    for link in links:
        try:
            robots.check(link)
        except RobotsRefused as exc:
            refused[link] = exc
    return refused


def watch_links(
    svc: Services, feed: Feed, fresh: list[str], refused: dict[str, RobotsRefused], now: datetime
) -> tuple[list[str], str | None]:
    """`fresh` watched but for the `refused` ones, and marked seen but for those robots.txt refused only
    because it could not be read (a 503 for a minute must not lose that poll's stories for good): the
    links watched, and a line on the others."""
    added = []
    with svc.store.transaction():  # one write for a sitemap of 10,000 links, not one each
        for link in fresh:
            if link in refused:
                continue
            _, created = svc.store.add_article(link, tags=feed.tags, now=now, feed=feed.url)
            if created:
                added.append(link)
        svc.store.mark_feed_links(feed.url, [link for link in fresh if not (link in refused and refused[link].for_now)])
    if not refused:
        return added, None
    count = f"{len(refused)} new link{'s' if len(refused) != 1 else ''}"
    first = next(iter(refused.values()))
    return added, f"{count} skipped, robots.txt disallows {'them' if len(refused) != 1 else 'it'}: {first}"


def _seconds(value: float) -> str:
    return f"{value:g} s" if value < 120 else f"{value / 60:.0f} min"


def poll_download(svc: Services, url: str) -> bytes:
    """A feed's body for a poll, as configured: robots.txt (the fetcher's guard, if it has one), the
    site's proxy, watcher's User-Agent, the fetch timeout."""
    guard = getattr(svc.fetcher, "robots", None)
    if guard is not None:
        guard.check(url)
    return download_feed(svc.config.fetch, url)


def download_feed(fetch: FetchSettings, url: str) -> bytes:
    """A feed's body through the site's proxy, with watcher's User-Agent and the fetch timeout."""
    return feeds.download(
        url,
        timeout=fetch.nav_timeout,
        allow_private=fetch.allow_private,
        user_agent=user_agent(fetch),
        proxy=proxy_for(url, fetch),
    )
