"""A caption's edit is placed as a caption in the one-line summary, never as a body paragraph (¶)."""

from __future__ import annotations

from watcher.diff import diff_articles
from watcher.diff.summary import summarize
from watcher.models import Article

BODY = ["The court ruled on Monday after a long hearing.", "The rule stays."]


def summary(old_captions: list[str], new_captions: list[str], lang: str = "en") -> str:
    old = Article(headline="h", body=BODY, captions=old_captions, lang=lang)
    new = Article(headline="h", body=BODY, captions=new_captions, lang=lang)
    return summarize(diff_articles(old, new).edits, lang)


def test_a_caption_edit_says_caption_not_paragraph():
    said = summary(["Farmers outside the court on Monday."], ["Farmers outside the court on Tuesday."])
    assert said == "Monday → Tuesday (caption 1)", said


def test_an_added_caption_is_a_caption_added():
    said = summary(["Farmers outside the court."], ["Farmers outside the court.", "The judge arrives at noon."])
    assert said == "caption added (caption 2)", said


def test_chinese_captions_are_圖說():
    said = summary(["花蓮海邊巨浪拍岸。"], ["花蓮海邊巨浪拍岸，三人受傷。"], "zh-Hant")
    assert "第 1 則圖說" in said and "段" not in said, said
