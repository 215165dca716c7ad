"""Politeness, retries and deadlines around any fetcher, so each fetcher only has to make one attempt.

Per host: one request at a time, starts at least `per_host_delay` apart (or robots.txt's Crawl-delay
when that is longer), and only to URLs robots.txt lets watcher load. Overall: at most
`concurrency` fetches at once. A fetch's deadline counts from when it gets its turn and covers
every retry; retries back off exponentially and honour Retry-After when it fits the deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Self

from watcher import errors
from watcher.config import FetchSettings
from watcher.fetch.base import Attempts, check_scheme
from watcher.fetch.http import Pool
from watcher.fetch.robots import RobotsGuard
from watcher.models import Snapshot
from watcher.urls import host_of


@dataclass
class HostSlot:
    """One host's turn: held by the fetch talking to it, stamped when a request really leaves."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    crawl_delay: float = 0.0  # what the host's robots.txt asks, when more than per_host_delay

    def sent(self) -> None:
        self.last_start = time.monotonic()


# The default `robots` of Polite: a guard of the fetcher's own (robots.txt honoured, no site exempted).
OWN_GUARD = object()


class Polite:
    """A PageFetcher made of an `Attempts` implementation and the general FetchSettings."""

    def __init__(
        self,
        attempts: Attempts,
        settings: FetchSettings,
        *,
        robots: RobotsGuard | None | object = OWN_GUARD,
        beside: Polite | None = None,
        pool: Pool | None = None,
        closes_pool: bool = True,
    ) -> None:
        """`robots`: the guard to use (None: robots.txt is not read); `beside`: another fetcher whose
        robots.txt guard, per-host turns and HTTP connections this one shares, so loads of a host by either
        keep its delay; `pool`: the HTTP clients to use (None: its own), closed with this fetcher unless
        `closes_pool` is false or it is `beside` another (which closes them)."""
        self.settings = settings
        self.pool: Pool = beside.pool if beside is not None else pool or Pool()
        self._closes_pool = beside is None and closes_pool
        self._attempts = attempts
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, HostSlot] = beside._hosts if beside is not None else {}
        # Where the host gap is kept when several processes share the hosts (watcher worker): an
        # async callable (host, gap) that waits for the host's next slot. None: this process alone.
        self.shared_gate: Callable[[str, float], Awaitable[None]] | None = None
        # robots.txt, read once per origin and kept a day; the composition root (watcher/runtime.py) hands
        # in the guard that knows the sites exempted by [[sites]] robots = false.
        if beside is not None:
            robots = beside.robots
        if robots is OWN_GUARD:
            robots = RobotsGuard(set()) if getattr(settings, "robots", True) else None
        self.robots: RobotsGuard | None = robots  # type: ignore[assignment]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Release what the fetcher holds: its HTTP connections (and a browser, in a subclass)."""
        if self._closes_pool:
            await self.pool.aclose()

    async def fetch(self, url: str, *, allow_private: bool = False) -> Snapshot:
        """The page at `url`, or a FetchError subclass saying why not.

        The deadline counts from when this fetch gets its turn (a concurrency slot, its host, and the
        host's politeness gap) and covers every retry: waiting to be polite is not the page's time.
        """
        check_scheme(url)
        host = host_of(url)
        crawl_delay = await self._robots(url, host)
        slot = self._hosts.setdefault(host, HostSlot())
        slot.crawl_delay = crawl_delay
        deadline_s = self.settings.deadline
        # Host first: a fetch queued behind its host must not hold a slot other hosts could use.
        async with slot.lock, self._slots, self._attempts.turn():
            # Starting a browser (or waiting for its scheduled restart) can take seconds on a cold
            # machine, and the host's gap as long as the user set it; neither is the page's fault,
            # so the deadline starts after both.
            await self._polite_wait(url, slot)
            deadline = time.monotonic() + deadline_s
            try:
                return await asyncio.wait_for(self._with_retries(url, slot, deadline, allow_private), deadline_s)
            except TimeoutError:
                raise errors.FetchTimeout(f"no page from {url} within the {deadline_s:g}s deadline") from None

    async def _robots(self, url: str, host: str) -> float:
        """RobotsRefused if robots.txt does not let watcher load `url`; else the Crawl-delay it asks (0: none)."""
        if self.robots is None:
            return 0.0
        guard = self.robots
        await asyncio.to_thread(guard.check, url)
        return await asyncio.to_thread(guard.crawl_delay, url)

    async def _polite_wait(self, url: str, slot: HostSlot) -> None:
        """Politeness: request starts to one host are at least per_host_delay (or Crawl-delay) apart."""
        gap = max(self.settings.per_host_delay, slot.crawl_delay)
        if self.shared_gate is not None:
            await self.shared_gate(host_of(url), gap)
            return
        wait = slot.last_start + gap - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _with_retries(self, url: str, slot: HostSlot, deadline: float, allow_private: bool) -> Snapshot:
        s = self.settings
        attempt = 0
        while True:
            if attempt:
                await self._polite_wait(url, slot)
            slot.sent()
            try:
                return await self._attempts.attempt(url, deadline, slot.sent, allow_private)
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
