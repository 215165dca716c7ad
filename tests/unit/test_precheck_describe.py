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


def test_the_audit_span_is_said_as_a_person_would_say_it():
    from dataclasses import replace

    watched = WatchedArticle("https://news.example/a", datetime(2026, 12, 7, tzinfo=UTC))
    watched.learned_mode = STATIC
    said = {}
    for seconds in (20, 90, 600, 6000, 86400, 129600):
        config = Config()
        config = replace(config, fetch=replace(config.fetch, audit_max_age=seconds))
        said[seconds] = describe(config, watched).split("at least every ")[1].split(";")[0]
    assert said == {20: "20 s", 90: "1.5 min", 600: "10 min", 6000: "1 h 40 min", 86400: "24 h", 129600: "36 h"}
