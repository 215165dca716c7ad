"""Terminal diffs as a reader sees them: Chinese numbers whole, markers that stay with their text and cannot be
taken for the story's own hyphens, paragraph splits and joins in words, rewrites shown old and new whole."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from rich.console import Console

from watcher.diff import diff_articles
from watcher.models import Article, CheckResult, Version
from watcher.render.edits import render_check, render_diff
from watcher.render.inline import InlineView
from watcher.render.theme import THEME

T1 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)


def plain(view, width: int) -> str:
    console = Console(width=width, file=StringIO(), color_system=None, theme=THEME, legacy_windows=False)
    console.print(view)
    return console.file.getvalue()


def body_edit(old: str, new: str):
    diff = diff_articles(
        Article(headline="h", body=[old, "Unchanged tail."]), Article(headline="h", body=[new, "Unchanged tail."])
    )
    (edit,) = diff.edits
    return diff, edit


def shown(old: Article, new: Article, width: int = 80, **options) -> str:
    diff = diff_articles(old, new)
    versions = (Version("u", 1, T1, "a", old), Version("u", 2, T2, "b", new))
    return plain(render_diff(*versions, diff, **options), width)


def test_a_chinese_number_is_replaced_whole():
    _, edit = body_edit("市府今年擬設十五座充電站，預算約十億元。", "市府今年擬設二十座充電站，預算約十億元。")
    assert [(op, text) for op, text in edit.inline if op != "="] == [("-", "十五"), ("+", "二十")]
    out = plain(InlineView(edit.inline, markers=True), 80)
    assert "⟦-十五-⟧⟦+二十+⟧座充電站" in out


def test_markers_cannot_be_taken_for_hyphens_in_the_story():
    _, edit = body_edit(
        "The council voted 7-2 for the well-known plan.", "The council voted 6-3 for the well-known plan."
    )
    out = plain(InlineView(edit.inline, markers=True), 80)
    assert "voted ⟦-7-2-⟧⟦+6-3+⟧ for the well-known plan" in out


def test_a_page_using_the_marker_brackets_is_shown_escaped():
    out = plain(InlineView([("=", "a ⟦quote⟧ "), ("+", "new")], markers=True), 80)
    assert "⟦quote⟧" not in out and "\\u27e6quote\\u27e7" in out and "⟦+new+⟧" in out


@pytest.mark.parametrize("width", range(14, 61, 3))
def test_markers_never_break_across_lines(width):
    old = Article(
        headline="Council approves the flood barrier",
        body=[
            "The city council on Tuesday approved a 48 million dollar movable flood barrier after a debate of ten years.",
            "市政府今日宣布，明年起將在全市設置三百座公共充電站，預算約十億元，第一批於三月啟用。",
        ],
    )
    new = Article(
        headline="Council approves the flood barrier",
        body=[
            "The city council on Wednesday approved a 52 million dollar movable tidal barrier after a debate of ten years.",
            "市政府今日宣布，後年起將在全市設置五百座公共充電站，預算約十二億元，第一批於四月啟用。",
        ],
    )
    for side_by_side in (False, True):
        out = shown(old, new, width=width + 20, side_by_side=side_by_side)
        for line in out.splitlines():
            assert not re.search(r"⟦[-+]\s*$", line), line  # an opening marker left at a line's end
            assert not re.match(r"^\s*(?:\S{0,14}\s+)?[-+]⟧", line), line  # a closing one starting a line
            assert "⟦" not in line.replace("⟦-", "").replace("⟦+", "")  # never cut between ⟦ and its sign
        assert out.count("⟦-") == out.count("-⟧") and out.count("⟦+") == out.count("+⟧")


def test_paragraph_split_and_join_are_said_in_words():
    one = Article(headline="h", body=["The council met on Monday. It voted to approve the budget for the harbour."])
    two = Article(headline="h", body=["The council met on Monday.", "It voted to approve the budget for the harbour."])
    split = shown(one, two, include_cosmetic=True)
    assert "¶ split here" in split and "⏎" not in split and "⟦- -⟧" not in split
    joined = shown(two, one, include_cosmetic=True)
    assert "¶ joined here" in joined


def test_a_rewrite_with_little_in_common_is_shown_old_and_new_whole():
    old = Article(headline="Mayor resigns after budget audit finds gaps", body=["Body stays the same here."])
    new = Article(headline="Budget row: council names a new finance chief", body=["Body stays the same here."])
    out = shown(old, new)
    lines = [line.strip() for line in out.splitlines()]
    assert "⟦-Mayor resigns after budget audit finds gaps-⟧" in lines
    assert "⟦+Budget row: council names a new finance chief+⟧" in lines


def test_colour_uses_styles_only():
    _, edit = body_edit("The council voted 7-2 for the plan.", "The council voted 6-3 for the plan.")
    diff = diff_articles(Article(headline="h", body=["a"]), Article(headline="h", body=["b"]))
    console = Console(width=80, file=StringIO(), color_system="standard", theme=THEME, force_terminal=True)
    console.print(render_check(CheckResult("u", "changed", T2, 2, edits=[edit, *diff.edits])))
    out = console.file.getvalue()
    assert "⟦" not in out and "⟧" not in out and "7-2" in out and "6-3" in out


def test_a_paragraph_moved_unchanged_says_moved_once_and_one_moved_and_edited_says_both():
    paras = ["One is first here.", "Two comes next here.", "Three follows after.", "Four ends the story."]
    moved = diff_articles(Article(headline="h", body=paras), Article(headline="h", body=[paras[3], *paras[:3]]))
    out = plain(render_check(CheckResult("u", "changed", T2, 2, edits=moved.edits)), 80)
    assert "¶1 (was ¶4) moved" in out and "moved · moved" not in out, out
    edited = [paras[3].replace("ends", "closes"), *paras[:3]]
    both = diff_articles(Article(headline="h", body=paras), Article(headline="h", body=edited))
    out = plain(render_check(CheckResult("u", "changed", T2, 2, edits=both.edits)), 80)
    assert "(was ¶4) moved · substantive" in out, out
