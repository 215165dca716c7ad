"""The diff card: a self-contained HTML page of one version change, for a PNG to post; 1200 px wide, as tall
as its content within MIN_HEIGHT..MAX_HEIGHT (or a fixed size when asked)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, tzinfo

from watcher.cjk import CJK_LETTERS
from watcher.labels import story_event, story_flag, story_more, story_version, story_words
from watcher.models import Edit, InlineOp, class_rank, shown_edits
from watcher.report.css import CARD_FONT_FACES, CARD_FONT_STACK, CARD_LATIN_FONT_STACK, DIFF_CSS, LIGHT_VARS
from watcher.report.entries import Change, ReportEntry, change_words, edit_ops, placed, shown_edit
from watcher.report.html import CSP, css_token, esc, inline_html, page
from watcher.report.shots import boxes_for, thumbnail_svg
from watcher.times import display_time_in, parse_iso
from watcher.urls import host_of

MAX_EDITS = 3
CONTEXT_CHARS = 70  # unchanged text kept on each side of a change
EDIT_CHARS = 320  # per shown edit, so a few paragraphs fit the card
# A card fitted to its content: a one-line edit leaves no empty band, three long paragraphs are not cut;
# 1200x630 is the smallest common social preview, 1350 px tall the tallest portrait post (4:5 at 1080).
MIN_HEIGHT, MAX_HEIGHT = 630, 1350

CARD_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; width: {w}px; {page_h} overflow: hidden; }
body { background: var(--bg); color: var(--fg); font-family: {font}; font-size: 24px; line-height: 1.45;
       color-scheme: light; }
.card { width: {w}px; {card_h} padding: 36px 48px; display: flex; flex-direction: column; gap: 10px; }
.top { display: flex; justify-content: space-between; align-items: baseline; color: var(--muted); font-size: 20px; }
.where { display: flex; min-width: 0; flex: 1; margin-right: 24px; white-space: nowrap; }
.host { font-weight: 700; color: var(--fg); flex: none; }
.path { overflow: hidden; text-overflow: ellipsis; }
.version { flex: none; }
h1 { font-size: 38px; line-height: 1.2; margin: 0; overflow-wrap: anywhere;
     display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.times { color: var(--muted); font-size: 19px; margin: 0; }
.what-changed { font-size: 21px; font-weight: 600; margin: 10px 0 0; }
.flags { margin: 0; }
.flag { font-size: 17px; }
.card > * { flex: none; }
.card > .edits-box { flex: 1 1 auto; min-height: 0; overflow: hidden; position: relative; display: flex; flex-direction: column;
             gap: 14px; justify-content: safe center; }
.edits-box::after { content: ""; position: absolute; left: 0; right: 0; bottom: 0; height: 40px;
                    background: linear-gradient(rgba(255,255,255,0), var(--bg)); }
.edit { border-left: 4px solid var(--border); padding-left: 14px; }
.edit.op-move { border-left: 4px dashed #3f6fb5; }
.edit.op-move .label::before { content: "⇅ "; color: #3f6fb5; font-weight: 700; }
.label { font-size: 18px; }
/* Lines far enough apart that a wrapped insertion's background never covers the underline of the line
   above it (at 1.4 the CJK font's tall boxes hid the underline under the first inserted words). */
.diff { font-size: {diff_px}px; line-height: 1.6; }
.more { color: var(--muted); font-size: 18px; margin: 0; }
.brand { color: var(--muted); font-size: 16px; text-align: right; }
"""

# The page as rendered, cropped to the changed paragraphs and outlined, beside the edits.
THUMB_CSS = """
.card.with-thumb { position: relative; padding-right: {thumb_room}px; }
.thumb { position: absolute; top: 36px; right: 48px; width: {thumb_w}px; margin: 0; }
.thumb svg { display: block; width: 100%; height: auto; max-height: {thumb_max_h}px; border: 1px solid var(--border); }
.thumb figcaption { color: var(--muted); font-size: 15px; margin-top: 6px; }
.shot-new { fill: none; stroke: #e8590c; stroke-width: 4px; vector-effect: non-scaling-stroke; }
"""
THUMB_WIDTH = 340  # px of the card the screenshot's thumbnail takes, beside the edits


# Where a sentence ends (Latin and CJK full stops, a closing quote or bracket after one) and a word does.
_SENTENCE_END = re.compile(r"[.!?。！？；;][\"'”’)）」』]*(?=\s|$)|[。！？]")
_SPACE = re.compile(r"\s+")


def head(text: str, limit: int) -> str:
    """The start of `text` in at most `limit` characters, cut after a sentence when one ends in the last two
    thirds, else at a word boundary (CJK text, which has none, at a character), with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    piece = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(piece) if m.end() >= limit // 3]
    if ends:
        return piece[: ends[-1]] + " …"
    spaces = [m.start() for m in _SPACE.finditer(piece) if m.start() >= limit // 3]
    if spaces and not _unspaced(piece):
        return piece[: spaces[-1]] + " …"
    return piece + "…"


def tail(text: str, limit: int) -> str:
    """The end of `text` in at most `limit` characters, from a sentence's start when one starts in the first
    two thirds, else from a word boundary, with an ellipsis before it when cut."""
    if len(text) <= limit:
        return text
    start = len(text) - limit
    piece = text[start:]
    starts = [m.end() for m in _SENTENCE_END.finditer(text, start) if m.end() - start <= 2 * limit // 3]
    if starts:
        return "… " + text[starts[0] :].lstrip()
    spaces = [m.end() for m in _SPACE.finditer(piece) if m.end() <= 2 * limit // 3]
    if spaces and not _unspaced(piece):
        return "… " + piece[spaces[0] :]
    return "…" + piece


def _unspaced(text: str) -> bool:
    """True for text written without spaces between words (Chinese, Japanese): cut anywhere but mid-character."""
    return text.count(" ") * 12 < len(text)


def _clip_equal(text: str, *, first: bool, last: bool) -> str:
    # Unchanged text only gives context: keep its end before a change and its start after one, in whole words.
    if len(text) <= 2 * CONTEXT_CHARS:
        return text
    if first:
        return tail(text, CONTEXT_CHARS)
    if last:
        return head(text, CONTEXT_CHARS)
    lead, trail = head(text, CONTEXT_CHARS), tail(text, CONTEXT_CHARS)
    return lead.rstrip("… ") + " … " + trail.lstrip("… ")


def trim_ops(ops: Sequence[InlineOp], budget: int = EDIT_CHARS) -> list[InlineOp]:
    """Inline ops shortened for the card: long unchanged runs clipped, then cut at the character budget."""
    clipped = [
        (op, _clip_equal(text, first=i == 0, last=i == len(ops) - 1) if op == "=" else text)
        for i, (op, text) in enumerate(ops)
    ]
    out: list[InlineOp] = []
    left = budget
    for op, text in clipped:
        if left <= 0:
            break
        if len(text) > left:
            out.append((op, head(text, left)))
            break
        out.append((op, text))
        left -= len(text)
    return out


def card_edits(edits: Sequence[Edit]) -> list[Edit]:
    """The edits worth a place on the card: headline first, then the most serious, in page order."""
    ranked = sorted(
        range(len(edits)),
        key=lambda i: (edits[i].field != "headline", -class_rank(edits[i].cls), i),
    )
    keep = sorted(ranked[:MAX_EDITS], key=lambda i: (edits[i].field != "headline", i))
    return [edits[i] for i in keep]


def _card_edit_html(edit: Edit, lang: str | None = None) -> str:
    shown = shown_edit(edit, lang)
    return (
        f'<div class="edit op-{css_token(edit.op)}" data-op="{esc(edit.op)}"><p class="label">{esc(shown.label)}</p>'
        f'<p class="diff" dir="auto">{inline_html(trim_ops(shown.ops))}</p></div>'
    )


def _written_in_cjk(lang: str, headline: str) -> bool:
    """A story in Chinese, Japanese or Korean, whose punctuation is set in full-width cells: by the language the
    page declares, else (many such pages declare none) by the letters of its headline."""
    if lang:
        return lang.split("-")[0].casefold() in {"zh", "ja", "ko"}
    return _CJK_LETTER.search(headline) is not None


_CJK_LETTER = re.compile(f"[{CJK_LETTERS}]")


def published_line(published: str | None, tz: tzinfo, lang: str | None) -> str:
    """ "Published 2026-11-20 18:00 CST" in the reader's zone; "" when the page gave no date."""
    try:
        moment = parse_iso(published)
    except ValueError:
        return ""
    if moment is None:
        return ""
    return ("發布於 " if story_words(lang) else "Published ") + display_time_in(moment, tz)


PATH_CHARS = 60  # of the URL's path on the card's top line; longer ones lose their middle, never the slug


def diff_font_px(edits: Sequence[Edit]) -> int:
    """The edits' type size: one short edit is set large so it fills the card instead of leaving a band of
    white around it; a card full of text keeps the size that fits three shortened paragraphs."""
    chars = sum(sum(len(text) for _, text in trim_ops(edit_ops(e))) for e in edits)
    if chars <= 40:
        return 56
    if chars <= 90:
        return 44
    if chars <= 200:
        return 36
    return 28


def _path(url: str) -> str:
    """The URL's path and query, the part that tells two stories on one site apart."""
    rest = url.split("://", 1)[-1]
    path = rest[len(rest.split("/", 1)[0]) :] if "/" in rest else ""
    if len(path) > PATH_CHARS:
        path = path[:16] + "…" + path[-(PATH_CHARS - 17) :]
    return path


def card_html(
    entry: ReportEntry,
    *,
    width: int = 1200,
    height: int | None = None,
    tz: tzinfo | None = None,
    image: str | None = None,
) -> str:
    """Self-contained HTML for a PNG diff card of one version change: `height` px tall, or with None as tall
    as its content (MIN_HEIGHT..MAX_HEIGHT), for a full-page screenshot; times in `tz` (None: UTC); `image`:
    the new version's screenshot (a data: URI), shown as a thumbnail with the card's edits outlined."""
    change = Change(entry, placed(entry.old, entry.new, entry.new.edits))
    # Cosmetic edits only when there is nothing else, so a card never comes out empty.
    visible = shown_edits(change.edits) or change.edits
    shown = card_edits(visible)
    new, old = entry.new, entry.old
    zone = tz or UTC
    times = display_time_in(new.captured_at, zone)
    if old is not None:
        times = f"{display_time_in(old.captured_at, zone)} → {times}"
    lang = new.article.lang or ""
    published = published_line(new.article.published, zone, lang)
    if published:
        # "edited" only over edits: a removal, a redirect or a page back is said by its own line below.
        verb = ("修改 " if story_words(lang) else "edited ") if shown else ""
        times = f"{published} · {verb}{times}"
    outlet = new.article.site or (old.article.site if old else "")
    host = host_of(change.url) or change.url
    # The outlet's own name leads when the page gave it; the host and path still tell stories apart.
    # A no-break space: the path is a flex item, whose leading space is dropped ("Courier· host" once the dot
    # is no longer the CJK font's full-width cell).
    where = f"\u00a0· {host}{_path(change.url)}" if outlet else _path(change.url)
    parts = [_card_edit_html(e, lang) for e in shown]
    if new.event and not shown:
        parts.append(f'<p class="event">{esc(story_event(new.event, lang))}</p>')
    hidden = len(visible) - len(shown)
    more = f'<p class="more">{esc(story_more(hidden, lang))}</p>' if hidden > 0 else ""
    words = change_words(change, lang) if shown else ""
    summary = f'<p class="what-changed" dir="auto">{page(words)}</p>' if words else ""
    flags = (
        '<ul class="flags">'
        + "".join(f'<li class="flag flag-{css_token(f)}">{esc(story_flag(f, lang))}</li>' for f in change.flags)
        + "</ul>"
        if change.flags
        else ""
    )
    lang_attr = esc(lang) if lang.replace("-", "").isalnum() and len(lang) <= 35 else "und"
    fit_css = ""
    if height is None:
        page_h, card_h = "", f"min-height: {MIN_HEIGHT}px; max-height: {MAX_HEIGHT}px;"
        # The fade marks text cut at the card's bottom; on a card that fits, it must fall on empty space.
        fit_css = ".card > .edits-box { padding-bottom: 40px; }\n"
    else:
        page_h = card_h = f"height: {height}px;"
    card_css = (
        CARD_CSS.replace("{w}", str(width))
        .replace("{page_h}", page_h)
        .replace("{card_h}", card_h)
        .replace("{font}", CARD_FONT_STACK if _written_in_cjk(lang, new.article.headline) else CARD_LATIN_FONT_STACK)
        .replace("{diff_px}", str(diff_font_px(shown)))
    )
    thumb = ""
    if image and new.screenshot is not None:
        boxes = boxes_for(new.screenshot, [e.new for e in shown])
        label = esc(f"v{new.number} as rendered")
        thumb = f'<figure class="thumb">{thumbnail_svg(new.screenshot, image, boxes, label)}<figcaption>{label}</figcaption></figure>'
        card_css += (
            THUMB_CSS.replace("{thumb_room}", str(THUMB_WIDTH + 48 + 36))
            .replace("{thumb_w}", str(THUMB_WIDTH))
            .replace("{thumb_max_h}", str(MIN_HEIGHT - 140))
        )
    css = CARD_FONT_FACES + LIGHT_VARS + DIFF_CSS + card_css + fit_css
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        f'<meta name="viewport" content="width={width}{"" if height is None else f", height={height}"}">'
        f"<title>{esc(change.headline)}</title><style>{css}</style></head>"
        f'<body data-edit-count="{len(visible)}"><div class="card{" with-thumb" if thumb else ""}">{thumb}'
        f'<div class="top"><span class="where"><span class="host">{page(outlet or host)}</span>'
        f'<span class="path">{page(where)}</span></span>'
        f'<span class="version">{esc(story_version(old.number if old else None, new.number, lang))}</span></div>'
        f'<h1 dir="auto">{page(change.headline)}</h1>'
        f'<p class="times">{esc(times)}</p>'
        f"{summary}{flags}"
        f'<div class="edits-box">{"".join(parts)}</div>{more}'
        '<div class="brand">watcher</div>'
        "</div></body></html>\n"
    )
