"""Reports in every format, built from real model objects and read back the way a reader or a feed reader would."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import lxml.etree
import lxml.html
import pytest
from markdown_it import MarkdownIt
from support.versions import edited_versions

from watcher.diff import diff_articles
from watcher.errors import BadInput
from watcher.models import Article, Edit, Version, WatchedArticle
from watcher.report import ReportEntry, ReportOptions, render_report

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
GENERATED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"

MAYOR = "https://news.example/2026/11/mayor-budget"
ZH = "https://zh.example/news/typhoon"
TIDY = "https://news.example/tidy"
GONE = "https://news.example/gone"
EVIL = "javascript:alert(1)"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MD_LINK = "[click here](https://evil.example/phish)"


def version(
    url: str, number: int, hours: float, headline: str, body: list[str], *, edits=(), flags=(), event=None, lang="en"
) -> Version:
    return Version(
        url=url,
        number=number,
        captured_at=T0 + timedelta(hours=hours),
        content_hash=f"{url}#{number}",
        article=Article(headline=headline, body=list(body), lang=lang),
        flags=list(flags),
        edits=list(edits),
        event=event,
    )


def edited(before: Version, hours: float, headline: str, body: list[str], *, flags=()) -> Version:
    """The version after `before`, with the edits the differ finds between the two (inline pieces included)."""
    lang = before.article.lang
    edits = diff_articles(before.article, Article(headline=headline, body=list(body), lang=lang)).edits
    return version(before.url, before.number + 1, hours, headline, body, edits=edits, flags=flags, lang=lang)


def watched(url: str, headline: str) -> WatchedArticle:
    return WatchedArticle(url=url, added_at=T0, headline=headline)


def mayor_entries() -> list[ReportEntry]:
    """Three versions: a number changed (plus a cosmetic fix), then the headline and a correction."""
    art = watched(MAYOR, "Council passes budget")
    v1 = version(MAYOR, 1, 0, "Mayor's budget passes", ["The council voted 5 to 4.", "Spending rises  sharply."])
    v2 = edited(
        v1, 2, "Mayor's budget passes", ["The council voted 6 to 3.", "Spending rises sharply."], flags=["stealth"]
    )
    v3 = version(
        MAYOR,
        3,
        30,
        "Council passes budget",
        ["The council voted 6 to 3.", "Spending rises sharply.", "Correction: an earlier version misstated the vote."],
        edits=[
            Edit(
                "headline",
                "replace",
                "Mayor's budget passes",
                "Council passes budget",
                "substantive",
                [("-", "Mayor's"), ("+", "Council passes"), ("=", " budget"), ("-", " passes")],
            ),
            Edit("body", "insert", None, "Correction: an earlier version misstated the vote.", "substantive", []),
        ],
        flags=["headline_changed", "correction_notice", "ab_test"],
    )
    return [ReportEntry(art, v1, v2), ReportEntry(art, v2, v3)]


def zh_entry() -> ReportEntry:
    art = watched(ZH, "颱風逼近　全台戒備")
    v1 = version(ZH, 1, 1, "颱風逼近　全台戒備", ["氣象局表示，颱風將於週三登陸。"], lang="zh-Hant")
    v2 = edited(v1, 20, "颱風逼近　全台戒備", ["氣象局表示，颱風將於週四登陸。"], flags=["stealth"])
    return ReportEntry(art, v1, v2)


def cosmetic_entry() -> ReportEntry:
    art = watched(TIDY, "Tidy story")
    v1 = version(TIDY, 1, 0, "Tidy story", ["Hello  world."])
    v2 = edited(v1, 10, "Tidy story", ["Hello world."])
    return ReportEntry(art, v1, v2)


def removed_entry() -> ReportEntry:
    art = watched(GONE, "Story taken down")
    v1 = version(GONE, 1, 0, "Story taken down", ["Text."])
    v2 = version(GONE, 2, 5, "Story taken down", ["Text."], event="removed", flags=["removed"])
    return ReportEntry(art, v1, v2)


def hostile_entry() -> ReportEntry:
    """A page whose text tries to become markup in every format, at a URL that must never become a link."""
    headline = f"Breaking {SCRIPT} news"
    art = watched(EVIL, headline)
    old_text = f"Plain text {MD_LINK} and **bold** ~~gone~~ `code` | cell # title _em_"
    new_text = f"Plain text {IMG} and more"
    v1 = version(EVIL, 1, 0, headline, [old_text])
    v2 = version(
        EVIL,
        2,
        3,
        headline,
        [new_text],
        edits=[
            Edit(
                "body",
                "replace",
                old_text,
                new_text,
                "substantive",
                [("=", "Plain text "), ("-", old_text[len("Plain text ") :]), ("+", new_text[len("Plain text ") :])],
            )
        ],
    )
    return ReportEntry(art, v1, v2)


def all_entries() -> list[ReportEntry]:
    return [*mayor_entries(), zh_entry(), cosmetic_entry(), removed_entry()]


def render(entries, fmt, include_cosmetic=False, **kw) -> str:
    options = ReportOptions(generated_at=GENERATED, title="Weekly edits", window="last 7 days", **kw)
    return render_report(entries, fmt, options, include_cosmetic=include_cosmetic)


def html_tree(entries, **kw):
    return lxml.html.document_fromstring(render(entries, "html", **kw))


def md_tree(entries, **kw):
    """The Markdown as GitHub would turn it into HTML (CommonMark with raw HTML on, plus strikethrough)."""
    md = MarkdownIt("commonmark").enable("strikethrough").enable("table")
    return lxml.html.fragment_fromstring(md.render(render(entries, "md", **kw)), create_parent="div")


def texts(elements) -> list[str]:
    return [e.text_content() for e in elements]


# ---------------------------------------------------------------- HTML


def test_html_shows_inline_deletions_and_insertions():
    tree = html_tree(all_entries())
    assert {"5", "4", "三", "Mayor's"} <= set(texts(tree.iter("del")))
    assert {"6", "3", "四", "Council passes"} <= set(texts(tree.iter("ins")))
    change_ids = tree.xpath("//article/@id")
    assert len(change_ids) == len(set(change_ids)) == 4, "each version change has its own anchor"


def test_html_edit_count_matches_edit_elements():
    tree = html_tree(all_entries())
    edits = tree.find_class("edit")
    # 1 substantive edit in v2 and 2 in v3 of the mayor story, 1 in the zh story; cosmetic ones hidden.
    assert len(edits) == 4
    assert tree.body.get("data-edit-count") == "4"
    summary = tree.find_class("summary")[0]
    assert summary.get("data-edit-count") == "4"
    assert "3 articles" in summary.text_content() and "4 edits" in summary.text_content()


def test_html_toc_links_resolve_to_article_sections_newest_first():
    tree = html_tree(all_entries())
    links = tree.xpath('//nav[contains(@class,"toc")]//a')
    assert len(links) == 3
    targets = []
    for a in links:
        href = a.get("href")
        assert href.startswith("#")
        (section,) = tree.xpath("//*[@id=$id]", id=href[1:])
        assert section.tag == "section"
        assert section.find("h2").text_content() == a.text_content()
        targets.append(section)
    # The mayor story changed last (hour 30), then the zh story (20); the removed story (5) is last.
    assert [t.find("h2").text_content() for t in targets] == [
        "Council passes budget",
        "颱風逼近　全台戒備",
        "Story taken down",
    ]
    mayor_changes = texts(targets[0].xpath(".//h3"))
    assert mayor_changes == ["Version 2 → 3", "Version 1 → 2"]
    assert targets[1].get("lang") == "zh-Hant"


def test_html_shows_urls_times_and_flags():
    tree = html_tree(all_entries())
    mayor = tree.xpath("//section")[0]
    assert [h for h in mayor.xpath(".//a/@href") if h != "#contents"] == [MAYOR]  # and a link back to the top
    times = mayor.xpath(".//time/@datetime")
    assert "2026-11-21T14:00:00Z" in times and "2026-11-20T10:00:00Z" in times
    flags = texts(mayor.find_class("flag"))
    assert {"Headline changed", "Correction notice", "Headline A/B test", "Stealth edit"} <= set(flags)
    gone = tree.xpath("//section")[2]
    assert "removed" in gone.text_content()
    assert not gone.find_class("edit")


def test_html_page_text_is_text_never_markup():
    page = render([hostile_entry()], "html")
    tree = lxml.html.document_fromstring(page)
    assert not tree.xpath("//script | //img | //*[@onerror]")
    body_text = tree.body.text_content()
    assert SCRIPT in body_text and IMG in body_text
    assert not [h for h in tree.xpath("//@href") if "javascript" in h.lower()]
    assert EVIL in body_text  # the URL is still shown, as text
    assert "<script>" not in page.split("</style>", 1)[1]


def test_html_is_self_contained_and_phone_readable():
    page = render(all_entries(), "html")
    tree = lxml.html.document_fromstring(page)
    assert not tree.xpath("//link | //script | //img | //iframe | //object | //embed | //@src")
    for href in tree.xpath("//@href"):
        assert href.startswith("#") or href.startswith(("http://", "https://"))
        assert tree.xpath("//a[@href=$h]", h=href), "every href is an anchor"
    style = tree.xpath("//style")[0].text
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "prefers-color-scheme: dark" in style
    assert '"Noto Sans CJK TC"' in style
    assert "overflow-wrap: anywhere" in style and "max-width" in style
    assert tree.xpath('//meta[@name="viewport"]/@content') == ["width=device-width, initial-scale=1"]


def test_html_cosmetic_edits_only_on_request():
    default = html_tree(all_entries())
    assert "Tidy story" not in default.text_content()
    everything = html_tree(all_entries(), include_cosmetic=True)
    assert "Tidy story" in everything.text_content()
    assert everything.body.get("data-edit-count") == "6"
    cosmetic = [e for e in everything.find_class("edit") if e.get("data-class") == "cosmetic"]
    assert len(cosmetic) == 2


def test_html_empty_report_says_so():
    tree = html_tree([cosmetic_entry()])
    assert "No edits in this window" in tree.text_content()
    assert tree.body.get("data-edit-count") == "0"


def test_unknown_format_is_bad_input():
    with pytest.raises(BadInput, match="pdf"):
        render(all_entries(), "pdf")


# ---------------------------------------------------------------- Markdown


def test_markdown_has_the_edits_as_deletions_and_insertions():
    md = render(all_entries(), "md")
    assert "  - Before: The council voted ~~5~~ to ~~4~~.\n  - After: The council voted **6** to **3**." in md
    assert "Before: 氣象局表示，颱風將於週~~三~~登陸。" in md and "After: 氣象局表示，颱風將於週**四**登陸。" in md
    tree = md_tree(all_entries())
    assert {"5", "三", "Mayor's"} <= set(texts(tree.iter("s", "del")))
    assert {"6", "四", "Council passes", "Correction: an earlier version misstated the vote."} <= set(
        texts(tree.iter("strong", "ins"))
    )
    headings = texts(tree.iter("h2"))
    assert headings[:1] == ["Contents"]
    assert headings[1:] == ["Council passes budget", "颱風逼近　全台戒備", "Story taken down"]
    assert tree.xpath("//a/@href")[0] == MAYOR
    assert {"Headline changed", "Correction notice", "Headline A/B test"} <= set(texts(tree.iter("strong")))


def test_markdown_marks_punctuation_next_to_words():
    art = watched(MAYOR, "h")
    old = version(MAYOR, 1, 0, "h", ["The mayor said"])
    new = version(
        MAYOR,
        2,
        1,
        "h",
        ["The mayor, said"],
        edits=[
            Edit(
                "body",
                "replace",
                "The mayor said",
                "The mayor, said",
                "typo",
                [("=", "The mayor"), ("+", ","), ("=", " said")],
            ),
        ],
    )
    tree = md_tree([ReportEntry(art, old, new)])
    # "**" between a letter and a comma would not open emphasis on GitHub; the insertion must still show.
    assert texts(tree.iter("strong", "ins"))[-1] == ","


def test_markdown_escapes_injected_markup():
    md = render([hostile_entry()], "md")
    assert SCRIPT not in md and IMG not in md
    tree = md_tree([hostile_entry()])
    assert not tree.xpath("//script | //img | //a | //code | //table | //h1[contains(., 'title')]")
    text = tree.text_content()
    assert SCRIPT in text and IMG in text and MD_LINK in text
    assert "**bold**" in text and "`code`" in text
    assert EVIL in text


# ---------------------------------------------------------------- JSON


def test_json_follows_the_contract_one_object_per_version_change():
    data = json.loads(render(all_entries(), "json"))
    assert [(d["url"], d["version"]) for d in data] == [(MAYOR, 3), (MAYOR, 2), (ZH, 2), (GONE, 2)]
    keys = {
        "url",
        "status",
        "version",
        "checked_at",
        "error",
        "flags",
        "edits",
        "headline",
        "from_version",
        "captured_at",
        "copies",  # added: the newer version's third-party copies ([] when none)
        "source",  # added: where the newer version's page came from
    }
    # "summary" was added (the contract grows by adding): on each change with edits that carry facts.
    assert all(set(d) - {"summary"} == keys for d in data)
    assert all(bool(d.get("summary")) == any("facts" in e for e in d["edits"]) for d in data)
    assert any(d.get("summary") for d in data)
    latest = data[0]
    assert latest["status"] == "changed" and latest["error"] is None and latest["from_version"] == 2
    assert latest["captured_at"] == latest["checked_at"] == "2026-11-21T14:00:00Z"
    assert latest["flags"] == ["headline_changed", "correction_notice", "ab_test"]
    assert latest["edits"][0] == {
        "field": "headline",
        "op": "replace",
        "old": "Mayor's budget passes",
        "new": "Council passes budget",
        "class": "substantive",
        "inline": [["-", "Mayor's"], ["+", "Council passes"], ["=", " budget"], ["-", " passes"]],
    }
    assert [len(d["edits"]) for d in data] == [2, 1, 1, 0]
    assert data[3]["status"] == "removed"


def test_json_keeps_cjk_readable_and_cosmetic_on_request():
    text = render(all_entries(), "json")
    assert "颱風逼近" in text
    data = json.loads(render(all_entries(), "json", include_cosmetic=True))
    assert len(data) == 5
    assert [e["class"] for e in data[1]["edits"]] == ["substantive", "cosmetic"]


# ---------------------------------------------------------------- Atom


def test_atom_is_a_valid_feed_with_one_entry_per_version_change():
    xml = render(all_entries(), "atom")
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Weekly edits"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.updated == "2026-11-21T14:00:00Z"  # the newest change, not the render time
    assert len(feed.entries) == 4
    first = feed.entries[0]
    assert first.link == MAYOR
    assert first.updated == "2026-11-21T14:00:00Z"
    assert first.title.startswith("Council passes budget — headline changed")
    assert len({e.id for e in feed.entries}) == 4
    content = lxml.html.fragment_fromstring(first.content[0].value, create_parent="div")
    assert texts(content.iter("ins"))[0] == "Council passes"

    root = lxml.etree.fromstring(xml.encode())
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{child}") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for child in ("id", "title", "updated", "content"):
            assert (entry.find(f"{ATOM}{child}").text or "").strip()
        assert entry.find(f"{ATOM}content").get("type") == "html"


def test_atom_ids_are_stable_across_renders():
    def ids(xml):
        return [e.id for e in feedparser.parse(xml).entries]

    first = render(all_entries(), "atom")
    later = render_report(
        all_entries()[2:], "atom", ReportOptions(generated_at=GENERATED + timedelta(days=3), title="Weekly edits")
    )
    assert ids(later) == ids(first)[2:]
    assert feedparser.parse(later).feed.id == feedparser.parse(first).feed.id


def test_atom_escapes_page_text_and_drops_unsafe_links():
    entry = hostile_entry()
    entry.new.edits[0].inline.append(("+", " bell\x07 and nul\x00"))
    xml = render([entry], "atom")
    root = lxml.etree.fromstring(xml.encode())  # would raise on raw control characters
    (atom_entry,) = root.findall(f"{ATOM}entry")
    assert atom_entry.find(f"{ATOM}link") is None
    assert SCRIPT in atom_entry.find(f"{ATOM}title").text
    content = lxml.html.fragment_fromstring(atom_entry.find(f"{ATOM}content").text, create_parent="div")
    assert not content.xpath("//script | //img")
    assert IMG in content.text_content()


def test_atom_empty_feed_is_still_valid():
    feed = feedparser.parse(render([], "atom"))
    assert not feed.bozo and feed.entries == [] and feed.feed.updated == "2026-11-25T12:00:00Z"


# ---------------------------------------------------------------- with the real diff


def test_report_of_diff_articles_output():
    old = Article(headline="Fire downtown", body=["Three people were hurt.", "Police closed the road."])
    new = Article(headline="Fire downtown", body=["Five people were hurt.", "Police closed the road."])
    v1, v2 = edited_versions(MAYOR, old, new, T0)
    tree = html_tree([ReportEntry(watched(MAYOR, "Fire downtown"), v1, v2)])
    assert "Three" in "".join(texts(tree.iter("del"))) and "Five" in "".join(texts(tree.iter("ins")))


# ---------------------------------------------------------------- terminal escapes and bidi controls

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"  # retitle the terminal, clear it, an 8-bit CSI
RLO = "\u202e"  # right-to-left override: would print watcher's labels after it backwards
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_entry() -> ReportEntry:
    url = "https://news.example/escapes"
    old = version(url, 1, 1, "Calm headline", ["A quiet paragraph."])
    new = version(
        url,
        2,
        2,
        f"Loud {ESCAPES}{RLO}headline",
        [f"A loud {ESCAPES} paragraph{RLO} here."],
        edits=[Edit("body", "replace", "A quiet paragraph.", f"A loud {ESCAPES} paragraph{RLO} here.", "substantive")],
    )
    return ReportEntry(watched(url, "Calm headline"), old, new)


def report_on_stdout(tmp_path, entry: ReportEntry, fmt: str) -> str:
    """`watcher report --format FMT` with no -o, run in-process on a real store holding the entry."""
    from watcher.app.cli import main
    from watcher.app.console import Environment
    from watcher.models import VersionDiff
    from watcher.store import open_store

    store = open_store(tmp_path)
    store.add_article(entry.new.url, now=entry.old.captured_at)
    for v in (entry.old, entry.new):
        store.save_version(v.url, v.article, html=None, diff=VersionDiff(edits=v.edits), captured_at=v.captured_at)
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(SystemExit) as stop:
        main(["--data-dir", str(tmp_path), "report", "--format", fmt, "--from", "2026-11-01"], env=env)
    assert stop.value.code == 0, env.stderr.getvalue()
    return env.stdout.getvalue()


@pytest.mark.parametrize("fmt", ["html", "md", "atom", "json"])
def test_report_on_stdout_never_prints_a_raw_escape_sequence(tmp_path, fmt):
    out = report_on_stdout(tmp_path, escape_entry(), fmt)
    assert "Loud" in out and "loud" in out
    assert not RAW.search(out.replace("\n", "").replace("\t", ""))
    if fmt == "json":
        assert RLO not in out and json.loads(out)[0]["edits"][0]["new"].count(ESCAPES) == 1  # same value, escaped
    if fmt == "md":
        assert RLO not in out  # Markdown cannot isolate, so the override is shown as \u202e


def test_html_isolates_page_text_so_bidi_overrides_cannot_reorder_labels():
    tree = html_tree([escape_entry()])
    headline = tree.xpath("//section/h2")[0]
    assert headline.get("dir") == "auto" and [child.tag for child in headline] == ["bdi"]
    toc_item = tree.xpath("//nav//tbody/tr/th")[0]
    assert toc_item.xpath("./a/bdi") and toc_item.xpath("./span/bdi")  # headline and host, each isolated
    assert RLO in headline.text_content()  # kept for right-to-left text, but confined to its <bdi>
    assert all(p.get("dir") == "auto" for p in tree.find_class("diff"))
    assert "␛]0;pwned" in headline.text_content()  # escapes shown as visible stand-ins


def test_console_lines_neutralise_server_text():
    from watcher.app.console import Environment

    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), width=200)
    env.error(f"https://feed.example/rss: HTTP 500 {ESCAPES}Server Error")
    env.info(f"FAILED json://127.0.0.1/… [abc123]: HTTP 403 {RLO}Forbidden")
    env.print_json({"error": f"HTTP 502 {ESCAPES}{RLO}"})
    err, out = env.stderr.getvalue(), env.stdout.getvalue()
    assert not RAW.search(err.replace("\n", "")) and RLO not in err and "HTTP 500 ␛]0;pwned" in err
    assert not RAW.search(out.replace("\n", "")) and RLO not in out
    assert json.loads(out)["error"] == f"HTTP 502 {ESCAPES}{RLO}"


def test_lang_auto_words_each_storys_labels_in_its_language_and_leaves_json_alone():
    zh_gone = ReportEntry(
        watched(ZH + "-gone", "颱風新聞"),
        version(ZH + "-gone", 1, 0, "颱風新聞", ["內容。"], lang="zh-Hant"),
        version(ZH + "-gone", 2, 6, "颱風新聞", ["內容。"], lang="zh-Hant", event="removed", flags=["removed"]),
    )
    entries = [zh_entry(), zh_gone, removed_entry()]
    tree = html_tree(entries, lang="auto")
    sections = {s.find_class("url")[0].text_content(): s.text_content() for s in tree.find_class("article")}
    zh, gone, en = sections[ZH], sections[ZH + "-gone"], sections[GONE]
    assert (
        "第 1 → 2 版" in zh and "內文 第 1 段 · 修改 · 實質修改" in zh and "未註明的修改" in zh and "changed" not in zh
    )
    assert "這篇報導已被撤下。" in gone and "The article was" not in gone
    assert "Version 1 → 2" in en and "The article was removed in this version." in en
    english = html_tree(entries).text_content()  # the default keeps English labels
    assert "第 1 → 2 版" not in english and "Stealth edit" in english

    md = render(entries, "md", lang="auto")
    assert "### 第 1 → 2 版" in md and "**內文** (第 1 段、修改、實質修改)" in md and "*這篇報導已被撤下。*" in md
    assert "*The article was removed in this version.*" in md
    assert render(entries, "json", lang="zh-Hant") == render(entries, "json")


def test_every_report_format_says_what_changed_in_words():
    art = watched(MAYOR, "Flood toll")
    v1 = version(MAYOR, 1, 0, "Flood toll", ["Three people died in the flood, police said."])
    v2 = edited(v1, 2, "Flood toll", ["Five people died in the flood, police said."])
    words = "people: Three → Five (¶1)"
    html = lxml.html.fromstring(render([ReportEntry(art, v1, v2)], "html"))
    assert [p.text_content() for p in html.cssselect("p.what-changed")] == [words]
    assert words in render([ReportEntry(art, v1, v2)], "md")
    feed = feedparser.parse(render([ReportEntry(art, v1, v2)], "atom"))
    assert feed.entries[0].title == f"Flood toll — {words}"
    objects = json.loads(render([ReportEntry(art, v1, v2)], "json"))
    assert objects[0]["edits"][0]["intent"] == "fact" and objects[0]["edits"][0]["facts"][0]["new"] == "Five"
    assert objects[0]["summary"] == words
    zh = lxml.html.fromstring(render([ReportEntry(art, v1, v2)], "html", lang="zh-Hant"))
    assert zh.cssselect("p.what-changed")[0].text_content() == "people：Three → Five（第 1 段）"
