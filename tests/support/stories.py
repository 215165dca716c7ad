"""The en-daily and zh-daily fixture stories served for a module of tests that builds one store by real checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.browser_thread import BrowserThread, ThreadedFetcher, fast_settings
from support.cli import data_dir_with, fast_config
from support.site_server import Site

STATIC_CONFIG = fast_config(settle_ms=0, confirm_delay=0)  # static pages: nothing to wait for


@contextmanager
def served_stories(
    tmp_path_factory: pytest.TempPathFactory, browser: BrowserThread, name: str
) -> Iterator[tuple[Site, ThreadedFetcher, Path]]:
    """A local site serving the en-daily story at /news/barrier and the zh-daily one at /zh/story (a test adds its
    own pages), a fetcher on the session browser that waits for no scripts, and an empty data folder; the site is
    closed at the end."""
    with Site() as site:
        site.serve_fixture("/news/barrier", "en-daily/story")
        site.serve_fixture("/zh/story", "zh-daily/story")
        data_dir = data_dir_with(tmp_path_factory.mktemp(name) / "data", STATIC_CONFIG)
        yield site, browser.fetcher(fast_settings(settle_ms=0)), data_dir
