"""Extraction by structure: the dek under the headline, in-article modules told by their shape, bodies that are not <p>.

Each page here is written for its rule (our own text, shaped like the layouts that broke on real sites), and each
rule is tested both ways: the module or the dek leaves the body, and a real story line that looks a little like
one stays.
"""

from __future__ import annotations

from html import escape

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
