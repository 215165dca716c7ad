"""The self-contained HTML report: inline CSS, no scripts, no remote resources, every page text escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from watcher.labels import (
    SOURCE_WORDS,
    copy_service,
    story_event,
    story_flag,
    story_version,
    story_words,
)
from watcher.models import CLASSES, Edit, InlineOp, Version
from watcher.report.css import REPORT_CSS
from watcher.report.entries import (
    ArticleGroup,
    Change,
    ReportOptions,
    ReportTotals,
    anchor_id,
    change_words,
    plural,
    safe_href,
    shown_edit,
)
from watcher.report.shots import shots_html
from watcher.times import display_time_in, iso
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


def _context_html(found: tuple[str, str] | None) -> str:
    if found is None:
        return ""
    where, text = found
    return f'<p class="context" dir="auto"><span class="pn">{esc(where)}</span> {page(text)}</p>'


def edit_html(edit: Edit, lang: str | None = None, change: Change | None = None) -> str:
    """One edit: a label (field and paragraph, what happened, class) and its inline diff, between the
    paragraphs before and after it when `change` is given; labels in `lang` (None: English)."""
    shown = shown_edit(edit, lang, change)
    label = f'<p class="label">{esc(shown.label)}</p>'
    attrs = f'data-field="{esc(edit.field)}" data-op="{esc(edit.op)}" data-class="{esc(edit.cls)}"'
    if edit.from_para is not None:
        attrs += f' data-from="{edit.from_para}"'
    if edit.to_para is not None:
        attrs += f' data-to="{edit.to_para}"'
    return (
        f'<div class="edit cls-{css_token(edit.cls)} op-{css_token(edit.op)}" {attrs}>{label}'
        f"{_context_html(shown.before)}"
        f'<p class="diff" dir="auto">{inline_html(shown.ops)}</p>'
        f"{_context_html(shown.after)}</div>"
    )


def flags_html(flags: Sequence[str], lang: str | None = None) -> str:
    """The flags as labelled chips; empty when there are none."""
    if not flags:
        return ""
    items = "".join(f'<li class="flag flag-{css_token(f)}">{esc(story_flag(f, lang))}</li>' for f in flags)
    return f'<ul class="flags">{items}</ul>'


def time_html(moment: datetime, tz: tzinfo | None = None) -> str:
    """A <time> element: the instant in its attribute, the reader's zone (`--tz`; None: UTC) in its text."""
    return f'<time datetime="{esc(iso(moment))}">{esc(display_time_in(moment, tz or UTC))}</time>'


def times_html(change: Change, tz: tzinfo | None = None) -> str:
    """When the two versions were captured, in zone `tz` (None: UTC)."""
    new, old = change.entry.new, change.entry.old
    # Where the newer version came from: its raw HTML (a plain GET) or a browser render.
    source = f' <span class="source">· {esc(SOURCE_WORDS[new.source_name])}</span>'
    if old is None:
        return f'<p class="times">captured {time_html(new.captured_at, tz)}{source}</p>'
    return f'<p class="times">{time_html(old.captured_at, tz)} → {time_html(new.captured_at, tz)}{source}</p>'


def warc_file(archive_dir: Path, version: Version) -> Path | None:
    """The rolling WARC that holds this version's page as served ([archive] warc), when it was written."""
    if version.served_hash is None:
        return None  # the raw page was not kept, so it was not archived
    path = archive_dir / f"watcher-{version.captured_at.astimezone(UTC):%Y-%m}.warc.gz"
    return path if path.is_file() else None


def archive_html(change: Change, archive_dir: Path | None, tz: tzinfo | None = None) -> str:
    """Links to the WARC files holding both versions' pages as served, each named by its record's date."""
    if archive_dir is None:
        return ""
    links = []
    for version in (change.entry.old, change.entry.new):
        path = warc_file(archive_dir, version) if version is not None else None
        if version is None or path is None:
            continue
        when = display_time_in(version.captured_at, tz or UTC)
        links.append(
            f'<a class="warc" href="{esc(path.resolve().as_uri())}" data-warc-date="{esc(iso(version.captured_at))}">'
            f'v{version.number} · {esc(path.name)}</a> <span class="muted">(record of {esc(when)})</span>'
        )
    return f'<p class="archive">Archived pages (WARC): {" · ".join(links)}</p>' if links else ""


def copies_html(version: Version) -> str:
    """Links to the third-party copies of the version's page (watcher/copies.py), when any were made."""
    made = [c for c in version.copies if c.get("url")]
    if not made:
        return ""
    links = [f"{esc(copy_service(c.get('service')))}: {link(str(c['url']))}" for c in made]
    return f'<p class="copies">Archived copies: {" · ".join(links)}</p>'


def version_title(change: Change, lang: str | None = None) -> str:
    """ "Version 2 → 3", or "Version 3" with no previous version (in `lang`, None: English)."""
    new, old = change.entry.new, change.entry.old
    return story_version(old.number if old is not None else None, new.number, lang)


def event_sentence(event: str, lang: str | None) -> str:
    """What happened to the page in this version, as one sentence."""
    return story_event(event, lang) if story_words(lang) else f"The article was {event} in this version."


def change_html(
    change: Change,
    *,
    heading: str = "h3",
    element_id: str | None = None,
    lang: str | None = None,
    options: ReportOptions | None = None,
) -> str:
    """One version change as an HTML fragment (used by the report, the Atom entries and the web view): each edit
    between its neighbouring paragraphs, its labels in `lang` (None: English); as the report's `options` say
    (None: none of these), times in their zone, links to the archived pages and the page as rendered beside
    them with the changed texts outlined when screenshots were kept."""
    tz = options.tz if options else None
    archive_dir = options.archive_dir if options else None
    images = options.images if options else None
    id_attr = f' id="{esc(element_id)}"' if element_id else ""
    shots = shots_html(change.entry.old, change.entry.new, change.edits, images, element_id or "change")
    classes = "change has-shots" if shots else "change"
    parts = [f'<article class="{classes}"{id_attr}>', f"<{heading}>{esc(version_title(change, lang))}</{heading}>"]
    parts.append(shots)
    parts.append(times_html(change, tz))
    parts.append(flags_html(change.flags, lang))
    words = change_words(change, lang)
    if words:
        parts.append(f'<p class="what-changed" dir="auto">{page(words)}</p>')  # quotes are page text
    if change.entry.new.event and not change.edits:
        parts.append(f'<p class="event">{esc(event_sentence(change.entry.new.event, lang))}</p>')
    if change.entry.new.final_url:
        parts.append(f'<p class="event">The page led to {link(change.entry.new.final_url)}</p>')
    if change.edits:
        parts.append('<div class="diffs">' + "".join(edit_html(e, lang, change) for e in change.edits) + "</div>")
    parts.append(archive_html(change, archive_dir, tz))
    parts.append(copies_html(change.entry.new))
    parts.append("</article>")
    return "".join(parts)


def _lang_attr(group: ArticleGroup) -> str:
    # The article's language picks the right CJK glyph variants; only a well-formed tag is trusted.
    lang = group.changes[0].entry.new.article.lang or ""
    return f' lang="{esc(lang)}"' if _LANG_RE.match(lang) else ""


def _counts(changes: int, edits: int, lang: str | None) -> str:
    """ "2 version changes · 3 edits" in the story's language."""
    if story_words(lang):
        return f"{changes} 次版本更動 · {edits} 處修改"
    return f"{plural(changes, 'version change')} · {plural(edits, 'edit')}"


def group_html(group: ArticleGroup, options: ReportOptions) -> str:
    """An article's section: headline, URL and its changes, newest first."""
    anchor = anchor_id(group.url)
    lang = labels_lang(options.lang, group.changes[0].entry.new.article.lang)
    changes = "".join(
        change_html(c, element_id=f"{anchor}-v{c.entry.new.number}", lang=lang, options=options) for c in group.changes
    )
    return (
        f'<section class="article" id="{esc(anchor)}"{_lang_attr(group)}>'
        '<a class="back" href="#contents">↑ Contents</a>'
        f'<h2 dir="auto">{page(group.headline)}</h2>'
        f'<p class="url">{link(group.url)}</p>'
        f'<p class="muted">{esc(_counts(len(group.changes), group.edit_count, lang))}</p>'
        f"{changes}</section>"
    )


def summary_counts(group: ArticleGroup) -> tuple[dict[str, int], dict[str, int]]:
    """An article's shown edits by class and its version changes by flag (events count as flags)."""
    classes: dict[str, int] = {}
    flags: dict[str, int] = {}
    for change in group.changes:
        for edit in change.edits:
            classes[edit.cls] = classes.get(edit.cls, 0) + 1
        for flag in change.flags:
            flags[flag] = flags.get(flag, 0) + 1
    return classes, flags


def toc_html(groups: Sequence[ArticleGroup], tz: tzinfo | None = None) -> str:
    """The table of contents as a summary table: one row per article (a link to its section) with its edits
    by class and its changes by flag, so a researcher sees at the top where the corrections are."""
    counts = [summary_counts(g) for g in groups]
    classes = [c for c in reversed(CLASSES) if any(c in cls for cls, _ in counts)]
    flags = list(dict.fromkeys(f for _, fl in counts for f in fl))
    head = "".join(f'<th scope="col" class="num">{esc(c)}</th>' for c in classes)
    head += "".join(f'<th scope="col" class="num flag-col">{esc(story_flag(f, None))}</th>' for f in flags)
    rows = []
    for number, (g, (cls, fl)) in enumerate(zip(groups, counts), 1):
        cells = "".join(f'<td class="num">{cls.get(c, 0) or ""}</td>' for c in classes)
        cells += "".join(f'<td class="num">{fl.get(f, 0) or ""}</td>' for f in flags)
        rows.append(
            f'<tr><td class="num">{number}</td><th scope="row"><a href="#{esc(anchor_id(g.url))}">{page(g.headline)}</a>'
            f' <span class="muted">{page(host_of(g.url) or g.url)}</span></th>'
            f'<td class="when">{time_html(g.changes[0].entry.new.captured_at, tz)}</td>{cells}</tr>'
        )
    return (
        '<nav class="toc" id="contents" aria-label="Contents"><h2>Contents</h2><div class="table-wrap">'
        '<table class="summary-table">'
        f'<thead><tr><th scope="col" class="num">#</th><th scope="col">Article</th><th scope="col">Last change</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></nav>"
    )


def render_html(groups: Sequence[ArticleGroup], options: ReportOptions) -> str:
    """The whole report as one self-contained HTML document (screenshots embedded as data: URIs)."""
    totals = ReportTotals.of(groups)
    meta = f"Generated {time_html(options.generated_at, options.tz)}"
    if options.window:
        meta += f" · {esc(options.window)}"
    body = [
        f'<header><h1>{esc(options.title)}</h1><p class="meta">{meta}</p>',
        f'<p class="summary" data-edit-count="{totals.edits}" data-article-count="{totals.articles}" '
        f'data-change-count="{totals.changes}">{esc(totals.line())}</p></header>',
    ]
    if groups:
        body.append(toc_html(groups, options.tz))
        body.extend(group_html(g, options) for g in groups)
    else:
        body.append('<p class="empty">No edits in this window.</p>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(options.title)}</title><style>{REPORT_CSS}</style></head>\n"
        f'<body data-edit-count="{totals.edits}"><main class="report">' + "\n".join(body) + "</main></body></html>\n"
    )
