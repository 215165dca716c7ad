"""One Chromium for the whole test session, driven from an event loop in a background thread.

Playwright objects belong to the event loop that created them, while tests run their own
`asyncio.run(...)` (a new loop each time). So the real Fetcher lives on a private loop and tests
get a ThreadedFetcher: its async methods work from any loop, its *_sync methods from plain code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any, TypeVar

from watcher.config import BrowserSettings, FetchSettings
from watcher.fetch import Fetcher
from watcher.fetch.screenshot import ScreenshotPolicy
from watcher.models import Snapshot

T = TypeVar("T")

# Short timeouts and no politeness delay, so error paths cost seconds, not minutes.
FAST = BrowserSettings(
    nav_timeout=3.0,
    deadline=6.0,
    retries=2,
    backoff=0.1,
    per_host_delay=0.0,
    concurrency=4,
    settle_ms=200,
)


def fast_settings(**overrides: Any) -> BrowserSettings:
    """FAST test settings with some fields replaced."""
    return replace(FAST, **overrides)


class BrowserThread:
    """A background event loop owning one launched Chromium."""

    def __init__(self, browser_path: Any = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-browser", daemon=True)
        self._thread.start()
        kwargs = {} if browser_path is None else {"browser_path": browser_path}
        self._root = Fetcher(FAST, **kwargs)
        self.run(self._root._handle.get())  # launch now, once, so no test pays for it

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 120) -> T:
        """Run a coroutine on the browser's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def fetcher(
        self, settings: FetchSettings | None = None, screenshots: ScreenshotPolicy | None = None
    ) -> ThreadedFetcher:
        """A fetcher with its own settings and host bookkeeping (and screenshot policy: default none), sharing
        the session's browser."""
        return ThreadedFetcher(self, self._root.derive(settings or FAST, screenshots))

    def close(self) -> None:
        """Close Chromium and stop the loop."""
        try:
            self.run(self._root.close(), timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()


class ThreadedFetcher:
    """Fetcher look-alike usable from any event loop (or none): same fetch/render_png/close API."""

    def __init__(self, owner: BrowserThread, inner: Fetcher) -> None:
        self._owner = owner
        self._inner = inner
        self.settings = inner.settings
        self.robots = inner.robots  # the fetcher's robots.txt guard, which monitor code reaches as a real Fetcher's
        self.screenshots = inner.screenshots  # and its screenshot policy, which the pre-check asks of it

    async def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._owner._loop))

    async def fetch(self, url: str, *, allow_private: bool = False) -> Snapshot:
        """Fetcher.fetch on the session browser."""
        return await self._call(self._inner.fetch(url, allow_private=allow_private))

    async def render_png(
        self, html: str, width: int, height: int | None = None, device_scale_factor: float = 1
    ) -> bytes:
        """Fetcher.render_png on the session browser."""
        return await self._call(self._inner.render_png(html, width, height, device_scale_factor))

    def fetch_sync(self, url: str) -> Snapshot:
        """Fetch from plain (non-async) test code."""
        return self._owner.run(self._inner.fetch(url))

    def render_png_sync(
        self, html: str, width: int, height: int | None = None, device_scale_factor: float = 1
    ) -> bytes:
        """render_png from plain test code."""
        return self._owner.run(self._inner.render_png(html, width, height, device_scale_factor))

    async def close(self) -> None:
        """Nothing to do: the session owns the browser."""

    async def __aenter__(self) -> ThreadedFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
