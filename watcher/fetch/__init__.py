"""Fetching pages: the fetcher protocol and shared helpers (base), politeness and retries around any
fetcher (polite), the Chromium fetcher (chromium, browser, settle), and the one HTTP client (http)."""

from watcher.fetch.base import PageFetcher, PngRenderer, check_scheme, parse_retry_after
from watcher.fetch.chromium import Fetcher
from watcher.fetch.polite import Polite

__all__ = ["Fetcher", "PageFetcher", "PngRenderer", "Polite", "check_scheme", "parse_retry_after"]
