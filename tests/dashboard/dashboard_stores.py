"""Stores for the dashboard tests, built by real checks of pages served on 127.0.0.x, at fixed times.

The site listens on a fixed address so the stored URLs (and so the snapshots) are the same on every run;
the clock of the checks is fixed for the same reason. (A module of its own, not conftest.py: every test
folder has a conftest, and `from conftest import` could find another one.)
"""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import site_server
from support.cli import data_dir_with, fast_config
from support.site_server import Site

from watcher.config import load_config
from watcher.monitor.check import Services, check_article
from watcher.store import open_store

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=6)  # the dashboard's clock in the tests

FAST_CONFIG = fast_config(deadline=10, settle_ms=0, confirm_delay=0)


def page(headline: str, paragraphs: list[str], lang: str = "en") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{headline}</title>
<meta property="og:type" content="article"></head><body><main><article><h1>{headline}</h1>
<div class="story-body">{body}</div></article></main></body></html>"""


# The stories' text is data (stories.json beside this module), out of the code.
STORIES = json.loads((Path(__file__).with_name("stories.json")).read_text(encoding="utf-8"))
MARKET = STORIES["market"]
MARKET_V2 = [MARKET[0], MARKET[2], MARKET[1].replace("40 stalls", "45 stalls"), MARKET[3]]
LIBRARY = STORIES["library"]
LIBRARY_V2 = [LIBRARY[0], LIBRARY[1].replace("goverment", "government"), LIBRARY[2]]
ZH_MOVE = STORIES["zh_move"]
ZH_MOVE_V2 = [ZH_MOVE[0], ZH_MOVE[2], ZH_MOVE[1].replace("十二座", "十四座"), ZH_MOVE[3]]


class _FixedServer(site_server._Server):
    port = 0

    def __init__(self, address, handler):
        super().__init__((address[0], self.port), handler)


def fixed_site(host: str, port: int, monkeypatch: pytest.MonkeyPatch) -> Site:
    """A Site on host:port, always the same, so URLs in snapshots do not change."""
    server = type("_Server", (_FixedServer,), {"port": port})
    monkeypatch.setattr(site_server, "_Server", server)
    try:
        return Site(host)
    finally:
        monkeypatch.undo()


class Checker:
    """Runs real checks (the session browser, a real store) with the clock set by the test."""

    def __init__(self, data_dir: Path, fetcher, location: str | None = None) -> None:
        data_dir_with(data_dir, FAST_CONFIG)
        self.data_dir = data_dir
        self.store = open_store(location or data_dir)
        self.now = T0
        self.svc = Services(
            fetcher=fetcher,
            store=self.store,
            config=load_config(data_dir / "watcher.toml"),
            clock=lambda: self.now,
            rng=random.Random(7),
        )

    def add(self, url: str, *tags: str) -> None:
        self.store.add_article(url, tags=list(tags), now=self.now)

    def check(self, url: str, at: timedelta):
        self.now = T0 + at
        return asyncio.run(check_article(url, self.svc))


def build_english(data_dir: Path, site: Site, fetcher) -> None:
    c = Checker(data_dir, fetcher)
    site.serve_fixture("/news/harbor-barrier", "en-daily/story")
    site.page_versions("/news/market-hall", {"v1": page("Market hall opens to traders", MARKET)})
    site.page_versions("/news/library-sundays", {"v1": page("Library keeps Sunday hours", LIBRARY)})
    site.page_versions("/news/bridge", {"v1": page("Old bridge to close for repairs", LIBRARY[::-1])})
    site.status("/news/broken", 500)
    urls = [site.url(p) for p in ("/news/harbor-barrier", "/news/market-hall", "/news/library-sundays")]
    c.add(urls[0], "politics")
    c.add(urls[1], "city")
    c.add(urls[2], "city", "culture")
    c.add(site.url("/news/bridge"))
    c.add(site.url("/news/broken"))
    for n, url in enumerate([*urls, site.url("/news/bridge")]):
        assert c.check(url, timedelta(minutes=10 * n)).status == "new"
    site.set_version("/news/harbor-barrier", "v2")
    site.page_versions("/news/market-hall", {"v2": page("Market hall opens to traders", MARKET_V2)})
    site.page_versions("/news/library-sundays", {"v2": page("Library keeps Sunday hours", LIBRARY_V2)})
    site.remove("/news/bridge")
    assert c.check(urls[0], timedelta(hours=2)).status == "changed"
    assert c.check(urls[1], timedelta(hours=3)).status == "changed"
    assert c.check(urls[2], timedelta(hours=4)).status == "changed"
    assert c.check(site.url("/news/bridge"), timedelta(hours=4, minutes=30)).status == "removed"
    assert c.check(site.url("/news/broken"), timedelta(hours=5)).status == "error"


def build_chinese(data_dir: Path, site: Site, fetcher) -> None:
    c = Checker(data_dir, fetcher)
    site.serve_fixture("/news/piggy-bank", "zh-daily/story")
    site.page_versions("/news/circular-line", {"v1": page("捷運環狀線北段明年動工", ZH_MOVE, "zh-Hant")})
    c.add(site.url("/news/piggy-bank"), "社會")
    c.add(site.url("/news/circular-line"), "交通")
    assert c.check(site.url("/news/piggy-bank"), timedelta(minutes=0)).status == "new"
    assert c.check(site.url("/news/circular-line"), timedelta(minutes=5)).status == "new"
    site.set_version("/news/piggy-bank", "v2")
    site.page_versions("/news/circular-line", {"v2": page("捷運環狀線北段明年動工", ZH_MOVE_V2, "zh-Hant")})
    assert c.check(site.url("/news/piggy-bank"), timedelta(hours=2)).status == "changed"
    assert c.check(site.url("/news/circular-line"), timedelta(hours=3)).status == "changed"
