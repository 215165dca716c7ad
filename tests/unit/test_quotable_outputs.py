"""What a reporter copies out of watcher (issue 33): where a paragraph went, labels that keep the operation in
every language, local times, context around each change, a summary at the top, cards cut at word boundaries."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import lxml.html
from rich.console import Console

from watcher.app.live import log_line
from watcher.diff import diff_articles
from watcher.models import Article, CheckResult, Edit, Version, WatchedArticle
from watcher.render.edits import render_check
from watcher.render.theme import THEME
from watcher.report import ReportEntry, ReportOptions, card_html, render_report
from watcher.times import zone

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
URL = "https://news.example/2026/11/flood"
PARAS = [
    "Floodwater reached the old mill on Tuesday night.",
    "The river rose four metres in six hours, officials said.",
    "Residents of Low Street were moved to the school hall.",
    "Three thousand people, many of them students, left their homes before dawn.",
]
# The last paragraph moved to the top and nothing else changed.
MOVED = [PARAS[3], *PARAS[:3]]


def version(number: int, body: list[str], *, edits=(), lang="en", hours=0.0, **article) -> Version:
    return Version(
        url=URL,
        number=number,
        captured_at=T0 + timedelta(hours=hours),
        content_hash=f"h{number}",
        article=Article(headline="Flood closes the valley", body=list(body), lang=lang, **article),
        edits=list(edits),
    )


def move_entry(*, stored_positions: bool = True, lang: str = "en") -> ReportEntry:
    old = version(1, PARAS, lang=lang)
    edits = diff_articles(old.article, Article(headline="Flood closes the valley", body=MOVED, lang=lang)).edits
    if not stored_positions:  # as stores kept edits before positions existed
        edits = [Edit(e.field, e.op, e.old, e.new, e.cls, e.inline) for e in edits]
    return ReportEntry(WatchedArticle(url=URL, added_at=T0), old, version(2, MOVED, edits=edits, lang=lang, hours=3))


def render(entries, fmt: str, include_cosmetic=False, **kw) -> str:
    options = ReportOptions(generated_at=T0 + timedelta(days=1), title="t", window="w", **kw)
    return render_report(entries, fmt, options, include_cosmetic=include_cosmetic)


def plain(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=120, no_color=True, color_system=None, theme=THEME).print(renderable)
    return out.getvalue()


# ---------------------------------------------------------------- item 2: moves keep their place


def test_a_moved_paragraph_carries_where_it_was_and_is_in_the_json_contract():
    old = Article(headline="h", body=PARAS)
    diff = diff_articles(old, Article(headline="h2", body=MOVED))
    (move,) = [e for e in diff.edits if e.op == "move"]
    assert (move.from_para, move.to_para) == (4, 1)
    assert move.to_json()["from"] == 4 and move.to_json()["to"] == 1
    headline = next(e for e in diff.edits if e.field == "headline").to_json()
    assert "from" not in headline and "to" not in headline  # added fields appear only where they mean something
    assert Edit.from_json(move.to_json()) == move


def test_every_report_format_says_where_a_paragraph_moved_even_for_edits_stored_without_positions():
    for stored in (True, False):
        entries = [move_entry(stored_positions=stored)]
        html = lxml.html.document_fromstring(render(entries, "html"))
        (edit,) = html.find_class("edit")
        assert "Body ¶1 (was ¶4) · moved" in edit.find_class("label")[0].text_content()
        assert (edit.get("data-from"), edit.get("data-to")) == ("4", "1")
        assert "¶1 (was ¶4)" in render(entries, "md")
        assert "¶1 (was ¶4)" in render(entries, "atom")
        assert '"from": 4' in render(entries, "json") and '"to": 1' in render(entries, "json")


def test_check_and_run_log_say_where_the_paragraph_went_and_what_changed():
    edits = move_entry().new.edits
    result = CheckResult(URL, "changed", T0, version=2, edits=edits, headline="Flood closes the valley")
    assert "body ¶1 (was ¶4) moved" in plain(render_check(result))
    replaced = diff_articles(Article(body=PARAS), Article(body=[*PARAS[:3], PARAS[3].replace("Three", "Five")]))
    line = log_line(CheckResult(URL, "changed", T0, version=3, edits=replaced.edits, headline="Flood")).plain
    assert line.endswith("| ¶4 “Three” → “Five”"), line


# ---------------------------------------------------------------- item 4: zh-Hant labels keep the operation


def test_traditional_chinese_labels_keep_the_operation_in_reports_and_cards():
    old_body = ["第一段。", "第二段說明颱風路徑。", "第三段。", "第四段將刪除。"]
    new_body = ["第三段。", "第一段。", "第二段說明颱風的路徑。", "新增的第五段。"]
    old = version(1, old_body, lang="zh-Hant")
    edits = diff_articles(old.article, Article(body=new_body, lang="zh-Hant")).edits
    entry = ReportEntry(WatchedArticle(url=URL, added_at=T0), old, version(2, new_body, edits=edits, lang="zh-Hant"))
    html = lxml.html.document_fromstring(render([entry], "html", lang="auto", include_cosmetic=True))
    labels = [e.text_content() for e in html.find_class("label")]
    ops = {e.op for e in edits}
    assert len(set(labels)) == len(labels) == len(edits) and {"insert", "delete", "move"} <= ops
    for word in ("新增", "刪除"):
        assert any(word in label for label in labels), labels
    assert f"1 次版本更動 · {len(edits)} 處修改" in html.text_content()
    card = lxml.html.document_fromstring(card_html(entry)).text_content()
    assert "新增" in card or "刪除" in card or "移動" in card
    md = render([entry], "md", lang="auto")
    assert "Before:" not in md and "After:" not in md


def test_markdown_before_and_after_follow_the_story_language():
    old = version(1, ["颱風將於週三登陸。"], lang="zh-Hant")
    edits = diff_articles(old.article, Article(body=["颱風將於週四登陸，請民眾注意。"], lang="zh-Hant")).edits
    entry = ReportEntry(WatchedArticle(url=URL, added_at=T0), old, version(2, ["x"], edits=edits, lang="zh-Hant"))
    md = render([entry], "md", lang="auto")
    assert "修改前：" in md.replace(": ", "：") and "修改後" in md


# ---------------------------------------------------------------- item 6: --tz


def test_reports_and_cards_show_times_in_the_chosen_zone():
    taipei = zone("Asia/Taipei")
    entries = [move_entry()]
    html = render(entries, "html", tz=taipei)
    assert "2026-11-20 16:00 CST → 2026-11-20 19:00 CST" in lxml.html.document_fromstring(html).text_content()
    assert 'datetime="2026-11-20T11:00:00Z"' in html  # the machine-readable instant stays UTC
    assert "2026-11-20 19:00 CST" in render(entries, "md", tz=taipei)
    assert "08:00 UTC" in render(entries, "md")  # without a zone: UTC, as before
    card = lxml.html.document_fromstring(card_html(entries[0], tz=taipei)).text_content()
    assert "2026-11-20 16:00 CST → 2026-11-20 19:00 CST" in card


# ---------------------------------------------------------------- item 12: the report a reader judges


def report_of_many() -> list[ReportEntry]:
    entries = []
    for n in range(3):
        url = f"https://news.example/story-{n}"
        body = [f"Paragraph {k} of story {n} says something." for k in range(1, 6)]
        new_body = list(body)
        new_body[2] = f"Paragraph 3 of story {n} now says something else."
        old = Version(url, 1, T0, "a", Article(headline=f"Story {n}", body=body))
        diff = diff_articles(old.article, Article(headline=f"Story {n}", body=new_body))
        flags = ["correction_notice"] if n == 1 else []
        new = Version(url, 2, T0 + timedelta(hours=n), "b", Article(headline=f"Story {n}", body=new_body))
        new.edits, new.flags = diff.edits, flags
        entries.append(ReportEntry(WatchedArticle(url=url, added_at=T0), old, new))
    return entries


def test_html_report_shows_each_change_between_its_neighbours_with_paragraph_numbers():
    tree = lxml.html.document_fromstring(render(report_of_many(), "html"))
    edit = tree.find_class("edit")[0]
    context = [p.text_content() for p in edit.find_class("context")]
    assert context == ["¶2 Paragraph 2 of story 2 says something.", "¶4 Paragraph 4 of story 2 says something."]
    assert "Body ¶3 · changed" in edit.find_class("label")[0].text_content()
    md = render(report_of_many()[:1], "md")
    assert "- **Body** (¶3, changed, substantive)\n  - ¶2 · *Paragraph 2 of story 0 says something.*\n" in md
    assert "\n  - ¶4 · *Paragraph 4 of story 0 says something.*" in md


def test_html_report_opens_with_a_summary_table_of_articles_by_class_and_flag():
    tree = lxml.html.document_fromstring(render(report_of_many(), "html"))
    table = tree.find_class("summary-table")[0]
    head = [th.text_content() for th in table.xpath(".//thead//th")]
    assert head == ["#", "Article", "Last change", "substantive", "Correction notice"]
    rows = [[c.text_content().strip() for c in tr] for tr in table.xpath(".//tbody/tr")]
    assert [r[1].split(" ")[:2] for r in rows] == [["Story", "2"], ["Story", "1"], ["Story", "0"]]
    assert [r[3:] for r in rows] == [["1", ""], ["1", "1"], ["1", ""]]
    for a in table.xpath(".//a"):  # each row leads to its article's section
        assert tree.xpath("//section[@id=$id]", id=a.get("href")[1:])


def test_html_report_links_the_warc_files_holding_both_versions(tmp_path):
    entries = report_of_many()
    for e in entries:
        e.old.served_hash = e.new.served_hash = "kept"
    (tmp_path / "watcher-2026-11.warc.gz").write_bytes(b"")
    tree = lxml.html.document_fromstring(render(entries, "html", archive_dir=tmp_path))
    links = tree.xpath('//a[@class="warc"]')
    assert len(links) == 6 and all(a.get("href") == (tmp_path / "watcher-2026-11.warc.gz").as_uri() for a in links)
    assert links[0].text_content().startswith("v1 · watcher-2026-11.warc.gz")
    assert not render(entries, "html").count('class="warc"')  # no archive folder, no links


# ---------------------------------------------------------------- cards


LONG = (
    "The council met for six hours on Monday. Members argued over the budget, the school roof and the bridge, "
    "and in the end they voted to delay the decision until spring, which angered many of the residents present."
)


def test_card_cuts_long_paragraphs_at_word_or_sentence_boundaries_and_names_outlet_and_date():
    new_text = LONG.replace("spring", "summer")
    old = version(1, [LONG, LONG + " More."])
    edits = diff_articles(old.article, Article(headline=old.article.headline, body=[new_text, LONG + " More."])).edits
    new = version(
        2,
        [new_text, LONG + " More."],
        edits=edits,
        hours=2,
        site="The Riverton Ledger",
        published="2026-11-20T09:30:00+08:00",
    )
    tree = lxml.html.document_fromstring(card_html(ReportEntry(WatchedArticle(url=URL, added_at=T0), old, new)))
    diff_element = tree.find_class("diff")[0]
    for deleted in list(diff_element.iter("del")):
        deleted.drop_tree()  # the new wording alone, as a reader of the card reads it
    diff = diff_element.text_content()
    words = set(re.findall(r"[A-Za-z]+", LONG))
    assert diff.startswith("… ") and diff != LONG
    assert set(re.findall(r"[A-Za-z]+", diff)) <= words | {"summer"}, diff  # no half words
    assert tree.find_class("host")[0].text_content() == "The Riverton Ledger"
    assert "Published 2026-11-20 01:30 UTC" in tree.text_content()


# ---------------------------------------------------------------- item 11: a newly added modified date


def test_a_modified_date_appearing_is_not_hidden_as_cosmetic_but_a_changed_one_is():
    added = diff_articles(Article(body=PARAS), Article(body=PARAS, modified="2026-11-20T10:00:00Z")).edits
    assert [(e.field, e.op) for e in added] == [("modified", "insert")] and added[0].cls != "cosmetic"
    moved_on = diff_articles(
        Article(body=PARAS, modified="2026-11-20T10:00:00Z"), Article(body=PARAS, modified="2026-11-20T11:00:00Z")
    ).edits
    assert moved_on[0].cls == "cosmetic"


# ---------------------------------------------------------------- item 11: small ones


def test_a_word_that_names_no_article_hints_at_match():
    import pytest

    from watcher.app.articles import Resolver
    from watcher.errors import UnknownArticle

    names = Resolver([WatchedArticle(url=URL, added_at=T0, headline="Council closes the valley road")])
    with pytest.raises(UnknownArticle) as caught:
        names.resolve("council")
    assert "use --match council (1 headline contain" in str(caught.value)


def test_list_says_a_failed_first_check_failed_instead_of_not_checked_yet():
    from watcher.render.tables import ArticleList

    never = WatchedArticle(url=URL, added_at=T0)
    failed = WatchedArticle(url=URL + "-2", added_at=T0, last_checked=T0, last_status="error")
    text = plain(ArticleList([never, failed]))
    assert text.count("(not checked yet)") == 1 and "last check error" in text


def test_one_version_is_not_one_versions():
    from watcher.labels import plural

    assert plural(1, "version") == "1 version" and plural(2, "version") == "2 versions"


# ---------------------------------------------------------------- item 10: a charset fix is not an edit


def test_a_charset_fix_is_an_encoding_repair_cosmetic_and_flagged():
    right = ["The mayor said — after the vote — that it’s over.", "颱風逼近，全台戒備。"]
    import ftfy  # noqa: F401 (registers "sloppy-windows-1252": what browsers decode undeclared UTF-8 as)

    garbled = [p.encode("utf-8").decode("sloppy-windows-1252") for p in right]
    assert garbled[0].startswith("The mayor said â€”")
    diff = diff_articles(Article(headline="Café opens", body=garbled), Article(headline="Café opens", body=right))
    assert diff.edits and {e.cls for e in diff.edits} == {"cosmetic"}
    assert diff.flags == ["encoding_repair"]  # said so, and no stealth edit
    # A real edit made while the charset was fixed is still one.
    reworded = ["The mayor said — after the vote — that it’s not over.", right[1]]
    real = diff_articles(Article(body=garbled), Article(body=reworded))
    by_paragraph = {e.to_para: e.cls for e in real.edits if e.to_para}
    assert by_paragraph == {1: "substantive", 2: "cosmetic"} and "stealth" in real.flags
    from watcher.labels import flag_label

    assert flag_label("encoding_repair") == "encoding repaired"


def test_the_outlet_name_is_stored_with_the_version(tmp_path):
    from watcher.store import open_store

    store = open_store(tmp_path / "data")
    store.add_article(URL)
    article = Article(headline="Flood closes the valley", body=PARAS, site="The Riverton Ledger")
    store.save_version(URL, article, html="<p>x</p>", diff=None, captured_at=T0)
    assert open_store(tmp_path / "data").latest_version(URL).article.site == "The Riverton Ledger"


def test_moves_are_drawn_as_moves_and_every_section_leads_back_to_the_contents():
    entry = move_entry()
    card = lxml.html.document_fromstring(card_html(entry))
    (edit,) = card.find_class("edit")
    assert "op-move" in edit.get("class") and edit.find_class("label")[0].text_content() == "Body ¶1 (was ¶4) · moved"
    assert not list(edit.iter("ins")) and not list(edit.iter("del"))  # unchanged text in a new place, not added
    report = lxml.html.document_fromstring(render([entry], "html"))
    assert "op-move" in report.find_class("edit")[0].get("class")
    assert report.xpath('//section//a[@href="#contents"]') and report.xpath('//*[@id="contents"]')


def test_pairing_a_repaired_paragraph_keeps_every_other_removal():
    garbled = "The mayor said — after the vote.".encode().decode("latin-1")
    old = Article(body=[garbled, "A paragraph that was cut from the story entirely, for good."])
    diff = diff_articles(old, Article(body=["The mayor said — after the vote.", "A new closing paragraph."]))
    ops = sorted((e.op, e.cls) for e in diff.edits)
    assert ("replace", "cosmetic") in ops and ("delete", "substantive") in ops, ops


def test_a_report_of_200_stories_is_navigable_from_its_summary_table():
    entries = []
    for n in range(200):
        url = f"https://news.example/story-{n}"
        body = [f"Paragraph {k} of story {n} says something." for k in range(1, 4)]
        old = Version(url, 1, T0, "a", Article(headline=f"Story {n}", body=body))
        new_body = [body[0], body[1].replace("says", "said"), body[2]]
        new = Version(url, 2, T0 + timedelta(minutes=n), "b", Article(headline=f"Story {n}", body=new_body))
        found = diff_articles(old.article, new.article).edits
        new.edits = [Edit(e.field, e.op, e.old, e.new, e.cls, e.inline) for e in found]  # stored without positions
        entries.append(ReportEntry(WatchedArticle(url=url, added_at=T0), old, new))
    tree = lxml.html.document_fromstring(render(entries, "html"))
    rows = tree.xpath('//table[@class="summary-table"]/tbody/tr')
    assert len(rows) == 200 and rows[0].xpath(".//a")[0].text_content() == "Story 199"  # newest first
    sections = {s.get("id") for s in tree.xpath("//section")}
    assert {a.get("href")[1:] for row in rows for a in row.xpath(".//a")} == sections
    assert len(tree.xpath('//section/a[@href="#contents"]')) == 200
    assert all(e.get("data-to") == "2" for e in tree.find_class("edit"))  # placed again from the two bodies
