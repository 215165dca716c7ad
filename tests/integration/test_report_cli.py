"""`watcher report` on a store built the way a user builds it: real Chromium, the local site, edited pages.

One store per module (four articles, three rounds of checks) keeps the Chromium launches few; every
test then only runs `watcher report`, which needs no browser.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from markdown_it import MarkdownIt
from support.browser_thread import BrowserThread
from support.cli import checked, ok, one_line_error, watcher
from support.site_server import Site
from support.stories import served_stories

from watcher.times import iso, parse_iso, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT_TEXT = "<script>alert(1)</script>"
IMG_TEXT = "<img src=x onerror=alert(1)>"
CONTRACT_KEYS = {"url", "status", "version", "checked_at", "error", "flags", "edits"}
EDIT_KEYS = {"field", "op", "old", "new", "class", "inline"}

# Report colours from watcher/report/css.py (light theme): a screenshot showing them shows the marked diffs.
DEL_BG, INS_BG = (0xFF, 0xE0, 0xE0), (0xD8, 0xF5, 0xDD)


def story(headline: str, paragraphs: list[str]) -> str:
    """A small news page; headline and paragraphs are inserted as HTML source (escape them yourself)."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{headline} | Test Gazette</title>
<meta property="og:type" content="article"></head>
<body><header class="site-header"><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>{headline}</h1><div class="story-body">
{body}
</div></article></main>
<footer><p>Test Gazette</p></footer></body></html>"""


# The page shows markup as text: its source carries it HTML-escaped, as a real article quoting code would.
HOSTILE_V1 = story(
    "Clerk reads out &lt;b&gt;odd&lt;/b&gt; comments",
    [
        "The mayor said the council would meet again next week to discuss the budget shortfall and the schools plan.",
        "Residents typed &lt;script&gt;alert(1)&lt;/script&gt; into the comment form, and the clerk read it out at the "
        "hearing on Monday evening.",
        "The session ended at 9 p.m. after a long debate about the &lt;img src=x onerror=alert(1)&gt; tag found on the "
        "city website.",
    ],
)
HOSTILE_V2 = story(
    "Clerk reads out &lt;b&gt;odd&lt;/b&gt; comments again",
    [
        "The mayor said the council would meet again next month to discuss the budget shortfall and the schools plan.",
        "Residents typed &lt;script&gt;alert(1)&lt;/script&gt; into the comment form twice, and the clerk read it out "
        "at the hearing on Monday evening.",
        "The session ended at 10 p.m. after a long debate about the &lt;img src=x onerror=alert(1)&gt; tag found on the "
        "city website.",
    ],
)
# Only quote style and whitespace differ: a cosmetic edit, a new version, hidden from reports unless --all.
QUOTES_V1 = story(
    "Mayor promises action on the flood plan",
    [
        '"We will act," the mayor said on Monday, according to the minutes of the meeting held at city hall.',
        "It's the third time the council has met this year to discuss the flood plan and its budget.",
    ],
)
QUOTES_V2 = story(
    "Mayor promises action on the flood plan",
    [
        "\u201cWe will act,\u201d   the mayor said on Monday,\n according to the minutes of the meeting held at city hall.",
        "It\u2019s the third time the council has met this year to discuss the flood plan and its budget.",
    ],
)


@dataclass
class Newsroom:
    site: Site
    data_dir: Path
    en: str
    zh: str
    hostile: str
    quotes: str
    boundary: datetime  # after the first edits, before the cosmetic one


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory, browser: BrowserThread) -> Iterator[Newsroom]:
    with served_stories(tmp_path_factory, browser, "report") as (site, fetcher, data_dir):
        site.page_versions("/news/hearing", {"v1": HOSTILE_V1, "v2": HOSTILE_V2}, current="v1")
        site.page_versions("/news/quotes", {"v1": QUOTES_V1, "v2": QUOTES_V2}, current="v1")
        room = Newsroom(
            site,
            data_dir,
            site.url("/news/barrier"),
            site.url("/zh/story"),
            site.url("/news/hearing"),
            site.url("/news/quotes"),
            boundary=utcnow(),
        )
        ok(data_dir, "add", room.en, room.hostile, "--tag", "city")
        ok(data_dir, "add", room.zh, "--tag", "world")
        ok(data_dir, "add", room.quotes)
        everything = [room.en, room.zh, room.hostile, room.quotes]
        assert {r.status for r in checked(data_dir, fetcher, *everything)} == {"new"}

        for path in ("/news/barrier", "/zh/story", "/news/hearing"):
            site.set_version(path, "v2")
        second = checked(data_dir, fetcher, room.en, room.zh, room.hostile)
        assert [r.status for r in second] == ["changed"] * 3, second

        # Versions are stamped to the second: keep a whole second clear on each side of the boundary.
        time.sleep(1.1)
        room.boundary = utcnow()
        time.sleep(1.1)
        site.set_version("/news/quotes", "v2")
        (third,) = checked(data_dir, fetcher, room.quotes)
        assert third.status == "changed" and {e.cls for e in third.edits} == {"cosmetic"}, third
        yield room


def report_json(room: Newsroom, *args: str) -> list[dict]:
    return json.loads(ok(room.data_dir, "report", "--format", "json", *args))


def text_of(element: lxml.html.HtmlElement) -> str:
    return element.text_content()


# --- HTML -----------------------------------------------------------------------------------------


def test_html_report_has_inline_diffs_and_escapes_page_text(newsroom, tmp_path):
    out = tmp_path / "report.html"
    ok(newsroom.data_dir, "report", "--format", "html", "-o", str(out))
    source = out.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(source)

    sections = {s.get("id"): s for s in doc.xpath('//section[contains(@class, "article")]')}
    urls = {s.xpath('string(.//p[@class="url"])').strip(): s for s in sections.values()}
    assert set(urls) == {newsroom.en, newsroom.zh, newsroom.hostile}  # the cosmetic-only page is left out
    toc_targets = {a.get("href") for a in doc.xpath('//nav[contains(@class, "toc")]//a')}
    assert toc_targets == {f"#{anchor}" for anchor in sections}

    en = urls[newsroom.en]
    assert "Harbor city approves $48 million flood barrier" in en.xpath("string(.//h2)")
    number = next(e for e in en.xpath('.//div[contains(@class, "edit")]') if "residents spoke" in text_of(e))
    assert [text_of(d) for d in number.xpath(".//del")] == ["60"]
    assert [text_of(i) for i in number.xpath(".//ins")] == ["80"]
    assert en.xpath('.//li[contains(@class, "flag-correction_notice")]')
    assert en.xpath(".//time")  # version times shown

    zh = urls[newsroom.zh]
    assert zh.get("lang", "").startswith("zh")
    zh_marks = "".join(text_of(m) for m in zh.xpath(".//del | .//ins"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_marks), zh_marks

    # Markup in the page's text arrives as text: no element, no attribute, in the report.
    assert not doc.xpath("//script | //img | //b | //*[@onerror]")
    hostile = text_of(urls[newsroom.hostile])
    assert SCRIPT_TEXT in hostile and IMG_TEXT in hostile
    assert "<b>odd</b>" in urls[newsroom.hostile].xpath("string(.//h2)")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source and "<script" not in source.lower()

    count = int(doc.xpath("string(//body/@data-edit-count)"))
    assert (
        count
        == len(doc.xpath('//div[contains(@class, "edit")]'))
        == sum(len(change["edits"]) for change in report_json(newsroom))
    )


def test_html_report_opened_in_chromium(newsroom, fetcher, tmp_path):
    out = tmp_path / "report.html"
    ok(newsroom.data_dir, "report", "-o", str(out))  # html is the default format
    html = out.read_text(encoding="utf-8")
    newsroom.site.page("/report.html", html)

    snapshot = fetcher.fetch_sync(newsroom.site.url("/report.html"))
    dom = lxml.html.document_fromstring(snapshot.html)  # the DOM as Chromium built it
    edits = dom.xpath('//div[contains(@class, "edit")]')
    expected = sum(len(change["edits"]) for change in report_json(newsroom))
    assert expected > 0
    assert int(dom.xpath("string(//body/@data-edit-count)")) == len(edits) == expected
    assert not dom.xpath("//script | //img | //*[@onerror]")
    assert SCRIPT_TEXT in dom.text_content()

    png = fetcher.render_png_sync(html, 820)  # full page, a phone-to-tablet width
    width, height, colours = png_colours(png)
    assert width == 820 and height > 1200  # three articles' diffs, not an empty page
    assert DEL_BG in colours and INS_BG in colours  # the marked deletions and insertions were painted


# --- Markdown, JSON, Atom ---------------------------------------------------------------------------


def test_markdown_report_has_the_edits(newsroom):
    text = ok(newsroom.data_dir, "report", "--format", "md")
    rendered = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(text)
    doc = lxml.html.fragment_fromstring(rendered, create_parent="div")
    assert "60" in [text_of(s) for s in doc.xpath("//s | //del")]
    assert "80" in [text_of(s) for s in doc.xpath("//strong | //ins")]
    headings = [text_of(h) for h in doc.xpath("//h2 | //h3")]
    assert any("Harbor city approves" in h for h in headings)
    assert newsroom.en in doc.text_content() and newsroom.quotes not in doc.text_content()
    assert SCRIPT_TEXT in doc.text_content() and IMG_TEXT in doc.text_content()
    assert not doc.xpath("//script | //img | //*[@onerror]")


def test_json_report_follows_the_contract(newsroom):
    changes = report_json(newsroom)
    assert sorted(c["url"] for c in changes) == sorted([newsroom.en, newsroom.zh, newsroom.hostile])
    for change in changes:
        assert CONTRACT_KEYS <= set(change)
        assert change["status"] == "changed" and change["version"] == 2 and change["error"] is None
        assert parse_iso(change["checked_at"]).tzinfo is not None and change["checked_at"].endswith("Z")
        for edit in change["edits"]:
            # Added fields: a body edit says which paragraph it was and is (README, JSON output); edits stored
            # since facts were kept carry their facts and intent.
            assert EDIT_KEYS <= set(edit) <= EDIT_KEYS | {"from", "to", "facts", "intent"}
            if edit["field"] == "body":
                positions = (
                    {"from", "to"}
                    if edit["op"] in ("replace", "move")
                    else {"to"}
                    if edit["op"] == "insert"
                    else {"from"}
                )
                assert positions <= set(edit)
            assert edit["class"] in {"typo", "substantive"}  # cosmetic left out without --all
            assert all(op in ("=", "-", "+") and isinstance(t, str) for op, t in edit["inline"])
    en = next(c for c in changes if c["url"] == newsroom.en)
    assert "correction_notice" in en["flags"]
    number = next(e for e in en["edits"] if e["old"] and "60 residents" in e["old"])
    assert ["-", "60"] in number["inline"] and ["+", "80"] in number["inline"]
    hostile = next(c for c in changes if c["url"] == newsroom.hostile)
    assert "headline_changed" in hostile["flags"]
    assert any(SCRIPT_TEXT in (e["new"] or "") for e in hostile["edits"])


def test_atom_report_is_a_valid_feed(newsroom):
    xml = ok(newsroom.data_dir, "report", "--format", "atom", "--all")
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.updated and parsed.feed.title
    changes = report_json(newsroom, "--all")
    assert len(parsed.entries) == len(changes) == 4
    assert len({e.id for e in parsed.entries}) == 4
    assert {e.link for e in parsed.entries} == {newsroom.en, newsroom.zh, newsroom.hostile, newsroom.quotes}
    assert parsed.entries[0].link == newsroom.quotes  # newest first: the cosmetic edit came last

    root = lxml.etree.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # required unless every entry has one
    entry_times = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        entry_times.append(parse_iso(entry.findtext(f"{ATOM}updated")))
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        body = lxml.html.fragment_fromstring(content.text, create_parent="div")
        assert body.xpath("//del | //ins")
        assert not body.xpath("//script | //img | //*[@onerror]")
    assert parse_iso(root.findtext(f"{ATOM}updated")) == max(entry_times)
    hostile = next(e for e in parsed.entries if e.link == newsroom.hostile)
    assert SCRIPT_TEXT in lxml.html.fragment_fromstring(hostile.content[0].value, create_parent="div").text_content()


# --- filters ------------------------------------------------------------------------------------------


def test_cosmetic_edits_only_with_all(newsroom):
    hidden = report_json(newsroom, newsroom.quotes)
    assert hidden == []
    (shown,) = report_json(newsroom, "--all", newsroom.quotes)
    assert shown["edits"] and {e["class"] for e in shown["edits"]} == {"cosmetic"}
    assert any(["+", "\u201c"] == op for e in shown["edits"] for op in e["inline"])


def test_window_tag_and_url_filters(newsroom):
    def urls(*args: str) -> set[str]:
        return {c["url"] for c in report_json(newsroom, "--all", *args)}

    everything = {newsroom.en, newsroom.zh, newsroom.hostile, newsroom.quotes}
    assert urls() == urls("--since", "1h") == everything
    boundary = iso(newsroom.boundary)
    assert urls("--from", boundary) == {newsroom.quotes}
    assert urls("--to", boundary) == {newsroom.en, newsroom.zh, newsroom.hostile}
    assert urls("--from", "2000-01-01", "--to", "2000-01-02") == set()
    days = sorted(c["checked_at"][:10] for c in report_json(newsroom, "--all"))
    assert urls("--from", days[0], "--to", days[-1]) == everything  # a bare --to date includes that whole day
    assert urls("--tag", "city") == {newsroom.en, newsroom.hostile}
    assert urls("--tag", "city", "--tag", "world") == {newsroom.en, newsroom.hostile, newsroom.zh}
    assert urls("--tag", "nobody") == set()
    assert urls(newsroom.zh, newsroom.quotes) == {newsroom.zh, newsroom.quotes}
    assert urls("--tag", "city", newsroom.zh) == set()  # both filters apply

    empty = ok(newsroom.data_dir, "report", "--from", "2000-01-01", "--to", "2000-01-02")
    assert "No edits in this window." in lxml.html.document_fromstring(empty).text_content()


@pytest.mark.browser
def test_class_and_flag_filters_are_shared_by_report_and_list(newsroom):
    def report_urls(*args: str) -> set[str]:
        return {c["url"] for c in report_json(newsroom, *args)}

    def listed(*args: str) -> set[str]:
        return {a["url"] for a in json.loads(ok(newsroom.data_dir, "list", "--json", *args))}

    everything = report_json(newsroom, "--all")

    def having(cls: str) -> set[str]:
        return {c["url"] for c in everything if any(e["class"] == cls for e in c["edits"])}

    assert newsroom.quotes in having("cosmetic") and newsroom.quotes not in having("substantive")
    assert report_urls("--class", "cosmetic") == listed("--class", "cosmetic") == having("cosmetic")
    assert report_urls("--class", "substantive") == listed("--class", "substantive") == having("substantive")
    only = report_json(newsroom, "--class", "cosmetic")
    assert {e["class"] for c in only for e in c["edits"]} == {"cosmetic"}  # asked for: shown without --all
    assert {e["class"] for c in report_json(newsroom, "--class", "substantive") for e in c["edits"]} == {"substantive"}
    flagged = {c["url"] for c in everything if "stealth" in c["flags"]}
    assert flagged and report_urls("--flag", "stealth") == listed("--flag", "stealth") == flagged
    assert newsroom.quotes not in report_urls("--class", "cosmetic", "--flag", "stealth")  # both filters apply
    summary = lxml.html.document_fromstring(ok(newsroom.data_dir, "report", "--class", "substantive"))
    table = summary.find_class("summary-table")[0]
    assert (
        len(table.xpath(".//tbody/tr")) == len(having("substantive"))
        and "substantive" in table.xpath(".//thead")[0].text_content()
    )
    assert "--class" in one_line_error(watcher(newsroom.data_dir, "list", "--class", "severe"))


# --- errors -------------------------------------------------------------------------------------------


def test_report_errors_are_one_line(newsroom, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # A path under a regular file cannot be written even by root, unlike a chmod-ed folder.
    line = one_line_error(watcher(newsroom.data_dir, "report", "-o", str(blocker / "report.html")))
    assert str(blocker / "report.html") in line
    assert "is a directory" in one_line_error(watcher(newsroom.data_dir, "report", "-o", str(tmp_path)))
    assert "not watching" in one_line_error(watcher(newsroom.data_dir, "report", "http://example.com/nope"))
    one_line_error(watcher(newsroom.data_dir, "report", "--since", "7d", "--from", "2026-01-01"))
    one_line_error(watcher(newsroom.data_dir, "report", "--from", "last tuesday"))
    assert "after" in one_line_error(watcher(newsroom.data_dir, "report", "--from", "2026-02-01", "--to", "2026-01-01"))
    one_line_error(watcher(newsroom.data_dir, "report", "--since", "soon"))


# --- a small PNG reader (no Pillow in the project) ---------------------------------------------------


def png_colours(png: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """Width, height and the set of RGB colours of an 8-bit RGB/RGBA PNG."""
    from test_card import decode_png

    width, height, rows = decode_png(png)
    return width, height, {px for row in rows for px in row}


def test_report_lang_words_labels_in_each_storys_language(newsroom):
    def sections(*args: str) -> dict[str, str]:
        doc = lxml.html.document_fromstring(ok(newsroom.data_dir, "report", *args))
        return {text_of(s.find_class("url")[0]): text_of(s) for s in doc.find_class("article")}

    auto = sections("--lang", "auto")
    zh, en = auto[newsroom.zh], auto[newsroom.en]
    assert "第 1 → 2 版" in zh and "Version" not in zh  # the Chinese story's own words: version, field, class
    assert "內文" in zh and any(word in zh for word in ("實質修改", "錯字修正", "格式修改", "段落移動"))
    assert "substantive" not in zh and "changed ·" not in zh
    assert "Version 1 → 2" in en and re.search(r"Body ¶\d+ · changed ·", en) and "第" not in en
    default = sections()  # English labels unless asked
    assert "Version 1 → 2" in default[newsroom.zh] and "第 1 → 2 版" not in default[newsroom.zh]
    forced = sections("--lang", "zh-Hant")
    assert "第 1 → 2 版" in forced[newsroom.en] and "內文" in forced[newsroom.en]

    md = ok(newsroom.data_dir, "report", "--format", "md", "--lang", "auto")
    zh_part = md.split(f"[{newsroom.zh}]", 1)[1].split("\n---\n", 1)[0]
    assert "### 第 1 → 2 版" in zh_part and "**內文** (" in zh_part
    assert "### Version 1 → 2" in md  # the English stories keep English
    assert "--lang" in one_line_error(watcher(newsroom.data_dir, "report", "--lang", "fr"))
