"""The dashboard's and the web view's search fold width as `--match` does: ＣＯＵＮＣＩＬ finds "Council"."""

from __future__ import annotations

from datetime import UTC, datetime

from watcher.app.narrowing import Narrowing
from watcher.models import WatchedArticle

T0 = datetime(2026, 12, 7, tzinfo=UTC)


def test_a_full_width_search_finds_a_half_width_headline_and_back():
    council = WatchedArticle("https://news.example/a", T0, headline="Council approves budget")
    wide = WatchedArticle("https://news.example/b", T0, headline="ＡＩ法案三讀通過")
    assert Narrowing(search="ＣＯＵＮＣＩＬ").article_ok(council)
    assert Narrowing(search="ai法案").article_ok(wide)
    assert not Narrowing(search="ＴＲＡＭ").article_ok(council)
