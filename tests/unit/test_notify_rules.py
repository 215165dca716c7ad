"""Alert rules (notify/rules.py) on edits made as a check makes them: what fires, what stays silent."""

from __future__ import annotations

from watcher.config import NotifyTarget
from watcher.diff.align import make_edit
from watcher.notify.rules import judge, words_changed

PARAGRAPH = "The council voted on Tuesday to repair the river bridge, closing one lane for six weeks from May."


def test_a_paragraph_moved_unchanged_changes_no_words():
    moved = make_edit("body", "move", PARAGRAPH, PARAGRAPH, moved=True)
    assert words_changed([moved]) == 0
    target = NotifyTarget(url="http://127.0.0.1:9/hook", min_words=10)
    found = judge(target, [moved], [], "https://news.example/a")
    assert not found.fires, found.reasons


def test_words_changed_counts_what_was_added_and_removed():
    edited = make_edit("body", "move", PARAGRAPH, PARAGRAPH.replace("six weeks", "two months"), moved=True)
    assert words_changed([edited]) == 4
    added = make_edit("body", "insert", None, "Two new words.")
    assert words_changed([added]) == 3


def test_a_keyword_that_only_moved_between_paragraphs_is_no_news():
    from watcher.config import NotifyTarget
    from watcher.diff.align import make_edit
    from watcher.notify.rules import judge

    target = NotifyTarget(url="https://h.example/x", keywords=["evacuation"])
    moved = [
        make_edit("body", "delete", "The evacuation order stands for the lower town.", None),
        make_edit("body", "insert", None, "Officials said the evacuation order stands, and crews are ready."),
    ]
    assert not judge(target, moved, [], "https://news.example/a").fires
    gone = [make_edit("body", "delete", "The evacuation order stands for the lower town.", None)]
    verdict = judge(target, gone, [], "https://news.example/a")
    assert verdict.fires and verdict.reasons == ["evacuation disappears (body)"]
