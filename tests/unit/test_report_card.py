"""The diff card's HTML (the PNG itself is rendered by the browser in integration tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html

from watcher.models import Article, Edit, Version, WatchedArticle
from watcher.report import ReportEntry, card_html

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
URL = "https://zh.example/news/typhoon"


def entry(edits, *, headline="颱風逼近　全台戒備", flags=("stealth",), event=None, url=URL) -> ReportEntry:
    old = Version(url=url, number=1, captured_at=T0, content_hash="a", article=Article(headline=headline))
    new = Version(
        url=url,
        number=2,
        captured_at=T0 + timedelta(hours=5),
        content_hash="b",
        article=Article(headline=headline, lang="zh-Hant"),
        edits=list(edits),
        flags=list(flags),
        event=event,
    )
    return ReportEntry(WatchedArticle(url=url, added_at=T0), old, new)


def body_edit(old: str, new: str, inline, cls="substantive") -> Edit:
    return Edit("body", "replace", old, new, cls, inline)


DAY = body_edit(
    "颱風將於週三登陸。", "颱風將於週四登陸。", [("=", "颱風將於週"), ("-", "三"), ("+", "四"), ("=", "登陸。")]
)


def test_card_shows_headline_host_times_flags_and_the_change():
    tree = lxml.html.document_fromstring(card_html(entry([DAY])))
    text = tree.text_content()
    assert "颱風逼近　全台戒備" in tree.find(".//h1").text_content()
    assert "zh.example" in text
    assert "2026-11-20 08:00 UTC → 2026-11-20 13:00 UTC" in text
    assert "未註明的修改" in text and "第 1 → 2 版" in text  # a Traditional Chinese story's card speaks its language
    assert tree.find_class("path")[0].text_content() == URL.split("zh.example", 1)[1]  # the path, not only the host
    assert [d.text for d in tree.iter("del")] == ["三"] and [i.text for i in tree.iter("ins")] == ["四"]
    assert tree.get("lang") == "zh-Hant"


def test_card_fits_its_content_within_bounds_self_contained_with_cjk_fonts():
    page = card_html(entry([DAY]))
    tree = lxml.html.document_fromstring(page)
    style = tree.find(".//style").text
    # As tall as its content, within bounds (the browser measures it: tests/integration/test_card.py).
    assert "width: 1200px; min-height: 630px; max-height: 1350px;" in style and "675" not in style
    assert (
        'font-family: "Card Pilcrow", "Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif' in style
    )
    assert 'src: local("Liberation Sans")' in style  # the ¶ from an installed font, never a download
    assert not tree.xpath("//script | //link | //img | //@src | //@href")
    assert "url(" not in style
    small = card_html(entry([DAY]), width=800, height=418)  # a fixed size when asked
    assert "width: 800px; height: 418px" in small and "max-height" not in small


def test_card_keeps_a_few_edits_and_shortens_long_paragraphs():
    filler = "這是一段很長的背景文字，" * 300
    long_edit = body_edit(
        filler + "死亡一人。",
        filler + "死亡三人。",
        [("=", filler + "死亡"), ("-", "一"), ("+", "三"), ("=", "人。" + filler)],
    )
    others = [body_edit(f"第{i}段", f"第{i}段改", [("=", f"第{i}段"), ("+", "改")]) for i in range(5)]
    cosmetic = body_edit("a  b", "a b", [("=", "a"), ("-", "  "), ("+", " "), ("=", "b")], cls="cosmetic")
    headline = Edit(
        "headline",
        "replace",
        "舊標題",
        "颱風逼近　全台戒備",
        "substantive",
        [("-", "舊標題"), ("+", "颱風逼近　全台戒備")],
    )
    tree = lxml.html.document_fromstring(card_html(entry([cosmetic, long_edit, *others, headline])))
    shown = tree.find_class("edit")
    assert len(shown) == 3
    labels = [e.find_class("label")[0].text_content().split(" ·")[0] for e in shown]
    assert labels == ["標題", "內文", "內文"]  # headline first, then the body in page order
    assert "第0段改" in shown[2].text_content()
    assert "另有 4 處修改" in tree.text_content()  # 7 non-cosmetic edits, 3 shown
    diff_text = shown[1].find_class("diff")[0].text_content()
    assert "一" in [d.text for d in shown[1].iter("del")] and len(diff_text) < 400
    assert diff_text.startswith("…")


def test_card_escapes_page_text():
    evil = "<script>alert(1)</script>"
    edit = body_edit(
        "x", f"<img src=x onerror=alert(1)> {evil}", [("-", "x"), ("+", f"<img src=x onerror=alert(1)> {evil}")]
    )
    tree = lxml.html.document_fromstring(card_html(entry([edit], headline=evil, url="javascript:alert(1)")))
    assert not tree.xpath("//script | //img | //*[@onerror]")
    assert tree.find(".//h1").text_content() == evil


def test_card_of_an_event_or_cosmetic_only_change_is_not_empty():
    removed = lxml.html.document_fromstring(card_html(entry([], flags=["removed"], event="removed")))
    assert "這篇報導已被撤下。" in removed.find_class("edits-box")[0].text_content()
    cosmetic = body_edit("a  b", "a b", [("=", "a"), ("-", "  "), ("+", " "), ("=", "b")], cls="cosmetic")
    tidy = lxml.html.document_fromstring(card_html(entry([cosmetic], flags=[])))
    assert len(tidy.find_class("edit")) == 1


def test_card_words_follow_the_story_language_and_long_paths_keep_their_slug():
    english = entry([DAY])
    english.new.article.lang = "en"
    english.new.url = english.article.url = "https://news.example/" + "section/" * 12 + "the-story-slug"
    tree = lxml.html.document_fromstring(card_html(english))
    text = tree.text_content()
    assert "Stealth edit" in text and "Version 1 → 2" in text and "Body · changed · substantive" in text
    path = tree.find_class("path")[0].text_content()
    assert path.startswith("/section/") and path.endswith("/the-story-slug") and "…" in path and len(path) <= 60


def test_a_short_change_is_set_large_to_fill_the_card():
    def diff_size(edits) -> int:
        style = lxml.html.document_fromstring(card_html(entry(edits))).find(".//style").text
        return int(style.split(".diff { font-size: ")[1].split("px")[0])

    long_edit = body_edit("x" * 400, "y" * 400, [("-", "x" * 400), ("+", "y" * 400)])
    assert diff_size([DAY]) > diff_size([long_edit, long_edit]) == 28


def test_card_says_what_changed_in_words_in_the_story_language():
    from watcher.diff import diff_articles

    before = Article(body=["颱風造成3人死亡。", "氣象局表示颱風將北轉。"], lang="zh-Hant")
    after = Article(body=["颱風造成7人死亡。", "氣象局表示颱風將北轉。"], lang="zh-Hant")
    tree = lxml.html.document_fromstring(card_html(entry(diff_articles(before, after).edits)))
    assert [p.text_content() for p in tree.find_class("what-changed")] == ["人：3 → 7（第 1 段）"]
    # Edits stored before facts were kept: the card shows the change itself, no summary line.
    assert not lxml.html.document_fromstring(card_html(entry([DAY]))).find_class("what-changed")


def test_a_chinese_story_that_declares_no_language_keeps_its_full_width_punctuation():
    # Many Chinese and Japanese pages declare no lang: their “ ” · — are still set as CJK text sets them, not from
    # the Latin font an English card takes them from.
    undeclared = entry([DAY])
    undeclared.new.article.lang = None
    style = lxml.html.document_fromstring(card_html(undeclared)).find(".//style").text
    assert 'font-family: "Card Pilcrow", "Noto Sans CJK TC"' in style
    english = entry([body_edit("Rain on Tuesday.", "Rain on Wednesday.", [("-", "Tuesday"), ("+", "Wednesday")])])
    english.new.article = Article(headline="Storm nears the coast")
    english_style = lxml.html.document_fromstring(card_html(english)).find(".//style").text
    assert 'font-family: "Card Latin Punctuation", "Card Pilcrow"' in english_style


def test_a_card_of_a_removal_does_not_call_the_capture_times_edits():
    gone = entry([], flags=["removed"], event="removed")
    gone.new.article.published = "2026-11-19T08:00:00Z"
    text = lxml.html.document_fromstring(card_html(gone)).text_content()
    assert "2026-11-20 08:00 UTC → 2026-11-20 13:00 UTC" in text
    assert "修改 2026-11-20" not in text and "edited" not in text
    edited = entry([DAY])
    edited.new.article.published = "2026-11-19T08:00:00Z"
    assert "修改 2026-11-20 08:00 UTC" in lxml.html.document_fromstring(card_html(edited)).text_content()


def test_a_chinese_cards_removed_and_redirected_chips_are_in_chinese():
    for event, chip in (("removed", "已撤下"), ("redirected", "已轉址")):
        tree = lxml.html.document_fromstring(card_html(entry([], flags=[event], event=event)))
        assert [li.text_content() for li in tree.find_class("flag")] == [chip]
