"""robots.txt: may watcher load this URL, how long must it wait between loads of the host, which
sitemaps does the site list. Parsed by protego (well kept, used by Scrapy; RFC 9309 matching with
wildcards, Allow/Disallow precedence, Crawl-delay and Sitemap lines), fetched with the one HTTP
client, cached per origin.

What an answer means (RFC 9309 section 2.3.1):
- 2xx: the rules in it;
- 4xx ("unavailable"): no rules, everything allowed;
- 5xx ("unreachable"): everything disallowed for now; the last rules read are used if there are any;
- no answer at all (connection refused, timeout): treated like 4xx, everything allowed, so a site
  without a working robots.txt server stays watchable; retried after a short expiry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from watcher import errors
from watcher.fetch import http
from watcher.urls import hostname_of, on_domain

ROBOTS_EXPIRY = 24 * 3600.0  # seconds a fetched robots.txt is trusted (RFC 9309: SHOULD NOT exceed 24 h)
RETRY_EXPIRY = 600.0  # seconds before a 5xx or unanswered robots.txt is asked again
PARSED_BYTES = 500 * 1024  # RFC 9309: at least the first 500 KiB are parsed (the rules past it are ignored)
MAX_BYTES = 5 * 1024 * 1024  # read at most this much; a larger robots.txt is not a robots.txt
TOKEN = "watcher"  # the product token matched against User-agent lines


class RobotsRefused(errors.FetchError):
    """robots.txt does not let watcher load a URL (`for_now`: only because robots.txt could not be read)."""

    retryable = False

    def __init__(self, message: str, *, for_now: bool = False) -> None:
        super().__init__(message)
        self.for_now = for_now


@dataclass
class Rules:
    """What one origin's robots.txt says (or the stand-in for an unavailable one)."""

    origin: str
    allow_all: bool = False
    disallow_all: bool = False
    parsed: object | None = None  # a protego.Protego
    fetched_at: float = field(default_factory=time.monotonic)
    expires: float = ROBOTS_EXPIRY
    why: str = ""

    def allows(self, url: str) -> bool:
        if self.allow_all:
            return True
        if self.disallow_all or self.parsed is None:
            return False
        return bool(self.parsed.can_fetch(url, TOKEN))  # type: ignore[attr-defined]

    @property
    def crawl_delay(self) -> float | None:
        if self.parsed is None:
            return None
        delay = self.parsed.crawl_delay(TOKEN)  # type: ignore[attr-defined]
        return float(delay) if delay is not None else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parsed.sitemaps) if self.parsed is not None else []  # type: ignore[attr-defined]

    def stale(self, now: float) -> bool:
        return now - self.fetched_at > self.expires


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def parse(origin: str, text: str) -> Rules:
    """Rules from robots.txt text."""
    from protego import Protego

    return Rules(origin=origin, parsed=Protego.parse(text))


class RobotsCache:
    """robots.txt per origin, fetched on first need and again after it expires; safe across threads."""

    def __init__(
        self,
        limits: http.Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        settings: object | None = None,
    ) -> None:
        self.limits = limits or http.Limits(timeout=10.0, max_bytes=MAX_BYTES)
        self.settings = settings  # [fetch]: the proxy and User-Agent robots.txt is asked with, as for pages
        self._clock = clock
        self._rules: dict[str, Rules] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}  # one per origin: its robots.txt is asked for once at a time

    def rules(self, url: str) -> Rules:
        """The rules for `url`'s origin, fetched now if not known or expired.

        Checks of a new host that start together ask for its robots.txt once: the others wait for that answer.
        """
        origin = origin_of(url)
        with self._lock:
            fetching = self._fetching.setdefault(origin, threading.Lock())
        with fetching:
            with self._lock:
                known = self._rules.get(origin)
            if known is not None and not known.stale(self._clock()):
                return known
            fresh = self._fetch(origin, known)
            with self._lock:
                self._rules[origin] = fresh
            return fresh

    def check(self, url: str) -> None:
        """RobotsRefused, in words a user can act on, if robots.txt does not let watcher load `url`."""
        rules = self.rules(url)
        if not rules.allows(url):
            reason = rules.why or f"{rules.origin}/robots.txt disallows it"
            raise RobotsRefused(
                f"{url}: not loaded, {reason} (set robots = false under [[sites]] for this site "
                "to ignore robots.txt, at your own responsibility)",
                for_now=rules.disallow_all,
            )

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of watcher for `url`'s host, if any."""
        return self.rules(url).crawl_delay

    def _fetch(self, origin: str, previous: Rules | None) -> Rules:
        now = self._clock()
        try:
            limits, headers = self.limits, None
            if self.settings is not None:
                from dataclasses import replace

                from watcher.fetch.base import proxy_for, user_agent

                limits = replace(limits, proxy=proxy_for(origin + "/", self.settings))
                headers = {"User-Agent": user_agent(self.settings)}
            response = http.get(origin + "/robots.txt", limits, headers=headers, raise_status=False, max_redirects=5)
        except errors.TooLarge:
            # Not a robots.txt anyone wrote by hand: nothing may be loaded until it is sane again.
            return _nothing_for_now(
                origin, now, f"is over {MAX_BYTES // 1024 // 1024} MiB, which means nothing may be loaded"
            )
        except errors.FetchError as exc:
            if isinstance(exc, errors.RefusedScheme):
                raise
            # No answer: allowed, and asked again soon.
            return Rules(origin=origin, allow_all=True, fetched_at=now, expires=RETRY_EXPIRY, why=str(exc))
        if 200 <= response.status < 300:
            rules = parse(origin, response.body[:PARSED_BYTES].decode("utf-8", "replace"))
            rules.fetched_at = now
            return rules
        if 400 <= response.status < 500:
            return Rules(origin=origin, allow_all=True, fetched_at=now)
        # 5xx: the site cannot say; keep the last rules read, else allow nothing until asked again.
        if previous is not None and previous.parsed is not None:
            previous.fetched_at, previous.expires = now, RETRY_EXPIRY
            return previous
        return _nothing_for_now(origin, now, f"answered {response.status}, which means nothing may be loaded for now")


def _nothing_for_now(origin: str, now: float, why: str) -> Rules:
    """Everything disallowed until robots.txt is asked again soon; `why` says what its answer was."""
    return Rules(
        origin=origin, disallow_all=True, fetched_at=now, expires=RETRY_EXPIRY, why=f"{origin}/robots.txt {why}"
    )


def exempt(host: str, domains: set[str]) -> bool:
    """Whether `host` is one of `domains` or under one of them ([[sites]] robots = false)."""
    host = host.lower()
    return any(on_domain(host, d) for d in domains)


class RobotsGuard:
    """robots.txt for the whole of one process: the cache, minus the sites the user exempted."""

    def __init__(
        self, exempt_domains: set[str], cache: RobotsCache | None = None, settings: object | None = None
    ) -> None:
        self.exempt_domains = {d.lower() for d in exempt_domains}
        self.cache = cache or RobotsCache(settings=settings)

    def check(self, url: str) -> None:
        """RobotsRefused if `url` may not be loaded."""
        if not exempt(hostname_of(url), self.exempt_domains):
            self.cache.check(url)

    def crawl_delay(self, url: str) -> float:
        if exempt(hostname_of(url), self.exempt_domains):
            return 0.0
        return self.cache.crawl_delay(url) or 0.0
