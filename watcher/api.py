"""Conveniences for using watcher as a library; the pieces themselves are exported by watcher/__init__.py."""

from __future__ import annotations

from collections.abc import Iterable

from watcher.config import Config
from watcher.errors import UnknownArticle
from watcher.fetch.base import PageFetcher
from watcher.models import CheckResult
from watcher.store import Store
from watcher.urls import normalize_url


async def check_url(
    url: str,
    store: Store,
    *,
    config: Config | None = None,
    fetcher: PageFetcher | None = None,
    tags: Iterable[str] = (),
) -> CheckResult:
    """Check one URL now, as `watcher check URL` does: fetch, extract, compare with the stored versions, store
    what changed. A URL not yet watched is added first (with `tags`). The parts are wired as the command line
    wires them (watcher/runtime.py: the fast path, robots.txt exemptions, the WARC archive). Without a fetcher,
    Chromium is started for this one check and closed after it; pass one (watcher.ChromiumFetcher, entered
    with `async with`) to check many.
    """
    from watcher.monitor.check import check_article  # the checker pulls in the differ; only here
    from watcher.runtime import Runtime

    runtime = Runtime(config, store=store)
    target = normalize_url(url)
    try:
        store.get_article(target)
    except UnknownArticle:
        store.add_article(target, tags=list(tags))
    if fetcher is not None:
        return await check_article(target, runtime.services(fetcher))
    async with runtime.fetcher() as browser:
        return await check_article(target, runtime.services(browser))
