"""Edits and false alerts found by the real-layout harness on all 182 real pages (issue 26), through real Chromium.

Each page is our own, built on the structure of a real page that failed: a story shown in paragraphs with a hidden
microdata copy of it (the edit to the visible story was never seen), and a page without <article> or <main> whose
"most read" teasers carry bylines in another order on every load (the story's byline changed on reloads).
"""

from __future__ import annotations

from html import escape

import pytest
from support import tidewater
from support.site_server import Response
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings

EDITED = [*tidewater.BODY[:2], tidewater.BODY[2].replace("2.4 million", "3.9 million"), tidewater.BODY[3]]


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def with_hidden_copy(body: list[str]) -> str:
    """The story in paragraphs, and after it the machine-readable copy a CMS wrote at publication: the whole story
    as one block in a display:none microdata item, left as first published."""
    copy = " ".join(escape(p) for p in tidewater.BODY)
    hidden = (
        '<div style="display:none;" itemscope itemtype="https://schema.org/NewsArticle">'
        f'<div itemprop="headline">{escape(tidewater.HEADLINE)}</div><div itemprop="articleBody">{copy}</div></div>'
    )
    return tidewater.story(body=body).replace("</main>", f"</main>{hidden}")


def test_an_edit_to_the_visible_story_is_stored_though_a_hidden_microdata_copy_of_it_is_not_edited(site, checker):
    site.page_versions("/h", {"v1": with_hidden_copy(tidewater.BODY), "v2": with_hidden_copy(EDITED)})
    url = checker.add(site.url("/h"))
    assert checker.check(url).status == "new"
    # The story the reader sees, paragraph by paragraph, not the hidden copy's single block.
    assert checker.store.latest_version(url).article.body == tidewater.BODY

    site.set_version("/h", "v2")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2), (real.status, real.flags, real.note)
    assert [e.field for e in real.edits] == ["body"] and ("+", "3.9") in real.edits[0].inline
    assert checker.store.latest_version(url).article.body == EDITED


TEASERS = [
    ("Harbour ferries get new timetable", "Maren Solvik"),
    ("Lighthouse keeper's cottage opens", "Tomas Ebner"),
    ("Crane arrives at the east docks", "Priya Landau"),
    ("Sea wall plan goes to council", "Odile Ferrant"),
]


def teaser_page(order: list[int]) -> bytes:
    """No <article> or <main>: a "most read" list of teasers, each with its author's byline, then the story with
    its own byline under the headline (the layout of an older CMS)."""
    items = "".join(
        f'<li class="teaser"><a href="/s/{i}">{escape(TEASERS[i][0])}</a>'
        f'<span class="byline"><a href="/writer/{i}">{escape(TEASERS[i][1])}</a></span></li>'
        for i in order
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in tidewater.BODY)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(tidewater.HEADLINE)} | Tidewater Post</title></head>
<body><div id="page"><div class="header"><a href="/">Tidewater Post</a></div>
<div class="sidebar"><div class="most-read-title">Most read</div><ul class="most-read">{items}</ul></div>
<div class="content"><div class="story"><h1>{escape(tidewater.HEADLINE)}</h1>
<span class="byline"><a href="/writer/ines" rel="author">Ines Calloway</a></span>
<div class="text">{paragraphs}</div></div></div></div></body></html>""".encode()


def test_a_byline_is_the_storys_not_that_of_teasers_reordered_on_every_load(site, checker):
    # Each reload check sees a new first teaser, and its confirming load shows the same order again.
    orders = [[0, 1, 2, 3], [1, 2, 3, 0], [1, 2, 3, 0], [2, 3, 0, 1], [2, 3, 0, 1], [3, 0, 1, 2], [3, 0, 1, 2]]
    site.set("/t", *(Response(teaser_page(order)) for order in orders))
    url = checker.add(site.url("/t"))
    results = [checker.check(url) for _ in range(4)]
    assert results[0].status == "new"
    assert checker.store.latest_version(url).article.byline == "Ines Calloway"
    assert [r.status for r in results[1:]] == ["unchanged"] * 3, [(r.status, r.edits) for r in results]
    assert len(checker.store.list_versions(url)) == 1
