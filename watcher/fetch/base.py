"""The bottom of the fetch package: what a fetcher promises, and the helpers every fetcher shares.

Nothing here imports a browser or an HTTP library, so any fetcher (Chromium, plain HTTP, a test
double) can build on it, and the politeness wrapper (fetch/polite.py) can wrap any of them.
"""

from __future__ import annotations

import email.utils
import functools
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from watcher import errors
from watcher.models import Snapshot
from watcher.times import as_utc

ALLOWED_SCHEMES = ("http", "https")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# One user agent for every request watcher makes itself (feeds, webhooks, the HTTP fetcher); pages and
# feed polls add the user's contact to it (user_agent() below).
USER_AGENT = "Mozilla/5.0 (compatible; watcher/0.1.0; news article change tracker)"
WATCHER_TOKEN = "watcher/0.1.0"


def proxy_for(url: str, settings: object) -> str | None:
    """The proxy a request to `url` goes through: its site's ([[sites]] proxy, subdomains included), else
    [fetch] proxy, else none."""
    from watcher.urls import hostname_of, on_domain

    host = hostname_of(url)  # domains match names, whatever the port
    for domain, proxy in (getattr(settings, "site_proxies", None) or {}).items():
        if on_domain(host, domain):
            return proxy
    return getattr(settings, "proxy", None)


def user_agent(settings: object, browser_default: str | None = None) -> str:
    """The User-Agent for a page load, feed poll or any request of ours: [fetch] user_agent if set, else
    the browser's own (asked of the running browser, or told by its executable when none runs) with
    watcher's token and the [fetch] contact appended, so a site owner sees who is asking and how to
    reach them, and sees the same agent from the browser and from our HTTP client."""
    explicit = getattr(settings, "user_agent", None)
    if explicit:
        return explicit
    contact = getattr(settings, "contact", None)
    base = browser_default or installed_browser_agent()
    if base:
        return f"{base} {WATCHER_TOKEN}" + (f" (+{contact})" if contact else "")
    return f"Mozilla/5.0 (compatible; {WATCHER_TOKEN}" + (f"; +{contact})" if contact else ")")


@functools.cache
def installed_browser_agent() -> str | None:
    """The agent the installed headless Chromium sends, built from its version; None when no browser can be
    found. The version is asked of the executable (`--version`, half a second) once per installed build and
    kept in the cache folder (browser_version_file), so a `watcher` process that renders nothing starts none."""
    import re

    try:
        from watcher.fetch.browser import find_browser

        path = find_browser().path
    except (errors.WatcherError, OSError):
        return None
    if path is None:
        return None
    found = re.search(r"(\d+\.\d+\.\d+\.\d+)", browser_version(path) or "")
    if found is None:
        return None
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"HeadlessChrome/{found.group(1)} Safari/537.36"
    )


def browser_version_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the installed browser's version is kept: $XDG_CACHE_HOME/watcher (else ~/.cache/watcher)."""
    environ = os.environ if environ is None else environ
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "watcher" / "browser-version.json"


def browser_version(path: str) -> str | None:
    """What the executable at `path` says with `--version`, read from the cache file while the file at `path`
    is the one asked (same real path, size and modification time: an upgrade replaces it and is asked anew)."""
    import json
    import subprocess

    try:
        real = os.path.realpath(path)
        facts = os.stat(real)
    except OSError:
        return None
    key = {"path": real, "size": facts.st_size, "mtime_ns": facts.st_mtime_ns}
    cache = browser_version_file()
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(kept, dict) and {k: kept.get(k) for k in key} == key and isinstance(kept.get("said"), str):
            return kept["said"]
    except (OSError, ValueError):
        pass
    try:
        said = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if said:
        try:  # a cache that cannot be written costs the next process half a second, nothing more
            cache.parent.mkdir(parents=True, exist_ok=True)
            written = cache.with_name(f".{cache.name}.{os.getpid()}")
            written.write_text(json.dumps(key | {"said": said}), encoding="utf-8")
            os.replace(written, cache)
        except OSError:
            pass
    return said or None


@runtime_checkable
class PageFetcher(Protocol):
    """Anything that turns a URL into a Snapshot, raising a FetchError subclass when it cannot."""

    async def fetch(self, url: str) -> Snapshot: ...


class _AllowingPrivate:
    """A fetcher whose every fetch may go to non-public addresses (for an article added with --allow-private)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def fetch(self, url: str) -> Snapshot:
        return await self._inner.fetch(url, allow_private=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def allowing_private(fetcher: Any) -> Any:
    """`fetcher` with private addresses allowed for every fetch (it must take fetch(url, allow_private=))."""
    return _AllowingPrivate(fetcher)


class _CountingRequests:
    """A fetcher that adds up what the pages it fetched asked for (Snapshot.requests), for the check log."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.counts: dict[str, int] = {}

    async def fetch(self, url: str) -> Snapshot:
        snapshot = await self._inner.fetch(url)
        for kind, count in getattr(snapshot, "requests", {}).items():
            self.counts[kind] = self.counts.get(kind, 0) + count
        return snapshot

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def counting_requests(fetcher: Any) -> _CountingRequests:
    """`fetcher`, adding up the `requests` of every snapshot it returns in `.counts`."""
    return _CountingRequests(fetcher)


@runtime_checkable
class PngRenderer(Protocol):
    """Turns self-contained HTML into a PNG (diff cards); nothing it renders may reach the network."""

    async def render_png(
        self, html: str, width: int, height: int | None = None, device_scale_factor: float = 1
    ) -> bytes: ...


class Attempts(Protocol):
    """One fetch attempt at a time; what the politeness wrapper (Polite) needs from a fetcher."""

    def turn(self) -> AbstractAsyncContextManager[None]:
        """Held around a whole fetch (all its attempts), before the deadline starts: start-up costs go here."""
        ...

    async def attempt(
        self, url: str, deadline: float, sent: Callable[[], None], allow_private: bool = False
    ) -> Snapshot:
        """One try at `url` by time.monotonic() `deadline`; calls `sent()` as the request leaves.
        `allow_private`: this URL may be on a non-public address (on top of the settings' own rule)."""
        ...


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
    return max(0.0, (as_utc(moment) - (now or datetime.now(UTC))).total_seconds())


def is_html(content_type: str, body: bytes) -> bool:
    """Whether a response is an HTML page: by its media type, or by sniffing when it has none."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media:
        return media in HTML_TYPES
    # No Content-Type: browsers sniff; we accept what looks like markup.
    return body.lstrip()[:1] == b"<"


def status_error(url: str, status: int, reason: str = "", retry_after: str | None = None) -> errors.HTTPStatusError:
    """The one mapping of an HTTP error status to watcher's typed error (retryable for 5xx and 429)."""
    words = f" {reason}" if reason else ""
    return errors.HTTPStatusError(f"{url} answered HTTP {status}{words}", status, parse_retry_after(retry_after))
