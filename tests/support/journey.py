"""The Journey Planner feature page, of our own writing: a story told in sections inside <main> (no marked body),
with a "most read now" line that rotates and a "More great stories" list that reorders and re-counts on every load,
built on the shape of a real page whose body flipped between loads (issue 26)."""

from __future__ import annotations

import random
from html import escape

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
