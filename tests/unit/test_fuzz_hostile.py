"""Random hostile pages through extraction and the differ: nothing raises (issue 31).

A seeded, bounded fuzzer: each page is an article wrapped in what pages and attackers put around text
(control characters raw and as references, comments cut short, odd entities, bidi and zero-width marks,
deep nesting, CDATA, processing instructions, scripts holding markup, broken JSON-LD). Before issue 31 one
page in five made extraction raise. Extraction may find no article (NoArticle) or refuse a page as too big;
anything else is a bug. Each page that has an article is then edited at random and diffed against itself.
The seed and the page number are in the failure message, so a failure replays exactly.
"""

from __future__ import annotations

import random
import time

import pytest

from watcher.diff import diff_articles
from watcher.errors import NoArticle, PageTooBig
from watcher.extract import extract
from watcher.models import Article
from watcher.normalize import comparison_key, content_hash, normalize_article

SEED = 31
PAGES = 80
BUDGET = 90.0  # seconds for the whole run, a loose guard: it takes a few on an idle machine

WORDS = (
    "harbour council ferry budget minister said on Monday the 12 residents 3.5 million per cent "
    "港口 議會 渡輪 預算 部長 週一 表示 الميناء المجلس العبارة הנמל המועצה Ölpreis façade naïve"
).split()
CONTROL = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)]]
MARKS = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u200e", "\u061c", "\u200b", "\ufeff"]
MARKS += ["\u00ad", "\u2028", "\u2029", "\ufffe", "\uffff", "\ud800", "\udfff", "\U0001f600", "\u0301"]
REFERENCES = ["&#x1b;", "&#27;", "&#0;", "&#x0;", "&#xd800;", "&#x110000;", "&#65535;", "&#X1F", "&#128;", "&#;"]
REFERENCES += ["&amp;", "&nbsp;", "&bogus;", "&lt;script&gt;", "&#x202e;", "&", "&#99999999999;", "&copy", "&#x2028;"]
DEBRIS = [
    "<!-- note -->",
    "<!--",
    "<!-->",
    "--!>",
    "<![CDATA[ x ]]>",
    "<?php echo 1; ?>",
    "<!DOCTYPE x>",
    "</p></div></article>",
    "<br>",
    "<hr/>",
    "<script>document.write('<p>x</p>')</script>",
    "<style>p{}</style>",
    "<noscript><p>enable JS</p></noscript>",
    "<template><p>hidden</p></template>",
    "<svg><path d='M0 0'/><text>icon</text></svg>",
    "<math><mi>x</mi></math>",
    "<iframe src='x'></iframe>",
    "<div class='share-bar'>Share Tweet</div>",
    "<nav><a href='/'>Home</a></nav>",
    "<figure><img alt='a\x1b'><figcaption>Photo: agency</figcaption></figure>",
    "<table><tr><td>1</td><td>2",
    "<ul><li>one<li>two</ul>",
    "<a href='javascript:x'>link</a>",
    '<p title="q\'\x08">',
    "<span dir='rtl'>",
    "</span>",
]
HEAD = [
    "<title>\x1bBreaking\u202e news</title>",
    '<meta property="og:title" content="Head\x02line &#x1b;">',
    '<meta name="description" content="dek \x1f with &#27; marks">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD \\u001b head", "articleBody": "x'
    '\\u0008y"}</script>',
    '<script type="application/ld+json">{"@type": [1, {"a": [[[[]]]]}], "articleBody": 5}</script>',
    '<script type="application/ld+json">{not json</script>',
    '<base href="javascript:alert(1)">',
    '<meta charset="x-unknown">',
]


def _text(rnd: random.Random, words: int) -> str:
    pieces = []
    for _ in range(words):
        pieces.append(rnd.choice(WORDS))
        roll = rnd.random()
        if roll < 0.12:
            pieces.append(rnd.choice(CONTROL))
        elif roll < 0.22:
            pieces.append(rnd.choice(MARKS))
        elif roll < 0.32:
            pieces.append(rnd.choice(REFERENCES))
        elif roll < 0.40:
            pieces.append(rnd.choice(DEBRIS))
    return " ".join(pieces)


def hostile_page(rnd: random.Random) -> str:
    head = "".join(rnd.sample(HEAD, rnd.randint(0, len(HEAD))))
    body = []
    for _ in range(rnd.randint(1, 12)):
        tag = rnd.choice(["p", "p", "p", "div", "blockquote", "li", "h2", "span", "section"])
        body.append(f"<{tag}>{_text(rnd, rnd.randint(3, 40))}</{tag}>")
        if rnd.random() < 0.3:
            body.append(rnd.choice(DEBRIS))
    inner = "".join(body)
    if rnd.random() < 0.15:  # deep nesting, past libxml2's 256 and sometimes past Chromium's 512
        depth = rnd.choice([300, 600, 1200])
        tag = rnd.choice(["div", "span", "b"])
        inner = f"<{tag}>" * depth + inner + f"</{tag}>" * rnd.randint(0, depth)
    headline = _text(rnd, rnd.randint(1, 8))
    opening = rnd.choice(["<!doctype html><html><head>", "<html><head>", "<head>", "", "\ufeff<?xml version='1.0'?>"])
    return f"{opening}{head}</head><body><article><h1>{headline}</h1>{inner}</article></body></html>"


def edited(rnd: random.Random, article: Article) -> Article:
    """The same article with a few random edits (words changed, paragraphs moved, added or dropped), in the
    canonical form extraction gives every article."""
    body = list(article.body)
    for _ in range(rnd.randint(1, 4)):
        roll = rnd.random()
        if body and roll < 0.4:
            i = rnd.randrange(len(body))
            words = body[i].split(" ")
            words[rnd.randrange(len(words))] = _text(rnd, 1)
            body[i] = " ".join(words)
        elif body and roll < 0.6:
            body.insert(rnd.randrange(len(body) + 1), body.pop(rnd.randrange(len(body))))
        elif roll < 0.8:
            body.insert(rnd.randrange(len(body) + 1), _text(rnd, rnd.randint(2, 20)))
        elif body:
            body.pop(rnd.randrange(len(body)))
    return normalize_article(
        Article(
            headline=article.headline + rnd.choice(["", " \u202e", " updated", "\x1b", "\udfff"]),
            dek=article.dek,
            byline=article.byline,
            body=body,
            captions=list(reversed(article.captions)),
        )
    )


def test_random_hostile_pages_never_make_extraction_or_the_differ_raise():
    rnd = random.Random(SEED)
    started = time.monotonic()
    read = 0
    for n in range(PAGES):
        page = hostile_page(rnd)
        try:
            article = extract(page, f"https://news.example/fuzz/{n}")
        except (NoArticle, PageTooBig):
            continue
        except Exception as exc:  # pragma: no cover - the failure this test exists to report
            pytest.fail(f"seed {SEED}, page {n}: extraction raised {type(exc).__name__}: {exc}")
        read += 1
        other = edited(rnd, article)
        try:
            diff = diff_articles(article, other)
            content_hash(other), [comparison_key(p) for p in other.body]
            diff_articles(other, article), diff_articles(article, article)
        except Exception as exc:  # pragma: no cover
            pytest.fail(f"seed {SEED}, page {n}: the differ raised {type(exc).__name__}: {exc}")
        assert diff.edits or content_hash(other) == content_hash(article)
    assert read >= PAGES // 2  # most pages do hold an article: the fuzzer reaches the differ
    assert time.monotonic() - started < BUDGET
