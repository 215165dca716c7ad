"""The shared vocabulary: every word has a style and a label, times read one way, JSON shapes match the README."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watcher.labels import field_label, flag_label, flag_title, op_word, status_title
from watcher.models import (
    CLASSES,
    FLAGS,
    STATUSES,
    Article,
    CheckResult,
    Edit,
    Version,
    WatchedArticle,
    change_json,
    class_rank,
    shown_edits,
    top_class,
)
from watcher.render.theme import THEME
from watcher.times import ago, display_time, iso, parse_iso, short_time

T = datetime(2026, 11, 25, 10, 0, 7, tzinfo=UTC)


def edit(cls: str) -> Edit:
    return Edit(field="body", op="replace", old="a", new="b", cls=cls)  # type: ignore[arg-type]


def test_every_class_flag_and_status_has_a_terminal_style():
    names = set(THEME.styles)
    assert {f"class.{c}" for c in CLASSES} <= names
    assert {f"flag.{f}" for f in FLAGS} <= names
    assert {f"status.{s}" for s in STATUSES} <= names


def test_class_order_and_the_cosmetic_filter():
    assert CLASSES[0] == "cosmetic" and CLASSES[-1] == "substantive" and "typo" in CLASSES
    assert class_rank("substantive") > class_rank("typo") > class_rank("cosmetic") == class_rank("nonsense")
    edits = [edit("cosmetic"), edit("typo"), edit("cosmetic")]
    assert top_class(edits) == "typo" and top_class([]) is None
    assert shown_edits(edits) == [edits[1]]
    assert shown_edits(edits, include_cosmetic=True) == edits


def test_labels_read_the_same_in_terminal_and_report():
    assert flag_label("stealth") == "stealth edit"
    assert flag_label("stealth", note=True) == "stealth edit (no notice, same modified date)"
    assert flag_title("ab_test") == "Headline A/B test"
    assert flag_title("removed") == "removed"  # an event, not a flag: shown as the contract's word
    assert flag_label("some_new_flag") == "some new flag"
    assert field_label("dek") == "Subheadline" and op_word("insert") == "added" and status_title("changed") == "Edited"


def test_times_in_every_form():
    assert iso(T) == "2026-11-25T10:00:07Z"
    assert iso(T.replace(tzinfo=None)) == "2026-11-25T10:00:07Z"  # naive means UTC, whatever the machine's zone
    assert parse_iso("2026-11-25T10:00:07Z") == T
    assert display_time(T) == "2026-11-25 10:00 UTC" and display_time(None) == "unknown time"
    assert short_time(T) == "11-25 10:00" and short_time(None) == "—"
    assert ago(T - timedelta(minutes=5), T) == "5m ago"
    assert ago(T + timedelta(hours=2, minutes=1), T) == "in 2h"
    assert ago(None, T) == "—"


def test_json_shapes_are_the_readme_contract():
    article = WatchedArticle(url="https://news.example/a", added_at=T, headline="H", tags=["x"], versions=2)
    assert list(article.to_json()) == [
        "url",
        "versions",
        "last_checked",
        "next_check",
        "last_status",
        "headline",
        "tags",
        "feed",
    ]
    old = Version(url=article.url, number=1, captured_at=T, content_hash="1", article=Article(headline="H"))
    new = Version(
        url=article.url,
        number=2,
        captured_at=T + timedelta(hours=1),
        content_hash="2",
        article=Article(headline="H2"),
        edits=[edit("typo")],
        event="restored",
    )
    assert new.to_json() == {
        "version": 2,
        "captured_at": "2026-11-25T11:00:07Z",
        "headline": "H2",
        "edits_count": 1,
        "flags": [],
        "event": "restored",
        "copies": [],
        "source": "browser",  # added field: a version stored before sources were kept was a render
    }
    body = change_json(article.url, old, new, new.edits, "H2")
    check_keys = list(CheckResult(url=article.url, status="changed", checked_at=T).to_json())
    # The check object, then more; `copies` and `source` added since.
    assert list(body) == [*check_keys, "headline", "from_version", "captured_at", "copies", "source"]
    assert body["status"] == "restored" and body["from_version"] == 1 and body["edits"][0]["class"] == "typo"


def test_cjk_ranges():
    import re

    from watcher.cjk import CJK, CJK_LETTERS

    def within(ranges: str, text: str) -> bool:
        return all(re.match(f"[{ranges}]", ch) for ch in text)

    assert within(CJK_LETTERS, "市府擬設充電站々ひらがなカタカナ한국𠀋") and not within(CJK_LETTERS, "，。")
    assert within(CJK, "市府한국かな，。「」ㄅ") and not within(CJK, "aé1 ")
