"""A page without a marked story body whose in-article lists change on every load (issue 26), through real Chromium.

Built on the shape of the real page that made the harness's last false alert: a feature page whose <main> holds
the story as sections (a heading, a paragraph, "Try it now" / "Learn more" links), with a "most read now" line and
a "More great stories" list with comment counts inside it. The line rotates every few minutes, the list reorders
and re-counts on every load. Trafilatura keeps or drops whole sections depending on how long the rotating line is,
and the choice between its reading and the DOM's weighed the in-article lines the DOM leaves out, so the body
flipped between loads of an unchanged page, and two loads flipped alike stored a version. Every text is ours.
"""

from __future__ import annotations

import random
from html import escape

import pytest
from support.site_server import Response
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings

INTRO = "The Journey Planner puts every bus, train and ferry in the region in one place, with live times and fares."
SECTIONS = [
    (
        "Plan your trip",
        "Pick a start and an end point on the map, and the planner lists the buses, trains and ferries between "
        "them, with the time each leg takes.",
    ),
    (
        "Save your routes",
        "Routes you use often can be kept on the home screen, up to 20 of them, and the planner tells you when "
        "one of them is delayed or changed.",
    ),
    (
        "Pay as you go",
        "Tap a bank card at the reader when you board; the day's fares are added up and capped at the price of a "
        "day ticket.",
    ),
    (
        "Travel together",
        "Share a trip with friends so that they can see where you are and when you will arrive, until the trip ends.",
    ),
]
STORY = [INTRO, *(text for section in SECTIONS for text in section)]
EDITED_FROM, EDITED_TO = "up to 20 of them", "up to 25 of them"
MOST_READ = [
    "Ferry timetable changes for the winter",
    "Night buses return",
    "Why the bridge tolls are going up again next spring",
    "New cycle lanes on the ring road open this week",
    "Station lifts fixed",
    "Council votes to close the old ferry terminal",
]
MORE = [
    "Harbour ferries get a new timetable",
    "Lighthouse cottage opens to visitors",
    "Crane arrives at the east docks",
    "Sea wall plan goes to the council",
    "Night market returns to the square",
    "Bus lanes planned for the ring road",
]


def feature_page(n: int, edited: bool = False) -> bytes:
    """Load n: the "most read now" line changes every second load (every few minutes, not per request), the
    "More great stories" list shows four of its stories in another order with other comment counts every load."""
    rng = random.Random(n)
    more = "".join(
        f'<li><a href="/s/{MORE.index(title)}">{escape(title)}</a> <span>{rng.randrange(1, 400)} comments</span></li>'
        for title in rng.sample(MORE, 4)
    )
    sections = []
    for i, (heading, text) in enumerate(SECTIONS):
        text = text.replace(EDITED_FROM, EDITED_TO) if edited else text
        inside = ""
        if i == 1:
            title = MOST_READ[n // 2 % len(MOST_READ)]
            inside = f'<p class="now">Most read now: <a href="/most-read/{n // 2}">{escape(title)}</a></p>'
        if i == 2:
            inside = f'<div class="more"><h4>More great stories</h4><ul>{more}</ul></div>'
        sections.append(
            f'<section class="feature"><div class="copy"><h3>{escape(heading)}</h3><p class="lead">{escape(text)}</p>'
            f'{inside}<a class="go" href="/try/{i}">Try it now</a><br><a class="go" href="/help/{i}">Learn more</a>'
            f'</div><a class="next" href="#s{i + 1}">Next</a></section>'
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Getting around with the Journey Planner</title></head>
<body><header><a href="/">Valley Transit</a></header>
<main><h1>Getting around with the Journey Planner</h1><p>{escape(INTRO)}</p>{"".join(sections)}</main>
<footer>Valley Transit, all rights reserved.</footer></body></html>""".encode()


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def test_in_article_lists_changing_on_every_load_store_no_version_and_an_edit_is_stored_at_once(site, checker):
    loads = 60
    site.page_versions(
        "/f",
        {
            "story": [Response(feature_page(n)) for n in range(loads)],
            "edited": [Response(feature_page(loads + n, edited=True)) for n in range(loads)],
        },
    )
    url = checker.add(site.url("/f"))
    results = [checker.check(url) for _ in range(9)]
    assert results[0].status == "new"
    # The whole story, every section of it, and none of the lists or the rotating line.
    assert checker.store.latest_version(url).article.body == STORY
    assert [r.status for r in results[1:]] == ["unchanged"] * 8, [(r.status, r.flags, r.edits) for r in results]
    assert len(checker.store.list_versions(url)) == 1

    site.set_version("/f", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2), (real.status, real.flags, real.note)
    assert [e.field for e in real.edits] == ["body"], real.edits
    changed = {(op, text) for op, text in real.edits[0].inline if op != "="}
    assert ("-", "20") in changed and ("+", "25") in changed, real.edits[0].inline
    assert checker.store.latest_version(url).article.body == [p.replace(EDITED_FROM, EDITED_TO) for p in STORY]
