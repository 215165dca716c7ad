"""The Markdown report, written for GitHub: page text escaped so it cannot become links, HTML or emphasis."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, tzinfo
from urllib.parse import quote

from watcher.labels import (
    SOURCE_WORDS,
    copy_service,
    story_field,
    story_flag,
    story_text,
    story_words,
)
from watcher.models import Edit, InlineOp
from watcher.report.card import head, tail
from watcher.report.entries import (
    ArticleGroup,
    Change,
    ReportOptions,
    ReportTotals,
    ShownEdit,
    change_words,
    plural,
    safe_href,
    shown_edit,
)
from watcher.report.html import event_sentence, labels_lang, version_title
from watcher.times import display_time_in
from watcher.untrusted import visible
from watcher.urls import host_of

# Page text never starts a line (it always follows a heading mark or a label), so list markers need no
# escaping; these are the characters that could make emphasis, links, HTML, code, tables or math.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_NEWLINES = re.compile(r"\s*\n\s*")
# Characters left as they are in a link destination; the rest is percent-encoded so ")" or "<" cannot end it early.
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"


def md_escape(text: str) -> str:
    """Page text as literal Markdown text on one line (newlines become <br>), control and bidi characters as
    visible stand-ins: Markdown has no isolation, and the report is often read raw in a terminal."""
    escaped = _SPECIAL.sub(r"\\\1", visible(text))
    return _NEWLINES.sub("<br>", escaped)


def md_link(url: str) -> str:
    """A link for http(s) URLs; anything else shown as escaped text."""
    href = safe_href(url)
    if href is None:
        return md_escape(url)
    return f"[{md_escape(url)}]({quote(href, safe=_URL_SAFE)})"


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _is_punct(ch: str) -> bool:
    # GFM's definition: ASCII punctuation or a Unicode punctuation character.
    return bool(ch) and (ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" or unicodedata.category(ch).startswith("P"))


def _can_wrap(before: str, first: str, last: str, after: str) -> bool:
    """True when `**`/`~~` placed around first..last would open and close under CommonMark's flanking rules."""
    opens = not _is_space(first) and (not _is_punct(first) or _is_space(before) or _is_punct(before))
    closes = not _is_space(last) and (not _is_punct(last) or _is_space(after) or _is_punct(after))
    return opens and closes


def _split_ws(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def md_inline(ops: Sequence[InlineOp]) -> str:
    """Inline ops as Markdown: ~~deleted~~ and **inserted**, falling back to <del>/<ins> where
    the neighbouring characters would stop the delimiters from working (e.g. an inserted comma after a word)."""
    pieces = []
    for op, text in ops:
        lead, core, trail = _split_ws(text)
        marked = op in "-+" and bool(core)
        pieces.append((op, md_escape(lead), md_escape(core), md_escape(trail), marked))

    def first_char(index: int) -> str:
        if index >= len(pieces):
            return ""
        _, lead, core, _, marked = pieces[index]
        return lead[:1] or ("*" if marked else core[:1])

    out = ""
    for index, (op, lead, core, trail, marked) in enumerate(pieces):
        if not marked:
            # A deletion of whitespace only would be invisible anyway; keep inserted whitespace as text.
            if op != "-":
                out += lead + core + trail
            continue
        out += lead
        after = trail[:1] or first_char(index + 1)
        if _can_wrap(out[-1:], core[:1], core[-1:], after):
            delim = "~~" if op == "-" else "**"
            out += f"{delim}{core}{delim}"
        else:
            tag = "del" if op == "-" else "ins"
            out += f"<{tag}>{core}</{tag}>"
        out += trail
    return out


CONTEXT_CHARS = 160  # of a neighbouring paragraph, cut at a sentence or word boundary


def _context_md(found: tuple[str, str] | None, *, before: bool) -> str:
    if found is None:
        return ""
    where, text = found
    text = tail(text, CONTEXT_CHARS) if before else head(text, CONTEXT_CHARS)
    return f"\n  - {md_escape(where)} · *{md_escape(text)}*"


def edit_md(edit: Edit, lang: str | None = None, change: Change | None = None) -> str:
    """One edit as a list item: its label, then the text; a changed text as Before and After lines, so the old
    and new wording can each be read (and quoted) whole, with what went and what came marked in each."""
    shown = shown_edit(edit, lang, change)
    item = _edit_item(shown, lang)
    # The paragraphs around a body edit, as in the HTML report, so a change can be read (and quoted) in place.
    before, after = shown.before, shown.after
    if not (before or after):
        return item
    first, _, rest = item.partition("\n")
    if ": " in first and not rest and first.startswith("- **"):
        label, _, text = first.partition(": ")
        first, rest = label, f"  - {text}"
    lines = [first, _context_md(before, before=True).lstrip("\n"), rest, _context_md(after, before=False).lstrip("\n")]
    return "\n".join(line for line in lines if line)


def _edit_item(shown: ShownEdit, lang: str | None) -> str:
    edit = shown.edit
    field = story_field(edit.field, lang)
    rest = shown.label[len(field) :].lstrip(" ·")
    comma = "、" if story_words(lang) else ", "
    label = f"**{md_escape(field)}** ({md_escape(rest.replace(' · ', comma))})"
    ops = shown.ops
    if edit.op in ("replace", "move") and any(op == "-" for op, _ in ops) and any(op == "+" for op, _ in ops):
        before = md_inline([(op, text) for op, text in ops if op != "+"])
        after = md_inline([(op, text) for op, text in ops if op != "-"])
        return (
            f"- {label}\n  - {md_escape(story_text('Before', lang))}: {before}"
            f"\n  - {md_escape(story_text('After', lang))}: {after}"
        )
    return f"- {label}: {md_inline(ops)}"


def change_md(change: Change, lang: str | None = None, tz: tzinfo | None = None) -> list[str]:
    """One version change: heading, times (in `tz`; None: UTC), flags, edits."""
    new, old = change.entry.new, change.entry.old
    zone = tz or UTC
    times = (
        f"{display_time_in(old.captured_at, zone)} → {display_time_in(new.captured_at, zone)}"
        if old is not None
        else f"captured {display_time_in(new.captured_at, zone)}"
    )
    times += f" · {SOURCE_WORDS[new.source_name]}"
    lines = [f"### {version_title(change, lang)}", "", times]
    if change.flags:
        lines[-1] += "  "
        lines.append(" · ".join(f"**{md_escape(story_flag(f, lang))}**" for f in change.flags))
    lines.append("")
    words = change_words(change, lang)
    if words:
        lines += [md_escape(words), ""]
    if new.event and not change.edits:
        lines += [f"*{md_escape(event_sentence(new.event, lang))}*", ""]
    if new.final_url:
        lines += [f"The page led to {md_link(new.final_url)}", ""]
    if change.edits:
        lines += [edit_md(e, lang, change) for e in change.edits]
        lines.append("")
    made = [c for c in new.copies if c.get("url")]
    if made:
        named = [f"{md_escape(copy_service(c.get('service')))}: {md_link(str(c['url']))}" for c in made]
        lines += ["Archived copies: " + " · ".join(named), ""]
    return lines


def render_markdown(groups: Sequence[ArticleGroup], options: ReportOptions) -> str:
    """The whole report as GitHub-flavoured Markdown (the HTML report's archive links and screenshots left out)."""
    window = f" · {md_escape(options.window)}" if options.window else ""
    meta = f"Generated {display_time_in(options.generated_at, options.tz or UTC)}{window}"
    lines = [f"# {md_escape(options.title)}", "", meta + "  ", f"**{ReportTotals.of(groups).line()}**", ""]
    if not groups:
        lines += ["No edits in this window.", ""]
        return "\n".join(lines)
    lines += ["## Contents", ""]
    for number, group in enumerate(groups, 1):
        lines.append(
            f"{number}. {md_escape(group.headline)} — {md_escape(host_of(group.url) or group.url)}"
            f" · {plural(group.edit_count, 'edit')}"
        )
    lines.append("")
    for group in groups:
        lines += ["---", "", f"## {md_escape(group.headline)}", "", md_link(group.url), ""]
        story_lang = labels_lang(options.lang, group.changes[0].entry.new.article.lang)
        for change in group.changes:
            lines += change_md(change, story_lang, options.tz)
    return "\n".join(lines)
