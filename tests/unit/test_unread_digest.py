"""The digest over what extraction reads: per-response tokens in what it never reads change nothing, anything it
reads changes the digest, and two pages with one digest extract alike (our own fixture pages, made hostile)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watcher.extract import extract
from watcher.extract.unread import read_digest

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "extract").glob("*.html"))

PAGE = b"""<!DOCTYPE html><html><head><title>Ferry fares</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry fares rise"}</script>
</head><body><article><h1>Ferry fares rise</h1><p>Fares rise by 4% in May.</p></article></body></html>"""


def tokened(page: bytes, token: str) -> bytes:
    """`page` as a dynamic site serves it: a nonce on every script, a request id in a running script after every
    block and in comments, a build time in the head, a CSRF token in a comment form's hidden field."""
    blocks = iter(range(10_000))

    def after(match: re.Match[bytes]) -> bytes:
        if next(blocks) % 2:
            return match.group() + f'<script>dataLayer.push({{rid: "{token}"}})</script>'.encode()
        return match.group() + f"<!-- edge {token} -->".encode()

    page = re.sub(rb"</(?:p|div|li|h2)>", after, page)
    page = re.sub(rb"<script\b", f'<script nonce="{token}"'.encode(), page)
    form = f'<form action="/comment"><input type="hidden" name="_wpnonce" value="{token}"><input name="q"></form>'
    page = page.replace(b"</body>", form.encode() + b"</body>", 1)
    head = f'<script type="module" src="/app.js?v={token}"></script><!--><!-- built {token} --></head>'
    return page.replace(b"</head>", head.encode(), 1)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_tokens_in_what_extraction_never_reads_change_neither_the_digest_nor_the_story(fixture):
    page = fixture.read_bytes()
    first, second = tokened(page, "a81f0c"), tokened(page, "77d2e9")
    assert first != second
    assert read_digest(first) == read_digest(second)
    url = "https://news.example.com/2026/03/story"
    assert extract(first.decode(), url) == extract(second.decode(), url) == extract(page.decode(), url)


@pytest.mark.parametrize(
    "edited",
    [
        PAGE.replace(b"4%", b"5%"),  # the story's text
        PAGE.replace(b"rise</h1>", b"soar</h1>"),
        PAGE.replace(b'"Ferry fares rise"}', b'"Ferry fares soar"}'),  # JSON-LD: a data block, read
        PAGE.replace(b"<article>", b'<article class="paywalled">'),  # markup extraction reads
        PAGE.replace(b"</p>", b"</p><script type=text/template><p>Updated</p></script>"),  # not a type that runs
        PAGE.replace(b"May.", b"May. A nonce=5 is just text here."),  # the word outside a tag
        PAGE.replace(b"</p>", b'</p><input type="hidden" name="t" value="1">'),  # one more control: counted
    ],
)
def test_anything_extraction_may_read_changes_the_digest(edited):
    assert read_digest(edited) != read_digest(PAGE)


def test_a_script_inside_a_comment_is_comment_and_a_comment_inside_a_script_is_script():
    # A commented-out script start tag must not swallow the story up to the next script's end tag.
    commented = PAGE.replace(b"<article>", b"<!-- <script src=old.js> --><article>") + b"<script>x()</script>"
    assert read_digest(commented.replace(b"4%", b"5%")) != read_digest(commented)
    scripted = PAGE.replace(b"<article>", b"<script>var s = '<!--';</script><article>")
    assert read_digest(scripted.replace(b"4%", b"5%")) != read_digest(scripted)


def test_a_case_or_spacing_variant_of_a_running_script_is_still_left_out():
    one = PAGE.replace(b"</head>", b"<SCRIPT Type='Text/JavaScript; charset=utf-8'>t=1</SCRIPT ></head>")
    two = PAGE.replace(b"</head>", b"<script>t=2</script></head>")
    assert read_digest(one) == read_digest(two) == read_digest(PAGE)


STORY = b"""<!DOCTYPE html><html><head><title>Cross-site scripting</title>%s</head><body><article>
<h1>A flaw in the ticket site</h1><p>Researchers found the flaw in May.</p><p>The firm fixed it in %s.</p>
</article><footer>News</footer><script>track()</script></body></html>"""


@pytest.mark.parametrize(
    "head",
    [
        # HTML lets an attribute value hold "<" as it is: a story about HTML says "<script>" and "<!--" in its
        # description, and that is no script and no comment, so what follows it is still read.
        b'<meta name="description" content="How a <script> tag got into the ticket site">',
        b"<meta property=\"og:description\" content='An unclosed <!-- in a form field'>",
        # A data block's text is data: an embed code in a JSON-LD articleBody (json_encode escapes only the "/")
        # opens no script, and the block's later fields are read.
        b'<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "Watch: <script async src=\\"https:\\/\\/x.example'
        b'\\/w.js\\"><\\/script>", "author": {"name": "Ana Lopez"}}</script>',
        # "data-type" is another attribute: this block's type is JSON-LD, read by extraction.
        b'<script data-type="text/javascript" type="application/ld+json">{"@type": "NewsArticle", '
        b'"author": {"name": "Ana Lopez"}}</script>',
    ],
    ids=["script-in-attribute", "comment-in-attribute", "script-in-json-ld", "data-type-attribute"],
)
def test_what_only_looks_like_a_script_or_a_comment_hides_nothing_extraction_reads(head):
    page = STORY % (head, b"June")
    edits = [STORY % (head, b"July"), STORY % (head.replace(b"Ana Lopez", b"Tom Reed"), b"June")]
    for edited in edits:
        if edited == page:
            continue
        assert extract(edited.decode(), "https://news.example.com/a") != extract(
            page.decode(), "https://news.example.com/a"
        )
        assert read_digest(edited) != read_digest(page)
