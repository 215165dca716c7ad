"""Long blocks in the article that are not the story, built like those found on real pages (issue 26), through real
Chromium and the local site: each page is redrawn on every load (other figures, another order) and then edited.

A trailer after the story (an author's bio whose figures the page redraws) is learned volatile; a pop-up card of
links hidden inside a sentence and a gallery's captions between the story's paragraphs are not body text; a post
the story quotes (an embedded post in a wrapper named like a share widget) is. In each, chrome-only reloads store
no version and the story edit is stored on the check that first sees it.
"""

from __future__ import annotations

import json
from html import escape

import pytest
from support import tidewater
from support.cli import watcher
from support.site_server import Response
from test_confirm_layouts import EDITED, page
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def versions(build, edited_body: list[str] = EDITED, count: int = 40) -> dict[str, list[Response]]:
    """The story and its edited version, load n of each built by build(body, n); the edited loads go on counting
    where the story's left off (the site starts a version's loads again from the first)."""
    return {
        "story": [Response(build(tidewater.BODY, n)) for n in range(count)],
        "edited": [Response(build(edited_body, count + n)) for n in range(count)],
    }


def run(site, checker, path: str, build, edited_body: list[str] = EDITED, reloads: int = 4):
    """Checks the page once, then `reloads` times unchanged but redrawn, then edited: the edit's check result."""
    site.page_versions(path, versions(build, edited_body))
    url = checker.add(site.url(path))
    results = [checker.check(url) for _ in range(1 + reloads)]
    assert results[0].status == "new"
    assert [r.status for r in results[1:]] == ["unchanged"] * reloads, [(r.flags, r.note) for r in results]
    assert len(checker.store.list_versions(url)) == 1
    site.set_version(path, "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2), (real.flags, real.note)
    return url, real


def bio(n: int) -> str:
    # Figures the page redraws on every load: a long block that is no story paragraph, after the story.
    return (
        f"<p><em>Ines Calloway has reported on the harbour for {11 + n % 7} years and has written {n + 2} books "
        f"about its ferries; her newest, out in {1990 + n}, is in the shops now. Follow her for more.</em></p>"
    )


def test_a_trailer_redrawn_with_other_figures_on_every_load_is_learned_and_the_edit_stored(site, checker):
    url, real = run(site, checker, "/bio", lambda body, n: page(body, bio(n), after=len(body)))
    assert [e.field for e in real.edits] == ["body"] and ("+", "3.9") in real.edits[0].inline
    assert any(k.startswith("<long>") for k in checker.store.get_article(url).volatile)
    # Shown as left out of comparison, as a widget is.
    history = json.loads(watcher(checker.data_dir, "history", url, "--json").stdout)
    assert any(p.startswith("Ines Calloway has reported") for p in history[0]["volatile"])
    # Never at the story's cost: the last paragraph's figures edited now, the trailer learned, is an edit.
    last = [*EDITED[:3], EDITED[3].replace("the south basin", "berth 14 of the south basin")]
    site.page_versions("/bio", {"again": [Response(page(last, bio(500 + n), after=len(last))) for n in range(9)]})
    again = checker.check(url)
    assert (again.status, again.version) == ("changed", 3), (again.flags, again.note)
    assert [e.field for e in again.edits] == ["body"] and "berth 14" in again.edits[0].new


def card(n: int) -> str:
    """A person's name in a sentence with the pop-up card of her latest stories, in another order on every load."""
    titles = [
        f"Harbour dues to rise by {n % 9 + 2} percent next year",
        f"Ferry crews vote on {n % 5 + 3} new rosters",
        f"Pier repairs will close the fish market for {n % 4 + 2} weeks",
    ]
    shown = titles[n % 3 :] + titles[: n % 3]
    links = " ".join(f'<a class="latest" href="/s/{i}">{escape(t)}</a>' for i, t in enumerate(shown))
    return (
        '<span class="person"><a href="/people/maren-oduya">Maren Oduya</a><span class="person-card">'
        f'<img src="/p.png" alt=""><a class="name" href="/people/maren-oduya">Maren Oduya</a> {links} '
        '<a class="more" href="/people/maren-oduya">MORE</a></span></span>'
    )


def test_a_card_of_links_inside_a_sentence_is_left_out_and_the_edit_stored(site, checker):
    def build(body: list[str], n: int) -> bytes:
        sentence = (
            f"<p>The harbour master, {card(n)}, said the divers would go down again on Thursday to measure how far "
            "the cracks had spread since the winter storms.</p>"
        )
        return page(body, sentence, after=2)

    url, real = run(site, checker, "/card", build)
    assert [e.field for e in real.edits] == ["body"] and ("+", "3.9") in real.edits[0].inline
    body = checker.store.latest_version(url).article.body
    assert "The harbour master, Maren Oduya, said the divers would go down again" in " ".join(body)
    assert not any("Ferry crews" in p for p in body)


SLIDES = [
    ("Cranes at dawn", "The new crane lifts its first load of {} containers at the east quay.", True),
    ("Nets drying", "Crews hang {} nets along the old sea wall after the storm.", False),
    ("Lighthouse", "The keeper's cottage opened to {} visitors on its first weekend as a museum.", True),
    ("Market day", "Stalls of the fish market moved {} metres inland for the repairs.", False),
]


def gallery(n: int) -> str:
    """A gallery between the story's paragraphs: its slides (title, caption, some with a credit) reordered and
    recounted on every load, as a slideshow script redraws them."""
    order = [(i + n) % len(SLIDES) for i in range(len(SLIDES))]
    items = "".join(
        f"<li><h2>{escape(SLIDES[i][0])}</h2><p>{escape(SLIDES[i][1].format(n * 7 + i))} It was one of the busiest "
        "days the harbour has seen since the pier was built.</p>"
        + ('<p class="credits">Tidewater Post</p>' if SLIDES[i][2] else "")
        + "</li>"
        for i in order
    )
    return f'<div class="pictures"><h2>The harbour in pictures</h2><ul class="legends">{items}</ul></div>'


def test_a_gallerys_captions_between_the_paragraphs_are_not_body_and_the_edit_stored(site, checker):
    url, real = run(site, checker, "/gallery", lambda body, n: page(body, gallery(n), after=2))
    assert [e.field for e in real.edits] == ["body"] and ("+", "3.9") in real.edits[0].inline
    body = checker.store.latest_version(url).article.body
    assert [p for p in body if p in EDITED] == EDITED and not any("busiest days" in p for p in body)


POST = "Divers back at the north pier this morning, {} piles checked so far. More after the tide turns."


def quoted(n: int, checked: int) -> str:
    # The wrapper's name is a share widget's; what it holds is a post the story quotes.
    return (
        f'<div class="social-embed"><blockquote class="post"><p>{escape(POST.format(checked))}</p>'
        f"&mdash; Harbour Authority (@harbourauth) March {n % 3 + 1}, 2026</blockquote></div>"
    )


def test_a_post_the_story_quotes_is_body_text_and_its_edit_is_stored(site, checker):
    def build(body: list[str], n: int) -> bytes:
        return page(tidewater.BODY, quoted(0, 12 if body == tidewater.BODY else 15), after=2)

    url, real = run(site, checker, "/post", build)
    assert [e.field for e in real.edits] == ["body"] and ("+", "15") in real.edits[0].inline
    assert POST.format(15) in checker.store.latest_version(url).article.body


def chapter(body: list[str], n: int) -> bytes:
    """A story of <span>s in nested <div>s (no <p>, no <article>) beside an author's note of <p>s, with a line that
    rotates on every load between its paragraphs."""
    spans = [f'<div style="margin: 1em 0"><div dir="ltr"><span>{escape(p)}</span></div></div>' for p in body]
    spans.insert(3, f'<p class="now">Most read now: {escape(SLIDES[n % len(SLIDES)][0])}</p>')
    note = "".join(f"<p>{escape(t)}</p>" for t in ("A note from the author.", "Thanks for reading, back next week."))
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(tidewater.HEADLINE)}</title>
</head><body><h1>{escape(tidewater.HEADLINE)}</h1><div class="note">{note}</div><div class="chapter">{"".join(spans)}
</div></body></html>"""
    return html.encode()


def test_a_story_of_spans_in_nested_divs_keeps_its_paragraphs_apart_and_the_edit_is_stored(site, checker):
    url, real = run(site, checker, "/chapter", chapter)
    assert real.edits and all(e.field == "body" for e in real.edits) and ("+", "3.9") in real.edits[0].inline
    assert tidewater.BODY[0] in checker.store.latest_version(url).article.body
