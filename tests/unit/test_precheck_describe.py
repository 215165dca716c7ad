"""`history`'s line on how an article is checked counts its checks in words that agree with the count."""

from __future__ import annotations

from datetime import UTC, datetime

from watcher.config import Config
from watcher.models import WatchedArticle
from watcher.monitor.precheck import STATIC, describe


def line(checks: int) -> str:
    watched = WatchedArticle("https://news.example/a", datetime(2026, 12, 7, tzinfo=UTC))
    watched.learned_mode = STATIC
    watched.checks_since_render = checks
    return describe(Config(), watched)


def test_one_check_is_one_check():
    assert line(1).endswith("; 1 check since the last render")
    assert line(2).endswith("; 2 checks since the last render")
    assert line(0).endswith("; 0 checks since the last render")
