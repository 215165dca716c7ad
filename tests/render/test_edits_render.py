"""The diff views and tables as a reader sees them, recorded as text at 80 and 100 columns.

Run with UPDATE_GOLDEN=1 to rewrite tests/render/golden/*.txt after an intended change, then read the diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from watcher.app.articles import article_ids
from watcher.diff import diff_articles
from watcher.models import Article, CheckResult, Version, WatchedArticle
from watcher.render.edits import render_check, render_diff
from watcher.render.tables import articles_table, history_table, summary_table
from watcher.render.theme import THEME
from watcher.untrusted import json_safe, visible

GOLDEN = Path(__file__).parent / "golden"
T1 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
URL = "https://news.example.tw/2026/11/25/charging"

OLD = Article(
    headline="市府擬設300座充電站 預算10億元",
    byline="記者王小明／台北報導",
    modified="2026-11-25T09:00:00Z",
    body=[
        "市政府今日宣布，明年起將在全市設置三百座公共充電站，預算約10億元。",
        "交通局長林志明表示，第一批充電站將於三月啟用，優先設在捷運站周邊。",
        "議員批評計畫缺乏配套，要求市府在下次定期會提出完整報告。",
        "The plan was presented in English to the foreign chambers of commerce on Monday.",
        "市府強調，充電站將採公開招標，並由民間業者負責營運與維護。",
        "相關說明會將於下月舉行，開放市民報名參加。",
    ],
    captions=["交通局長林志明說明充電站計畫。"],
)
NEW = Article(
    headline="市府擬設500座充電站 預算12億元",
    byline="記者王小明／台北報導",
    modified="2026-11-25T09:00:00Z",
    body=[
        "市政府今日宣布，明年起將在全市設置五百座公共充電站，預算約12億元。",
        "交通局長林志明表示，第一批充電站將於三月啟用，優先設在捷運站周邊。",
        "議員批評計畫缺乏配套，要求市府在下次定期會提出完整報告。",
        "The plan was presented in English to the foreign chambers of commerce on Monday.",
        "市府強調，充電站將採公開招標，並由民間業者負責營運與維護。",
        "相關說明會將於下月舉行，開放市民報名參加。",
        "The mayor claimed the stations would pay for themselves within five years.",
    ],
    captions=["交通局長林志明說明新版充電站計畫。"],
)


def version(number: int, article: Article, at: datetime) -> Version:
    return Version(url=URL, number=number, captured_at=at, content_hash=f"h{number}", article=article)


def rendered(renderable, width: int) -> str:
    console = Console(width=width, file=StringIO(), color_system=None, theme=THEME)
    console.print(renderable)
    return console.file.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def pair():
    old, new = version(1, OLD, T1), version(2, NEW, T2)
    return old, new, diff_articles(OLD, NEW)


@pytest.mark.parametrize("width", [80, 100])
def test_inline_view_golden(pair, width):
    check_golden(f"diff_inline_{width}", rendered(render_diff(*pair), width))


@pytest.mark.parametrize("width", [80, 100])
def test_side_by_side_view_golden(pair, width):
    check_golden(f"diff_side_by_side_{width}", rendered(render_diff(*pair, side_by_side=True), width))


def test_inline_view_says_what_changed_without_colour(pair):
    text = rendered(render_diff(*pair), 100)
    assert "v1 → v2 · 2026-11-25 10:00 UTC → 2026-11-25 13:30 UTC" in text
    assert "headline changed" in text and "stealth edit" in text
    assert "⟦-300-⟧⟦+500+⟧" in text and "⟦-10-⟧⟦+12+⟧" in text
    assert "⟦+The mayor claimed the stations would pay for themselves within five years.+⟧" in text


def test_context_paragraphs_and_gaps(pair):
    none = rendered(render_diff(*pair, context=0), 100)
    assert "交通局長林志明表示" not in none and "⋯ 5 unchanged paragraphs" in none
    wide = rendered(render_diff(*pair, context=5), 100)
    assert "議員批評計畫缺乏配套" in wide and "unchanged paragraph" not in wide


def test_cosmetic_edits_hidden_unless_asked():
    new = replace(
        OLD,
        body=[OLD.body[0].replace("，", ","), *OLD.body[1:3], OLD.body[3].replace("Monday", "Tuesday"), *OLD.body[4:]],
    )
    diff = diff_articles(OLD, new)
    old_v, new_v = version(1, OLD, T1), version(2, new, T2)
    hidden = rendered(render_diff(old_v, new_v, diff), 100)
    assert "1 cosmetic edit hidden" in hidden and "¶1 changed" not in hidden
    shown = rendered(render_diff(old_v, new_v, diff, include_cosmetic=True), 100)
    assert "¶1 changed · cosmetic" in shown and "hidden" not in shown


def test_colour_terminal_strikes_deletions_and_colours_insertions(pair):
    console = Console(width=100, file=StringIO(), color_system="standard", theme=THEME, force_terminal=True)
    console.print(render_diff(*pair))
    out = console.file.getvalue()
    assert "\x1b[9;31m300" in out or "\x1b[31;9m300" in out  # red + strike
    assert "\x1b[32m500" in out
    assert "⟦-" not in out  # markers are only for colourless output


def test_page_markup_and_ansi_escapes_print_literally():
    hostile = "He wrote [bold red]LOUD[/bold red] and \x1b[31mred\x1b[0m then \x1b]0;title\x07 [link=http://x]y[/link]"
    old = Article(headline="[blink]Head[/blink]", body=["Plain first paragraph here.", "Stays."])
    new = Article(headline="[blink]Head[/blink] \x1b[2J", body=["Plain first paragraph here.", hostile, "Stays."])
    diff = diff_articles(old, new)
    views = [
        render_diff(version(1, old, T1), version(2, new, T2), diff),
        render_diff(version(1, old, T1), version(2, new, T2), diff, side_by_side=True),
        render_check(
            CheckResult(URL + "/[bold]", "changed", T2, 2, flags=diff.flags, edits=diff.edits, headline=new.headline)
        ),
        history_table([version(2, new, T2)]),
        articles_table([WatchedArticle(url=URL, added_at=T1, headline=new.headline)]),
        summary_table([CheckResult(URL, "error", T2, error="\x1b[31m[bold]boom")]),
    ]
    for view in views:
        console = Console(width=200, file=StringIO(), color_system="standard", theme=THEME, force_terminal=True)
        console.print(view)
        out = console.file.getvalue()
        plain = rendered(view, 200)
        assert "\x1b[31mred" not in out and "\x1b]0;" not in out and "\x1b[2J" not in out
        assert "␛" in plain
        assert "[bold red]LOUD[/bold red]" in plain or "[blink]Head[/blink]" in plain or "[bold]boom" in plain
    plain = rendered(views[0], 200)
    assert "[bold red]LOUD[/bold red]" in plain and "␛[31mred␛[0m" in plain and "[link=http://x]y[/link]" in plain


def test_check_block_lists_status_flags_and_edits(pair):
    _, _, diff = pair
    text = rendered(
        render_check(CheckResult(URL, "changed", T2, 2, flags=diff.flags, edits=diff.edits, headline=NEW.headline)), 100
    )
    check_golden("check_block_100", text)
    assert text.startswith(f"changed v2 {URL}")
    assert "⟦-三百-⟧⟦+五百+⟧" in text  # a Chinese number is one token


def test_tables_golden(pair):
    old, new, diff = pair
    new.edits, new.flags = diff.edits, diff.flags
    watched = [
        WatchedArticle(
            url=URL,
            added_at=T1,
            headline=NEW.headline,
            versions=2,
            last_checked=T2,
            next_check=T2,
            last_status="changed",
            last_edit_summary="v2 substantive: headline, body",
            tags=["taipei", "transport"],
        ),
        WatchedArticle(
            url="https://daily.example.com/2026/11/24/transit-budget-vote-delayed-again",
            added_at=T1,
            headline="Council delays transit budget vote for a third time amid fare dispute",
            versions=1,
            last_checked=T1,
            next_check=T2,
            last_status="unchanged",
        ),
    ]
    results = [
        CheckResult(URL, "changed", T2, 2, flags=diff.flags, edits=diff.edits, headline=NEW.headline),
        CheckResult(watched[1].url, "error", T2, error="timeout after 30 s"),
    ]
    text = (
        rendered(articles_table(watched, article_ids([w.url for w in watched])), 80)
        + rendered(history_table([old, new]), 80)
        + rendered(summary_table(results), 80)
    )
    check_golden("tables_80", text)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_list_prints_a_long_history_s_version_count_whole():
    text = rendered(articles_table([WatchedArticle(url=URL, added_at=T1, headline="Budget", versions=1500)]), 100)
    assert re.search(r"\b1500\b", text) and "15…" not in text, text


def test_bidi_marks_are_neutralised_in_the_terminal_and_in_json():
    # RLM, ALM and LRM need no embedding to move the digits and punctuation beside them.
    headline = "Budget \u200f10\u061c - 12\u200e"
    text = rendered(articles_table([WatchedArticle(url=URL, added_at=T1, headline=headline)]), 100)
    assert not {"\u200f", "\u061c", "\u200e"} & set(text), text
    assert "\\u200f10\\u061c" in visible(headline)
    document = json_safe(json.dumps({"headline": headline}, ensure_ascii=False))
    assert not {"\u200f", "\u061c", "\u200e"} & set(document)
    assert json.loads(document) == {"headline": headline}
