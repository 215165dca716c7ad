"""The Textual app: keeps the store's picture fresh, runs the checks (run mode), shows messages, quits cleanly."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import threading
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from watcher.app.dashboard import actions
from watcher.app.dashboard.dialogs import AddUrlScreen, ConfirmScreen
from watcher.app.dashboard.diff_screen import DiffScreen
from watcher.app.dashboard.help_screen import HelpScreen
from watcher.app.dashboard.main_screen import MainScreen
from watcher.app.dashboard.messages import AppLogHandler, quiet_loop_errors
from watcher.app.dashboard.model import StoreReader, StoreView, is_paused
from watcher.app.dashboard.status_bar import status_text
from watcher.app.dashboard.timeline_screen import TimelineScreen
from watcher.config import Config
from watcher.errors import WatcherError
from watcher.labels import plural
from watcher.models import CheckResult, WatchedArticle
from watcher.render.text import safe_text, visible
from watcher.render.theme import THEME
from watcher.runtime import Runtime
from watcher.times import utcnow

if TYPE_CHECKING:
    from watcher.store import Store

REFRESH_SECONDS = 1.0
NOTIFY_CLOSE_SECONDS = 2.0
QUIT_WAIT_SECONDS = 5.0


class TrackingFetcher:
    """The run's fetcher, noting which article pages are loading so the table can say "checking"."""

    def __init__(self, inner: Any, busy: set[str]) -> None:
        self._inner, self._busy = inner, busy

    async def fetch(self, url: str, *args: Any, **kwargs: Any) -> Any:
        self._busy.add(url)
        try:
            return await self._inner.fetch(url, *args, **kwargs)
        finally:
            self._busy.discard(url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class DashboardApp(App[int]):
    """`watcher dashboard` (read-only, refreshing) and `watcher run --dashboard` (run_checks=True)."""

    TITLE = "watcher"
    CSS_PATH = "dashboard.tcss"
    ENABLE_COMMAND_PALETTE = False  # every action has its key; the footer's room goes to them
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("question_mark", "help", "Help"),
        Binding("n", "check_now", "Check now"),
        Binding("p", "pause", "Pause/resume"),
        Binding("a", "add", "Add URL"),
        Binding("x,delete", "remove", "Remove"),
        Binding("o", "open_url", "Open"),
        Binding("r", "report", "Report"),
        Binding("k", "card", "Card"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        config: Config | None = None,
        clock: Callable[[], datetime] = utcnow,
        fetcher_factory: Callable[[], Any] | None = None,
        run_checks: bool = False,
        max_checks: int | None = None,
        out_dir: Path | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        tz: tzinfo = UTC,
        services: Any = None,
        until: Callable[[], bool] | None = None,
        runtime: Runtime | None = None,
    ):
        super().__init__()
        self.store = store
        self.config = config or Config()
        # The composition root the checks' parts come from (the CLI's; else one around this store and config).
        self.runtime = runtime or Runtime(self.config, store=store)
        self.clock = clock
        self.fetcher_factory = fetcher_factory
        self.run_checks = run_checks
        self.max_checks = max_checks
        self.out_dir = out_dir or Path.cwd()
        self.refresh_seconds = refresh_seconds
        self.tz = tz  # the zone of the times shown in full (the timeline); relative times need none
        self.services = services  # checks with a caller's browser and store (the demo) instead of opening one
        self.until = until  # the caller's own end of the run (the demo's duration)
        self.reader = StoreReader(store, clock)
        self.store_view = StoreView()
        self.runner: Any = None
        self.feed_errors: dict[str, str] = {}
        self.checking: set[str] = set()  # URLs whose page is being loaded right now (run mode)
        self.messages: list[str] = []
        self._fetchers = AsyncExitStack()
        self._fetcher: Any = None
        self._checks: Worker | None = None
        self._log_handler = AppLogHandler(self)
        self.console.push_theme(THEME)

    # --- life cycle ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        quiet_loop_errors(asyncio.get_running_loop(), self)
        logging.getLogger().addHandler(self._log_handler)
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: self.call_later(self.action_quit))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests), or no signals
            pass
        self.push_screen(MainScreen())
        self.reload()
        self.set_interval(self.refresh_seconds, self.reload)
        if self.run_checks:
            self._checks = self.run_worker(self._run_checks(), name="checks", exit_on_error=False)
        if self.until is not None:
            self.set_interval(0.2, self._maybe_end)

    async def _maybe_end(self) -> None:
        if self.until is not None and self.until():
            self.until = None
            await self.action_quit()

    def reload(self) -> None:
        """Re-read the store (another process may be writing it) and redraw the screen on top."""
        # On the app's own thread: reading the store object from a second thread while this one writes
        # through it (pause, remove) was seen to show a stale article, so the reads stay here.
        try:
            self.store_view = self.reader.read()
        except WatcherError as exc:
            self.message(f"cannot read the store: {exc}", "error")
            return
        try:
            screen = self.screen
        except ScreenStackError:  # the refresh timer fired while the app takes its last screen down
            return
        if hasattr(screen, "refresh_views"):
            screen.refresh_views()

    def status_line(self) -> Text:
        stats = self.runner.stats if self.runner is not None else None
        return status_text(self.store_view, stats, self.feed_errors)

    async def action_quit(self) -> None:
        """Stop the checks first: the one in flight is cancelled before it records anything."""
        if self.runner is not None:
            self.runner.stop()
        if self._checks is not None and self._checks.state in (WorkerState.PENDING, WorkerState.RUNNING):
            try:
                await asyncio.wait_for(self._checks.wait(), QUIT_WAIT_SECONDS)
            except Exception:  # a failed or slow shutdown must still exit
                pass
        await self._fetchers.aclose()
        logging.getLogger().removeHandler(self._log_handler)
        self.exit(0)

    # --- the checks (watcher run --dashboard) -------------------------------------------------------

    async def _run_checks(self) -> None:
        notifier = self._notifier()
        try:
            if self.services is not None:
                await self._run_runner(self.services, notifier)
            else:
                async with self.fetcher_factory() as fetcher:  # type: ignore[misc]
                    self._fetcher = fetcher
                    svc = self.runtime.services(fetcher, store=self.store, clock=self.clock)
                    await self._run_runner(svc, notifier)
                    self._fetcher = None
        finally:
            if notifier is not None:
                await asyncio.to_thread(notifier.close, timeout=NOTIFY_CLOSE_SECONDS)

    async def _run_runner(self, svc: Any, notifier: Any) -> None:
        from watcher.monitor.loop import Runner

        svc = dataclasses.replace(svc, fetcher=TrackingFetcher(svc.fetcher, self.checking))
        self._fetcher = svc.fetcher
        self.runner = Runner(
            svc, on_result=lambda r: self._on_result(r, notifier), on_feed=self._on_feed, max_checks=self.max_checks
        )
        # No grace: on quit the check in flight is abandoned, so nothing half-done is recorded.
        await self.runner.run(grace=0.0)

    def _notifier(self):
        return self.runtime.notifier(lambda line: self.message(line, "warning"))

    def _on_result(self, result: CheckResult, notifier) -> None:
        from watcher.notify.notifier import notify_result

        notify_result(notifier, self.store, result)
        if result.status == "error":
            self.message(f"{result.url}: {result.error}", "error")
        self.reload()

    def _on_feed(self, poll) -> None:
        if poll.error:
            if self.feed_errors.get(poll.feed) != poll.error:
                self.message(f"feed {poll.feed}: {poll.error}", "error")
            self.feed_errors[poll.feed] = poll.error
        else:
            self.feed_errors.pop(poll.feed, None)
            if poll.added:
                self.message(f"feed {poll.feed}: {len(poll.added)} new articles")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._checks and event.state == WorkerState.ERROR:
            self.message(f"the checks stopped: {event.worker.error}", "error")

    async def _get_fetcher(self):
        if self._fetcher is None and self.fetcher_factory is not None:
            self._fetcher = await self._fetchers.enter_async_context(self.fetcher_factory())
        return self._fetcher

    # --- messages ----------------------------------------------------------------------------------

    def message(self, text: str, severity: str = "information") -> None:
        """Show a line inside the app (never printed over it); safe to call from other threads."""
        line = visible(text)
        if self._loop is None:
            return  # not running (any more): nowhere to show it, and the terminal is not ours to write on
        if self._thread_id != threading.get_ident():
            self._loop.call_soon_threadsafe(self.message, line, severity)
            return
        self.messages.append(line)
        del self.messages[:-100]
        self.notify(line, severity=severity, markup=False, timeout=8 if severity == "error" else 4)  # type: ignore[arg-type]

    # --- navigation --------------------------------------------------------------------------------

    def open_timeline(self, url: str) -> None:
        self.push_screen(TimelineScreen(url))

    def open_diff(self, url: str, number: int, *, full_text: bool = False) -> None:
        self.push_screen(DiffScreen(url, number, full=full_text or number == 1))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def _selected(self) -> tuple[str | None, int | None]:
        screen = self.screen
        pick = getattr(screen, "selected", None)
        if pick is None:
            return None, None
        return pick()

    def _need_url(self) -> str | None:
        url, _ = self._selected()
        if url is None:
            self.message("select an article first", "warning")
        return url

    def _need_article(self) -> WatchedArticle | None:
        """The selected article as stored now, or None once the user has been told why not."""
        url = self._need_url()
        if url is None:
            return None
        try:
            return self.store.get_article(url)
        except WatcherError as exc:
            self.message(str(exc), "error")
            return None

    # --- actions -----------------------------------------------------------------------------------

    def action_check_now(self) -> None:
        url = self._need_url()
        if url is None:
            return
        if self.runner is not None:
            try:
                article = self.store.get_article(url)
                article.next_check = self.clock()
                self.store.update_article(article)
            except WatcherError as exc:
                self.message(str(exc), "error")
                return
            self.message(f"checking {url}")
            self.reload()
        else:
            self.run_worker(self._check_once(url), group="check-now", exit_on_error=False)

    async def _check_once(self, url: str) -> None:
        from watcher.monitor.check import check_article

        self.message(f"checking {url}")
        try:
            fetcher = await self._get_fetcher()
            svc = self.runtime.services(fetcher, store=self.store, clock=self.clock)
            result = await check_article(url, svc)
        except WatcherError as exc:
            self.message(f"{url}: {exc}", "error")
            return
        note = f"{url}: {result.status}" + (f" v{result.version}" if result.version else "")
        self.message(note + (f": {result.error}" if result.error else ""), "error" if result.error else "information")
        self.reload()

    def action_pause(self) -> None:
        article = self._need_article()
        if article is None:
            return
        paused = not is_paused(article)
        try:
            actions.set_paused(self.store, article.url, paused, self.clock())
        except WatcherError as exc:
            self.message(str(exc), "error")
            return
        self.message(f"{'paused' if paused else 'resumed'} {article.url}")
        self.reload()

    def action_add(self) -> None:
        def added(text: str | None) -> None:
            if not text:
                return
            try:
                article, created = actions.add_url(self.store, text, self.clock())
            except WatcherError as exc:
                self.message(str(exc), "error")
                return
            self.message(f"{'watching' if created else 'already watching'} {article.url}")
            self.reload()

        self.push_screen(AddUrlScreen(), added)

    def action_remove(self) -> None:
        article = self._need_article()
        if article is None:
            return
        url = article.url
        question = Text("Stop watching and delete all ")
        question.append(plural(article.versions, "version"), style="bold")
        question.append(" of\n")
        question.append_text(safe_text(article.headline or url, style="bold"))
        question.append("\n")
        question.append_text(safe_text(url, style="dim"))
        question.append("?")

        def answered(yes: bool | None) -> None:
            if not yes:
                self.message("nothing removed")
                return
            try:
                self.store.remove_article(url)
            except WatcherError as exc:
                self.message(str(exc), "error")
                return
            while isinstance(self.screen, (TimelineScreen, DiffScreen)):
                self.pop_screen()
            self.message(f"removed {url}")
            self.reload()

        self.push_screen(ConfirmScreen(question), answered)

    def action_open_url(self) -> None:
        url = self._need_url()
        if url is not None and not actions.open_in_browser(url):
            self.message(f"no browser to open {url}", "warning")

    def _version_change(self) -> tuple[str, int] | None:
        url, number = self._selected()
        if url is None:
            self.message("select an article first", "warning")
            return None
        if number is None:
            try:
                number = self.store.get_article(url).versions
            except WatcherError as exc:
                self.message(str(exc), "error")
                return None
        if number < 2:
            self.message("a report or card shows a change: pick version 2 or later", "warning")
            return None
        return url, number

    def action_report(self) -> None:
        picked = self._version_change()
        if picked is None:
            return
        try:
            path = actions.write_report(self.store, self.out_dir, *picked, now=self.clock(), tz=self.tz)
        except (WatcherError, OSError) as exc:
            self.message(f"cannot write the report: {exc}", "error")
            return
        self.message(f"wrote {path}")

    def action_card(self) -> None:
        picked = self._version_change()
        if picked is not None:
            self.run_worker(self._card(*picked), group="card", exit_on_error=False)

    async def _card(self, url: str, number: int) -> None:
        try:
            fetcher = await self._get_fetcher()
            if fetcher is None:
                self.message("no browser to draw the card", "error")
                return
            path = await actions.write_card(self.store, self.out_dir, url, number, fetcher, tz=self.tz)
        except (WatcherError, OSError) as exc:
            self.message(f"cannot write the card: {exc}", "error")
            return
        self.message(f"wrote {path}")
