"""`watcher run` in a terminal: signals, log lines or JSON lines or the live dashboard, notifications."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

from rich.live import Live
from rich.text import Text

from watcher.models import CheckResult, iso, top_class
from watcher.monitor.check import Services
from watcher.monitor.loop import FeedPoll, Runner, RunStats
from watcher.render.dashboard import RunStatus, dashboard_view
from watcher.render.text import safe_text

REFRESH_SECONDS = 0.5
NOTIFY_CLOSE_SECONDS = 2.0


def log_line(result: CheckResult) -> Text:
    """One plain line for an edit, an event or an error; page text is data, never markup."""
    line = Text(f"{iso(result.checked_at)} {result.status}")
    if result.version:
        line.append(f" v{result.version}")
    top = top_class(result.edits)
    if top:
        line.append(f" {top}")
    if result.flags:
        line.append(" [" + ", ".join(result.flags) + "]")
    line.append(" ")
    line.append_text(safe_text(result.url))
    if result.error:
        line.append(": ")
        line.append_text(safe_text(result.error))
    elif result.headline:
        line.append(" — ")
        line.append_text(safe_text(result.headline))
    return line


def status_of(stats: RunStats) -> RunStatus:
    """Copy the loop's counters into the renderer's plain status."""
    return RunStatus(
        checks=stats.checks,
        edits=stats.edits,
        errors=stats.errors,
        queue=stats.queue,
        in_flight=stats.in_flight,
        pages_per_minute=stats.pages_per_minute(),
        feeds_polled=stats.feeds_polled,
        articles_followed=stats.articles_followed,
    )


def worth_logging(result: CheckResult) -> bool:
    """Plain mode stays quiet about unchanged checks."""
    return result.status not in ("unchanged",) or "ab_test" in result.flags


def run_monitor(app: Any, *, dashboard: bool, as_json: bool, max_checks: int | None = None) -> RunStats:
    """Run the scheduler with the app's browser and store until a signal or max_checks."""

    async def go() -> RunStats:
        async with app.fetcher() as fetcher:
            return await run_with(
                app.services(fetcher), app.env, dashboard=dashboard, as_json=as_json, max_checks=max_checks
            )

    return asyncio.run(go())


async def run_with(
    svc: Services,
    env: Any,
    *,
    dashboard: bool,
    as_json: bool,
    max_checks: int | None = None,
    until: Callable[[], bool] | None = None,
) -> RunStats:
    """The loop with output attached; `until` lets the demo end the run itself."""
    notifier = _notifier(svc, env)

    def on_result(result: CheckResult) -> None:
        if notifier is not None and result.status not in ("unchanged", "error", "new"):
            article = _article_or_none(svc, result.url)
            notifier.submit(result, result.headline, article.tags if article else [])
        if as_json:
            env.print_json(result.to_json())
        elif not dashboard and worth_logging(result):
            env.out.print(log_line(result), soft_wrap=True)

    def on_feed(poll: FeedPoll) -> None:
        if dashboard:
            return
        if poll.error:
            note = f"feed error {poll.feed}: {poll.error}"
        elif poll.added:
            note = f"feed +{len(poll.added)} {poll.feed}"
        else:
            return
        if as_json:
            env.info(note)  # stdout carries only JSON lines, but a broken feed must not go unmentioned
        else:
            env.out.print(safe_text(note), soft_wrap=True)

    runner = Runner(svc, on_result=on_result, on_feed=on_feed, max_checks=max_checks)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runner.stop)
    watchers = []
    if until is not None:
        watchers.append(asyncio.create_task(_stop_when(until, runner)))
    try:
        if dashboard:
            with Live(console=env.out, refresh_per_second=4, transient=False) as live:
                watchers.append(asyncio.create_task(_refresh(live, svc, runner)))
                stats = await runner.run()
                live.update(_view(svc, runner))
        else:
            stats = await runner.run()
    finally:
        for task in watchers:
            task.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if notifier is not None:
            notifier.close(timeout=NOTIFY_CLOSE_SECONDS)
    return stats


def _notifier(svc: Services, env: Any):
    if not svc.config.notify:
        return None
    from watcher.notify import Notifier

    return Notifier(svc.config.notify, log=env.info)


def _article_or_none(svc: Services, url: str):
    from watcher.errors import WatcherError

    try:
        return svc.store.get_article(url)
    except WatcherError:
        return None


def _view(svc: Services, runner: Runner):
    return dashboard_view(svc.store.list_articles(), list(runner.stats.recent), status_of(runner.stats), svc.clock())


async def _refresh(live: Live, svc: Services, runner: Runner) -> None:
    while True:
        live.update(_view(svc, runner))
        await asyncio.sleep(REFRESH_SECONDS)


async def _stop_when(until: Callable[[], bool], runner: Runner) -> None:
    while not until():
        await asyncio.sleep(0.2)
    runner.stop()
