"""extract(): exact article fields on every fixture page, chrome kept out, site rules obeyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import journey
from support.fixture_sites import fixture_versions

from watcher.config import SiteRule
from watcher.errors import NoArticle
from watcher.extract import extract
from watcher.normalize import content_hash

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LAYOUTS = sorted(p.stem for p in (FIXTURES / "extract").glob("*.html"))
SITES = ["en-daily", "zh-daily"]
TEXT_FIELDS = ("headline", "dek", "byline", "body", "captions")


def _visible(article) -> str:
    return json.dumps([getattr(article, f) for f in TEXT_FIELDS], ensure_ascii=False)


def _site(site: str, version: str) -> tuple[str, dict]:
    manifest = json.loads((FIXTURES / "sites" / site / "story" / "manifest.json").read_text())
    return fixture_versions(f"{site}/story")[version], manifest


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_fixture_fields(name):
    html = (FIXTURES / "extract" / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "extract" / f"{name}.json").read_text(encoding="utf-8"))
    art = extract(html, expected["url"])
    assert art.headline == expected["headline"]
    assert art.body == expected["body"]
    assert art.captions == expected["captions"]
    for field in ("dek", "byline", "published", "modified", "extractor"):
        if field in expected:
            assert getattr(art, field) == expected[field], field
    for phrase in expected["must_not_appear"]:
        assert phrase not in _visible(art)


def test_layouts_cover_the_issue_list():
    assert {"jsonld-only", "microdata", "plain-article", "div-soup", "liveblog"} <= set(LAYOUTS)


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_site_fixture_matches_manifest(site, version):
    html, manifest = _site(site, version)
    art = extract(html, manifest["url"])
    want = manifest["versions"][version]
    for field, value in want.items():
        assert getattr(art, field) == value, field
    for phrase in manifest["must_not_appear"]:
        assert phrase not in _visible(art), phrase


def test_seed_like_page_headline_byline_body_caption_once_and_no_chrome():
    html, manifest = _site("zh-daily", "v1")
    art = extract(html, manifest["url"])
    assert art.headline == "舊書攤10美元買下皮箱 夾層竟藏百年郵票"
    assert art.byline == "記者林怡君／綜合報導"
    assert len(art.body) == 9
    assert art.body[0].startswith("美國俄勒岡州一名退休教師上月在波特蘭的舊書攤")
    assert "內襯縫線異常 意外發現夾層" in art.body  # sub-heads stay, in reading order
    assert art.body.index("內襯縫線異常 意外發現夾層") == 1
    caption = "美國俄勒岡州一名退休教師在舊書攤買下的皮箱，夾層中藏有數十枚早年郵票。圖為示意圖。(取自網路)"
    assert art.captions == [caption]  # on the page twice (alt and figcaption), here once
    assert all("示意圖" not in p for p in art.body)
    text = _visible(art)
    for chrome in (
        "我的頻道",
        "快訊",
        "熱門新聞",
        "超人氣",
        "延伸閱讀",
        "東北季風增強",
        "夜市老攤",
        "2026-11-20 07:05",
        "瀏覽數",
    ):
        assert chrome not in text


def test_truncated_json_ld_body_loses_to_richer_dom():
    html, manifest = _site("zh-daily", "v1")
    art = extract(html, manifest["url"])
    assert art.extractor == "dom"
    assert not art.body[0].endswith("…")


def test_v2_edits_are_visible_in_extraction():
    html1, manifest = _site("zh-daily", "v1")
    html2, _ = _site("zh-daily", "v2")
    a1, a2 = extract(html1, manifest["url"]), extract(html2, manifest["url"])
    assert "以10美元買下" in a1.body[0] and "以12美元買下" in a2.body[0]
    assert a2.body[-1].startswith("更正：")
    assert content_hash(a1) != content_hash(a2)


def _chrome_variants_en(html: str) -> str:
    html = html.replace(
        '<li><a href="/a1">School board delays vote on later start times</a> <time>2 hours ago</time></li>\n'
        '      <li><a href="/a2">Local bakery wins national sourdough prize</a> <time>5 hours ago</time></li>',
        '<li><a href="/a2">Local bakery wins national sourdough prize</a> <time>6 hours ago</time></li>\n'
        '      <li><a href="/a1">School board delays vote on later start times</a> <time>3 hours ago</time></li>',
    )
    html = html.replace("Oct 3, 2026", "Oct 4, 2026").replace("8 hours ago", "9 hours ago")
    for old, new in (("ad-top-8812", "ad-top-1"), ("ad-mid-3391", "ad-mid-77"), ("ad-side-5520", "ad-side-0")):
        html = html.replace(old, new)
    return html.replace("12,408 views", "13,002 views").replace("Comments (14)", "Comments (15)")


def _chrome_variants_zh(html: str) -> str:
    start = html.index('<h3 class="context-box__title">熱門新聞</h3>')
    end = html.index("</section>", start)
    block = html[start:end]
    items = block.split('<div class="context-box__item">')
    rotated = items[0] + '<div class="context-box__item">'.join([""] + items[2:] + items[1:2])
    rotated = rotated.replace("2026-11-19 18:42", "2026-11-21 10:02").replace("2026-11-20 21:30", "2026-11-21 11:15")
    html = html[:start] + rotated + html[end:]
    html = html.replace("颱風外圍環流影響 北部山區防大雨", "立委提案修法 延長育嬰假天數")
    return html.replace("ad-inread-77120", "ad-inread-91").replace("瀏覽數 3,218", "瀏覽數 4,077")


@pytest.mark.parametrize("site,mutate", [("en-daily", _chrome_variants_en), ("zh-daily", _chrome_variants_zh)])
def test_chrome_only_changes_leave_the_article_identical(site, mutate):
    html, manifest = _site(site, "v1")
    variant = mutate(html)
    assert variant != html
    original, changed = extract(html, manifest["url"]), extract(variant, manifest["url"])
    assert changed == original
    assert content_hash(changed) == content_hash(original)


def test_site_rule_overrides_generic_extraction():
    html, manifest = _site("en-daily", "v2")
    generic = extract(html, manifest["url"])
    assert generic.body[-1].startswith("Correction:")
    rule = SiteRule(domain="en-daily.example", headline="p.dek", body=".story-body", exclude=[".correction"])
    ruled = extract(html, "https://www.en-daily.example/story", [rule])
    assert ruled.extractor == "site-rule"
    assert ruled.headline == generic.dek
    assert ruled.body == generic.body[:-1]


def test_site_rule_for_another_domain_is_ignored():
    html, manifest = _site("en-daily", "v1")
    rule = SiteRule(domain="other.example", body=".comments")
    assert extract(html, manifest["url"], [rule]) == extract(html, manifest["url"])


def test_site_rule_fixes_a_page_generic_extraction_gets_wrong():
    html = (FIXTURES / "extract" / "div-soup.html").read_text(encoding="utf-8")
    rule = SiteRule(domain="town-news.example", headline="#c b", body="#l")
    art = extract(html, "http://town-news.example/n/harvest.html", [rule])
    assert art.body == [
        "Water main repair on Elm Road",
        "Scouts collect 2 tonnes of litter",
        "New bus timetable from Monday",
    ]


def test_bad_site_rule_selector_falls_back_to_generic():
    html, manifest = _site("en-daily", "v1")
    rule = SiteRule(domain="en-daily.example", body="div[[[")
    assert extract(html, manifest["url"], [rule]).body == manifest["versions"]["v1"]["body"]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><footer>© Site</footer></body></html>",
    ],
)
def test_page_without_article_raises_no_article(html):
    with pytest.raises(NoArticle, match=r"^no article found on https://x\.example/a$"):
        extract(html, "https://x.example/a")


def test_xml_declaration_and_entities_are_handled():
    html = (
        '<?xml version="1.0" encoding="utf-8"?><html><body><article><h1>T &amp; U</h1>'
        "<p>Caf&eacute; owners &lt;protest&gt; a rent rise of 20&nbsp;percent in the old town.</p></article></body></html>"
    )
    art = extract(html, "https://x.example/a")
    assert art.headline == "T & U"
    assert art.body == ["Café owners <protest> a rent rise of 20 percent in the old town."]


def test_site_rule_selecting_many_elements_reads_each_in_order():
    html, manifest = _site("en-daily", "v1")
    rule = SiteRule(domain="en-daily.example", body=".story-body p", captions=".lead-image .credit")
    art = extract(html, manifest["url"], [rule])
    expected = [p for p in manifest["versions"]["v1"]["body"] if p != "How the barrier works"]
    assert art.body == expected
    assert art.captions == ["Photo: Dana Whitfield"]


@pytest.mark.parametrize(
    "junk",
    [
        "<html>",
        "\x00\x01binary",
        "<frameset><frame src=a></frameset>",
        "<?xml version='1.0'?><rss><channel><item><title>x</title></item></channel></rss>",
    ],
)
def test_junk_input_is_no_article_not_a_crash(junk):
    with pytest.raises(NoArticle):
        extract(junk, "https://x.example/a")


def test_broken_json_ld_is_ignored():
    html = (
        "<script type='application/ld+json'>{bad json</script><article><h1>Hi</h1><p>"
        + "A full sentence here. " * 5
        + "</p></article>"
    )
    art = extract(html, "https://x.example/a")
    assert art.headline == "Hi"
    assert art.body == [("A full sentence here. " * 5).strip()]


def test_visible_headline_wins_over_stale_json_ld():
    """A CMS often leaves JSON-LD stale after an edit to the visible headline; readers see the <h1>."""
    page = """<html><head><script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "Council delays bridge vote"}</script></head>
    <body><header><h1 class="logo">The Daily</h1></header>
    <article><h1>Council approves bridge repairs after all</h1>
    <p>The city council voted on Tuesday to repair the Mill Street bridge, reversing last week's delay.</p>
    <p>Work is expected to start in the spring and to take about eighteen months, officials said.</p>
    </article></body></html>"""
    assert extract(page, "https://example.com/a").headline == "Council approves bridge repairs after all"


# ---------------------------------------------------------------- deep markup (issue 17 item 7)

_STORY = [
    "The harbour authority approved a plan on Monday to dredge the northern channel before winter storms.",
    "Fishing crews had asked for the work for three years, saying silt had grounded two boats in October.",
    "The dredging is expected to cost about four million and to take six weeks, the authority said.",
]


def _deep(depth: int, tag: str = "span", text: str = "before winter storms") -> str:
    return f"<{tag}>" * depth + text + f"</{tag}>" * depth


@pytest.mark.parametrize("depth", [300, 1500, 5000])
def test_word_under_deep_markup_keeps_the_whole_article(depth):
    """lxml's default parser stops at depth 256; Chromium keeps deeper trees, so must extraction."""
    first = _STORY[0].replace("before winter storms", _deep(depth))
    page = (
        f"<html><body><article><h1>Harbour channel to be dredged</h1><p>{first}</p>"
        f"<p>{_STORY[1]}</p><p>{_STORY[2]}</p></article></body></html>"
    )
    art = extract(page, "https://x.example/harbour")
    assert art.body == _STORY
    assert art.headline == "Harbour channel to be dredged"


@pytest.mark.parametrize("depth", [260, 3000])
def test_deep_widget_before_the_article_does_not_hide_it(depth):
    widget = f'<div class="widget">{_deep(depth, "div", "Loading")}</div>'
    page = (
        f"<html><body>{widget}<article><h1>Harbour channel to be dredged</h1>"
        + "".join(f"<p>{p}</p>" for p in _STORY)
        + "</article></body></html>"
    )
    art = extract(page, "https://x.example/harbour")
    assert art.body == _STORY


def test_hidden_text_past_the_depth_cap_stays_hidden():
    deep = "<div>" * 600 + f"<p>{_STORY[0]}</p><span style='display:none'>HIDDEN TRACKER</span>" + "</div>" * 600
    page = f"<html><body><article><h1>H</h1>{deep}<p>{_STORY[1]}</p><p>{_STORY[2]}</p></article></body></html>"
    assert extract(page, "https://x.example/harbour").body == _STORY


def test_json_ld_nested_too_deep_is_ignored_not_a_crash():
    deep = "[" * 100_000 + "]" * 100_000
    page = (
        f'<html><head><script type="application/ld+json">{deep}</script></head><body><article>'
        + "".join(f"<p>{p}</p>" for p in _STORY)
        + "</article></body></html>"
    )
    assert extract(page, "https://x.example/harbour").body == _STORY


# ---------------------------------------------------------------- headlines (issue 16 item 8)


def _page(head: str, body_top: str = "", meta: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in _STORY)
    return f"<html><head>{head}{meta}</head><body>{body_top}<div class='content'>{paras}</div></body></html>"


def test_visible_headline_wins_over_title_and_logo():
    page = _page(
        "<title>港務局核准疏浚北航道 | 要聞 | 即時新聞</title>",
        "<header><h1 class='logo'>海港日報</h1></header><h2>港務局核准疏浚北航道</h2>",
    )
    assert extract(page, "https://x.example/a").headline == "港務局核准疏浚北航道"


def test_title_fallback_loses_site_and_section_suffixes():
    page = _page("<title>港務局核准疏浚北航道 | 要聞 | 即時新聞</title>")
    assert extract(page, "https://x.example/a").headline == "港務局核准疏浚北航道"
    page = _page("<title>港務局核准疏浚北航道-公視新聞網</title>")
    assert extract(page, "https://x.example/a").headline == "港務局核准疏浚北航道-公視新聞網"  # no spaced separator
    page = _page("<title>Harbour channel to be dredged - Coastline Courier</title>")
    assert extract(page, "https://x.example/a").headline == "Harbour channel to be dredged"


def test_site_name_prefix_from_og_site_name_is_stripped():
    page = _page(
        "<title>Coastline Courier — Harbour channel to be dredged before winter</title>",
        meta="<meta property='og:site_name' content='Coastline Courier'>",
    )
    assert extract(page, "https://x.example/a").headline == "Harbour channel to be dredged before winter"


def test_site_suffix_is_learned_from_the_hosts_other_pages():
    suffix = " | The Coastline Courier and Harbour Gazette Online"  # too long to guess as a site name
    page = _page(f"<title>Harbour channel to be dredged{suffix}</title>")
    assert extract(page, "https://x.example/a").headline == f"Harbour channel to be dredged{suffix}"
    others = [f"Council approves the budget{suffix}", "Ferry timetable changes"]
    assert extract(page, "https://x.example/a", site_titles=others).headline == "Harbour channel to be dredged"


def test_a_heading_every_page_of_the_site_shows_is_not_the_headline():
    page = _page("<title>Coastline Courier</title>", "<div><h1>Coastline Courier</h1></div>")
    art = extract(page, "https://x.example/a", site_titles=["Coastline Courier", "Coastline Courier", "Ferry news"])
    assert art.headline == ""


def test_the_same_story_watched_under_two_urls_keeps_its_headline():
    page = _page("<title>Harbour channel to be dredged</title>", "<h1>Harbour channel to be dredged</h1>")
    art = extract(page, "https://x.example/a?amp=1", site_titles=["Harbour channel to be dredged", "Ferry news"])
    assert art.headline == "Harbour channel to be dredged"


def test_slideshow_caption_is_never_the_headline():
    page = _page(
        "<title>Harbour channel to be dredged - Courier</title>",
        "<div class='slideshow'><h1>A dredger at work in the northern channel, seen from the pier</h1></div>"
        "<figure><figcaption><h2>Photo: harbour authority</h2></figcaption></figure>"
        "<h1>Harbour channel to be dredged</h1>",
    )
    assert extract(page, "https://x.example/a").headline == "Harbour channel to be dredged"
    no_heading = _page(
        "<title>Harbour channel to be dredged - Courier</title>",
        "<div class='gallery'><h1>A dredger at work in the northern channel</h1></div>",
    )
    assert extract(no_heading, "https://x.example/a").headline == "Harbour channel to be dredged"


# ---------------------------------------------------------------- in-article widgets (issue 16 item 1a)


def _fixture(name: str) -> tuple[str, dict]:
    folder = FIXTURES / "extract"
    return (folder / f"{name}.html").read_text(encoding="utf-8"), json.loads((folder / f"{name}.json").read_text())


@pytest.mark.parametrize(
    "name,changes",
    [
        (
            "widgets-zh",
            [
                ("3545 人按讚", "3546 人按讚"),
                ("9168 點閱", "9201 點閱"),
                ("3 小時前", "4 小時前"),
                ("128 則", "131 則"),
            ],
        ),
        (
            "widgets-en",
            [
                ("1,204 views</span>", "1,377 views</span>"),
                ("12 comments</span>", "15 comments</span>"),
                ("3 minutes ago", "9 minutes ago"),
                ("Read time: 4 min", "Read time: 5 min"),
            ],
        ),
    ],
)
def test_widgets_inside_the_article_body_change_nothing(name, changes):
    html, expected = _fixture(name)
    reloaded = html
    for old, new in changes:
        assert old in reloaded
        reloaded = reloaded.replace(old, new)
    first, second = extract(html, expected["url"]), extract(reloaded, expected["url"])
    assert first.body == expected["body"]
    assert second == first


def test_story_lines_that_mention_counts_or_widget_words_are_kept():
    story = [
        "12 comments were filed by residents before the vote on the new ferry timetable.",
        "The clip had 1,204 views by Monday.",
        "Share prices fell 3 percent.",
        "Next, the council will vote.",
        "颱風3小時前登陸花蓮，各地嚴防強風豪雨。",
        "影片已有9168次點閱，市府仍未回應。",
        "Print editions will stop in May.",
    ]
    page = "<html><body><div class='article-body'>" + "".join(f"<p>{p}</p>" for p in story) + "</div></body></html>"
    assert extract(page, "https://x.example/a").body == story


# Characters an lxml tree cannot hold, raw and as references: each used to make extraction raise ("All strings
# must be XML compatible") once it sat next to a comment or an element extraction drops (issue 31).
UNFIT = ["\x1b", "\x08", "\x02", "\x1f", "\x0b", "\x00", "\ufffe", "&#x1b;", "&#27;", "&#X1F", "&#0;", "&#xd800;"]
STORY_LINE = "The harbour authority approved the new sea wall on Monday after a two-hour meeting with residents."


@pytest.mark.parametrize("char", UNFIT, ids=lambda c: c.encode("unicode_escape").decode())
@pytest.mark.parametrize(
    "shape",
    [
        "<p>Work starts in {c}spring<!-- note -->{c} and lasts a year.</p>",  # beside a comment
        "<div><span class='share-bar'>Share</span>{c} Work starts in spring.{c}</div><nav>Home</nav>{c}",
        "<p title='a{c}b'>Work starts{c} in spring.</p><script>var x = 1;</script>{c}<style>p{{}}</style>{c}",
    ],
    ids=["comment", "dropped", "script"],
)
def test_characters_a_tree_cannot_hold_are_dropped_not_fatal(char, shape):
    html = f"<html><body><article><h1>Sea wall{char} approved</h1><p>{STORY_LINE}</p>{shape.format(c=char)}</article></body></html>"
    art = extract(html, "https://news.example/wall")
    assert art.headline.startswith("Sea wall") and art.headline.endswith("approved")
    assert STORY_LINE in art.body
    text = "".join(json.loads(_visible(art))[3]) + art.headline
    assert not set(text) & set("\x1b\x08\x02\x1f\x0b\x00\ufffe")


def test_a_form_feed_is_a_space_and_a_broken_reference_a_replacement_character():
    html = (
        "<html><body><article><h1>Sea wall approved</h1>"
        f"<p>{STORY_LINE}</p><p>Work starts\x0cin spring&#12;at the quay &#0; and the pier.</p></article></body></html>"
    )
    art = extract(html, "https://news.example/wall")
    assert "Work starts in spring at the quay \ufffd and the pier." in art.body


def test_a_page_over_the_element_cap_is_refused_in_a_second_said_as_such():
    import time

    from watcher.errors import PageTooBig
    from watcher.extract.core import MAX_ELEMENTS

    rows = "".join(f"<p>Item {i} of a list nobody reads.</p>" for i in range(MAX_ELEMENTS + 10))
    started = time.monotonic()
    with pytest.raises(PageTooBig, match=r"too big to read: 30,01\d elements, more than the 30,000"):
        extract(f"<html><body><article><h1>Endless</h1>{rows}</article></body></html>", "https://news.example/a")
    assert time.monotonic() - started < 5
    # An SVG's drawing is not page text: a page of icons is read however many paths they have.
    icons = "<svg>" + "<path d='M0 0'/>" * (MAX_ELEMENTS + 10) + "</svg>"
    art = extract(
        f"<html><body><article><h1>Icons</h1><p>{STORY_LINE}</p>{icons}</article></body></html>", "https://n.example/b"
    )
    assert art.body == [STORY_LINE]


def test_extraction_past_its_deadline_stops_with_an_error():
    import time

    from watcher.errors import ExtractTimeout

    html = f"<html><body><article><h1>Sea wall</h1><p>{STORY_LINE}</p></article></body></html>"
    with pytest.raises(ExtractTimeout, match="longer than the check's deadline"):
        extract(html, "https://news.example/a", deadline=time.monotonic() - 1)
    assert extract(html, "https://news.example/a", deadline=time.monotonic() + 30).body == [STORY_LINE]


def test_json_ld_text_with_a_lone_surrogate_or_a_control_character_is_stored_and_hashed():
    from watcher.normalize import content_hash

    body = f"{STORY_LINE} \\ud800 Work starts \\u001bin spring."
    ld = json.dumps({"@type": "NewsArticle", "headline": "Sea wall \\udfff approved", "articleBody": body})
    html = f"<html><head><script type='application/ld+json'>{ld.replace(chr(92) * 2, chr(92))}</script></head><body><p>x</p></body></html>"
    art = extract(html, "https://news.example/wall")
    assert art.headline == "Sea wall \ufffd approved"
    assert art.body == [f"{STORY_LINE} \ufffd Work starts in spring."]
    assert content_hash(art)  # was UnicodeEncodeError: surrogates not allowed


# ---------------------------------------------------------------- hidden copies of an unspaced story

_ZH_STORY = [
    "港務局週二宣布，東岸新碼頭的第一期工程將於明年春季動工，預計耗資二十四億元，工期約三年。",
    "局方表示，新碼頭建成後可同時停靠四艘大型貨輪，並將分流現有西岸碼頭約三成的貨運量。",
    "附近漁民擔心施工期間的噪音與泥沙會影響漁獲，要求局方在冬季暫停打樁作業並提供補償。",
    "港務局長在記者會上回應說，環境評估報告已經完成，將在下個月公開並舉辦三場說明會。",
]


def _zh_page_with_hidden_copy(shown: list[str]) -> str:
    # The CMS's machine copy of the story as first published: one block, display:none, under microdata.
    paragraphs = "".join(f"<p>{p}</p>" for p in shown)
    return (
        "<html lang='zh-Hant'><head><meta charset='utf-8'><title>東岸新碼頭明年動工</title></head><body>"
        f"<main><article><h1>東岸新碼頭明年動工</h1>{paragraphs}</article></main>"
        '<div style="display:none" itemscope itemtype="https://schema.org/NewsArticle">'
        f'<div itemprop="articleBody">{"".join(_ZH_STORY)}</div></div></body></html>'
    )


def test_a_hidden_copy_of_an_unspaced_chinese_story_is_recognised_and_the_shown_story_extracted():
    edited = [_ZH_STORY[0].replace("二十四億元", "三十一億元"), *_ZH_STORY[1:]]
    art = extract(_zh_page_with_hidden_copy(edited), "https://x.example/zh/harbour")
    assert art.body == edited  # the story the reader sees, with its edit, not the hidden copy's single block


def test_in_article_lists_that_change_on_every_load_do_not_change_which_reading_of_the_story_is_kept():
    # A feature page with no marked body: trafilatura keeps or drops whole sections as the rotating "most read
    # now" line grows or shrinks, and the DOM reading leaves the line and the "More great stories" list out.
    # Each load, whatever its line and list, is read as the same story, every section of it.
    bodies = [extract(journey.feature_page(n).decode(), "https://valley.example/planner").body for n in range(12)]
    assert bodies == [journey.STORY] * 12
    edited = extract(journey.feature_page(3, edited=True).decode(), "https://valley.example/planner").body
    assert edited == [p.replace(journey.EDITED_FROM, journey.EDITED_TO) for p in journey.STORY]


# ---------------------------------------------------------------- trafilatura's reading of one paragraph

_INLINE_STORY = [
    "The council voted on Tuesday to replace the old harbour crane with a new electric model by next spring.",
    "Engineers said the work would take about six months and cost far less than repairing the existing crane.",
    "To follow the vote, residents can run <code>council-feed --live</code> on the library's public terminals.",
    "The chair said, <q>We will not wait another winter</q>, before the motion passed by seven votes to two.",
    "Fishermen asked for the work to pause during the<code> autumn </code>season, when landings are highest.",
]


def test_trafilatura_reads_a_paragraph_with_inline_code_or_a_quote_in_it_as_one_paragraph():
    # Trafilatura writes an inline <code> or <q> as its <code> and <quote> elements inside the <p>: they are
    # words of the sentence, not blocks of their own, as the DOM reading reads them.
    from lxml import html as lxml_html

    from watcher.extract.body import _trafilatura_paragraphs

    paragraphs = "".join(f"<p>{p}</p>" for p in _INLINE_STORY)
    root = lxml_html.document_fromstring(
        f"<html><head><title>Crane</title></head><body><article><h1>Crane</h1>{paragraphs}</article></body></html>"
    )
    expected = [lxml_html.fragment_fromstring(f"<p>{p}</p>").text_content() for p in _INLINE_STORY]
    assert _trafilatura_paragraphs(root)[-5:] == [" ".join(p.split()) for p in expected]


def test_trafilatura_reads_a_table_row_with_inline_code_in_a_cell_as_one_row():
    # An inline <code> or <q> in a data table's cell does not make the row a layout row of blocks.
    from lxml import html as lxml_html

    from watcher.extract.body import _trafilatura_paragraphs

    rows = "".join(
        f"<tr><td>{command}</td><td>{what}</td></tr>"
        for command, what in [
            ("Command", "What it does for the person who runs it"),
            ("run <code>watcher add URL</code> first", "Starts watching the page, then <q>checks</q> it on a schedule"),
            ("then <code>watcher list</code>", "Shows every watched page with its last check"),
        ]
    )
    story = "".join(f"<p>{p}</p>" for p in _INLINE_STORY[:2])
    root = lxml_html.document_fromstring(
        f"<html><head><title>Tool</title></head><body><article><h1>Tool</h1>{story}<table>{rows}</table>"
        f"{story}</article></body></html>"
    )
    paragraphs = _trafilatura_paragraphs(root)
    assert "watcher add URL" not in paragraphs and "run" not in paragraphs, paragraphs
    assert any(p.startswith("run watcher add URL first") for p in paragraphs), paragraphs
