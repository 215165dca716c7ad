"""The live dashboard as a person sees it, captured at 80 and 120 columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from rich.console import Console

from watcher.models import CheckResult, Edit, WatchedArticle
from watcher.render.dashboard import RunStatus, dashboard_view
from watcher.render.theme import THEME

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _articles() -> list[WatchedArticle]:
    return [
        WatchedArticle(
            url="https://news.example.com/2026/11/24/harbor-barrier-vote",
            added_at=NOW - timedelta(hours=5),
            headline="Harbor city approves $48 million flood barrier after decade of debate",
            versions=3,
            last_checked=NOW - timedelta(seconds=40),
            next_check=NOW + timedelta(minutes=9),
            last_status="changed",
            last_edit_summary="v3 substantive: body replace [stealth]",
        ),
        WatchedArticle(
            url="https://udn.example.tw/news/story/7331/9000001",
            added_at=NOW - timedelta(days=2),
            headline="反制中國 川普組6國聯盟簽「矽土和平」宣言",
            versions=1,
            last_checked=NOW - timedelta(minutes=61),
            next_check=NOW + timedelta(hours=5),
            last_status="unchanged",
        ),
        WatchedArticle(
            url="https://evil.example/[bold red]x",
            added_at=NOW,
            headline="[blink]Injected[/blink] \x1b[31mred",
            last_status="error",
        ),
    ]


def _results() -> list[CheckResult]:
    edit = Edit(
        field="body",
        op="replace",
        old="花了10美元",
        new="花了12美元",
        cls="substantive",
        inline=[("=", "花了"), ("-", "10"), ("+", "12"), ("=", "美元")],
    )
    return [
        CheckResult(
            url="https://udn.example.tw/news/story/7331/9000001",
            status="changed",
            checked_at=NOW - timedelta(seconds=30),
            version=2,
            flags=["stealth"],
            edits=[edit],
            headline="德州女花12美元買二手店撲滿",
        )
    ]


def _capture(width: int) -> str:
    console = Console(width=width, file=StringIO(), color_system=None, theme=THEME, legacy_windows=False)
    status = RunStatus(checks=42, edits=3, errors=1, queue=2, in_flight=1, pages_per_minute=12.5)
    console.print(dashboard_view(_articles(), _results(), status, NOW))
    return console.file.getvalue()


@pytest.mark.parametrize("width", [80, 120])
def test_dashboard_shows_table_feed_and_status(width):
    screen = _capture(width)
    lines = screen.splitlines()
    assert all(len(line) <= width for line in lines)
    assert "Watched articles" in screen and "Latest edits" in screen
    assert "news.example.com" in screen and "udn.example.tw" in screen
    assert "反制中國" in screen
    assert "changed" in screen and "stealth" in screen
    assert "1012" in screen or ("10" in screen and "12" in screen)
    assert "checks 42" in screen and "edits 3" in screen and "errors 1" in screen
    assert "queue 2" in screen and "12.5 pages/min" in screen


def test_page_text_is_never_markup_or_escape_codes():
    screen = _capture(120)
    assert "[blink]Injected" in screen  # printed literally, not interpreted
    assert "\x1b" not in screen


def test_edit_feed_shows_the_change_not_the_whole_paragraph():
    before, after = "The council met for four hours " * 5, " and then adjourned until spring." * 5
    edit = Edit(
        field="body",
        op="replace",
        old=before + "60" + after,
        new=before + "80" + after,
        cls="substantive",
        inline=[("=", before), ("-", "60"), ("+", "80"), ("=", after)],
    )
    result = CheckResult(
        url="https://news.example.com/a",
        status="changed",
        checked_at=NOW,
        version=2,
        edits=[edit],
        headline="Council meets",
    )
    console = Console(width=120, file=StringIO(), color_system=None, theme=THEME)
    console.print(dashboard_view([], [result], RunStatus(), NOW))
    screen = console.file.getvalue()
    assert "⟦-60-⟧⟦+80+⟧" in screen
    assert "…" in screen and screen.count("The council met") <= 1


def test_overdue_articles_read_due():
    late = WatchedArticle(
        url="https://a.example/x",
        added_at=NOW,
        headline="Late",
        last_checked=NOW - timedelta(minutes=20),
        next_check=NOW - timedelta(seconds=5),
        last_status="unchanged",
    )
    console = Console(width=100, file=StringIO(), color_system=None, theme=THEME)
    console.print(dashboard_view([late], [], RunStatus(), NOW))
    assert " due " in console.file.getvalue()
