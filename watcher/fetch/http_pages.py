"""The HTTP fetcher: a page's raw HTML from one GET (and its redirects), no browser.

Same rules as the Chromium fetcher where they apply: http(s) only at every hop, only allowed
addresses (checked on connect), redirects capped and loops refused, the size cap on the decoded
body, HTTP errors typed (Retry-After kept), non-HTML refused; and the same politeness wrapper, so
per-host delays, concurrency, retries and deadlines are shared rules rather than copies.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar

from watcher import errors
from watcher.config import FetchSettings
from watcher.fetch import addresses, http
from watcher.fetch.base import is_html, proxy_for, status_error, user_agent
from watcher.fetch.charset import decode_html
from watcher.fetch.logins import LoginStates, without_cookies
from watcher.fetch.polite import OWN_GUARD, Polite
from watcher.fetch.robots import RobotsGuard
from watcher.models import Snapshot
from watcher.times import utcnow

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# Validators for a conditional GET (If-None-Match / If-Modified-Since), set by the monitor's pre-check
# around one fetch; a context variable, so the politeness wrapper between them needs no new parameter.
CONDITIONAL: ContextVar[Mapping[str, str] | None] = ContextVar("conditional", default=None)


class HTTPPages:
    """One GET of a page and its redirect hops (the `Attempts` of fetch/polite.py)."""

    def __init__(
        self, settings: FetchSettings, logins: LoginStates | None = None, pool: http.Pool | None = None
    ) -> None:
        self.settings = settings
        self.logins = logins  # a site's saved login cookies go to that site's hops only
        self.pool = pool  # the HTTP clients kept alive between requests (None: one client per request)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        yield  # nothing to start

    async def attempt(
        self, url: str, deadline: float, sent: Callable[[], None] | None = None, allow_private: bool = False
    ) -> Snapshot:
        s = self.settings
        started = time.monotonic()
        allow = addresses.private_allowed(s.allow_private or allow_private)
        headers = {"User-Agent": user_agent(s), "Accept": ACCEPT, **(CONDITIONAL.get() or {})}
        redirects: list[str] = []
        current = url
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise errors.FetchTimeout(f"no page from {url} within the deadline")
            limits = http.Limits(
                timeout=min(s.nav_timeout, left), max_bytes=s.max_bytes, allow_private=allow, proxy=proxy_for(url, s)
            )
            if sent is not None:
                sent()
            cookie = self.logins.cookie_header(current) if self.logins is not None else None
            response = await http.fetch_one(
                current,
                limits,
                min(deadline, time.monotonic() + s.nav_timeout),
                headers={**headers, "Cookie": cookie} if cookie else headers,
                pool=self.pool,
            )
            if sent is not None:
                # Stamped again once answered: the request reached the server by now, and connecting (a cold
                # client, a slow machine) may have held it back after the first stamp; the host's gap counts
                # from here, so requests arrive at least that far apart, not merely leave so.
                sent()
            target = http.redirect_target(response)
            if target is None:
                break
            current = http.next_hop(response, target, redirects, s.max_redirects)
        if response.status == 304 and CONDITIONAL.get():
            # Not modified since the validators we sent: no body, and the page is what it was.
            return Snapshot(
                requested_url=url,
                final_url=current,
                status=304,
                content_type=response.content_type,
                html="",
                fetched_at=utcnow(),
                timings={"total": round(time.monotonic() - started, 3)},
                redirects=redirects,
                headers=list(response.headers.multi_items()),
            )
        if response.status >= 400:
            raise status_error(current, response.status, "", response.headers.get("retry-after"))
        content_type = response.content_type
        if not is_html(content_type, response.body):
            raise errors.NotHTML(f"{current} is {content_type or 'not HTML'}, not an HTML page")
        elapsed = round(time.monotonic() - started, 3)
        snapshot = Snapshot(
            requested_url=url,
            final_url=current,
            status=response.status,
            content_type=content_type,
            html=decode_html(response.body, content_type),
            fetched_at=utcnow(),
            timings={"total": elapsed, "navigation": elapsed},
            redirects=redirects,
            http_version=response.http_version,
            reason=response.reason,
            headers=list(response.headers.multi_items()),
            body=response.body,
        )
        # The page's own answer renews the session when it came from the login site, reached directly or by a
        # redirect from elsewhere (whose hop to the site carried the cookie too).
        if self.logins is not None and (self.logins.site_for(url) or self.logins.site_for(current)):
            return without_cookies(snapshot)
        return snapshot


class HTTPFetcher(Polite):
    """Fetches pages' raw HTML; use as `async with HTTPFetcher(settings) as f: await f.fetch(url)`."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        robots: RobotsGuard | None | object = OWN_GUARD,
        beside: Polite | None = None,
        logins: LoginStates | None = None,
        pool: http.Pool | None = None,
    ) -> None:
        """`robots`: the robots.txt guard to use (None: not read); `beside`: the browser fetcher whose robots.txt
        guard, per-host turns and HTTP connections this one shares (a pre-check and the render after it keep the
        host's delay); `pool`: the HTTP clients to use otherwise (None: its own, closed with it)."""
        settings = settings or FetchSettings()
        pages = HTTPPages(settings, logins)
        super().__init__(pages, settings, robots=robots, beside=beside, pool=pool)
        pages.pool = self.pool
