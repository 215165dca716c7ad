"""Whether a page's raw HTML carries a complete story (a new article learned static at its first check)."""

from __future__ import annotations

import json
from html import escape

from watcher.extract import extract
from watcher.extract.completeness import complete_story

STORY = [
    "The county council voted on Tuesday to close the old swimming baths on Mill Lane at the end of the summer.",
    "Swimmers will be sent to the leisure centre in the town centre, which is to add two early lanes on weekdays.",
    "The council said the building itself would be kept and offered to community groups once made safe.",
]


def page(body: list[str], *, article_body: str | None = None, description: str | None = None) -> str:
    head = ""
    if article_body is not None:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Baths",
            "articleBody": article_body,
        }
        head += f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    if description is not None:
        head += f'<meta property="og:description" content="{escape(description)}">'
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f'<html lang="en"><head><title>Baths to close</title>{head}</head><body><article><h1>Baths to close</h1>'
        f'<div class="story-body">{paragraphs}</div></article></body></html>'
    )


def judge(html: str) -> str | None:
    return complete_story(html, extract(html, "https://news.example.com/baths"))


def test_real_paragraphs_with_no_structured_data_are_a_complete_story():
    assert judge(page(STORY)) is None


def test_a_teaser_of_one_paragraph_is_not():
    assert "paragraphs" in (judge(page(STORY[:1])) or "")


def test_a_body_holding_its_json_ld_article_body_is_complete_and_one_missing_half_of_it_is_not():
    assert judge(page(STORY, article_body="\n".join(STORY))) is None
    longer = "\n".join(STORY + [p.replace("council", "mayor") + " More text here follows." for p in STORY] * 2)
    # Extraction prefers the longer JSON-LD body, or the paragraphs hold too little of it: either way not complete.
    assert judge(page(STORY, article_body=longer)) is not None


def test_og_description_must_tell_the_same_story():
    assert judge(page(STORY, description="The council will close the Mill Lane baths at the end of summer.")) is None
    other = "Stock markets fell sharply in Asian trading as investors weighed inflation data from Tokyo."
    assert "og:description" in (judge(page(STORY, description=other)) or "")


def test_a_story_read_from_json_ld_alone_is_not_in_the_raw_paragraphs():
    html = page([], article_body="\n".join(STORY)).replace('<div class="story-body"></div>', '<div id="app"></div>')
    article = extract(html, "https://news.example.com/baths")
    assert article.extractor == "json-ld"
    assert complete_story(html, article) is not None


def test_paragraphs_that_do_not_hold_the_json_ld_story_are_not_complete():
    other = "Stock markets fell sharply in Asian trading as investors weighed inflation data."
    assert "articleBody" in (judge(page(STORY, article_body=other)) or "")
