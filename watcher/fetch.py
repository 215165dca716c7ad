"""Fetching pages with headless Chromium: one browser per Fetcher, a fresh context per check.

The main document of every navigation is fetched by Playwright's request client (route.fetch)
before the browser sees it, one redirect hop at a time. That is what lets us refuse a redirect to
file:/javascript:/... by name, cap and record redirects, and turn PDFs, JSON and oversized pages
into typed errors instead of browser downloads or viewers. Everything the page loads afterwards
goes through Chromium's own network stack, minus the blocked resource types.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from watcher import errors
from watcher.browser import LAUNCH_ARGS, find_browser
from watcher.config import FetchSettings
from watcher.models import Snapshot, utcnow

ALLOWED_SCHEMES = ("http", "https")
HTML_TYPES = ("text/html", "application/xhtml+xml")
CLOSE_TIMEOUT = 5.0  # seconds to wait for a context to close before giving up on it
MAX_SPARES = 2  # fresh contexts kept open ahead of need per browser (each is an idle renderer)
# Checks one Chromium and Playwright driver serve before both are started afresh, between checks.
# Over 3,000 checks the driver's heap crept from about 250 to 300 MB and the browser process grew
# about 3 KB a check; a `watcher run` lasts weeks. A restart costs about half a second.
RELAUNCH_AFTER = 1000
_FIND = object()  # browser_path default: look the browser up on first launch
# After the load event a page counts as settled once its DOM has been still this long with no
# request in flight and no timer due before the settle cap. settle_ms caps the whole wait for
# pages that never go still (tickers, ad rotations, polling).
QUIET_MS = 150
# Kept back from the deadline for reading the page: a page that used its whole budget loading and
# settling is still worth reading rather than reporting as a timeout.
CONTENT_RESERVE = 0.5

# Installed before the page's own scripts: notes when each setTimeout callback is due (string
# handlers too), so "render the story 300 ms after load", or a timer set during parsing that
# falls due after load, is waited for rather than raced. The Proxies keep the natives' name,
# length, toString and prototype-lessness, so the page sees nothing unusual; its timers run as
# before. Everything settle needs is captured here, before page scripts can replace it.
_TIMER_WATCH = """() => {
  const key = Symbol.for("watcher.settle");
  if (Object.prototype.hasOwnProperty.call(window, key)) return;
  const apply = Reflect.apply, now = performance.now.bind(performance);
  const nativeSet = window.setTimeout, nativeClear = window.clearTimeout;
  const due = new Map();  // timer id -> performance.now() when its callback runs
  let ran = -Infinity;  // when a callback last ran: a fetch it started is reported a little later
  const forget = (id) => { try { due.delete(Number(id)); } catch (e) {} };
  window.setTimeout = new Proxy(nativeSet, { apply(target, self, args) {
    let ms = 0;
    try { ms = Math.max(0, +args[1] | 0); } catch (e) {}
    const handler = args[0];
    let id;
    if (typeof handler === "function") {
      args[0] = function () { ran = now(); forget(id); return apply(handler, this, arguments); };
      id = apply(target, window, args);
    } else {
      id = apply(target, window, args);
      apply(target, window, [() => { ran = now(); forget(id); }, ms]);  // right after the string handler
    }
    due.set(id, now() + ms);
    return id;
  } });
  const clearing = (native) => new Proxy(native, { apply(target, self, args) {
    forget(args[0]);
    return apply(target, window, args);
  } });
  window.clearTimeout = clearing(nativeClear);
  window.clearInterval = clearing(window.clearInterval);  // browsers let it clear a timeout too
  Object.defineProperty(window, key, { value: Object.freeze({
    // Busy: a callback is due before `moment`, or one ran under 50 ms ago. With routing on,
    // Playwright reports a request only once the browser has paused it, so a fetch() a timer just
    // started can reach us after the renderer has called the page still.
    busy(moment) {
      if (now() - ran < 50) return true;
      for (const at of due.values()) { if (at <= moment) return true; }
      return false;
    },
    later: (fn, ms) => apply(nativeSet, window, [fn, ms]),
    cancel: (id) => apply(nativeClear, window, [id]),
    Observer: window.MutationObserver,
    now,
  }) });
}"""

# Resolves once the document has gone `quiet` ms without a node or text change and no timer is due
# before the cap, or after `most` ms. Attribute changes do not count: carousels flip classes
# forever. Awaits a plain thenable so a page that replaced Promise cannot change the result.
_STILL_PAGE = """async ([quiet, most]) => {
  const state = window[Symbol.for("watcher.settle")] || {
    busy: () => false, later: (fn, ms) => setTimeout(fn, ms), cancel: (id) => clearTimeout(id),
    Observer: MutationObserver, now: () => performance.now(),
  };
  const capAt = state.now() + most;
  await { then(resolve) {
    let timer = 0, cap = 0, done = false;
    const finish = () => {
      if (done) return;
      done = true;
      observer.disconnect();
      state.cancel(timer);
      state.cancel(cap);
      resolve();
    };
    const check = () => { if (state.busy(capAt)) { timer = state.later(check, 25); } else { finish(); } };
    const observer = new state.Observer(() => { state.cancel(timer); timer = state.later(check, quiet); });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    timer = state.later(check, quiet);
    cap = state.later(finish, most);
  } };
  return true;
}"""


def check_scheme(url: str) -> str:
    """The URL's scheme if it is http or https; RefusedScheme otherwise (before any browser sees it)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise errors.BadInput(f"not a URL: {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise errors.RefusedScheme(f"refused {scheme or 'scheme-less'} URL {url!r}: only http and https are fetched")
    if not parts.hostname:
        raise errors.BadInput(f"URL has no host: {url!r}")
    return scheme


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _is_html(content_type: str, body: bytes) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    if media:
        return media in HTML_TYPES
    # No Content-Type: browsers sniff; we accept what looks like markup.
    return body.lstrip()[:1] == b"<"


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
    return errors.ConnectError(f"cannot load {url}: {first}")


@dataclass
class _Navigation:
    """What the route handler learned about the primary document of one goto."""

    remaining: float  # seconds the handler may spend fetching
    slot: _HostSlot | None = None  # stamped when the request really leaves, for the per-host delay
    pending: bool = True
    redirect_to: str | None = None
    status: int = 0
    content_type: str = ""
    error: errors.FetchError | None = None


@dataclass
class _HostSlot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")


class _BrowserHandle:
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
        self._turn = asyncio.Condition()  # guards _served and _active
        self._served = 0  # checks and cards since launch
        self._active = 0  # checks and cards using the browser right now

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
        try:
            yield
        finally:
            async with self._turn:
                self._active -= 1
                self._turn.notify_all()

    async def get(self) -> Any:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            path = find_browser().path if self._path is _FIND else self._path
            if self._playwright is None:
                from playwright.async_api import async_playwright  # lazy: importing watcher stays fast

                self._playwright = await async_playwright().start()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=path, headless=True, args=LAUNCH_ARGS
                )
            except Exception as exc:
                raise errors.BrowserMissing(
                    f"cannot start Chromium ({path or 'Playwright default'}): {str(exc).splitlines()[0]}"
                ) from exc
            return self._browser

    async def fresh_page(self, browser: Any, options: dict[str, Any], spares: int) -> tuple[Any, Any]:
        """A never-used context (made with `options`) and its page, then `spares` more opened ahead."""
        if options != self._spare_options:
            await self._drop_spares()  # made for other settings (a derived Fetcher)
            self._spare_options = options
        context = page = None
        while self._spares and context is None:
            task = self._spares.pop(0)
            try:
                owner, spare_context, spare_page = await task
            except Exception:
                continue  # the browser died while it opened; try the next
            if owner is browser and browser.is_connected():
                context, page = spare_context, spare_page
            else:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(spare_context.close(), CLOSE_TIMEOUT)
        if context is None:
            _, context, page = await self._open(browser, options)
        # Topped up only once this check has its page, so a cold start does not queue behind them.
        while len(self._spares) < min(spares, MAX_SPARES):
            self._spares.append(asyncio.create_task(self._open(browser, options)))
        return context, page

    @staticmethod
    async def _open(browser: Any, options: dict[str, Any]) -> tuple[Any, Any, Any]:
        context = await browser.new_context(**options)
        try:
            return browser, context, await context.new_page()
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT)
            raise

    async def _drop_spares(self) -> None:
        spares, self._spares = self._spares, []
        for task in spares:
            task.cancel()
        for task in spares:
            with contextlib.suppress(BaseException):
                _, context, _ = await task
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT)

    async def close(self) -> None:
        await self._drop_spares()
        async with self._lock:
            browser, self._browser = self._browser, None
            playwright, self._playwright = self._playwright, None
            if browser is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)
            if playwright is not None:
                with contextlib.suppress(Exception):
                    await playwright.stop()


class Fetcher:
    """Fetches pages as rendered HTML; use as `async with Fetcher(settings) as f: await f.fetch(url)`."""

    def __init__(self, settings: FetchSettings | None = None, browser_path: Any = _FIND, *, _handle=None) -> None:
        self.settings = settings or FetchSettings()
        self._owns_handle = _handle is None
        self._handle: _BrowserHandle = _handle or _BrowserHandle(browser_path)
        self._slots = asyncio.Semaphore(max(1, self.settings.concurrency))
        self._hosts: dict[str, _HostSlot] = {}

    def derive(self, settings: FetchSettings) -> Fetcher:
        """A Fetcher with other settings sharing this one's browser (closing it leaves the browser up)."""
        return Fetcher(settings, _handle=self._handle)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the browser (if this Fetcher owns it)."""
        if self._owns_handle:
            await self._handle.close()

    # -- fetching --------------------------------------------------------------------------------

    async def fetch(self, url: str) -> Snapshot:
        """The rendered page at `url`, or a FetchError subclass saying why not.

        The deadline counts from when this fetch gets its turn (a concurrency slot and its host),
        and covers every retry.
        """
        check_scheme(url)
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.setdefault(host, _HostSlot())
        # Host first: a fetch queued behind its host must not hold a slot other hosts could use.
        async with slot.lock, self._slots, self._handle.in_use():
            # Starting Chromium (or waiting for its scheduled restart) can take seconds on a cold
            # machine; that is not the page's fault, so the deadline starts after it.
            await self._handle.get()
            deadline = time.monotonic() + self.settings.deadline
            try:
                return await asyncio.wait_for(self._with_retries(url, slot, deadline), self.settings.deadline)
            except TimeoutError:
                raise errors.FetchTimeout(
                    f"no page from {url} within the {self.settings.deadline:g}s deadline"
                ) from None

    async def _with_retries(self, url: str, slot: _HostSlot, deadline: float) -> Snapshot:
        s = self.settings
        attempt = 0
        while True:
            # Politeness: request starts to one host are at least per_host_delay apart.
            wait = slot.last_start + s.per_host_delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            slot.last_start = time.monotonic()
            try:
                return await self._attempt(url, deadline, slot)
            except errors.FetchError as exc:
                if not exc.retryable or attempt >= s.retries:
                    raise
                delay = s.backoff * (2**attempt)
                retry_after = getattr(exc, "retry_after", None)
                if retry_after is not None:
                    delay = max(delay, retry_after)
                # Waiting past the deadline would only turn a clear error into a timeout.
                if time.monotonic() + delay >= deadline - 0.1:
                    raise
                attempt += 1
                await asyncio.sleep(delay)

    async def _attempt(self, url: str, deadline: float, slot: _HostSlot | None = None) -> Snapshot:
        s = self.settings
        started = time.monotonic()
        context = None
        try:
            browser = await self._handle.get()
            options = {
                "user_agent": s.user_agent or None,
                "service_workers": "block",  # else a worker could answer requests our route never sees
                "accept_downloads": False,
            }
            context, page = await self._handle.fresh_page(browser, options, s.concurrency)
            return await self._load(context, page, url, deadline, started, slot)
        except errors.WatcherError:
            raise
        except Exception as exc:
            # Chromium crashed or went away mid-check: retryable, and the next attempt relaunches it.
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise errors.ConnectError(f"browser failed while loading {url}: {reason}") from exc
        finally:
            if context is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(context.close(), CLOSE_TIMEOUT)

    async def _load(
        self, context: Any, page: Any, url: str, deadline: float, started: float, slot: _HostSlot | None
    ) -> Snapshot:
        s = self.settings
        page.on("dialog", _dismiss)
        in_flight = await watch_activity(page)
        nav = _Navigation(remaining=0, slot=slot)
        blocked = set(s.block_resources)

        async def route_handler(route: Any) -> None:
            request = route.request
            try:
                if urlsplit(request.url).scheme.lower() not in ALLOWED_SCHEMES:
                    await route.abort("blockedbyclient")
                elif nav.pending and request.is_navigation_request() and request.frame == page.main_frame:
                    nav.pending = False
                    await self._primary(route, nav)
                elif request.resource_type in blocked:
                    await route.abort("blockedbyclient")
                else:
                    await route.continue_()
            except Exception:
                # A handler that dies leaves the request pending forever; end it instead.
                with contextlib.suppress(Exception):
                    await route.abort("failed")

        await context.route("**/*", route_handler)

        redirects: list[str] = []
        seen = {url}
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
            target = nav.redirect_to
            redirects.append(current)
            if urlsplit(target).scheme.lower() not in ALLOWED_SCHEMES:
                raise errors.RefusedScheme(f"{current} redirected to refused URL {target!r}")
            if target in seen or len(redirects) > s.max_redirects:
                raise errors.TooManyRedirects(
                    f"{url} redirects {'in a loop' if target in seen else 'too often'} "
                    f"({len(redirects)} hops, limit {s.max_redirects})"
                )
            seen.add(target)
            current = target
        navigation = time.monotonic() - nav_started

        # Scripts may still be adding the article; give them the load event (bounded) and a settle.
        with contextlib.suppress(Exception):
            load_budget = max(0.1, min(s.nav_timeout, deadline - CONTENT_RESERVE - time.monotonic()))
            await page.wait_for_load_state("load", timeout=load_budget * 1000)
        await settle(page, in_flight, min(time.monotonic() + s.settle_ms / 1000, deadline - CONTENT_RESERVE))
        html = await self._content(page, url, deadline)
        if len(html.encode("utf-8", "replace")) > s.max_bytes:
            raise errors.TooLarge(f"{url} rendered to more than {s.max_bytes} bytes of HTML")
        return Snapshot(
            requested_url=url,
            final_url=page.url,
            status=nav.status,
            content_type=nav.content_type,
            html=html,
            fetched_at=utcnow(),
            timings={"total": round(time.monotonic() - started, 3), "navigation": round(navigation, 3)},
            redirects=redirects,
        )

    async def _primary(self, route: Any, nav: _Navigation) -> None:
        """Fetch the main document ourselves, one hop, and judge it before the browser sees it."""
        s = self.settings
        url = route.request.url
        if nav.slot is not None:
            # Browser start-up work varies; the delay is about when the server sees us.
            nav.slot.last_start = time.monotonic()
        try:
            response = await route.fetch(max_redirects=0, timeout=max(0.1, nav.remaining) * 1000)
        except Exception as exc:
            nav.error = _net_error(exc, url)
            await route.abort("failed")
            return
        headers = response.headers
        status = response.status
        location = headers.get("location")
        if 300 <= status < 400 and location:
            nav.redirect_to = urljoin(url, location.strip())
            await route.abort("aborted")
            return
        nav.status = status
        nav.content_type = headers.get("content-type", "")
        if status >= 400:
            nav.error = errors.HTTPStatusError(
                f"{url} answered HTTP {status}", status, parse_retry_after(headers.get("retry-after"))
            )
            await route.abort("failed")
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > s.max_bytes:
            nav.error = errors.TooLarge(f"{url} is {int(length)} bytes, over the {s.max_bytes}-byte cap")
            await route.abort("failed")
            return
        body = await response.body()
        if len(body) > s.max_bytes:
            nav.error = errors.TooLarge(f"{url} is over the {s.max_bytes}-byte cap")
        elif not _is_html(nav.content_type, body):
            nav.error = errors.NotHTML(f"{url} is {nav.content_type or 'not HTML'}, not an HTML page")
        if nav.error is not None:
            await route.abort("failed")
            return
        await route.fulfill(response=response, body=body)

    async def _content(self, page: Any, url: str, deadline: float) -> str:
        """page.content(), bounded: a busy script can block it forever, a self-navigating page breaks it."""
        for _ in range(5):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                return await asyncio.wait_for(page.content(), remaining)
            except TimeoutError:
                break
            except Exception:
                # The page navigated itself away mid-read; read the new document once it exists.
                with contextlib.suppress(Exception):
                    await page.wait_for_load_state(
                        "load", timeout=max(0.1, min(2.0, deadline - time.monotonic())) * 1000
                    )
        else:
            raise errors.FetchError(f"{url} keeps navigating away; there is no page that stays still to read")
        raise errors.FetchTimeout(f"{url} did not let its HTML be read within the deadline")

    # -- diff cards ------------------------------------------------------------------------------

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


async def watch_activity(page: Any) -> set[Any]:
    """Start watching what `settle` waits for; call before navigating. Returns the requests in flight."""
    await page.add_init_script(script=f"({_TIMER_WATCH})()")
    in_flight: set[Any] = set()
    # Playwright wants plain functions as handlers (it tags them), not bound builtins.
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    return in_flight


async def settle(page: Any, in_flight: set[Any], until: float) -> None:
    """Wait until the page is still (DOM unchanged for QUIET_MS, no timer due before `until`, no
    request in flight) or `until`.

    A fixed sleep made every check pay the worst case; most pages are done well before it.
    """
    while (left := until - time.monotonic()) > 0:
        quiet = min(QUIET_MS / 1000, left)
        try:
            # A page can break evaluate (its own setTimeout replaced, a busy loop): bound it here.
            await asyncio.wait_for(page.evaluate(_STILL_PAGE, [quiet * 1000, left * 1000]), left + 0.2)
        except TimeoutError:
            return
        except Exception:
            if page.is_closed():
                return
            # The page navigated itself (a script redirect): let the new document load, then judge it.
            with contextlib.suppress(Exception):
                await page.wait_for_load_state("load", timeout=max(0.05, until - time.monotonic()) * 1000)
            await asyncio.sleep(0.02)  # a page that breaks evaluate for good must not make this spin
            continue
        if not in_flight:
            return
        while in_flight and time.monotonic() < until:
            await asyncio.sleep(0.02)


async def _dismiss(dialog: Any) -> None:
    # alert/confirm/prompt would otherwise block the page's scripts until the deadline.
    with contextlib.suppress(Exception):
        await dialog.dismiss()
