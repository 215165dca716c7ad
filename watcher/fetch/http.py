"""The one HTTP client: feeds, webhooks and the main document of every browser navigation use it.

Built on httpx: per-phase timeouts, redirects under our control (we follow them hop by hop, each
hop checked), streamed bodies so a size cap holds on the decompressed bytes, and one small sync +
async API with no HTTP/2 machinery. Two things are added here, at the socket level where they
cannot be side-stepped:

- every connection goes to an address `addresses.py` allows, chosen after DNS: the check is made on
  the address actually connected to, so a name that re-resolves between check and use gains nothing;
- every read and write shares one total deadline, so a server that drips a byte at a time cannot hold
  a request past it however short each wait is.

Asynchronous requests (page GETs, the browser's main documents) go through a `Pool`: one client per
event loop, address rule and proxy, its connections kept alive between requests. A kept connection
was checked when it was made and still goes to that checked address; one made for a request allowed
private addresses never serves one that is not; and no cookie is kept between requests.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from watcher import errors
from watcher.fetch import addresses
from watcher.fetch.base import ALLOWED_SCHEMES, USER_AGENT, check_scheme, status_error

# Content-Encodings httpx undoes without optional packages; we offer only what we can decode.
ENCODINGS = "gzip, deflate"
CHUNK = 65536
# Seconds an idle connection is kept for the host's next request: longer than the per-host delay
# (a second by default), so checks of one site in a row reuse one connection.
KEEPALIVE = 30.0
_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None
# The total deadline of the asynchronous request being served, read by every socket operation of the
# connection serving it: a kept-alive connection serves many requests, each with its own deadline.
_DEADLINE: ContextVar[float] = ContextVar("deadline", default=math.inf)


@dataclass
class Response:
    """One HTTP response, body read in full (decoded from its Content-Encoding), and how we got there."""

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    http_version: str = "HTTP/1.1"
    redirects: list[str] = field(default_factory=list)  # the URLs that redirected, in order
    body_skipped: bool = False  # turned down on its status and headers (fetch_one's `wanted`): no body read

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Limits:
    """What one request may cost: seconds per phase, seconds in all, and decoded body bytes."""

    timeout: float = 15.0
    total: float | None = None  # None: twice the per-phase timeout
    max_bytes: int = 10_000_000
    allow_private: bool = False
    proxy: str | None = None  # http(s):// or socks5:// proxy URL, credentials included

    def deadline(self) -> float:
        return time.monotonic() + (self.total if self.total is not None else 2 * self.timeout)


def get(
    url: str,
    limits: Limits,
    *,
    headers: Mapping[str, str] | None = None,
    max_redirects: int = 10,
    raise_status: bool = True,
) -> Response:
    """GET `url`, following up to `max_redirects` http(s) redirects; FetchError subclasses on failure."""
    deadline = limits.deadline()
    redirects: list[str] = []
    with _client(limits, deadline) as client:
        while True:
            response = _send(client, "GET", url, limits, deadline, headers, None)
            target = redirect_target(response)
            if target is None:
                break
            url = next_hop(response, target, redirects, max_redirects)
    response.redirects = redirects
    if raise_status and response.status >= 400:
        raise status_error(response.url, response.status, response.reason, response.headers.get("retry-after"))
    return response


def post(url: str, body: bytes, limits: Limits, *, headers: Mapping[str, str] | None = None) -> Response:
    """POST once, never following a redirect (the caller decides what a 3xx means); errors as `get`."""
    deadline = limits.deadline()
    with _client(limits, deadline) as client:
        return _send(client, "POST", url, limits, deadline, headers, body)


async def fetch_one(
    url: str,
    limits: Limits,
    deadline: float,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    wanted: Callable[[int, httpx.Headers], bool] | None = None,
    pool: Pool | None = None,
) -> Response:
    """One request, no redirect followed (a 3xx comes back as it is), for callers that follow hops themselves.

    `wanted` sees the status and headers first: an answer it turns down comes back with `body_skipped` and
    no body, its connection closed before any of the body is read (a download need not cross the network).
    `pool`: the process's clients, whose connections are reused; None: a client of its own, closed after.
    """
    started = _DEADLINE.set(deadline)
    try:
        if pool is not None:
            return await _asend(pool.client(limits), method, url, limits, deadline, headers, body, wanted)
        async with _async_client(limits) as client:
            return await _asend(client, method, url, limits, deadline, headers, body, wanted)
    finally:
        _DEADLINE.reset(started)


class Pool:
    """The asynchronous HTTP clients of a process: one per event loop, address rule and proxy, each keeping
    its connections alive for the next request. Built and closed by the composition root (watcher/runtime.py)
    with the fetchers that use it; a client closed by `aclose` is made afresh when next needed."""

    def __init__(self) -> None:
        self._clients: dict[tuple[int, bool, str | None], tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}

    def client(self, limits: Limits) -> httpx.AsyncClient:
        """The client for requests under `limits` on the running event loop."""
        loop = asyncio.get_running_loop()
        self._forget_closed_loops()
        # The rule as it stands for this request: a connection made while private addresses were allowed
        # must never serve a request that does not allow them.
        allow = addresses.private_allowed(limits.allow_private)
        key = (id(loop), allow, limits.proxy)
        known = self._clients.get(key)
        if known is None or known[0] is not loop:
            chosen = Limits(timeout=limits.timeout, allow_private=allow, proxy=limits.proxy)
            known = self._clients[key] = (loop, _async_client(chosen, keepalive=KEEPALIVE))
        return known[1]

    async def aclose(self) -> None:
        """Close the clients of the running event loop and their connections."""
        loop = asyncio.get_running_loop()
        for key, (owner, client) in list(self._clients.items()):
            if owner is loop:
                del self._clients[key]
                await client.aclose()
        self._forget_closed_loops()

    def _forget_closed_loops(self) -> None:
        # A loop that has ended took its connections with it; its clients cannot be closed from another.
        for key, (owner, _) in list(self._clients.items()):
            if owner.is_closed():
                del self._clients[key]


# -- the request itself --------------------------------------------------------------------------


def _request_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    given = {key.lower() for key in (headers or {})}
    # Header names are case-insensitive: a caller's "user-agent" replaces the default, never joins it.
    merged = {"User-Agent": USER_AGENT} if "user-agent" not in given else {}
    merged["Accept-Encoding"] = ENCODINGS
    for key, value in (headers or {}).items():
        # What we can decode, whatever the caller (or the browser whose request we make) would accept.
        if key.lower() != "accept-encoding":
            merged[key] = value
    return merged


def _send(client: httpx.Client, method, url, limits: Limits, deadline: float, headers, body) -> Response:
    _check_url(url, limits)
    _check_proxied_site(url, limits)
    with _mapped_errors(url, limits, deadline):
        with client.stream(method, url, headers=_request_headers(headers), content=body) as reply:
            collected = _Body(reply, url, limits)
            for chunk in reply.iter_bytes(CHUNK):
                collected.add(chunk)
            return collected.response()


async def _asend(
    client: httpx.AsyncClient, method, url, limits: Limits, deadline: float, headers, body, wanted=None
) -> Response:
    _check_url(url, limits)
    if limits.proxy:
        await asyncio.to_thread(_check_proxied_site, url, limits)  # DNS blocks: off the event loop
    with _mapped_errors(url, limits, deadline):
        async with client.stream(
            method, url, headers=_request_headers(headers), content=body, timeout=_timeout(limits)
        ) as reply:
            if wanted is not None and not wanted(reply.status_code, reply.headers):
                # Leaving the stream unread closes its connection: httpcore cannot reuse one mid-body.
                return _response(reply, url, b"", body_skipped=True)
            collected = _Body(reply, url, limits)
            async for chunk in reply.aiter_bytes(CHUNK):
                collected.add(chunk)
            return collected.response()


@contextmanager
def _mapped_errors(url: str, limits: Limits, deadline: float) -> Iterator[None]:
    """What a request fails with, as watcher's typed errors (the same for the blocking and the asyncio client)."""
    try:
        yield
    except httpx.HTTPError as exc:
        raise _transport_error(exc, url, limits, deadline) from None
    except httpx.InvalidURL as exc:
        # httpx reads a 3xx's Location even when not following it: one it cannot parse ("data:...")
        # is no http(s) URL either.
        raise errors.RefusedScheme(f"{url}: redirected to a URL that is not http(s) ({exc})") from None
    except errors.PrivateAddress as exc:
        raise addresses.restate(exc, url) from None


def _check_url(url: str, limits: Limits) -> None:
    """Refuse before any request what the scheme rule or the address rule refuses by the URL alone.

    An address written as octal or hex (0177.0.0.1) is refused by name here: httpx would reject the
    spelling as an invalid URL, which would hide that it is a loopback address.
    """
    check_scheme(url)
    allow = addresses.private_allowed(limits.allow_private)
    addresses.check_literal(url, urlsplit(url).hostname or "", allow)
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise errors.BadInput(f"not a URL watcher can fetch: {url!r} ({exc})") from None


def _check_proxied_site(url: str, limits: Limits) -> None:
    """Through a proxy the connection we make is to the proxy, so the site's address is checked by name:
    refused if this machine resolves it to a non-public address. A name this machine cannot resolve
    at all (a network whose only way out is the proxy) is left for the proxy to resolve."""
    if not limits.proxy or addresses.private_allowed(limits.allow_private):
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses.resolve(url, parts.hostname or "", port, False)
    except errors.PrivateAddress:
        raise
    except errors.ConnectError:
        pass


class _Body:
    """A response body gathered under the size cap, counted after decoding (a gzip bomb is small on the wire)."""

    def __init__(self, reply: httpx.Response, url: str, limits: Limits) -> None:
        self.reply, self.url, self.cap = reply, url, limits.max_bytes
        self.chunks: list[bytes] = []
        self.size = 0
        length = reply.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.cap and "content-encoding" not in reply.headers:
            raise errors.TooLarge(f"{url}: {int(length):,} bytes, over the {self.cap:,}-byte cap")

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.cap:
            raise errors.TooLarge(f"{self.url}: over the {self.cap:,}-byte cap")
        self.chunks.append(chunk)

    def response(self) -> Response:
        return _response(self.reply, self.url, b"".join(self.chunks))


def _response(reply: httpx.Response, url: str, body: bytes, body_skipped: bool = False) -> Response:
    status, reason, version = reply.status_code, reply.reason_phrase, reply.http_version
    return Response(url, status, reason, reply.headers, body, version, body_skipped=body_skipped)


def redirect_target(response: Response) -> str | None:
    """Where a 3xx response points (absolute), or None when it is not a redirect."""
    location = response.headers.get("location")
    if 300 <= response.status < 400 and location:
        return urljoin(response.url, location.strip())
    return None


def next_hop(response: Response, target: str, redirects: list[str], max_redirects: int) -> str:
    """`target` if it may be followed (http(s), not seen before, within the cap); records the hop in `redirects`."""
    return follow_redirect(response.url, target, redirects, max_redirects)


def _without_credentials(url: str) -> str:
    """A URL to show: as written, less any user and password in it."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def follow_redirect(current: str, target: str, redirects: list[str], max_redirects: int) -> str:
    """next_hop for a redirect from `current`, however it was fetched (our HTTP client or the browser)."""
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = _without_credentials(target)[:200]
        raise errors.RefusedScheme(f"{current}: redirect to {shown} refused: only http and https are followed")
    redirects.append(current)
    if target in redirects or len(redirects) > max_redirects:
        raise errors.TooManyRedirects(
            f"{redirects[0]} redirects {'in a loop' if target in redirects else 'too often'} "
            f"({len(redirects)} hops, limit {max_redirects})"
        )
    return target


def _transport_error(exc: httpx.HTTPError, url: str, limits: Limits, deadline: float) -> errors.FetchError:
    """The one mapping of transport failures to typed errors."""
    if isinstance(exc, httpx.TimeoutException) or time.monotonic() >= deadline:
        total = limits.total if limits.total is not None else 2 * limits.timeout
        if time.monotonic() >= deadline and total != limits.timeout:
            return errors.FetchTimeout(f"{url}: no complete answer within {total:g} s")
        return errors.FetchTimeout(f"{url}: no answer within {limits.timeout:g} s")
    if isinstance(exc, httpx.TooManyRedirects):
        return errors.TooManyRedirects(f"{url}: too many redirects")
    if isinstance(exc, httpx.DecodingError):
        return errors.ConnectError(f"{url}: the response body is damaged ({exc})")
    reason = errors.network_reason(str(exc) or type(exc).__name__)
    return errors.ConnectError(f"{url}: cannot connect ({reason})")


# -- clients, connections and the deadline -------------------------------------------------------


def _ssl() -> ssl.SSLContext:
    """One TLS context for every client: building one reads the CA bundle (tens of ms)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            import certifi

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        return _ssl_context


def _timeout(limits: Limits) -> httpx.Timeout:
    return httpx.Timeout(limits.timeout)


def _proxy(limits: Limits) -> tuple[httpx.Proxy | None, tuple[str, int] | None]:
    """The httpx proxy for these limits, and its (host, port), which the guard lets us connect to."""
    if not limits.proxy:
        return None, None
    parts = urlsplit(limits.proxy.strip())
    default = {"http": 80, "https": 443}.get(parts.scheme.lower(), 1080)
    return httpx.Proxy(limits.proxy.strip()), ((parts.hostname or "").lower(), parts.port or default)


def _client(limits: Limits, deadline: float) -> httpx.Client:
    proxy, via = _proxy(limits)
    transport = httpx.HTTPTransport(verify=_ssl(), proxy=proxy)
    pool = transport._pool  # httpx has no public way to hand httpcore a network backend
    pool._network_backend = _Guard(pool._network_backend, limits.allow_private, deadline, via)
    # trust_env off: a proxy from the environment would make the guard check the proxy, not the site.
    return httpx.Client(transport=transport, timeout=_timeout(limits), follow_redirects=False, trust_env=False)


def _async_client(limits: Limits, keepalive: float | None = None) -> httpx.AsyncClient:
    """An asynchronous client whose connections are guarded, under the deadline each request sets (_DEADLINE)."""
    proxy, via = _proxy(limits)
    kept = httpx.Limits(keepalive_expiry=keepalive) if keepalive else httpx.Limits()
    transport = httpx.AsyncHTTPTransport(verify=_ssl(), proxy=proxy, limits=kept)
    pool = transport._pool  # see _client
    pool._network_backend = _AsyncGuard(pool._network_backend, limits.allow_private, math.inf, via)
    return httpx.AsyncClient(
        transport=transport,
        timeout=_timeout(limits),
        follow_redirects=False,
        trust_env=False,
        cookies=_no_cookies(),
    )


def _no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing: one request's Set-Cookie must not ride along on another's (the
    browser's documents carry the page's own cookies in their headers)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _left(deadline: float, timeout: float | None) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the total deadline passed")
    return left if timeout is None else min(timeout, left)


class _Guarding:
    """What both guards know: the backend they wrap, which addresses are allowed, and the deadline."""

    def __init__(self, inner: Any, allow_private: bool, deadline: float, proxy: tuple[str, int] | None = None) -> None:
        self._inner = inner
        self._allow = addresses.private_allowed(allow_private)
        self._deadline = deadline
        self._proxy = proxy  # the configured proxy: the user's own choice, wherever it is

    def _allows(self, host: Any, port: int) -> bool:
        """Whether a private address is allowed for this connection (the configured proxy always is)."""
        return self._allow or (str(host).lower(), port) == self._proxy


class _Guard(_Guarding, httpcore.NetworkBackend):
    """Connects only to allowed addresses, and gives every socket operation what is left of the deadline."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        url = str(host)
        last: Exception | None = None
        allow = self._allows(host, port)
        for address in addresses.resolve(url, host, port, allow):
            try:
                stream = self._inner.connect_tcp(
                    address, port, _left(self._deadline, timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return _Stream(stream, self._deadline)
        raise last or httpcore.ConnectError(f"cannot connect to {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - never asked
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(self._deadline, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(self._deadline, timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        inner = self._inner.start_tls(ssl_context, server_hostname, _left(self._deadline, timeout))
        return _Stream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncGuard(_Guarding, httpcore.AsyncNetworkBackend):
    """_Guard for asyncio (DNS off the event loop); the deadline is the request's own (_DEADLINE), since a
    kept-alive connection outlives the request that made it."""

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        url = str(host)
        allow = self._allows(host, port)
        addresses.check_literal(url, host, allow)
        loop = asyncio.get_running_loop()
        try:
            infos: Iterable[tuple] = await asyncio.wait_for(
                loop.getaddrinfo(host.strip("[]"), port, type=0, proto=6), _left(_DEADLINE.get(), timeout)
            )
        except (OSError, UnicodeError) as exc:
            raise errors.ConnectError(f"cannot resolve {host}: {exc}") from None
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        last: Exception | None = None
        for address in addresses.public_addresses(url, host, infos, allow):
            try:
                stream = await self._inner.connect_tcp(
                    address, port, _left(_DEADLINE.get(), timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return _AsyncStream(stream)
        raise last or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _left(_DEADLINE.get(), timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _left(_DEADLINE.get(), timeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        inner = await self._inner.start_tls(ssl_context, server_hostname, _left(_DEADLINE.get(), timeout))
        return _AsyncStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
