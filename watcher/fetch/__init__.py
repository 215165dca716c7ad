"""Fetching pages: the fetcher protocol and shared helpers (base), politeness and retries around any
fetcher (polite), the Chromium fetcher (chromium, browser, gate, settle, routing), the HTTP fetcher
(http_pages), the fetchers by mode name (registry), the one HTTP client (http) and the public-address rule
(addresses).

The fetchers are imported on first use: `watcher.fetch.base` is needed by code that never fetches,
and must not pull in the HTTP client or the browser machinery with it.
"""

from typing import Any

from watcher.fetch.base import PageFetcher, PngRenderer, check_scheme, parse_retry_after

__all__ = [
    "ChromiumFetcher",
    "Fetcher",
    "HTTPFetcher",
    "PageFetcher",
    "PngRenderer",
    "Polite",
    "check_scheme",
    "parse_retry_after",
]

_LAZY = {
    "ChromiumFetcher": "watcher.fetch.chromium",
    "Fetcher": "watcher.fetch.chromium",  # the Python API's old name for ChromiumFetcher
    "HTTPFetcher": "watcher.fetch.http_pages",
    "Polite": "watcher.fetch.polite",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'watcher.fetch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
