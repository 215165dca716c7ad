"""Extraction by structure: the dek under the headline, in-article modules told by their shape, bodies that are not <p>.

Each page here is written for its rule (our own text, shaped like the layouts that broke on real sites), and each
rule is tested both ways: the module or the dek leaves the body, and a real story line that looks a little like
one stays.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from support.fixture_sites import fixture_versions

from watcher.diff import diff_articles
from watcher.extract import extract

URL = "https://news.example/2026/12/harbour-dredging"
HEADLINE = "Harbour dredging to start in spring after years of delay"
DEK = "The council approved the plan on Tuesday; boats will use the south basin while crews work."
STORY = [
    "The harbour board voted on Tuesday to begin dredging the inner channel in April, ending a delay that "
    "began when the first contractor walked away from the job.",
    "Silt has narrowed the channel to a single lane at low tide, and two ferries have touched bottom this year.",
    "The work will cost 4.1 million and should take eleven weeks, the board's engineer told the meeting.",
    "Fishing crews said they welcomed the decision but feared losing a season of landings.",
]


def page(article: str, head: str = "", after: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(HEADLINE)} | Harbour News</title>{head}</head><body>
<header><a href="/">Harbour News</a><nav><a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main>{article}</main>{after}
<footer><p>Harbour News, all rights reserved.</p></footer></body></html>"""


def paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in lines)


# --- the dek ------------------------------------------------------------------------------------------------------


def dek_page(dek: str = DEK, description: str | None = None) -> str:
    description = dek if description is None else description
    return page(
        f'<article><h1>{escape(HEADLINE)}</h1><p class="dek">{escape(dek)}</p>'
        f'<p class="byline">By Ada Moreno</p>{paragraphs(STORY)}</article>',
        head=f'<meta property="og:description" content="{escape(description)}">',
    )


def test_standfirst_under_the_headline_is_the_dek_and_not_the_first_paragraph():
    art = extract(dek_page(), URL)
    assert art.dek == DEK
    assert art.body == STORY


def test_standfirst_is_the_dek_even_when_the_description_repeats_the_first_paragraph():
    # The meta description is the lead cut short (a "lead copy"); the visible standfirst is still the dek.
    art = extract(dek_page(description=STORY[0][:90] + "…"), URL)
    assert art.dek == DEK
    assert art.body == STORY


def test_description_that_copies_the_first_paragraph_is_still_no_dek():
    html = page(
        f"<article><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY)}</article>",
        head=f'<meta name="description" content="{escape(STORY[0][:100])}…">',
    )
    art = extract(html, URL)
    assert art.dek == ""
    assert art.body == STORY


def test_a_first_paragraph_classed_summary_stays_in_the_body():
    first = f'<p class="summary">{escape(STORY[0])}</p>'
    html = page(f"<article><h1>{escape(HEADLINE)}</h1>{first}{paragraphs(STORY[1:])}</article>")
    art = extract(html, URL)
    assert art.body == STORY
    assert art.dek == ""


def test_a_promo_summary_far_from_the_headline_is_not_the_dek():
    promo = '<aside><div class="teaser"><p class="summary">Another story entirely, about the new library wing.</p></div></aside>'
    html = page(f"<article><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY)}</article>", after=promo)
    art = extract(html, URL)
    assert art.dek == ""
    assert art.body == STORY


def test_rewriting_the_dek_is_a_dek_edit_not_body_edits():
    old = extract(dek_page(), URL)
    new = extract(dek_page(dek="The council approved the plan on Tuesday; ferries will use the south basin."), URL)
    edits = diff_articles(old, new).edits
    assert [e.field for e in edits] == ["dek"]


def test_explain_says_the_dek_came_from_the_standfirst_element():
    from watcher.app.explain import explain_page

    _, report = explain_page(dek_page(description="A description that says something else about the harbour."), URL)
    used = [c for c in report.fields["dek"] if c.used]
    assert [(c.source, c.value) for c in used] == [("element p.dek under the headline", DEK)]


def test_explain_names_the_site_rule_extraction_applied_the_longest_matching_domain():
    # Extraction takes the rule for the longest matching domain; re-deriving it beside the extractor took the first
    # rule listed whose domain matched, and showed the other rule's headline as the site rule's.
    from watcher.app.explain import explain_page
    from watcher.config import SiteRule

    html = page(f'<article><h2 class="kicker">Harbour</h2><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY)}</article>')
    rules = [SiteRule(domain="example", headline="h2.kicker"), SiteRule(domain="news.example", headline="h1")]
    article, report = explain_page(html, URL, rules)
    assert article is not None and article.headline == HEADLINE
    assert report.trace.rule == "news.example"
    used = [(c.source, c.value) for c in report.fields["headline"] if c.used]
    assert used == [("site rule h1", HEADLINE)]
    assert report.to_json()["trace"]["sources"]["headline"] == "site rule h1"


def test_explain_names_the_date_and_name_line_a_byline_came_from():
    # With no byline element, JSON-LD author or meta author, the byline is the names on a date-and-counter line of
    # the body; re-deriving the sources beside the extractor never listed that one, so no byline source was used.
    from watcher.app.explain import explain_page

    article, report = explain_page(story_with("", byline=meta_line(4)), URL)
    assert article is not None and article.byline == "Ana Ribeiro"
    (used,) = [c for c in report.fields["byline"] if c.used]
    assert used.value == "Ana Ribeiro"
    assert used.source.startswith("the names on a date-and-name line of the body")
    assert any(p.reason == "a date, byline or counter line" for p in report.lines)


def test_explain_lists_the_blocks_extraction_dropped_with_its_reasons():
    from watcher.app.explain import explain_page

    links = "".join(
        f'<li><a href="/s/{n}">Another harbour story number {n} about the ferries</a></li>' for n in range(4)
    )
    html = page(
        f"<article><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY)}</article>", after=f"<aside><ul>{links}</ul></aside>"
    )
    article, report = explain_page(html, URL)
    assert article is not None and article.body == STORY
    (container,) = [b for b in report.blocks if b.used]
    assert container.where == "article" and "holds the story" in container.note
    aside = next(b for b in report.blocks if b.where == "aside")
    assert "<aside> is page chrome" in aside.note and "mostly links" in aside.note


# --- in-article modules, told by their shape --------------------------------------------------------------------


def story_with(inserted: str, at: int = 2, byline: str = "") -> str:
    """The story in an <article> with no telling classes, `inserted` between its paragraphs."""
    return page(
        f"<article><h1>{escape(HEADLINE)}</h1>{byline}{paragraphs(STORY[:at])}{inserted}{paragraphs(STORY[at:])}"
        "</article>"
    )


@pytest.mark.parametrize(
    "related",
    [
        "<div><p>More great stories</p>"
        '<p><a href="/a">Ferry timetable changes for the winter</a> 3 hours ago</p>'
        '<p><a href="/b">New library wing opens to readers</a> 5 hours ago</p>'
        '<p><a href="/c">Storm warning lifted for the coast</a> Local</p></div>',
        # The same in another language: told by its shape, not its words.
        "<div><p>Mais histórias</p>"
        '<p><a href="/a">Horário das balsas muda no inverno</a> há 3 horas</p>'
        '<p><a href="/b">Nova ala da biblioteca abre ao público</a> há 5 horas</p></div>',
    ],
    ids=["en", "pt"],
)
def test_a_list_of_other_stories_inside_the_article_is_dropped_with_its_heading(related):
    assert extract(story_with(related), URL).body == STORY


def test_a_labelled_pointer_and_a_row_of_tag_links_are_dropped():
    pointer = '<p>Leia também: <a href="/x">Porto recebe novo rebocador</a></p>'
    tags = (
        '<p>Tópicos: <a href="/t/porto">porto</a>, <a href="/t/dragagem">dragagem</a>, <a href="/t/c">conselho</a></p>'
    )
    assert extract(story_with(pointer + tags), URL).body == STORY


def test_a_plain_row_of_tags_after_the_story_is_dropped_whatever_its_label_says():
    # Polish and Swedish tag rows without links: a label and three short items, after the story's last sentence.
    for row in ("Tagi: port, pogłębianie, rada miasta", "Taggar: hamn | muddring | färjor"):
        assert extract(story_with(f"<div>{row}</div>", at=len(STORY)), URL).body == STORY, row
    # The same shape among the story's sentences is the story's (a list of names, a cast), and stays.
    inside = "<p>Załoga: Anna, Piotr, Jan</p>"
    assert extract(story_with(inside), URL).body == [*STORY[:2], "Załoga: Anna, Piotr, Jan", *STORY[2:]]


def test_the_heading_over_a_list_of_links_alone_leaves_with_the_list():
    # Polish "See also" over a list whose items are only links: no word list knows the heading, its shape does.
    related = (
        "<div><h4>Zobacz też</h4><ul>"
        '<li><a href="/s/1">Prom zmienia rozkład na zimę</a></li>'
        '<li><a href="/s/2">Latarnia znów otwarta dla turystów</a></li>'
        '<li><a href="/s/3">Rada popiera nowy falochron</a></li></ul></div>'
    )
    assert extract(story_with(related), URL).body == STORY
    # A subhead over the story's own paragraphs stays, and so does one over a single link.
    subhead = '<h3>Ein Kanal, zwei Häfen</h3><p><a href="/report.pdf">Der Bericht des Hafenrats als PDF</a></p>'
    assert extract(story_with(subhead), URL).body == [*STORY[:2], "Ein Kanal, zwei Häfen", *STORY[2:]]


def _zh_daily_manifest() -> dict:
    return json.loads(
        (Path(__file__).resolve().parent.parent / "fixtures/sites/zh-daily/story/manifest.json").read_text()
    )


def test_cards_of_other_stories_under_titles_no_word_list_knows_leave_with_their_pictures():
    # The Chinese seed page with its module titles in Polish and Swedish: the cards under them (a picture and a
    # title inside one link) are known by being all links, and their pictures are no captions of the story.
    html, want = fixture_versions("zh-daily/story")["v1"], _zh_daily_manifest()["versions"]["v1"]
    for title, other in (("延伸閱讀", "Czytaj także"), ("熱門新聞", "Najczęściej czytane"), ("超人氣", "Läs också")):
        assert title in html
        html = html.replace(title, other)
    art = extract(html, "https://zh-daily.example/story")
    assert art.captions == want["captions"]
    assert art.body == want["body"]


def test_a_prompt_labelled_with_a_dash_before_its_link_is_dropped():
    prompt = '<p><strong>Biuletyn portowy</strong> — <a href="/newsletter">zapisz się na wiadomości z portu</a></p>'
    assert extract(story_with(prompt), URL).body == STORY


def test_a_list_of_other_stories_with_their_teasers_is_dropped_and_lines_opening_with_a_linked_name_kept():
    related = (
        "<div><p>Lisää luettavaa</p><ul>"
        '<li><a href="/a">Lauttojen aikataulu muuttuu talveksi</a> Vuoroja on marraskuusta neljä päivässä.</li>'
        '<li><a href="/b">Majakka avataan taas kävijöille</a> Vartijan mökki on nyt museo.</li></ul></div>'
    )
    assert extract(story_with(related), URL).body == STORY
    lines = [
        '<a href="/org/hb">The North Tidewater Harbour Board</a> said the dredging would start in April.',
        '<a href="/org/fa">The Tidewater Fishermen\'s Association</a> welcomed the decision on Tuesday.',
    ]
    body = extract(story_with("".join(f"<p>{line}</p>" for line in lines)), URL).body
    assert body == [
        *STORY[:2],
        "The North Tidewater Harbour Board said the dredging would start in April.",
        "The Tidewater Fishermen's Association welcomed the decision on Tuesday.",
        *STORY[2:],
    ]


def test_story_lines_with_a_link_or_few_words_are_kept():
    lines = [
        'The full report is <a href="/report.pdf">on the board\'s website</a>.',
        "He declined to comment.",
        '<a href="/profile/ines">Ines Calloway</a> and <a href="/profile/tom">Tom Reyes</a> voted against.',
    ]
    html = story_with("".join(f"<p>{line}</p>" for line in lines))
    body = extract(html, URL).body
    assert body == [
        *STORY[:2],
        "The full report is on the board's website.",
        "He declined to comment.",
        "Ines Calloway and Tom Reyes voted against.",
        *STORY[2:],
    ]


def test_subheads_and_table_rows_with_figures_inside_the_story_are_kept():
    inserted = "<h2>The 2026 budget</h2><table><tr><td>Dredging</td><td>4.1 million</td></tr></table>"
    body = extract(story_with(inserted), URL).body
    assert body == [*STORY[:2], "The 2026 budget", "Dredging 4.1 million", *STORY[2:]]


def meta_line(comments: int) -> str:
    return (
        '<p><a href="/autor/ana-ribeiro">Ana Ribeiro</a> · 12 de março de 2026 · '
        f'<a href="#comentarios">{comments} comentários</a></p>'
    )


def test_the_comment_count_and_date_beside_the_byline_are_not_story_text():
    four, five = (extract(story_with("", byline=meta_line(n)), URL) for n in (4, 5))
    assert four.body == STORY
    assert four.byline == "Ana Ribeiro"  # the names on the line are the byline, the count is not
    assert diff_articles(four, five).edits == []


def test_a_counter_line_beside_the_byline_in_chinese_is_not_story_text():
    line = '<div>記者 林雅婷 ／ 2026-03-12 14:05 ｜ <a href="#reply">4 則回應</a></div>'
    art = extract(story_with("", byline=line), URL)
    assert art.body == STORY
    assert art.byline == "記者 林雅婷"


def counters(views: int, comments: int) -> tuple[str, str]:
    """Polish widgets by the byline and under the story: a counter line, a reading time, a row of size buttons."""
    top = (
        f"<div>{views} wyświetleń | {comments} komentarzy</div><div>Czas czytania: 4 min</div>"
        '<div>Rozmiar tekstu: <a href="#">A</a> <a href="#">A</a> <a href="#">A</a></div>'
    )
    return top, f"<div>{comments} komentarzy</div>"


def test_counters_reading_time_and_size_buttons_in_a_language_no_word_list_knows_are_not_story_text():
    pages = []
    for views, comments in ((1204, 12), (1377, 15)):
        top, under = counters(views, comments)
        pages.append(
            extract(page(f"<article><h1>{escape(HEADLINE)}</h1>{top}{paragraphs(STORY)}{under}</article>"), URL)
        )
    assert pages[0].body == STORY
    assert diff_articles(pages[0], pages[1]).edits == []
    # A figure and its word inside the story is the story's ("3 killed" as a subhead stays between sentences).
    inside = extract(story_with("<h3>3 rannych</h3>"), URL).body
    assert inside == [*STORY[:2], "3 rannych", *STORY[2:]]


def test_the_byline_keeps_the_author_not_the_date_or_the_count():
    line = (
        '<p class="byline">Por <a href="/autor/ana">Ana Ribeiro</a> · <time datetime="2026-03-12">12/03/2026</time>'
        ' · <a href="#comentarios">4 comentários</a></p>'
    )
    art = extract(story_with("", byline=line), URL)
    assert art.byline == "Por Ana Ribeiro"
    assert art.body == STORY


META_LINES = {
    # A name before a comma, the date and a counter after it; no name on the line: a weekday or a verb before the
    # comma is none.
    "Por Ana Ribeiro, 12/03/2026 às 14h05 — 4 comentários": "Por Ana Ribeiro",
    "By Ann Baker, Mar 12, 2026 at 2:05 p.m. · 4 Comments": "By Ann Baker",
    "von Anna Becker, 12. März 2026 | 4 Kommentare": "von Anna Becker",
    "Monday, March 12, 2026 · 4 comments": "",
    "Published on Monday, March 12, 2026 · 4 comments": "",
    # Parts set apart only by spaces: the name, then dates, times and counts with their one-word labels.
    "陳怡君 2026-04-08 評論 12": "陳怡君",
    "陳怡君　2026年4月8日 09:30　留言 3": "陳怡君",
    "Marta Lindqvist 08/04/2026 09:30 12 comentários": "Marta Lindqvist",
    "Von Jonas Weber 08.04.2026, 09:30 Uhr 7 Kommentare": "Von Jonas Weber",
    "By Ruth Okafor April 8, 2026 12 comments": "By Ruth Okafor",
    "陳怡君 12 則回應": "陳怡君",
    "Ruth Okafor 4 min read": "Ruth Okafor",
    # A Chinese reporter's credit is the byline, never story text.
    "記者陳怡君／高雄報導 2026-04-08": "記者陳怡君／高雄報導",
    "記者陳怡君／高雄報導": "記者陳怡君／高雄報導",
    "文／陳怡君 2026-04-08 09:30": "文／陳怡君",
    "撰文：陳怡君　2026年4月8日　留言 3": "撰文：陳怡君",
    "陳怡君 報導 2026/04/08": "陳怡君 報導",
}


@pytest.mark.parametrize("line", META_LINES)
def test_the_author_is_kept_from_a_meta_line_and_the_line_is_not_story_text(line):
    art = extract(story_with("", byline=f"<p>{escape(line)}</p>"), URL)
    assert (art.body, art.byline) == (STORY, META_LINES[line])


def test_the_author_is_kept_from_a_meta_block_of_name_date_and_comment_count():
    blocks = {
        '<div class="meta"><span>Marta Lindqvist</span><span>08/04/2026</span><span>12 comentários</span></div>': (
            "Marta Lindqvist"
        ),
        '<div class="meta"><a href="/autor/marta">Marta Lindqvist</a> <time>08/04/2026</time> '
        '<a href="#comentarios">12 comentários</a></div>': "Marta Lindqvist",
        '<div class="meta">記者陳怡君／高雄報導 2026-04-08 評論 12</div>': "記者陳怡君／高雄報導",
        '<div class="meta"><span>陳怡君</span><span>2026-04-08</span><span>評論 12</span></div>': "陳怡君",
        '<div class="meta"><p>By Ruth Okafor</p><p>April 8, 2026</p><p>12 comments</p></div>': "By Ruth Okafor",
        '<div class="post-meta"><span class="name">Jonas Weber</span><span class="date">8. April 2026</span>'
        '<span class="comments">7 Kommentare</span></div>': "Jonas Weber",
    }
    for block, byline in blocks.items():
        four, five = (extract(story_with("", byline=block.replace("12", str(n))), URL) for n in (12, 13))
        assert (four.body, four.byline) == (STORY, byline), block
        assert diff_articles(four, five).edits == [], block  # the count changing is no edit


def test_a_newsletter_prompt_built_around_its_field_is_dropped_in_any_language():
    prompt = (
        '<div class="box-x1"><h3>O resumo da manhã</h3><p>As melhores reportagens no seu e-mail, todo dia.</p>'
        '<div><input type="email" placeholder="seu e-mail"><button>Quero receber</button></div></div>'
    )
    assert extract(story_with(prompt), URL).body == STORY


def test_a_story_paragraph_holding_a_button_and_a_code_block_with_a_copy_button_are_kept():
    line = "Listen to the board's vote, recorded at Tuesday's meeting. <button>Play</button>"
    code = "<div><button>Copy</button><pre>depth = 7.5</pre></div>"
    body = extract(story_with(f"<p>{line}</p>{code}"), URL).body
    assert body == [*STORY[:2], "Listen to the board's vote, recorded at Tuesday's meeting.", "depth = 7.5", *STORY[2:]]


def test_short_story_lines_that_link_a_name_are_kept():
    lines = [
        '<a href="/p/wang">王小明</a>說，',
        "港區清淤明年動工，",
        '<a href="/p/lin">林雅婷</a>、<a href="/p/chen">陳怡君</a>',
        "都出席了說明會。",
    ]
    body = extract(story_with("".join(f"<p>{line}</p>" for line in lines)), URL).body
    assert body == [*STORY[:2], "王小明說，", "港區清淤明年動工，", "林雅婷、陳怡君", "都出席了說明會。", *STORY[2:]]


def test_explain_says_a_date_written_in_another_zone_is_the_same_value():
    from watcher.app.explain import explain_page

    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-11-20T01:30:00Z"}'
        '</script><meta property="article:published_time" content="2026-11-20T09:30:00+08:00">'
    )
    article, report = explain_page(
        page(f"<article><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY)}</article>", head), URL
    )
    assert article is not None and article.published == "2026-11-20T01:30:00Z"
    used, meta = report.fields["published"]
    assert used.used and used.source == "JSON-LD datePublished"
    assert meta.source == "<meta article:published_time>" and meta.note == "same value"


# --- long blocks that are not the story, and one that is ---------------------------------------------------------


def article_with(inside: str) -> str:
    return page(f"<article><h1>{escape(HEADLINE)}</h1>{paragraphs(STORY[:2])}{inside}{paragraphs(STORY[2:])}</article>")


CARD = (
    '<span class="who"><a href="/p/oduya">Maren Oduya</a><span class="card"><img src="/o.png" alt="">'
    '<a href="/p/oduya">Maren Oduya</a> <a href="/s/1">Ferry crews vote on three new rosters</a> '
    '<a href="/s/2">Harbour dues to rise next year</a> <a href="/p/oduya">MORE</a></span></span>'
)


def test_a_card_of_links_inside_a_sentence_leaves_the_body_and_the_name_stays():
    body = extract(article_with(f"<p>The harbour master, {CARD}, said divers would go down again.</p>"), URL).body
    assert "The harbour master, Maren Oduya, said divers would go down again." in body
    assert not any("rosters" in p for p in body)


def test_links_named_in_a_sentence_stay():
    names = ", ".join(f'<a href="/p/{n}">{n} of the harbour board</a>' for n in ("Ama Lind", "Jon Ree", "Pia Voss"))
    body = extract(article_with(f"<p>The vote was proposed by <span>{names}</span> on Tuesday.</p>"), URL).body
    assert any("proposed by Ama Lind of the harbour board, Jon Ree" in p for p in body)


def slides(credit: bool) -> str:
    items = [("Cranes at dawn", "The new crane lifts its first load at the east quay before sunrise.")] * 2
    items += [("Nets drying", "Crews hang their nets along the old sea wall after the storm passed.")]
    return (
        "<ul>"
        + "".join(
            f"<li><h3>{t}</h3><p>{c} {i}</p>" + ('<p class="credits">Tidewater Post</p>' if credit and i < 2 else "")
            for i, (t, c) in enumerate(items)
        )
        + "</ul>"
    )


def test_a_list_whose_items_carry_photo_credits_is_a_gallery_of_captions_and_a_plain_list_is_story():
    gallery = extract(article_with(slides(credit=True)), URL)
    assert gallery.body == STORY and any("crane lifts" in c for c in gallery.captions)
    plain = extract(article_with(slides(credit=False)), URL)
    assert any("crane lifts" in p for p in plain.body)


POST = "Divers are back at the north pier this morning; more after the tide turns."


def test_a_post_the_story_quotes_stays_even_in_a_wrapper_named_like_a_share_widget():
    quoted = f'<div class="social-embed"><blockquote><p>{POST}</p>— Harbour Authority (@harbour)</blockquote></div>'
    assert POST in extract(article_with(quoted), URL).body
    # A comment thread that quotes the story is still comments.
    thread = (
        f'<div class="comments"><blockquote>{POST}</blockquote><p>Nice work by the crews, I saw them at six this '
        "morning from the ferry and they were already busy.</p><p>My uncle fished off that pier for forty years and "
        "says it was never this bad.</p></div>"
    )
    assert POST not in extract(article_with(thread), URL).body


def span_paragraphs(lines: list[str]) -> str:
    # Each paragraph a <span> in a <div> in a styling <div>, as rich-text editors write them; no <p>, no <article>.
    return "".join(f'<div style="margin: 1em 0"><div dir="ltr"><span>{escape(p)}</span></div></div>' for p in lines)


def test_a_story_of_spans_in_nested_divs_outweighs_a_note_of_paragraphs_beside_it():
    note = paragraphs(["Notes from the author.", "Thanks to everyone who wrote in about the last chapter, it helped."])
    html = page(f'<div class="note">{note}</div><div class="chapter">{span_paragraphs(STORY * 3)}</div>')
    body = extract(html.replace("<main>", "<div>").replace("</main>", "</div>"), URL).body
    assert body[: len(STORY)] == STORY and not any("Notes from" in p for p in body)
