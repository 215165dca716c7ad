"""Small article pages of our own writing, for tests where a page only has to be a plain English article."""

from __future__ import annotations


def article_html(headline: str, paragraphs: list[str], extra: str = "", head: str = "") -> str:
    """The headline as title and <h1>, then the paragraphs (HTML, put in as given); `head` goes into <head> and
    `extra` after the article."""
    paras = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{headline}</title>{head}</head>"
        f"<body><article><h1>{headline}</h1>{paras}</article>{extra}</body></html>"
    )


def budget_page(figure: str) -> str:
    """A council budget story whose last paragraph gives the vote as `figure`: edit it to make a second version."""
    return (
        "<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
        + "<p>The council met on Tuesday evening to debate next year's budget in full.</p>" * 3
        + f"<p>The budget passed by {figure} after a long debate.</p></article></body></html>"
    )
