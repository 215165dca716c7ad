"""What the web view runs on (the store, the config, a way to check one article now), taken from the composition root in one place."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watcher.app.context import App
    from watcher.config import Config
    from watcher.machine_summary import MachineSummary
    from watcher.models import CheckResult
    from watcher.store import Store


@dataclass
class WebParts:
    """The running parts the web view uses; everything else it reads goes through `store`."""

    store: Store
    config: Config
    check_now: Callable[[str], CheckResult]  # one check of one watched URL, blocking (Chromium)
    # An article's machine-written summaries by version, kept in the data folder beside the config.
    machine_summaries: Callable[[str], Mapping[int, MachineSummary]]


def web_parts(app: App) -> WebParts:
    """The web view's parts from the CLI's composition root (the one place to change when that root moves)."""
    store = app.store()
    turn = threading.Lock()  # one check-now at a time: each starts a browser of its own

    def check_now(url: str) -> CheckResult:
        import asyncio

        from watcher.monitor.check import check_article

        async def run() -> CheckResult:
            async with app.fetcher() as fetcher:
                return await check_article(url, app.services(fetcher))

        with turn:
            return asyncio.run(run())

    from watcher.machine_summary import SummaryCache

    cache = SummaryCache(app.data_dir)
    return WebParts(store=store, config=app.config, check_now=check_now, machine_summaries=cache.for_article)
