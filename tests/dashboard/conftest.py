"""Fixtures of the dashboard tests: the English and Chinese stores (see dashboard_stores), built once a session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dashboard_stores import build_chinese, build_english, fixed_site
from support.browser_thread import BrowserThread


def _built(tmp_path_factory, browser: BrowserThread, name: str, port: int, build: Callable) -> Path:
    data_dir = tmp_path_factory.mktemp(name) / "data"
    with pytest.MonkeyPatch.context() as mp:
        site = fixed_site("127.0.0.9", port, mp)
    try:
        build(data_dir, site, browser.fetcher())
    finally:
        site.close()
    return data_dir


@pytest.fixture(scope="session")
def english_store(tmp_path_factory, browser: BrowserThread) -> Path:
    """Five articles: a substantive edit with a correction, a moved and edited paragraph, a typo fix,
    a page that went 404 (removed) and one that only ever answered 500."""
    return _built(tmp_path_factory, browser, "en", 47931, build_english)


@pytest.fixture(scope="session")
def chinese_store(tmp_path_factory, browser: BrowserThread) -> Path:
    """Two Traditional Chinese stories: changed numbers and a correction, a moved and edited paragraph."""
    return _built(tmp_path_factory, browser, "zh", 47932, build_chinese)


@pytest.fixture
def english_copy(english_store: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the English store a test may change."""
    target = tmp_path / "data"
    shutil.copytree(english_store, target)
    yield target
