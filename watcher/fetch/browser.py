"""Chromium's lifecycle: finding an executable (without starting Playwright's driver), launching it,
handing out fresh contexts (and warm ones, wiped, per host), and starting browser and driver afresh when they die or
have served their share."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watcher import errors
from watcher.fetch.gate import Gate, Lane, launch_args

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 5.0  # seconds to wait for a context to close before giving up on it
MAX_SPARES = 2  # fresh contexts kept open ahead of need per browser (each is an idle renderer)
# Checks one Chromium and Playwright driver serve before both are started afresh, between checks.
# Over 3,000 checks the driver's heap crept from about 250 to 300 MB and the browser process grew
# about 3 KB a check; a `watcher run` lasts weeks. A restart costs about half a second.
RELAUNCH_AFTER = 1000
PROBE_TIMEOUT = 2.0  # seconds a healthy driver and browser take to answer a protocol round trip
FIND = object()  # browser_path default: look the browser up on first launch

# Flags that let Chromium run headless in containers and CI (no sandbox, no GPU) and keep it
# from phoning home, which would both slow checks and break the "no internet in tests" rule.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # WebRTC may use UDP only through a proxy that carries it, and the gate (fetch/gate.py) carries none:
    # a page's STUN/TURN servers on the local network get no packet, its TCP candidates go through the gate.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]

# The headless shell first: it is the build Playwright itself uses for headless work. A full
# Chromium run with --headless sets up a whole browser profile for every new context, and a
# context with no state per check is our isolation rule (fresh, or kept and wiped): measured here, 447 ms of CPU for a fresh context and
# blank page against 80 ms with the shell (Chromium 156), which is most of the cost of a check.
SYSTEM_BROWSERS = ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
SYSTEM_PATHS = [
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
]

MISSING_MESSAGE = (
    "no Chromium found: run `bash setup.sh none` or `apt-get install chromium-headless-shell`, "
    "or set WATCHER_BROWSER=/path/to/chromium"
)

# Where Playwright puts each build inside its revision folder; the layout changed between releases.
_BUNDLED_LAYOUTS = [
    ("chromium_headless_shell", "chrome-headless-shell-linux64/chrome-headless-shell"),
    ("chromium_headless_shell", "chrome-linux/headless_shell"),
    ("chromium", "chrome-linux64/chrome"),
    ("chromium", "chrome-linux/chrome"),
]


@dataclass(eq=False)
class Tab:
    """A context, its page, and the gate lane its connections leave by (None: the caller gave the context a proxy
    of its own, the user's); `wiring`: what the fetcher installed on the page once (kept while the tab is reused)."""

    context: Any
    page: Any
    lane: Lane | None
    wiring: Any = None


@dataclass(frozen=True)
class BrowserChoice:
    """The Chromium executable to launch (None: Playwright's default) and why it was chosen."""

    path: str | None
    source: str  # "env" | "playwright" | "setup" | "system"


def _executable(path: str | os.PathLike[str]) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _playwright_revisions() -> dict[str, str]:
    """Chromium revisions the installed Playwright expects, read from its browsers.json."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("playwright")
    except (ImportError, ValueError):
        return {}
    if spec is None or not spec.submodule_search_locations:
        return {}
    for location in spec.submodule_search_locations:
        manifest = Path(location) / "driver" / "package" / "browsers.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {
            b["name"].replace("-", "_"): str(b["revision"])
            for b in data.get("browsers", [])
            if isinstance(b, dict) and "name" in b and "revision" in b
        }
    return {}


def _browsers_dir(environ: Mapping[str, str]) -> Path | None:
    custom = environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if custom == "0":
        return None  # browsers live inside the package; the driver finds them itself
    if custom:
        return Path(custom)
    home = environ.get("HOME") or os.path.expanduser("~")
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return Path(cache) / "ms-playwright"


def bundled_chromium(environ: Mapping[str, str] = os.environ, revisions: Mapping[str, str] | None = None) -> str | None:
    """Path of the Chromium that Playwright downloaded for its own version, if present."""
    root = _browsers_dir(environ)
    if root is None:
        return None
    revisions = _playwright_revisions() if revisions is None else revisions
    for name, relative in _BUNDLED_LAYOUTS:
        revision = revisions.get(name)
        # Only the revision this Playwright expects: an older build may not speak its protocol.
        if revision and _executable(root / f"{name}-{revision}" / relative):
            return str(root / f"{name}-{revision}" / relative)
    return None


def _recorded(prefix: str) -> str | None:
    try:
        return (Path(prefix) / "watcher-browser").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def find_browser(
    environ: Mapping[str, str] = os.environ,
    *,
    prefix: str | None = None,
    revisions: Mapping[str, str] | None = None,
    system_paths: Sequence[str] = SYSTEM_PATHS,
) -> BrowserChoice:
    """Pick the Chromium to launch: WATCHER_BROWSER, Playwright's, setup.sh's record, then the system's."""
    override = environ.get("WATCHER_BROWSER", "").strip()
    if override:
        if not _executable(override):
            raise errors.BrowserMissing(f"WATCHER_BROWSER={override} is not an executable file")
        return BrowserChoice(override, "env")

    bundled = bundled_chromium(environ, revisions)
    if bundled:
        return BrowserChoice(bundled, "playwright")

    recorded = _recorded(sys.prefix if prefix is None else prefix)
    if recorded == "playwright":
        # setup.sh saw `playwright install` succeed; let the driver locate its own build.
        return BrowserChoice(None, "playwright")
    if recorded and _executable(recorded):
        return BrowserChoice(recorded, "setup")

    search_path = environ.get("PATH", os.defpath)
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name, path=search_path)
        if found:
            return BrowserChoice(found, "system")
    # PATH may be minimal (cron, systemd), so look in the usual places too.
    for path in system_paths:
        if _executable(path):
            return BrowserChoice(path, "system")
    raise errors.BrowserMissing(MISSING_MESSAGE)


# What Playwright sets on a future of its own, which nobody awaits, when its driver process dies.
LOST_DRIVER = "Connection closed while reading from the driver"


def quiet_lost_driver(loop: asyncio.AbstractEventLoop) -> None:
    """Log a dead driver instead of letting asyncio print "Future exception was never retrieved" and a raw
    exception when Playwright's unawaited future is collected (the loss itself is handled: restart_if_dead)."""
    previous = loop.get_exception_handler()
    if getattr(previous, "quiet_lost_driver", False):
        return

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("exception")) == LOST_DRIVER:
            log.info("the Playwright driver went away; a new one is started for the next check")
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler.quiet_lost_driver = True  # type: ignore[attr-defined]
    loop.set_exception_handler(handler)


async def close_tab(tab: Tab) -> None:
    """Close a tab's context (bounded), then its lane."""
    try:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(tab.context.close(), CLOSE_TIMEOUT)
    finally:
        if tab.lane is not None:
            tab.lane.close()


class BrowserHandle:
    """One Playwright + Chromium, launched on first use and relaunched if it died."""

    def __init__(self, browser_path: Any) -> None:
        self._path = browser_path
        self._lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        # Opening a context and its page starts a renderer process (0.1-1 s on a busy machine).
        # Opening the next few while a check runs takes that off the check's path; each is still
        # used for exactly one check, so no cookies or storage pass from one check to the next.
        self._spares: list[asyncio.Task] = []
        self._spare_options: dict[str, Any] | None = None
        # Tabs kept after a check, wiped, for the next render of the same host and settings (oldest first): a
        # new context and page cost about 80 ms of CPU (a renderer process started), a warm one's next
        # navigation none of that. Only the fetcher decides what may be kept (no login state, no screenshot).
        self._warm: list[tuple[Any, Any, Tab]] = []  # (key, browser, tab)
        self._wiping: set[asyncio.Task] = set()  # tabs being wiped after their check, off that check's path
        self._turn = asyncio.Condition()  # guards _served and _active
        self._served = 0  # checks and cards since launch
        self._active = 0  # checks and cards using the browser right now
        self._user_agents: dict[int, str] = {}  # the running browser's own User-Agent
        # [fetch] browser_idle: seconds with no check or card after which browser and driver are closed
        # (about 1 GB between them); the next render starts them again. 0: kept until close().
        self.idle_after = 0.0
        self._idle: asyncio.TimerHandle | None = None
        self._idle_task: asyncio.Task | None = None
        # Every connection the browser opens itself leaves through the gate: a lane per context, and this
        # one for any context made without a proxy (fetch/gate.py).
        self._gate = Gate()
        self._default_lane: Lane | None = None

    @contextlib.asynccontextmanager
    async def in_use(self):
        """Hold the browser for one check or card. Once it has served RELAUNCH_AFTER, the next
        caller waits for the ones in flight to finish, then closes browser and driver (the
        following get() starts new ones); callers arriving meanwhile queue behind it."""
        async with self._turn:
            while self._served >= RELAUNCH_AFTER:
                if self._active == 0:
                    await self.close()
                    self._served = 0
                else:
                    await self._turn.wait()
            self._served += 1
            self._active += 1
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
        try:
            yield
        finally:
            async with self._turn:
                self._active -= 1
                self._turn.notify_all()
                if self._active == 0 and self.idle_after > 0:
                    loop = asyncio.get_running_loop()
                    self._idle = loop.call_later(self.idle_after, self._start_idle_close, loop)

    def _start_idle_close(self, loop: asyncio.AbstractEventLoop) -> None:
        self._idle_task = loop.create_task(self._close_idle())  # kept: a task nobody holds may be collected

    async def _close_idle(self) -> None:
        """Close browser and driver if nothing used them for `idle_after` seconds (fast checks need neither)."""
        async with self._turn:
            self._idle = None
            if self._active == 0 and self._browser is not None:
                await self.close()

    async def get(self) -> Any:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            path = find_browser().path if self._path is FIND else self._path
            if self._playwright is None:
                from playwright.async_api import async_playwright  # lazy: importing watcher stays fast

                quiet_lost_driver(asyncio.get_running_loop())
                self._playwright = await async_playwright().start()
            if self._default_lane is None:
                self._default_lane = self._gate.lane()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=path, headless=True, args=LAUNCH_ARGS + launch_args(self._default_lane)
                )
            except Exception as exc:
                raise errors.BrowserMissing(
                    f"cannot start Chromium ({path or 'Playwright default'}): {str(exc).splitlines()[0]}"
                ) from exc
            return self._browser

    async def default_user_agent(self, browser: Any) -> str | None:
        """The User-Agent this Chromium sends by itself (asked once per launch), None if it cannot say."""
        known = self._user_agents.get(id(browser))
        if known is None:
            try:
                session = await browser.new_browser_cdp_session()
                known = (await session.send("Browser.getVersion")).get("userAgent") or ""
                await session.detach()
            except Exception:  # not Chromium, or it is going away: the compatible form is used instead
                known = ""
            self._user_agents = {id(browser): known}
        return known or None

    async def fresh_page(self, browser: Any, options: dict[str, Any], spares: int) -> Tab:
        """A never-used context (made with `options`) and its page, then `spares` more opened ahead.
        Without a `proxy` in `options`, the context's connections leave by a gate lane of its own."""
        if options != self._spare_options:
            await self._drop_spares()  # made for other settings (a derived Fetcher)
            self._spare_options = options
        tab: Tab | None = None
        while self._spares and tab is None:
            task = self._spares.pop(0)
            try:
                owner, spare = await task
            except Exception:
                continue  # the browser died while it opened; try the next
            if owner is browser and browser.is_connected():
                tab = spare
            else:
                await close_tab(spare)
        if tab is None:
            _, tab = await self._open(browser, options)
        # Topped up only once this check has its page, so a cold start does not queue behind them.
        while len(self._spares) < min(spares, MAX_SPARES):
            self._spares.append(asyncio.create_task(self._open(browser, options)))
        return tab

    async def warm_page(self, browser: Any, key: Any) -> Tab | None:
        """A tab kept for `key` by keep_warm (wiped since its last check), the latest kept first; None when none."""
        while True:
            mine = [n for n, (k, _, _) in enumerate(self._warm) if k == key]
            if not mine:
                return None
            _, owner, tab = self._warm.pop(mine[-1])
            if owner is browser and browser.is_connected() and not tab.page.is_closed():
                return tab
            await close_tab(tab)

    def keep_after(self, browser: Any, key: Any, tab: Tab, wipe: Callable[[Tab], Awaitable[bool]], most: int) -> None:
        """Wipe a tab in the background once its check is done (the check's slot is not held for it), then keep it
        for `key`; a tab the wipe fails on is closed. Until then the host's next check takes another tab."""
        task = asyncio.get_running_loop().create_task(self._wipe_and_keep(browser, key, tab, wipe, most))
        self._wiping.add(task)
        task.add_done_callback(self._wiping.discard)

    async def _wipe_and_keep(
        self, browser: Any, key: Any, tab: Tab, wipe: Callable[[Tab], Awaitable[bool]], most: int
    ) -> None:
        kept = False
        try:
            if await wipe(tab):
                await self.keep_warm(browser, key, tab, most)
                kept = True
        finally:
            if not kept:
                await close_tab(tab)

    async def keep_warm(self, browser: Any, key: Any, tab: Tab, most: int) -> None:
        """Keep a wiped tab for a next check of `key` (checks of one host at once each leave theirs); at most `most`
        are kept in all, the longest unused closed first."""
        if browser is not self._browser or not browser.is_connected():
            await close_tab(tab)
            return
        self._warm.append((key, browser, tab))
        doomed = []
        while len(self._warm) > max(most, 0):
            doomed.append(self._warm.pop(0)[2])
        for gone in doomed:
            await close_tab(gone)

    async def own_page(self, browser: Any, options: dict[str, Any]) -> Tab:
        """A context made with `options` for one check alone (a site's login state): no spare is taken or made."""
        return (await self._open(browser, options))[1]

    async def _open(self, browser: Any, options: dict[str, Any]) -> tuple[Any, Tab]:
        lane = None
        if "proxy" not in options:
            lane = self._gate.lane()
            options = {**options, "proxy": lane.proxy}
        try:
            context = await browser.new_context(**options)
        except BaseException:
            if lane is not None:
                lane.close()
            raise
        try:
            return browser, Tab(context, await context.new_page(), lane)
        except BaseException:
            await close_tab(Tab(context, None, lane))
            raise

    async def _drop_spares(self) -> None:
        spares, self._spares = self._spares, []
        for task in spares:
            task.cancel()
        for task in spares:
            with contextlib.suppress(BaseException):
                _, tab = await task
                await close_tab(tab)

    async def close(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        await self._drop_spares()
        wiping, self._wiping = list(self._wiping), set()
        for task in wiping:
            task.cancel()
        for task in wiping:
            with contextlib.suppress(BaseException):
                await task
        warm, self._warm = self._warm, []
        for _, _, tab in warm:
            await close_tab(tab)
        async with self._lock:
            browser, self._browser = self._browser, None
            playwright, self._playwright = self._playwright, None
            if browser is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)
            if playwright is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(playwright.stop(), CLOSE_TIMEOUT)
            self._default_lane = None
            self._gate.close()

    async def replace_if_gone(self, browser: Any) -> None:
        """Before a check: drop a browser whose driver is gone (its connection closed, as after an out-of-memory
        kill), so the next get() starts new ones before the page's deadline starts. A slow answer is not taken
        for death here (a busy machine is not a dead driver); a check that then fails calls restart_if_dead."""
        if browser is not self._browser:
            return
        try:
            session = await asyncio.wait_for(browser.new_browser_cdp_session(), PROBE_TIMEOUT)
        except TimeoutError:
            return
        except Exception:
            if browser is self._browser:
                await self.close()
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(session.detach(), PROBE_TIMEOUT)

    async def restart_if_dead(self, browser: Any) -> bool:
        """After a check failed inside Playwright: is `browser` (and the driver behind it) still answering?
        If not, drop both now, so the next get() starts new ones instead of every later check failing.

        A dead Node driver leaves is_connected() true, so ask it something that needs a round trip.
        """
        if browser is not self._browser:
            return False  # already replaced
        try:
            session = await asyncio.wait_for(browser.new_browser_cdp_session(), PROBE_TIMEOUT)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.detach(), PROBE_TIMEOUT)
            return False
        except Exception:  # any failure to answer means it is gone
            if browser is self._browser:  # not replaced meanwhile by a check that found it dead first
                await self.close()
            return True
