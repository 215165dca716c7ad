"""The self-contained HTML report: inline CSS, no scripts, no remote resources, every page text escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from watcher.labels import (
    op_word,
    story_class,
    story_event,
    story_field,
    story_flag,
    story_version,
    story_words,
)
from watcher.models import Edit, InlineOp
from watcher.report.css import REPORT_CSS
from watcher.report.entries import ArticleGroup, Change, anchor_id, change_words, edit_ops, plural, safe_href
from watcher.times import display_time, iso
from watcher.untrusted import without_controls
from watcher.urls import host_of

# Only style is allowed: if escaping ever failed, the browser would still refuse scripts and remote loads.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_CLASS_RE = re.compile(r"[^a-z0-9_-]+")
# `report --lang`: the language of watcher's own labels; auto is each story's own (Article.lang).
LANG_MODES = ("auto", "en", "zh-Hant")


def labels_lang(mode: str, story_lang: str | None) -> str | None:
    """The language to word a story's labels in (None: English) for a `--lang` mode."""
    if mode == "auto":
        return story_lang or None
    return None if mode == "en" else mode


def esc(text: object) -> str:
    """Text as HTML text or attribute value; control characters (ESC...) shown as stand-ins, never raw."""
    return html.escape(without_controls("" if text is None else str(text)), quote=True)


def page(text: object) -> str:
    """Page text set among watcher's own words: isolated, so bidi controls in it cannot reorder them."""
    return f"<bdi>{esc(text)}</bdi>"


def css_token(word: str) -> str:
    """A flag or class name reduced to characters safe in a class attribute."""
    return _CLASS_RE.sub("-", word.lower())


def link(url: str, text: str | None = None) -> str:
    """An anchor for http(s) URLs; any other scheme (javascript:, data:...) is shown as plain text."""
    label = esc(url if text is None else text)
    href = safe_href(url)
    if href is None:
        return f'<span class="url-text">{label}</span>'
    return f'<a href="{esc(href)}" rel="noopener noreferrer nofollow">{label}</a>'


def inline_html(ops: Sequence[InlineOp]) -> str:
    """Inline diff ops as text with <del>/<ins>."""
    out = []
    for op, text in ops:
        if op == "-":
            out.append(f"<del>{esc(text)}</del>")
        elif op == "+":
            out.append(f"<ins>{esc(text)}</ins>")
        else:
            out.append(esc(text))
    return "".join(out)


def edit_html(edit: Edit, lang: str | None = None) -> str:
    """One edit: a label (field, what happened, class) and its inline diff; labels in `lang` (None: English)."""
    # The operation has no word outside English; the marked diff itself shows what went and what came.
    op = "" if story_words(lang) else f"{esc(op_word(edit.op))} · "
    label = (
        f'<p class="label"><span class="field">{esc(story_field(edit.field, lang))}</span> · '
        f'{op}<span class="cls">{esc(story_class(edit.cls, lang))}</span></p>'
    )
    return (
        f'<div class="edit cls-{css_token(edit.cls)}" data-field="{esc(edit.field)}" data-op="{esc(edit.op)}" '
        f'data-class="{esc(edit.cls)}">{label}<p class="diff" dir="auto">{inline_html(edit_ops(edit))}</p></div>'
    )


def flags_html(flags: Sequence[str], lang: str | None = None) -> str:
    """The flags as labelled chips; empty when there are none."""
    if not flags:
        return ""
    items = "".join(f'<li class="flag flag-{css_token(f)}">{esc(story_flag(f, lang))}</li>' for f in flags)
    return f'<ul class="flags">{items}</ul>'


def times_html(change: Change) -> str:
    """When the two versions were captured."""
    new = change.entry.new
    new_time = f'<time datetime="{esc(iso(new.captured_at))}">{esc(display_time(new.captured_at))}</time>'
    old = change.entry.old
    if old is None:
        return f'<p class="times">captured {new_time}</p>'
    old_time = f'<time datetime="{esc(iso(old.captured_at))}">{esc(display_time(old.captured_at))}</time>'
    return f'<p class="times">{old_time} → {new_time}</p>'


def version_title(change: Change, lang: str | None = None) -> str:
    """ "Version 2 → 3", or "Version 3" with no previous version (in `lang`, None: English)."""
    new, old = change.entry.new, change.entry.old
    return story_version(old.number if old is not None else None, new.number, lang)


def event_sentence(event: str, lang: str | None) -> str:
    """What happened to the page in this version, as one sentence."""
    return story_event(event, lang) if story_words(lang) else f"The article was {event} in this version."


def change_html(change: Change, *, heading: str = "h3", element_id: str | None = None, lang: str | None = None) -> str:
    """One version change as an HTML fragment (used by the report and by the Atom entries)."""
    id_attr = f' id="{esc(element_id)}"' if element_id else ""
    parts = [f'<article class="change"{id_attr}>', f"<{heading}>{esc(version_title(change, lang))}</{heading}>"]
    parts.append(times_html(change))
    parts.append(flags_html(change.flags, lang))
    words = change_words(change, lang)
    if words:
        parts.append(f'<p class="what-changed">{esc(words)}</p>')
    if change.entry.new.event and not change.edits:
        parts.append(f'<p class="event">{esc(event_sentence(change.entry.new.event, lang))}</p>')
    if change.entry.new.final_url:
        parts.append(f'<p class="event">The page led to {link(change.entry.new.final_url)}</p>')
    if change.edits:
        parts.append('<div class="diffs">' + "".join(edit_html(e, lang) for e in change.edits) + "</div>")
    parts.append("</article>")
    return "".join(parts)


def _lang_attr(group: ArticleGroup) -> str:
    # The article's language picks the right CJK glyph variants; only a well-formed tag is trusted.
    lang = group.changes[0].entry.new.article.lang or ""
    return f' lang="{esc(lang)}"' if _LANG_RE.match(lang) else ""


def group_html(group: ArticleGroup, lang_mode: str = "en") -> str:
    """An article's section: headline, URL and its changes, newest first."""
    anchor = anchor_id(group.url)
    lang = labels_lang(lang_mode, group.changes[0].entry.new.article.lang)
    changes = "".join(change_html(c, element_id=f"{anchor}-v{c.entry.new.number}", lang=lang) for c in group.changes)
    return (
        f'<section class="article" id="{esc(anchor)}"{_lang_attr(group)}>'
        f'<h2 dir="auto">{page(group.headline)}</h2>'
        f'<p class="url">{link(group.url)}</p>'
        f'<p class="muted">{esc(plural(len(group.changes), "version change"))} · '
        f"{esc(plural(group.edit_count, 'edit'))}</p>"
        f"{changes}</section>"
    )


def toc_html(groups: Sequence[ArticleGroup]) -> str:
    """The table of contents: one link per article section."""
    items = "".join(
        f'<li><a href="#{esc(anchor_id(g.url))}">{page(g.headline)}</a> '
        f'<span class="muted">{page(host_of(g.url) or g.url)} · {esc(plural(g.edit_count, "edit"))}</span></li>'
        for g in groups
    )
    return f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def render_html(
    groups: Sequence[ArticleGroup], *, generated_at: datetime, title: str, window: str, lang: str = "en"
) -> str:
    """The whole report as one self-contained HTML document."""
    edit_count = sum(g.edit_count for g in groups)
    change_count = sum(len(g.changes) for g in groups)
    counts = " · ".join(
        [plural(len(groups), "article"), plural(change_count, "version change"), plural(edit_count, "edit")]
    )
    meta = f'Generated <time datetime="{esc(iso(generated_at))}">{esc(display_time(generated_at))}</time>'
    if window:
        meta += f" · {esc(window)}"
    body = [
        f'<header><h1>{esc(title)}</h1><p class="meta">{meta}</p>',
        f'<p class="summary" data-edit-count="{edit_count}" data-article-count="{len(groups)}" '
        f'data-change-count="{change_count}">{esc(counts)}</p></header>',
    ]
    if groups:
        body.append(toc_html(groups))
        body.extend(group_html(g, lang) for g in groups)
    else:
        body.append('<p class="empty">No edits in this window.</p>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{REPORT_CSS}</style></head>\n"
        f'<body data-edit-count="{edit_count}"><main class="report">' + "\n".join(body) + "</main></body></html>\n"
    )
