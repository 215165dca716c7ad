"""The diff card: a fixed-size, self-contained HTML page of one version change, for a PNG to post."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.labels import field_label
from watcher.models import Edit, InlineOp, class_rank, shown_edits
from watcher.report.css import CARD_FONT_STACK, DIFF_CSS, LIGHT_VARS
from watcher.report.entries import Change, ReportEntry, edit_ops
from watcher.report.html import CSP, esc, flags_html, inline_html, page, version_title
from watcher.times import display_time
from watcher.urls import host_of

MAX_EDITS = 3
CONTEXT_CHARS = 70  # unchanged text kept on each side of a change
EDIT_CHARS = 320  # per shown edit, so a few paragraphs fit the card

CARD_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; width: {w}px; height: {h}px; overflow: hidden; }
body { background: var(--bg); color: var(--fg); font-family: {font}; font-size: 24px; line-height: 1.45;
       color-scheme: light; }
.card { width: {w}px; height: {h}px; padding: 36px 48px; display: flex; flex-direction: column; gap: 10px; }
.top { display: flex; justify-content: space-between; align-items: baseline; color: var(--muted); font-size: 20px; }
.host { font-weight: 700; color: var(--fg); }
h1 { font-size: 38px; line-height: 1.2; margin: 0; overflow-wrap: anywhere;
     display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.times { color: var(--muted); font-size: 19px; margin: 0; }
.flags { margin: 0; }
.flag { font-size: 17px; }
.edits-box { flex: 1; min-height: 0; overflow: hidden; position: relative; display: flex; flex-direction: column;
             gap: 14px; justify-content: safe center; }
.edits-box::after { content: ""; position: absolute; left: 0; right: 0; bottom: 0; height: 40px;
                    background: linear-gradient(rgba(255,255,255,0), var(--bg)); }
.edit { border-left: 4px solid var(--border); padding-left: 14px; }
.label { font-size: 18px; }
.diff { font-size: 28px; line-height: 1.4; }
.more { color: var(--muted); font-size: 18px; margin: 0; }
.brand { color: var(--muted); font-size: 16px; text-align: right; }
"""


def _clip_equal(text: str, *, first: bool, last: bool) -> str:
    # Unchanged text only gives context: keep its end before a change and its start after one.
    if len(text) <= 2 * CONTEXT_CHARS:
        return text
    if first:
        return "…" + text[-CONTEXT_CHARS:]
    if last:
        return text[:CONTEXT_CHARS] + "…"
    return text[:CONTEXT_CHARS] + " … " + text[-CONTEXT_CHARS:]


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
            out.append((op, text[:left] + "…"))
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


def _card_edit_html(edit: Edit) -> str:
    label = f'<p class="label">{esc(field_label(edit.field))} · <span class="cls">{esc(edit.cls)}</span></p>'
    return f'<div class="edit">{label}<p class="diff" dir="auto">{inline_html(trim_ops(edit_ops(edit)))}</p></div>'


def card_html(entry: ReportEntry, *, width: int = 1200, height: int = 675) -> str:
    """Self-contained HTML for a PNG diff card of one version change (1200x675 suits social posting)."""
    change = Change(entry, list(entry.new.edits))
    # Cosmetic edits only when there is nothing else, so a card never comes out empty.
    visible = shown_edits(change.edits) or change.edits
    shown = card_edits(visible)
    new, old = entry.new, entry.old
    times = display_time(new.captured_at)
    if old is not None:
        times = f"{display_time(old.captured_at)} → {times}"
    parts = [_card_edit_html(e) for e in shown]
    if new.event and not shown:
        parts.append(f'<p class="event">The article was {esc(new.event)}.</p>')
    hidden = len(visible) - len(shown)
    more = f'<p class="more">+ {hidden} more edit{"" if hidden == 1 else "s"}</p>' if hidden > 0 else ""
    lang = new.article.lang or ""
    lang_attr = esc(lang) if lang.replace("-", "").isalnum() and len(lang) <= 35 else "und"
    card_css = CARD_CSS.replace("{w}", str(width)).replace("{h}", str(height)).replace("{font}", CARD_FONT_STACK)
    css = LIGHT_VARS + DIFF_CSS + card_css
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        f'<meta name="viewport" content="width={width}, height={height}">'
        f"<title>{esc(change.headline)}</title><style>{css}</style></head>"
        f'<body data-edit-count="{len(visible)}"><div class="card">'
        f'<div class="top"><span class="host">{page(host_of(change.url) or change.url)}</span>'
        f"<span>{esc(version_title(change))}</span></div>"
        f'<h1 dir="auto">{page(change.headline)}</h1>'
        f'<p class="times">{esc(times)}</p>'
        f"{flags_html(change.flags)}"
        f'<div class="edits-box">{"".join(parts)}</div>{more}'
        '<div class="brand">watcher</div>'
        "</div></body></html>\n"
    )
