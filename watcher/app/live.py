"""`watcher run` in a terminal: signals, log lines or JSON lines or the live dashboard, notifications."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text

from watcher.models import CheckResult, shown_edits, top_class
from watcher.monitor.loop import FeedPoll, Runner, RunStats
from watcher.monitor.services import Services
from watcher.render.text import safe_text
from watcher.render.timeline import edit_phrase
from watcher.times import ago, iso
from watcher.untrusted import one_line

if TYPE_CHECKING:
    from watcher.machine_summary import MachineSummaries

NOTIFY_CLOSE_SECONDS = 2.0
# SIGTERM must end a run within 10 s whatever is in flight: checks get STOP_GRACE (loop.py), then the
# notifications NOTIFY_CLOSE_SECONDS, then the browser this long to close before it is left to die with us.
BROWSER_CLOSE_SECONDS = 3.0


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
    if result.note:
        # What `check` prints under the result: a section page's advice, why a change was not stored.
        line.append("; ")
        line.append_text(safe_text(one_line(result.note)))
    shown = shown_edits(result.edits)
    if shown:
        # What changed, not only that something did: the first edit as `check` leads with it, in a few words.
        more = f" (+{len(shown) - 1} more)" if len(shown) > 1 else ""
        line.append(" | ")
        line.append_text(safe_text(edit_phrase(shown[0]) + more))
    return line


def worth_logging(result: CheckResult, verbose: bool = False) -> bool:
    """Plain mode stays quiet about unchanged checks unless asked (-v)."""
    return verbose or result.status not in ("unchanged",) or "ab_test" in result.flags


def start_line(runner: Runner, browser: str | None) -> str:
    """What the run is about to watch: articles, feeds, when the first check is due, the store, the browser."""
    svc = runner.svc
    articles = svc.store.list_articles()
    paused = sum(1 for a in articles if getattr(a, "paused", False))
    stopped = sum(1 for a in articles if a.stopped and not getattr(a, "paused", False))
    held = [f"{n} {word}" for n, word in ((paused, "paused"), (stopped, "stopped")) if n]
    count = f"{len(articles)} article{'' if len(articles) == 1 else 's'}" + (f" ({', '.join(held)})" if held else "")
    feeds = len(svc.store.list_feeds())
    now = svc.clock()
    due = runner.next_due()
    if due is None:
        when = "nothing scheduled"
    else:
        when = "next check now" if due <= now + timedelta(seconds=1) else f"next check {ago(due, now)}"
    parts = [f"watcher run: {count}, {feeds} feed{'' if feeds == 1 else 's'}; {when}"]
    parts.append(f"store {svc.store.location}")
    if browser:
        parts.append(f"browser {browser}")
    return "; ".join(parts)


def browser_name() -> str:
    """The Chromium `run` will launch, for the start line."""
    from watcher.errors import WatcherError
    from watcher.fetch.browser import find_browser

    try:
        choice = find_browser()
    except WatcherError as exc:
        return f"none ({exc})"
    return choice.path or "Playwright's Chromium"


def run_monitor(
    app: Any, *, dashboard: bool, as_json: bool, max_checks: int | None = None, verbose: bool = False
) -> RunStats:
    """Run the scheduler with the app's browser and store until a signal or max_checks."""

    async def go() -> RunStats:
        fetcher = app.fetcher()
        await fetcher.__aenter__()
        try:
            return await run_with(
                app.services(fetcher),
                app.env,
                dashboard=dashboard,
                as_json=as_json,
                max_checks=max_checks,
                verbose=verbose,
                machine=app.runtime.machine_summaries(app.env.info),
                browser=browser_name(),
            )
        finally:
            # A wedged browser must not keep a stopped run (and its run.lock) alive.
            try:
                await asyncio.wait_for(fetcher.__aexit__(None, None, None), BROWSER_CLOSE_SECONDS)
            except (TimeoutError, Exception):  # closing is best effort; the process is ending
                pass

    return asyncio.run(go())


async def run_with(
    svc: Services,
    env: Any,
    *,
    dashboard: bool,
    as_json: bool,
    max_checks: int | None = None,
    until: Callable[[], bool] | None = None,
    verbose: bool = False,
    browser: str | None = None,
    machine: MachineSummaries | None = None,
) -> RunStats:
    """The loop with output attached; `until` lets the demo end the run itself; `machine` asks for
    machine-written summaries of what changed (Runtime.machine_summaries)."""
    if dashboard:
        from watcher.app.dashboard import run_dashboard_with

        return await run_dashboard_with(svc, max_checks=max_checks, until=until)
    from watcher.copies import copier_for
    from watcher.notify.notifier import notifier_for, notify_result

    notifier = notifier_for(svc.config, svc.store, env.info)
    copier = copier_for(svc.config, svc.store, env.info)
    stdout = _Stdout(env)

    def on_result(result: CheckResult) -> None:
        if copier is not None:
            copier.submit(result)
        notify_result(notifier, svc.store, result)
        if machine is not None:
            machine.submit(result)
        if as_json:
            stdout.write(lambda: env.print_json(result.to_json()))
        elif not dashboard and worth_logging(result, verbose):
            stdout.write(lambda: env.out.print(log_line(result), soft_wrap=True))

    def on_feed(poll: FeedPoll) -> None:
        if dashboard:
            return
        if poll.error:
            note = f"feed error {poll.feed}: {poll.error}"
        elif poll.added or poll.skipped:
            note = f"feed +{len(poll.added)} {poll.feed}" + (f" ({poll.skipped})" if poll.skipped else "")
        else:
            return
        if as_json:
            env.info(note)  # stdout carries only JSON lines, but a broken feed must not go unmentioned
        else:
            stdout.write(lambda: env.out.print(safe_text(note), soft_wrap=True))

    def on_start(runner: Runner) -> None:
        env.info(start_line(runner, browser))

    runner = Runner(svc, on_result=on_result, on_feed=on_feed, max_checks=max_checks, on_start=on_start)
    stdout.closed_then = runner.stop  # `run --json | head -1`: the reader is gone, and with it the point of running
    loop = asyncio.get_running_loop()
    # Ctrl-C reaches the browser as well (same process group), so the checks in flight are abandoned at
    # once rather than recorded as errors; SIGTERM lets them finish within the grace.
    loop.add_signal_handler(signal.SIGINT, runner.stop, True)
    loop.add_signal_handler(signal.SIGTERM, runner.stop)
    loop.set_exception_handler(_quiet_after_stop(runner))
    watchers = []
    if until is not None:
        watchers.append(asyncio.create_task(_stop_when(until, runner)))
    try:
        stats = await runner.run()
    finally:
        for task in watchers:
            task.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if notifier is not None:
            notifier.close(timeout=NOTIFY_CLOSE_SECONDS)
        if machine is not None:
            machine.close(timeout=0)
        if copier is not None:
            copier.close(timeout=0)  # what is not copied yet stays in the outbox for the next run
        stdout.silence_if_closed()
    return stats


class _Stdout:
    """Writes to stdout that end the run quietly once the reader has gone (a closed pipe)."""

    def __init__(self, env: Any):
        self.env = env
        self.closed = False
        self.closed_then: Callable[[], None] = lambda: None

    def write(self, emit: Callable[[], None]) -> None:
        if self.closed:
            return
        try:
            emit()
        except BrokenPipeError:
            self.closed = True
            self.closed_then()

    def silence_if_closed(self) -> None:
        """Point stdout at /dev/null so the interpreter's last flush does not print a BrokenPipe error."""
        if not self.closed:
            return
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.env.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (tests): nothing will flush to a closed pipe


def _quiet_after_stop(runner: Runner) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """The loop's error handler: once the run is stopping, a browser connection that died with the
    run (Ctrl-C reaches the browser too) leaves futures nobody awaits; that is not worth a traceback."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        from_browser = exc is not None and type(exc).__module__.startswith("playwright")
        if runner.stop_event.is_set() and (from_browser or isinstance(exc, (BrokenPipeError, ConnectionResetError))):
            return
        loop.default_exception_handler(context)

    return handle


async def _stop_when(until: Callable[[], bool], runner: Runner) -> None:
    while not until():
        await asyncio.sleep(0.2)
    runner.stop()
