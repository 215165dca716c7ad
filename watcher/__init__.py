"""watcher: track edits to news articles.

As a library (README, "Use watcher from Python"; docs/architecture.md for the whole design)::

    import watcher
    old = watcher.extract_article(html_then, url)  # rendered HTML -> Article
    new = watcher.extract_article(html_now, url)
    changes = watcher.diff_articles(old, new)      # -> VersionDiff: edits, each classified, and flags
    store = watcher.open_store("snapshots")        # a data folder, or postgresql://...
    result = await watcher.check_url(url, store)   # fetch with Chromium, compare, store -> CheckResult

Names are imported on first use, so `import watcher` stays light (no browser driver, no differ) and the
command line starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "Article": "watcher.models",
    "CheckResult": "watcher.models",
    "Edit": "watcher.models",
    "Feed": "watcher.models",
    "Snapshot": "watcher.models",
    "Version": "watcher.models",
    "VersionDiff": "watcher.models",
    "WatchedArticle": "watcher.models",
    # Not "extract": that is the name of the subpackage watcher.extract, which Python binds here once imported.
    "extract_article": "watcher.extract:extract",
    "diff_articles": "watcher.diff",
    "normalize_url": "watcher.urls",
    "Config": "watcher.config",
    "load_config": "watcher.config",
    "Store": "watcher.store",
    "open_store": "watcher.store",
    "ChromiumFetcher": "watcher.fetch",
    "Fetcher": "watcher.fetch",  # the old name of ChromiumFetcher, kept for existing callers
    "Runtime": "watcher.runtime",
    "Services": "watcher.monitor.services",
    "check_article": "watcher.monitor.check",
    "check_url": "watcher.api",
    "WatcherError": "watcher.errors",
    "NoArticle": "watcher.errors",
}

# Written out for linters and type checkers; tests/unit/test_api.py checks it matches _EXPORTS.
__all__ = [
    "__version__",
    "Article",
    "CheckResult",
    "ChromiumFetcher",
    "Config",
    "Edit",
    "Feed",
    "Fetcher",
    "NoArticle",
    "Runtime",
    "Services",
    "Snapshot",
    "Store",
    "Version",
    "VersionDiff",
    "WatchedArticle",
    "WatcherError",
    "check_article",
    "check_url",
    "diff_articles",
    "extract_article",
    "load_config",
    "normalize_url",
    "open_store",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
    from watcher.api import check_url
    from watcher.config import Config, load_config
    from watcher.diff import diff_articles
    from watcher.errors import NoArticle, WatcherError
    from watcher.extract import extract as extract_article
    from watcher.fetch import ChromiumFetcher, Fetcher
    from watcher.models import Article, CheckResult, Edit, Feed, Snapshot, Version, VersionDiff, WatchedArticle
    from watcher.monitor.check import check_article
    from watcher.monitor.services import Services
    from watcher.runtime import Runtime
    from watcher.store import Store, open_store
    from watcher.urls import normalize_url


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'watcher' has no attribute {name!r}")
    module, _, attr = module.partition(":")
    value = getattr(import_module(module), attr or name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
