"""The Tidewater Post, a news site of our own writing: its north pier story and the page that carries a story (site
chrome around one script-free article), for tests that edit an article and check what watcher makes of it."""

from __future__ import annotations

from html import escape

HEADLINE = "North pier closed after divers find cracked piles"
BODY = [
    "The harbour authority on Monday closed the north pier to all traffic after divers found cracks "
    "in three of its concrete piles.",
    "Engineers said the pier, built in 1962, could carry pedestrians for now but not the delivery "
    "lorries that use it every morning.",
    "Repairs are expected to cost about 2.4 million and take until the end of March, the authority said.",
    "Fishing crews who moor at the pier have been told to use the south basin until further notice.",
]


def story(headline: str = HEADLINE, body: list[str] = BODY, extra_head: str = "") -> str:
    """The page of one story: headline, byline and the body's paragraphs (escaped) between header and footer."""
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(headline)} | Tidewater Post</title>{extra_head}</head>
<body>
<header><a href="/">Tidewater Post</a><nav><a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>{escape(headline)}</h1>
<div class="byline">By Ines Calloway</div>
<div class="story-body">
{paragraphs}
</div>
</article></main>
<footer><p>Tidewater Post, all rights reserved.</p></footer>
</body></html>"""
