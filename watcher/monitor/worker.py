"""`watcher worker`: any number of processes, on any number of machines, sharing one PostgreSQL store.

The queue is procrastinate's (PostgreSQL-based, well kept): one job per due check, one per due feed
poll. Why it holds up with many workers:
- A check job carries `queueing_lock` = its URL (at most one waiting check per article) and `lock` =
  its URL (at most one running); a feed poll likewise, so a feed is polled by one worker at a time.
- Scheduling stays where it is for `watcher run`: the article's `next_check` in the store. A sweep,
  run by one worker at a time (an advisory lock), defers a job for every article falling due within
  the next sweep period, at its due time; a job that finds its article no longer due does nothing,
  so a sweep racing a check cannot double it.
- A worker SIGKILLed mid-check stops sending heartbeats; the sweeping worker looks for such stalled
  jobs every heartbeat period and hands them back to the queue (procrastinate's stalled-job query), so
  another worker checks the article within stalled_timeout + a heartbeat period + the check itself.
  A check is one store transaction per version, so nothing
  half-written is left behind, and a version is numbered under the article's row lock.
- Per-host politeness is global: right before each request a worker reserves the host's next slot
  in the store (`reserve_host`), so a host's minimum gap holds across every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from watcher.errors import StoreError, WatcherError
from watcher.models import CheckResult
from watcher.monitor.check import check_article, record
from watcher.monitor.services import Services
from watcher.store.protocol import WorkerStore

log = logging.getLogger("watcher.worker")

CHECK_TASK = "watcher.check"
POLL_TASK = "watcher.poll_feed"
SWEEP_LOCK = 0x77617464  # advisory lock id: one sweeping worker at a time


@dataclass
class WorkerSettings:
    """How a worker takes work; the defaults suit production, tests shorten them."""

    concurrency: int = 4
    sweep_every: float = 10.0  # seconds between looks for due articles (stalled jobs: every heartbeat)
    heartbeat: float = 2.5  # seconds between a worker's heartbeats
    stalled_timeout: float = 10.0  # a worker silent this long is taken for dead; its jobs are retried


def shared_host_gate(store: WorkerStore, sleep: Callable[[float], Any] = asyncio.sleep) -> Callable[[str, float], Any]:
    """The fetcher's host wait (fetch/polite.py `shared_gate`), kept in the store for every worker:
    reserve the host's next slot, then sleep until it. Called right before each request goes out."""

    async def wait_for_slot(host: str, gap: float) -> None:
        if gap > 0:
            wait = await asyncio.to_thread(store.reserve_host, host, gap)
            if wait > 0:
                await sleep(wait)

    return wait_for_slot


def build_app(dsn: str) -> Any:
    """The procrastinate app on the store's database, with watcher's two tasks registered."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=dsn))

    @app.task(name=CHECK_TASK, pass_context=True)
    async def check(context: Any, url: str) -> str:
        svc: Services = context.additional_context["services"]
        store: WorkerStore = svc.store  # type: ignore[assignment]
        # The queue's own lock already runs one check of an article at a time; this one also holds
        # when a worker slowed past its heartbeat is wrongly taken for dead and its job handed out again.
        with store.checking(url) as mine:
            if not mine:
                return "being checked by another worker"
            try:
                article = await asyncio.to_thread(store.get_article, url)
            except WatcherError:
                return "gone"  # removed since the job was deferred
            if not _due(article, svc.clock()):
                return "not due"  # another worker checked it after this job was deferred
            try:
                result = await check_article(url, svc)
            except StoreError:
                raise  # not the page's fault: it stays due and is checked again once the store is back
            except Exception as exc:  # whatever it was, it is logged once and retried after a backoff
                result = CheckResult(
                    url=url, status="error", checked_at=svc.clock(), error=f"{type(exc).__name__}: {_one_line(exc)}"
                )
                try:
                    await asyncio.to_thread(record, svc, result)  # counts the error: the schedule backs off
                except WatcherError:
                    pass  # the store cannot write now; the article stays due and the sweep tries again
        on_result = context.additional_context.get("on_result")
        if on_result is not None:
            on_result(result)
        return result.status

    @app.task(name=POLL_TASK, pass_context=True)
    async def poll_feed(context: Any, url: str) -> str:
        poller = context.additional_context["poll_feed"]
        return await poller(url)

    return app


async def ensure_queue_schema(app: Any, store: WorkerStore) -> None:
    """Install procrastinate's tables once per database (workers starting together take turns)."""
    exists = await asyncio.to_thread(store.has_table, "procrastinate_jobs")
    if exists:
        return
    with store.advisory_lock(SWEEP_LOCK + 1):
        if not store.has_table("procrastinate_jobs"):
            await app.schema_manager.apply_schema_async()


def _due(article: Any, now: datetime) -> bool:
    from watcher.monitor.loop import is_due

    return is_due(article, now)


async def sweep(
    app: Any, store: WorkerStore, settings: WorkerSettings, now: datetime, *, defer: bool = True
) -> tuple[int, int]:
    """Defer jobs for articles and feeds due before the next sweep (when `defer`); hand stalled jobs back.
    Returns (jobs deferred, stalled jobs handed back). Only one worker sweeps at a time."""
    if not await asyncio.to_thread(store.try_advisory_lock, SWEEP_LOCK):
        return 0, 0
    try:
        deferred = await _defer_due(app, store, settings, now) if defer else 0
        retried = await hand_back_stalled(app, settings)
        return deferred, retried
    finally:
        await asyncio.to_thread(store.advisory_unlock, SWEEP_LOCK)


async def _defer_due(app: Any, store: WorkerStore, settings: WorkerSettings, now: datetime) -> int:
    import procrastinate.exceptions

    horizon = now + timedelta(seconds=settings.sweep_every)
    articles = await asyncio.to_thread(store.due_articles, horizon)
    feeds = await asyncio.to_thread(store.due_feeds, horizon)
    deferred = 0
    for task_name, items in ((CHECK_TASK, articles), (POLL_TASK, feeds)):
        task = app.tasks[task_name]
        for url, due_at in items:
            at = max(due_at or now, now)
            try:
                await task.configure(lock=url, queueing_lock=url, schedule_at=at).defer_async(url=url)
                deferred += 1
            except procrastinate.exceptions.AlreadyEnqueued:
                pass
    return deferred


async def hand_back_stalled(app: Any, settings: WorkerSettings) -> int:
    """The jobs of workers silent past stalled_timeout go back to the queue; the number handed back.

    A sweep made while a check ran found its article still due and queued a second job for it (the
    queueing lock only covers waiting jobs). That job cannot be retried beside it (the queueing lock
    again): it is dropped instead, and the waiting job, for the same article, runs once its lock is free.
    """
    import procrastinate.exceptions
    from procrastinate.jobs import Status

    handed = 0
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_timeout)
    for job in stalled:
        try:
            try:
                await app.job_manager.retry_job(job)
            except procrastinate.exceptions.UniqueViolation:
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=True)
        except procrastinate.exceptions.ConnectorException as exc:
            # Finished or handed back by someone else meanwhile: the next look finds what is left.
            log.warning("could not hand back job %s (%s)", job.id, _one_line(exc))
            continue
        handed += 1
    if handed:
        log.warning("handed %d check(s) of stopped workers back to the queue", handed)
    return handed


async def run_worker(
    svc: Services,
    dsn: str,
    settings: WorkerSettings,
    *,
    poll_feed: Callable[[str], Any],
    on_result: Callable[[Any], None] | None = None,
    stop: asyncio.Event | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> None:
    """Take checks and feed polls from the shared queue until `stop` is set (or SIGINT/SIGTERM)."""
    if svc.store.shared_url is None:
        raise WatcherError("`watcher worker` needs the PostgreSQL store: pass --store postgresql://...")
    store = cast(WorkerStore, svc.store)  # a store workers share is a WorkerStore (Store.shared_url)
    if hasattr(svc.fetcher, "shared_gate"):
        svc.fetcher.shared_gate = shared_host_gate(store, svc.sleep)
    app = build_app(dsn)
    stop = stop or asyncio.Event()
    _quiet_queue_logs(say)
    async with app.open_async():
        await ensure_queue_schema(app, store)
        worker = asyncio.create_task(
            app.run_worker_async(
                concurrency=settings.concurrency,
                additional_context={"services": svc, "on_result": on_result, "poll_feed": poll_feed},
                update_heartbeat_interval=settings.heartbeat,
                stalled_worker_timeout=settings.stalled_timeout,
                fetch_job_polling_interval=min(2.0, settings.sweep_every),
                delete_jobs="successful",
                install_signal_handlers=False,
                shutdown_graceful_timeout=5.0,
            )
        )
        say(f"worker: taking checks from {store.location} (concurrency {settings.concurrency})")
        waiting_since: float | None = None
        # Stalled jobs are looked for more often than due articles: that look is one cheap query, and
        # the checks a dead worker held wait for it (at most stalled_timeout + this after the death).
        tick = min(settings.sweep_every, max(0.2, settings.heartbeat))
        next_defer = 0.0
        try:
            while not stop.is_set() and not worker.done():
                try:
                    defer = time.monotonic() >= next_defer
                    await sweep(app, store, settings, datetime.now(UTC), defer=defer)
                    if defer:
                        next_defer = time.monotonic() + settings.sweep_every
                    if waiting_since is not None:
                        say("worker: the store is back; resuming")
                        waiting_since = None
                except (StoreError, OSError) as exc:
                    # The database went away: keep the process, say so once, try again next sweep.
                    if waiting_since is None:
                        waiting_since = time.monotonic()
                        say(f"worker: waiting for the store ({_one_line(exc)})")
                except Exception as exc:  # psycopg's pool errors while the server restarts
                    if waiting_since is None:
                        waiting_since = time.monotonic()
                        say(f"worker: waiting for the store ({type(exc).__name__}: {_one_line(exc)})")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), tick)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker


class _OneLine(logging.Handler):
    """procrastinate's warnings as one line each (a database restart is news, its traceback is not)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        cause = record.exc_info[1] if record.exc_info else None
        text = record.getMessage().strip().splitlines()[0] if record.getMessage().strip() else "queue error"
        if cause is not None:
            text += f" ({type(cause).__name__}: {_one_line(cause)})"
        self.say(f"worker: {text}")


def _quiet_queue_logs(say: Callable[[str], None]) -> None:
    queue_log = logging.getLogger("procrastinate")
    queue_log.handlers = [_OneLine(say)]
    queue_log.propagate = False


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
