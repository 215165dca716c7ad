"""`watcher card`: PNG diff cards of real version changes, drawn by real Chromium, CJK text in real glyphs."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from support.browser_thread import BrowserThread, ThreadedFetcher
from support.cli import checked, ok, one_line_error, watcher
from support.site_server import Site
from support.stories import served_stories

from watcher.report import ReportEntry, card_html
from watcher.report.css import CARD_FONT_STACK

CARD_SIZE = (1200, 675)  # the fixed size the font tests draw at; `watcher card` fits the card to its content
CARD_WIDTH, MIN_HEIGHT, MAX_HEIGHT = 1200, 630, 1350
WHITE = (255, 255, 255)
DEL_BG, INS_BG = (0xFF, 0xE0, 0xE0), (0xD8, 0xF5, 0xDD)  # watcher/report/css.py light theme


# --- a small PNG reader: enough for Chromium's screenshots (8-bit RGB/RGBA, not interlaced) ------------


def png_header(png: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    return width, height, depth, colour


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(png: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Width, height and rows of RGB pixels (alpha dropped)."""
    width, height, depth, colour = png_header(png)
    assert depth == 8 and colour in (2, 6), (depth, colour)
    channels = 3 if colour == 2 else 4
    idat, pos = bytearray(), 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up_left = previous[i - channels] if i >= channels else 0
                line[i] = (line[i] + _paeth(left, previous[i], up_left)) & 0xFF
        previous = bytes(line)
        rows.append([tuple(previous[x : x + 3]) for x in range(0, stride, channels)])
    return width, height, rows


def colour_counts(rows: list[list[tuple[int, int, int]]]) -> dict[tuple[int, int, int], int]:
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    return counts


# --- the store ---------------------------------------------------------------------------------------


class Cards(NamedTuple):
    site: Site
    data_dir: Path
    en: str
    zh: str
    short: str  # one word of one paragraph changed
    long: str  # every paragraph rewritten


def gazette(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour works run late</title></head>"
        f"<body><main><article><h1>Harbour works run late</h1>{body}</article></main></body></html>"
    )


PARAGRAPHS = [
    f"Paragraph {n}: the harbour works were meant to end in spring, the port authority said on Tuesday, "
    "but the contractor has asked for more time and more money after the winter storms damaged the new quay."
    for n in range(1, 5)
]
SHORT_V2 = [PARAGRAPHS[0].replace("Tuesday", "Wednesday"), *PARAGRAPHS[1:]]
LONG_V2 = [
    f"Paragraph {n}: the port authority now says the contractor will be replaced, after an audit found that "
    "the quay was built on the wrong foundations and that storm damage had been reported months too late."
    for n in range(1, 5)
]


def statuses(data_dir: Path, fetcher: ThreadedFetcher, *urls: str) -> list[tuple[str, int | None]]:
    return [(r.status, r.version) for r in checked(data_dir, fetcher, *urls)]


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory, browser: BrowserThread) -> Iterator[Cards]:
    with served_stories(tmp_path_factory, browser, "cards") as (site, fetcher, data_dir):
        site.page_versions("/news/short", {"v1": gazette(PARAGRAPHS), "v2": gazette(SHORT_V2)})
        site.page_versions("/news/long", {"v1": gazette(PARAGRAPHS), "v2": gazette(LONG_V2)})
        room = Cards(
            site,
            data_dir,
            site.url("/news/barrier"),
            site.url("/zh/story"),
            site.url("/news/short"),
            site.url("/news/long"),
        )
        everything = [room.en, room.zh, room.short, room.long]
        ok(data_dir, "add", *everything)
        assert statuses(data_dir, fetcher, *everything) == [("new", 1)] * 4
        for path in ("/news/barrier", "/zh/story", "/news/short", "/news/long"):
            site.set_version(path, "v2")
        assert statuses(data_dir, fetcher, *everything) == [("changed", 2)] * 4
        # The English story is put back as it was: version 3, so --version 2 must pick an older change.
        site.set_version("/news/barrier", "v1")
        assert statuses(data_dir, fetcher, room.en) == [("revert", 3)]
        yield room


def make_card(cards: Cards, tmp_path: Path, url: str, *args: str) -> bytes:
    out = tmp_path / f"card{len(list(tmp_path.iterdir()))}.png"
    result = watcher(cards.data_dir, "card", url, *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the "wrote FILE" note goes to stderr, stdout stays clean
    return out.read_bytes()


def test_card_is_a_1200_px_wide_png_showing_the_diff(cards, tmp_path):
    png = make_card(cards, tmp_path, cards.en, "--version", "2")
    width, height, rows = decode_png(png)
    assert width == CARD_WIDTH and MIN_HEIGHT <= height <= MAX_HEIGHT
    counts = colour_counts(rows)
    assert len(counts) > 50  # text antialiasing, del/ins fills, muted greys: far from a blank page
    assert counts.get(WHITE, 0) < 0.97 * width * height
    assert counts.get(DEL_BG, 0) > 200 and counts.get(INS_BG, 0) > 200  # the marked deletion and insertion

    latest = make_card(cards, tmp_path, cards.en)  # default: the newest change, 2 -> 3, the edits undone
    assert png_header(latest)[0] == CARD_WIDTH
    assert latest != png  # Chromium encodes the same picture to the same bytes


def test_card_height_follows_its_content(cards, tmp_path):
    """A one-word edit makes a short card with no empty band; rewritten paragraphs a taller one, never cut to
    the short card's size nor taller than a portrait post."""
    short_width, short_height = png_header(make_card(cards, tmp_path, cards.short))[:2]
    long_width, long_height = png_header(make_card(cards, tmp_path, cards.long))[:2]
    assert short_width == long_width == CARD_WIDTH
    assert short_height == MIN_HEIGHT
    assert short_height + 120 < long_height <= MAX_HEIGHT


def cjk_card_html(cards: Cards) -> tuple[str, str]:
    """The zh story's card HTML, as `watcher card` builds it, and its headline."""
    from watcher.store import open_store

    store = open_store(cards.data_dir)
    entry = ReportEntry(
        article=store.get_article(cards.zh), old=store.get_version(cards.zh, 1), new=store.get_version(cards.zh, 2)
    )
    return card_html(entry, width=CARD_SIZE[0], height=CARD_SIZE[1]), entry.new.article.headline


def test_cjk_card_renders(cards, tmp_path):
    png = make_card(cards, tmp_path, cards.zh, "--version", "2")
    width, height, rows = decode_png(png)
    assert width == CARD_WIDTH and MIN_HEIGHT <= height <= MAX_HEIGHT
    assert len(colour_counts(rows)) > 50


def test_cjk_glyphs_are_real_not_tofu(cards, fetcher):
    """Each Han character of the headline, drawn alone with the card's fonts, has its own shape; with no
    CJK font they would all be the same .notdef box, like the unassigned code point drawn beside them."""
    _, headline = cjk_card_html(cards)
    han = list(dict.fromkeys(ch for ch in headline if "\u4e00" <= ch <= "\u9fff"))[:8]
    assert len(han) >= 4, headline
    probes = han + ["\u0378"]  # unassigned: no font has it, so it is drawn as the missing-glyph box
    cell = 64
    boxes = "".join(
        f'<div style="position:absolute;left:{i * cell}px;top:0;width:{cell}px;height:{cell}px;'
        f'font:48px/{cell}px {CARD_FONT_STACK};text-align:center">{ch}</div>'
        for i, ch in enumerate(probes)
    )
    html = (
        f'<!DOCTYPE html><html lang="zh-Hant"><body style="margin:0;background:#fff;color:#000">{boxes}</body></html>'
    )
    _, _, rows = decode_png(fetcher.render_png_sync(html, cell * len(probes), cell))
    glyphs = [tuple(tuple(row[i * cell : (i + 1) * cell]) for row in rows) for i in range(len(probes))]
    for ch, glyph in zip(han, glyphs):
        ink = sum(px != WHITE for row in glyph for px in row)
        assert ink > 60, f"{ch!r} drew nothing"
        assert glyph != glyphs[-1], f"{ch!r} drawn as the missing-glyph box"
    assert len(set(glyphs[:-1])) == len(han), "distinct characters drawn with the same shape (tofu)"


def test_cjk_card_uses_the_noto_cjk_font(cards):
    """The font Chromium actually used for the card's headline (DevTools' platform fonts), so the test
    fails when fonts-noto-cjk is missing even if some other font would draw the characters."""
    from playwright.sync_api import sync_playwright

    from watcher.fetch.browser import LAUNCH_ARGS, find_browser

    html, headline = cjk_card_html(cards)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=find_browser().path, args=LAUNCH_ARGS
        )  # the flags watcher launches with
        try:
            page = browser.new_page(viewport={"width": CARD_SIZE[0], "height": CARD_SIZE[1]})
            page.set_content(html)
            assert page.inner_text("h1") == headline
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
        finally:
            browser.close()
    used = {f["familyName"]: f["glyphCount"] for f in fonts}
    noto = {name: count for name, count in used.items() if name.startswith("Noto Sans CJK")}
    han = sum(1 for ch in headline if "\u4e00" <= ch <= "\u9fff")
    assert noto and sum(noto.values()) >= han, used


def test_the_pilcrow_in_a_cards_words_sits_tight_against_its_number():
    """ "bus: 12 → 15 (¶1)" as drawn: each ¶ of the card (the line of what changed, the edit's label) is about as
    wide as a letter, not the wide cell Noto Sans CJK gives it, which read as "( ¶ 1)"."""
    with _drawn_card("The city will run 12 bus routes at night.", "The city will run 15 bus routes at night.") as page:
        assert page.inner_text(".what-changed") == "bus: 12 → 15 (¶1)"
        # Each ¶'s advance against the "P" of the same line, set in the same font size.
        widths = page.evaluate(
            """() => [...document.querySelectorAll('.what-changed, .label')].map(el => {
                const text = [...el.querySelectorAll('*')].concat([el]).flatMap(e => [...e.childNodes])
                    .find(n => n.nodeType === 3 && n.data.includes('¶'));
                const range = document.createRange();
                range.setStart(text, text.data.indexOf('¶'));
                range.setEnd(text, text.data.indexOf('¶') + 1);
                const probe = document.createElement('span');
                probe.textContent = 'P';
                text.parentNode.appendChild(probe);
                return [range.getBoundingClientRect().width, probe.getBoundingClientRect().width];
            })"""
        )
    assert len(widths) == 2, widths  # the line of what changed and the edit's label
    for pilcrow, letter in widths:
        assert pilcrow <= 1.15 * letter, widths


# Each mark of the card's text (from `marks`) as drawn: (mark, its advance, the advance of an "o" beside it).
_MARK_WIDTHS_JS = """(marks) => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
            if (!marks.includes(node.data[i])) continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const probe = document.createElement('span');
            probe.textContent = 'o';
            node.parentNode.appendChild(probe);
            out.push([node.data[i], range.getBoundingClientRect().width, probe.getBoundingClientRect().width]);
            probe.remove();
        }
    }
    return out;
}"""


# The space between the outlet's name and the "·" before the host, in px.
_GAP_AFTER_OUTLET_JS = """() => {
    const walker = document.createTreeWalker(document.querySelector('.path'), NodeFilter.SHOW_TEXT);
    let path = walker.nextNode();
    while (!path.data.includes('·')) path = walker.nextNode();
    const range = document.createRange();
    range.setStart(path, path.data.indexOf('·'));
    range.setEnd(path, path.data.indexOf('·') + 1);
    return range.getBoundingClientRect().left - document.querySelector('.host').getBoundingClientRect().right;
}"""


@contextmanager
def _drawn_card(body_before: str, body_after: str, lang: str = "en") -> Iterator[Any]:
    """A card of one paragraph's edit (the outlet "The Courier"), drawn in Chromium at the card's size: its page."""
    from playwright.sync_api import sync_playwright

    from watcher.diff import diff_articles
    from watcher.fetch.browser import LAUNCH_ARGS, find_browser
    from watcher.models import Article, Version, WatchedArticle

    url, at = "https://news.example/2026/bridge", datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    before = Article(headline="Bridge", body=[body_before, "Fares stay."], lang=lang, site="The Courier")
    after = Article(headline="Bridge", body=[body_after, "Fares stay."], lang=lang, site="The Courier")
    old = Version(url=url, number=1, captured_at=at, content_hash="a", article=before)
    new = Version(url=url, number=2, captured_at=at, content_hash="b", article=after)
    new.edits = list(diff_articles(before, after).edits)
    html = card_html(ReportEntry(WatchedArticle(url=url, added_at=at), old, new), width=CARD_SIZE[0], height=None)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_browser().path, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": CARD_SIZE[0], "height": CARD_SIZE[1]})
            page.set_content(html)
            yield page
        finally:
            browser.close()


def _mark_widths(body_before: str, body_after: str, lang: str) -> tuple[str, float, list[tuple[str, float, float]]]:
    with _drawn_card(body_before, body_after, lang) as page:
        widths = page.evaluate(_MARK_WIDTHS_JS, "“”‘’·")
        return page.inner_text(".what-changed"), page.evaluate(_GAP_AFTER_OUTLET_JS), widths


def test_latin_punctuation_in_an_english_card_is_set_in_a_latin_font():
    """Curly quotes and the middle dot of an English card (its words: 'quote reworded: “…” → “…”', the labels'
    '·', the page's own quotes) are narrower than an "o" beside them, not the full-width cells of the CJK font
    (about 1.6 "o" wide before), with a real space still before the "·" after the outlet's name; a Chinese card
    keeps its full-width punctuation."""
    words, gap, widths = _mark_widths(
        "“We will fix it,” Lee said on ‘Tuesday’.", "“We will fix it soon,” Lee said on ‘Tuesday’.", "en"
    )
    assert words == "quote reworded: “We will fix it,” → “We will fix it soon,” (¶1)"
    assert {mark for mark, *_ in widths} == set("“”‘’·"), widths
    for mark, width, letter in widths:
        assert width <= 0.8 * letter, (mark, widths)
    assert gap >= 3, gap  # "The Courier · news.example", not "The Courier· news.example"
    _words, _gap, widths = _mark_widths("李市長說：“我們會修好它。”", "李市長說：“我們很快會修好它。”", "zh-Hant")
    closing = [width / letter for mark, width, letter in widths if mark == "”"]
    assert closing and min(closing) >= 1.2, widths


# --- errors ---------------------------------------------------------------------------------------------


def test_card_errors_are_one_line(cards, tmp_path):
    out = tmp_path / "card.png"
    first = one_line_error(watcher(cards.data_dir, "card", cards.zh, "--version", "1", "-o", str(out)))
    assert "version 1" in first
    unknown = one_line_error(watcher(cards.data_dir, "card", cards.zh, "--version", "9", "-o", str(out)))
    assert "no version 9" in unknown
    assert "no version 0" in one_line_error(watcher(cards.data_dir, "card", cards.zh, "--version", "0", "-o", str(out)))
    assert "not watching" in one_line_error(watcher(cards.data_dir, "card", "http://example.com/x", "-o", str(out)))
    assert not out.exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert str(blocker) in one_line_error(watcher(cards.data_dir, "card", cards.zh, "-o", str(blocker / "card.png")))
    assert "is a directory" in one_line_error(watcher(cards.data_dir, "card", cards.zh, "-o", str(tmp_path)))
