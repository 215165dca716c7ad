"""Fetching pages with headless Chromium: one browser per ChromiumFetcher, a context per check, fresh or kept from
the host's last check and wiped.

The main document of every navigation is fetched by watcher's own HTTP client before the browser
sees it, one redirect hop at a time (fetch/routing.py). That is what lets us refuse a redirect to
file:/javascript:/... or to a non-public address by name, cap and record redirects, and turn PDFs,
JSON and oversized pages into typed errors instead of browser downloads or viewers.

`ChromiumPages` makes one attempt at a page; `ChromiumFetcher` is that wrapped in the politeness, retry
and deadline rules of fetch/polite.py, plus `ChromiumCards` for PNG diff cards on the same browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from watcher import errors
from watcher.config import BrowserSettings, FetchSettings
from watcher.fetch import http
from watcher.fetch.base import proxy_for, user_agent
from watcher.fetch.browser import CLOSE_TIMEOUT, FIND, BrowserHandle, Tab, close_tab
from watcher.fetch.logins import LoginStates, without_cookies
from watcher.fetch.polite import OWN_GUARD, Polite
from watcher.fetch.robots import RobotsGuard
from watcher.fetch.routing import Navigation, PageRoutes
from watcher.fetch.screenshot import ScreenshotPolicy, take
from watcher.fetch.settle import page_html, settle, watch_activity
from watcher.models import Snapshot
from watcher.times import utcnow
from watcher.urls import host_of

# Kept back from the deadline for reading the page: a page that used its whole budget loading and
# settling is still worth reading rather than reporting as a timeout.
CONTENT_RESERVE = 0.5


def _net_error(exc: Exception, url: str) -> errors.FetchError:
    """Map a Playwright error message (Chromium net:: codes, Node socket errors) to a typed error."""
    text = str(exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    if type(exc).__name__ == "TimeoutError" or "ERR_TIMED_OUT" in text or "Timeout" in first:
        return errors.FetchTimeout(f"timed out loading {url}")
    if "ERR_TOO_MANY_REDIRECTS" in text:
        return errors.TooManyRedirects(f"too many redirects from {url}")
    if "ERR_UNSAFE_REDIRECT" in text or "ERR_UNKNOWN_URL_SCHEME" in text or "ERR_DISALLOWED_URL_SCHEME" in text:
        return errors.RefusedScheme(f"{url} redirected to a refused scheme")
    if "Download is starting" in text:
        return errors.NotHTML(f"{url} is a download, not an HTML page")
    return errors.ConnectError(f"cannot load {url}: {errors.network_reason(text)}")


class ChromiumPages:
    """One attempt at a page in a fresh Chromium context (the `Attempts` of fetch/polite.py)."""

    def __init__(
        self,
        settings: BrowserSettings,
        handle: BrowserHandle,
        logins: LoginStates | None = None,
        screenshots: ScreenshotPolicy | None = None,
        pool: http.Pool | None = None,
    ) -> None:
        self.settings = settings
        self._handle = handle
        self._logins = logins  # saved login states; a site's is loaded into its own checks' contexts only
        self.screenshots = screenshots or ScreenshotPolicy()
        self.pool = pool  # the HTTP clients that fetch main documents, kept alive between pages

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._handle.in_use():
            # A driver that died since the last check (killed for memory, say) is found and started afresh
            # here, before the page's deadline starts, not halfway through its first attempt.
            await self._handle.replace_if_gone(await self._handle.get())
            await self._handle.get()
            yield

    async def attempt(
        self, url: str, deadline: float, sent: Callable[[], None] | None = None, allow_private: bool = False
    ) -> Snapshot:
        s = self.settings
        started = time.monotonic()
        tab: Tab | None = None
        browser = None
        try:
            browser = await self._handle.get()
            options = {
                "user_agent": user_agent(s, await self._handle.default_user_agent(browser)),
                "service_workers": "block",  # else a worker could answer requests our route never sees
                "accept_downloads": False,
            }
            proxy = proxy_for(url, s)
            if proxy:
                # The page's own requests (scripts, styles, XHR) go through the site's proxy too; the main
                # document already does, fetched by our HTTP client.
                options["proxy"] = playwright_proxy(proxy)
            state = self._logins.state_for(url) if self._logins is not None else None
            if state is None:
                # A site's login state never enters a kept tab (own_page below), nor does a photographed page
                # (the picture may resize the viewport).
                key = None if self.screenshots.wants(url) else _warm_key(url, options, s.allow_private, allow_private)
                if key is not None:
                    tab = await self._handle.warm_page(browser, key)
                if tab is None:
                    tab = await self._handle.fresh_page(browser, options, s.concurrency)
                snapshot = await self._load(tab, url, deadline, started, sent, allow_private)
                if key is not None:
                    kept, tab = tab, None
                    self._handle.keep_after(browser, key, kept, _wipe, s.concurrency)
                return snapshot
            # A context of its own made with the site's state, never one of the spares other checks take.
            tab = await self._handle.own_page(browser, {**options, "storage_state": state})
            return without_cookies(await self._load(tab, url, deadline, started, sent, allow_private))
        except errors.WatcherError:
            raise
        except Exception as exc:
            # Chromium or the driver crashed or went away mid-check: retryable, and once it is found
            # dead the next attempt starts both afresh.
            if browser is not None:
                await self._handle.restart_if_dead(browser)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise errors.ConnectError(f"browser failed while loading {url}: {reason}") from exc
        finally:
            if tab is not None:
                await close_tab(tab)

    async def _load(
        self,
        tab: Tab,
        url: str,
        deadline: float,
        started: float,
        sent: Callable[[], None] | None,
        allow_private: bool = False,
    ) -> Snapshot:
        s = self.settings
        page = tab.page
        if tab.wiring is None:
            tab.wiring = await _Wiring.install(tab)
        wiring: _Wiring = tab.wiring
        in_flight = wiring.in_flight
        in_flight.clear()
        nav = Navigation(remaining=0, sent=sent)
        routes = PageRoutes(s, page, nav, deadline, allow_private, self.pool)
        if tab.lane is not None:
            tab.lane.refused.clear()  # a kept tab's lane: this check counts its own
            tab.lane.allow_private = routes.allow  # the browser's own connections follow the page's rule
        wiring.routes = routes

        redirects: list[str] = []
        current = url
        nav_started = time.monotonic()
        while True:
            budget = min(s.nav_timeout, deadline - time.monotonic())
            if budget <= 0:
                raise errors.FetchTimeout(f"no page from {url} within the deadline")
            nav.pending, nav.redirect_to, nav.error, nav.remaining = True, None, None, budget
            try:
                # The route handler's fetch has `budget`; give goto a little more so the handler's
                # own timeout (with its clearer error) fires first.
                await page.goto(current, wait_until="domcontentloaded", timeout=(budget + 1) * 1000)
            except Exception as exc:
                if nav.error is not None:
                    raise nav.error from None
                if nav.redirect_to is None:
                    raise _net_error(exc, current) from None
            if nav.error is not None:
                raise nav.error
            if nav.redirect_to is None:
                break
            current = http.follow_redirect(current, nav.redirect_to, redirects, s.max_redirects)
        navigation = time.monotonic() - nav_started

        # Scripts may still be adding the article; give them the load event (bounded) and a settle.
        with contextlib.suppress(Exception):
            load_budget = max(0.1, min(s.nav_timeout, deadline - CONTENT_RESERVE - time.monotonic()))
            await page.wait_for_load_state("load", timeout=load_budget * 1000)
        await settle(page, in_flight, min(time.monotonic() + s.settle_ms / 1000, deadline - CONTENT_RESERVE))
        if nav.later_error is not None:
            raise nav.later_error  # the page tried to take us somewhere refused: say so, keep nothing
        html = await self._content(page, url, deadline)
        shown = page.url
        _check_shown(url, shown, nav)
        document = nav.document
        if len(html.encode("utf-8", "replace")) > s.max_bytes:
            raise errors.TooLarge(f"{url} rendered to more than {s.max_bytes} bytes of HTML")
        # The picture is of this same render, taken after its HTML was read: never a second load.
        image = await take(page, self.screenshots, deadline) if self.screenshots.wants(url) else None
        if tab.lane is not None and tab.lane.refused:
            # Connections the browser opened by itself (prefetch, preconnect, WebRTC) refused by the gate.
            nav.counts["private address"] = nav.counts.get("private address", 0) + len(tab.lane.refused)
        return Snapshot(
            requested_url=url,
            final_url=shown,
            status=nav.status,
            content_type=nav.content_type,
            html=html,
            fetched_at=utcnow(),
            timings={"total": round(time.monotonic() - started, 3), "navigation": round(navigation, 3)},
            redirects=redirects,
            http_version=document.http_version if document else "",
            reason=document.reason if document else "",
            headers=list(document.headers.multi_items()) if document else [],
            body=document.body if document else None,
            requests=dict(nav.counts),
            image=image,
        )

    async def _content(self, page: Any, url: str, deadline: float) -> str:
        """The page's HTML (page.content()'s), bounded: a busy script can block it forever, a self-navigating page breaks it.

        Navigations the page makes itself are capped (fetch/routing.py), so one that keeps moving comes
        to rest on some document; that one is read, however many tries it takes within the deadline.
        """
        navigated = False
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                return await asyncio.wait_for(page_html(page), remaining)
            except TimeoutError:
                break
            except Exception:
                # The page navigated itself away mid-read; read the new document once it exists.
                navigated = True
                with contextlib.suppress(Exception):
                    await page.wait_for_load_state(
                        "load", timeout=max(0.1, min(2.0, deadline - time.monotonic())) * 1000
                    )
                await asyncio.sleep(0.02)  # a page that breaks content() for good must not make this spin
        if navigated:
            raise errors.FetchError(f"{url} keeps navigating away; there is no page that stays still to read")
        raise errors.FetchTimeout(f"{url} did not let its HTML be read within the deadline")


class _Wiring:
    """What a tab gets once, however many checks use it: the settle watcher, the dialog dismisser, and one route
    handler that hands each request to the current check's PageRoutes (none between checks: refused)."""

    def __init__(self, in_flight: set[Any]) -> None:
        self.in_flight = in_flight
        self.routes: PageRoutes | None = None
        self.origins: set[str] = set()  # every origin the tab's pages asked for since the last wipe
        self.session: Any = None  # the CDP session that wipes the origins' storage

    @classmethod
    async def install(cls, tab: Tab) -> _Wiring:
        tab.page.on("dialog", _dismiss)
        wiring = cls(await watch_activity(tab.page))
        await tab.context.route("**/*", wiring.handle)
        return wiring

    async def handle(self, route: Any) -> None:
        routes = self.routes
        if routes is None:
            with contextlib.suppress(Exception):
                await route.abort("blockedbyclient")
            return
        where = _origin(route.request.url)
        if where:
            self.origins.add(where)
        await routes.handle(route)


WIPE_TIMEOUT = 3.0  # seconds a kept tab may take to be wiped; a slower one is closed instead

# A kept tab is left as a fresh context would be for the next check: no document of the last one running, no
# cookie, no storage of any origin its pages asked for (local, session, IndexedDB, cache storage...), no
# window.name (which survives a same-site navigation), no history, no other page (a popup) open.
_BLANK_NAME = "window.name = ''"


async def _wipe(tab: Tab) -> bool:
    """Wipe a tab after its check; False (the caller closes it) when any part of the wipe failed."""
    wiring: _Wiring | None = tab.wiring
    if wiring is None:
        return False
    wiring.routes = None
    try:
        await asyncio.wait_for(_wipe_now(tab, wiring), WIPE_TIMEOUT)
    except Exception:
        return False
    return True


async def _wipe_now(tab: Tab, wiring: _Wiring) -> None:
    page, context = tab.page, tab.context
    await page.goto("about:blank")
    for other in context.pages:
        if other is not page:
            await other.close()
    await page.evaluate(_BLANK_NAME)
    await context.clear_cookies()
    if wiring.session is None:
        wiring.session = await context.new_cdp_session(page)
    await wiring.session.send("Page.resetNavigationHistory")  # history.length would count earlier checks
    origins, wiring.origins = wiring.origins, set()
    for where in origins:
        await wiring.session.send("Storage.clearDataForOrigin", {"origin": where, "storageTypes": "all"})


def _origin(url: str) -> str:
    """scheme://host[:port] of an http(s) URL, as Chromium names a storage origin; "" for any other."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def _warm_key(url: str, options: dict[str, Any], own: bool, allowed: bool) -> tuple[str, str, bool]:
    """Which kept tab a check may take: one of the same host, made with the same options, under the same
    private-address rule (its lane's open connections were allowed under it)."""
    return (host_of(url), repr(sorted(options.items())), own or allowed)


class ChromiumCards:
    """PNG rendering of self-contained HTML on a shared browser (the `PngRenderer` of fetch/base.py)."""

    def __init__(self, settings: BrowserSettings, handle: BrowserHandle, slots: asyncio.Semaphore) -> None:
        self.settings = settings
        self._handle = handle
        self._slots = slots

    async def render_png(
        self, html: str, width: int, height: int | None = None, device_scale_factor: float = 1
    ) -> bytes:
        """A PNG screenshot of self-contained HTML (full page when height is None), for diff cards."""
        async with self._slots, self._handle.in_use():
            browser = await self._handle.get()
            context = await browser.new_context(
                viewport={"width": width, "height": height or 600},
                device_scale_factor=device_scale_factor,
                java_script_enabled=False,  # card HTML is ours and static; page text inside it is not trusted
                service_workers="block",
            )
            try:
                # Cards are self-contained (data: URLs, system fonts): nothing may reach the network.
                await context.route("**/*", lambda route: route.abort("blockedbyclient"))
                page = await context.new_page()
                timeout = self.settings.nav_timeout * 1000
                await page.set_content(html, wait_until="load", timeout=timeout)
                return await page.screenshot(type="png", full_page=height is None, timeout=timeout)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(context.close(), CLOSE_TIMEOUT)


class ChromiumFetcher(Polite):
    """Fetches pages as rendered HTML; use as `async with ChromiumFetcher(settings) as f: await f.fetch(url)`."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        browser_path: Any = FIND,
        *,
        idle_after: float = 0.0,
        robots: RobotsGuard | None | object = OWN_GUARD,
        logins: LoginStates | None = None,
        screenshots: ScreenshotPolicy | None = None,
        pool: http.Pool | None = None,
        _handle=None,
        _shared_pool: http.Pool | None = None,
    ) -> None:
        """`idle_after`: seconds without a render after which browser and driver are closed (0: never; the
        next render starts them again); `robots`: the robots.txt guard to share (None: robots.txt not read);
        `logins`: saved per-site login states (fetch/logins.py; None: every check starts with no state).
        `screenshots`: which renders are photographed (default: none).
        `pool`: the HTTP clients main documents are fetched with (None: its own), closed with the fetcher."""
        settings = as_browser_settings(settings)
        self.settings: BrowserSettings = settings
        self._owns_handle = _handle is None
        self._handle: BrowserHandle = _handle or BrowserHandle(browser_path)
        if self._owns_handle:
            self._handle.idle_after = idle_after
        self.logins = logins
        self.screenshots = screenshots
        pages = ChromiumPages(settings, self._handle, logins, screenshots)
        super().__init__(pages, settings, robots=robots, pool=_shared_pool or pool, closes_pool=_shared_pool is None)
        pages.pool = self.pool
        self._cards = ChromiumCards(settings, self._handle, self._slots)

    def derive(self, settings: FetchSettings | None, screenshots: ScreenshotPolicy | None = None) -> ChromiumFetcher:
        """A fetcher with other settings (and screenshot policy, else this one's) sharing this one's browser and
        HTTP clients (closing it leaves them up)."""
        return ChromiumFetcher(
            settings,
            logins=self.logins,
            screenshots=screenshots or self.screenshots,
            _handle=self._handle,
            _shared_pool=self.pool,
        )

    async def close(self) -> None:
        """Close the browser (if this fetcher owns it) and the HTTP connections (if it owns them)."""
        if self._owns_handle:
            await self._handle.close()
        await super().close()

    async def render_png(
        self, html: str, width: int, height: int | None = None, device_scale_factor: float = 1
    ) -> bytes:
        """A PNG screenshot of self-contained HTML (full page when height is None), for diff cards."""
        return await self._cards.render_png(html, width, height, device_scale_factor)


# The name the Python API has always exported (watcher.Fetcher); new code says ChromiumFetcher.
Fetcher = ChromiumFetcher


def as_browser_settings(settings: FetchSettings | None) -> BrowserSettings:
    """Browser settings from general ones (browser-only fields at their defaults), or as given."""
    if isinstance(settings, BrowserSettings):
        return settings
    if settings is None:
        return BrowserSettings()
    return BrowserSettings(**{f.name: getattr(settings, f.name) for f in fields(FetchSettings)})


def _check_shown(url: str, shown: str, nav: Navigation) -> None:
    """Refuse to read a page that shows Chromium's error page, or an http(s) document of an origin the
    route handler never delivered (a prefetched or prerendered one activated behind its back). Pages a
    script wrote itself (about:blank, blob:) are the page's own doing and are read as before."""
    scheme = urlsplit(shown).scheme.lower()
    if scheme == "chrome-error":
        raise errors.ConnectError(f"{url} moved to a page that did not load; Chromium shows its error page")
    if scheme in ("http", "https") and not nav.fetched_by_us(shown):
        raise errors.FetchError(f"{url} ended on {shown}, a document watcher did not fetch; it is not read")


async def _dismiss(dialog: Any) -> None:
    # alert/confirm/prompt would otherwise block the page's scripts until the deadline.
    with contextlib.suppress(Exception):
        await dialog.dismiss()


def playwright_proxy(url: str) -> dict[str, str]:
    """A proxy URL as Playwright's proxy option: the server without credentials, and the credentials apart."""
    from urllib.parse import unquote

    parts = urlsplit(url.strip())
    port = f":{parts.port}" if parts.port else ""
    option = {"server": f"{parts.scheme}://{parts.hostname}{port}"}
    if parts.username:
        option["username"] = unquote(parts.username)
        option["password"] = unquote(parts.password or "")
    return option
