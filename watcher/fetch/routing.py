"""What each request a page makes may do, decided in one Playwright route handler per check.

Every document the main frame loads (the first request, each redirect hop, meta refreshes and
script navigations) is fetched by watcher's own HTTP client (fetch/http.py), not by the browser or
Playwright's driver, and handed to Chromium with route.fulfill. So each one is connected only to
an allowed address (checked at connect time, after DNS), its decoded size is capped before any of it
reaches the driver (a gzip bomb cannot kill the driver), and PDFs, JSON or downloads never become
browser downloads or viewers. Other requests (scripts, stylesheets, XHR, frames) go through
Chromium's own network stack once their host has been resolved and allowed; requests from popups
never leave, and blocked resource types are refused (images answered with a blank one, locally).

Downloads never cross the network either: a navigation to a URL naming a file is refused unasked, any
other navigation the page makes is closed after its headers when they say it is no page, and a clicked
`<a download>` (which Chromium's download manager requests outside any route, accept_downloads off or
not) is refused by the renderer, as every document we hand it is sandboxed against downloads.

Those other requests are checked on a resolution made just before Chromium makes its own, which a
name could change in between (DNS rebinding); Chromium's local-network-access rules close that gap:
a document we fulfil has no local address, so Chromium itself refuses its requests that connect to
one. (The same rules stop such requests when private addresses are allowed, as before.)
"""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from watcher import errors
from watcher.config import BrowserSettings
from watcher.fetch import addresses, http
from watcher.fetch.base import ALLOWED_SCHEMES, is_html, proxy_for, status_error
from watcher.urls import same_site

# What a blocked image gets instead of a failure: a 1x1 transparent GIF. A failed image fires `onerror`,
# and pages whose handler swaps in another image (which fails too) loop until the navigation times out.
BLANK_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
# Seconds before the deadline after which a page's own navigation is no longer followed (time to
# load, settle and read the page it is on).
LAST_NAVIGATION = 1.5
# What a URL's path ends in when it plainly names a file that is no page: archives, documents, media,
# executables, images. A page navigating to one is refused before any request.
FILE_EXTENSIONS = frozenset(
    "7z apk appimage bin bz2 cab deb dmg exe gz iso jar msi pkg rar rpm tar tbz2 tgz txz xz zip zst "
    "csv doc docx epub odp ods odt pdf ppt pptx ps rtf xls xlsx "
    "aac avi flac m4a m4v mkv mov mp3 mp4 mpeg mpg oga ogg ogv opus wav webm wma wmv "
    "avif bmp gif heic ico jpeg jpg png svg tif tiff webp".split()
)
# Every document we hand Chromium is sandboxed in all but downloads: a clicked `<a download>` (which
# Chromium's download manager would request outside any route) is then refused by the renderer itself.
SANDBOX = (
    "sandbox allow-forms allow-modals allow-orientation-lock allow-pointer-lock allow-popups "
    "allow-presentation allow-same-origin allow-scripts allow-top-navigation"
)
# Response headers not passed on to Chromium: the body it gets is already decoded and whole.
_DROPPED = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
# Request headers Chromium sets that our client sets itself (or that describe Chromium's own connection).
_NOT_SENT = {"host", "content-length", "connection", "accept-encoding", "keep-alive", "transfer-encoding"}


@dataclass
class Navigation:
    """What the route handler learned about the primary document of one goto."""

    remaining: float  # seconds the handler may spend fetching
    sent: Callable[[], None] | None = None  # called when the request really leaves (per-host delay)
    pending: bool = True
    redirect_to: str | None = None
    status: int = 0
    content_type: str = ""
    error: errors.FetchError | None = None
    later_error: errors.FetchError | None = None  # why a navigation the page made itself was refused
    counts: dict[str, int] = field(default_factory=dict)  # the page's requests by kind (third-party, refused...)
    document: http.Response | None = None  # the main document the page shows, as the server sent it
    delivered: set[str] = field(default_factory=set)  # origins of every main-frame document we handed Chromium

    def fetched_by_us(self, url: str) -> bool:
        """Whether the page's address names an origin whose document came through this handler (a same-
        document pushState keeps the origin; a document Chromium got some other way would not)."""
        return origin(url) in self.delivered


class PageRoutes:
    """The route handler of one check's page."""

    def __init__(
        self,
        settings: BrowserSettings,
        page: Any,
        nav: Navigation,
        deadline: float,
        allow_private: bool = False,
        pool: http.Pool | None = None,
    ) -> None:
        self.settings = settings
        self.pool = pool  # the process's HTTP clients: the main document's connection is kept for the next
        self.page = page
        self.nav = nav
        self.deadline = deadline
        self.allow = addresses.private_allowed(settings.allow_private or allow_private)
        self._blocked = set(settings.block_resources)
        self._hosts: dict[str, asyncio.Future[list[str]]] = {}
        self._later_count = 0
        self._session: Any = None  # a CDP session on the page, made when a redirect hop needs one

    async def handle(self, route: Any) -> None:
        request = route.request
        nav = self.nav
        try:
            if urlsplit(request.url).scheme.lower() not in ALLOWED_SCHEMES:
                await route.abort("blockedbyclient")
            elif _opened_elsewhere(request, self.page):
                self._count("popup")  # a window the page opened: nothing it asks for leaves
                await route.abort("blockedbyclient")
            elif request.is_navigation_request() and nav.document is not None and names_a_file(request.url):
                self._count("download")  # a file the page (or one of its frames) would load: never asked for
                await route.abort("aborted")
            elif request.is_navigation_request() and request.frame == self.page.main_frame:
                if nav.pending:
                    nav.pending = False
                    await self._primary(route)
                else:
                    await self._later(route)
            elif request.resource_type in self._blocked:
                if request.resource_type == "image":
                    await route.fulfill(status=200, content_type="image/gif", body=BLANK_GIF)
                else:
                    await route.abort("blockedbyclient")
            elif not await self._host_allowed(request.url):
                self._count("private address")
                await route.abort("blockedbyclient")
            else:
                if nav.document is not None and not same_site(request.url, nav.document.url):
                    self._count("third-party")
                await route.continue_()
        except Exception:
            # A handler that dies leaves the request pending forever; end it instead.
            try:
                await route.abort("failed")
            except Exception:  # already handled or the page is gone
                pass

    def _count(self, reason: str) -> None:
        self.nav.counts[reason] = self.nav.counts.get(reason, 0) + 1

    async def _host_allowed(self, url: str) -> bool:
        """Whether a page's own request may go to its host (resolved once per host per check)."""
        if self.allow:
            return True
        host = urlsplit(url).hostname or ""
        known = self._hosts.get(host)
        if known is None:
            port = urlsplit(url).port or 443
            known = self._hosts[host] = asyncio.ensure_future(
                asyncio.to_thread(addresses.resolve, url, host, port, False)
            )
        try:
            await known
        except errors.PrivateAddress:
            return False
        except errors.FetchError:
            return True  # a name that does not resolve: Chromium fails it itself, with its own error
        return True

    async def _document(self, route: Any, remaining: float, wanted: Any = None) -> http.Response:
        request = route.request
        headers = {k: v for k, v in (await request.all_headers()).items() if k.lower() not in _NOT_SENT}
        limits = http.Limits(
            timeout=max(0.1, remaining),
            max_bytes=self.settings.max_bytes,
            allow_private=self.allow,
            proxy=proxy_for(request.url, self.settings),
        )
        return await http.fetch_one(
            request.url,
            limits,
            time.monotonic() + max(0.1, remaining),
            method=request.method,
            headers=headers,
            body=request.post_data_buffer,
            wanted=wanted,
            pool=self.pool,
        )

    async def _primary(self, route: Any) -> None:
        """Fetch the main document ourselves, one hop, and judge it before the browser sees it."""
        nav = self.nav
        url = route.request.url
        if nav.sent is not None:
            nav.sent()  # browser start-up work varies; the per-host delay is about when the server sees us
        try:
            response = await self._document(route, nav.remaining)
        except errors.FetchError as exc:
            nav.error = exc
            await route.abort("failed")
            return
        target = http.redirect_target(response)
        if target is not None:
            nav.redirect_to = target
            await self._keep_cookies(response)
            await route.abort("aborted")
            return
        nav.status = response.status
        nav.content_type = response.content_type
        if response.status >= 400:
            nav.error = status_error(url, response.status, "", response.headers.get("retry-after"))
        elif not is_html(nav.content_type, response.body):
            nav.error = errors.NotHTML(f"{url} is {nav.content_type or 'not HTML'}, not an HTML page")
        if nav.error is not None:
            await route.abort("failed")
            return
        nav.document = response
        nav.delivered.add(origin(response.url))
        await _fulfill(route, response)

    async def _keep_cookies(self, response: http.Response) -> None:
        """The browser never sees a redirect hop; cookies it sets (a consent or session cookie that the
        next hop checks) must still reach the context."""
        cookies = _cookies(response)
        if cookies:
            with contextlib.suppress(Exception):  # one the browser would refuse too (bad domain, ...)
                await self.page.context.add_cookies(cookies)

    async def _later(self, route: Any) -> None:
        """A navigation the page made itself (script, meta refresh, a redirect hop of one): same checks.

        Past max_redirects of them, or close to the deadline, the page stays where it is and is read as
        it stands: a page bouncing between two addresses forever must not leave nothing to read.
        A download never crosses the network: refused by its URL when that names a file, else closed
        after its headers. Aborted as a cancelled navigation, the page stays on the document it shows
        (a blocked one would show an error page), and Chromium starts no download or viewer.
        """
        self._later_count += 1
        if self._later_count > self.settings.max_redirects or self.deadline - time.monotonic() < LAST_NAVIGATION:
            self._count("navigation loop")
            await route.abort("aborted")
            return
        try:
            response = await self._document(route, self.deadline - time.monotonic(), wanted=may_be_a_page)
        except errors.FetchError as exc:
            if isinstance(exc, errors.PrivateAddress):
                self.nav.later_error = exc
                self._count("private address")
                await route.abort("failed")
                return
            # A refresh to a name that does not resolve, a server that is down: a browser would show its
            # error page, and the check would read that. Cancelled instead, the page stays and is read.
            self._count("failed navigation")
            await route.abort("aborted")
            return
        target = http.redirect_target(response)
        if target is not None:
            # Chromium would follow a redirect we fulfil without routing it (Playwright routes only the first
            # request of a chain): the hop is made a navigation of its own, which comes back to this handler.
            await self._keep_cookies(response)
            await route.abort("aborted")
            if urlsplit(target).scheme.lower() in ALLOWED_SCHEMES:
                if self._session is None:
                    self._session = await self.page.context.new_cdp_session(self.page)
                await self._session.send("Page.navigate", {"url": target})
            return
        if response.status < 400:
            if response.body_skipped or not is_html(response.content_type, response.body):
                self._count("download")
                await route.abort("aborted")
                return
            self.nav.document = response
        self.nav.delivered.add(origin(response.url))
        await _fulfill(route, response)


def may_be_a_page(status: int, headers: Any) -> bool:
    """Whether an answer to a navigation may be a page, by its headers alone (else its body is never read)."""
    if status >= 300:
        return True  # a redirect or an error page: small, and handled as before
    disposition = headers.get("content-disposition", "").split(";", 1)[0].strip().lower()
    content_type = headers.get("content-type", "")
    # Untyped answers are read and sniffed, as browsers do.
    return disposition != "attachment" and (not content_type or is_html(content_type, b""))


def origin(url: str) -> str:
    """scheme://host:port of a URL (default ports spelled out), "" when it has none."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    except ValueError:
        return ""
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}" if parts.hostname else ""


def names_a_file(url: str) -> bool:
    """Whether a URL's path plainly names a file that is no page (`/files/report.pdf`, `/setup.exe?v=2`)."""
    extension = posixpath.splitext(unquote(urlsplit(url).path))[1].lower().lstrip(".")
    return extension in FILE_EXTENSIONS


def _cookies(response: http.Response) -> list[dict[str, Any]]:
    """A redirect's Set-Cookie headers as Playwright cookies (for this check's context only)."""
    cookies: list[dict[str, Any]] = []
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, sep, value = first.partition("=")
        if not sep or not name.strip():
            continue
        cookie: dict[str, Any] = {"name": name.strip(), "value": value.strip()}
        options = {k.strip().lower(): v.strip() for k, _, v in (a.partition("=") for a in attributes)}
        if options.get("domain"):
            cookie.update(domain=options["domain"], path=options.get("path") or "/")
        else:
            cookie["url"] = response.url
        cookie["secure"] = "secure" in options
        cookie["httpOnly"] = "httponly" in options
        cookies.append(cookie)
    return cookies


def _opened_elsewhere(request: Any, page: Any) -> bool:
    """Whether a request comes from another window than the check's page (a popup it opened)."""
    try:
        return request.frame.page != page
    except Exception:  # a popup's first navigation comes before Playwright knows its frame
        return request.is_navigation_request()


async def _fulfill(route: Any, response: http.Response) -> None:
    headers: dict[str, str] = {}
    for key, value in response.headers.multi_items():
        name = key.lower()
        if name in _DROPPED:
            continue
        # Playwright takes one value per name; several Set-Cookie lines travel joined by newlines.
        joiner = "\n" if name == "set-cookie" else ", "
        headers[name] = f"{headers[name]}{joiner}{value}" if name in headers else value
    # A policy of its own beside the page's (policies joined by commas all apply).
    policy = headers.get("content-security-policy")
    headers["content-security-policy"] = f"{policy}, {SANDBOX}" if policy else SANDBOX
    await route.fulfill(status=response.status, headers=headers, body=response.body)
