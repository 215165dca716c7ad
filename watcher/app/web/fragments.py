"""HTML fragments of the web view's diffs, built on the report's (report/html.py) so both mark edits alike."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from watcher.labels import op_word, story_class, story_field, story_words
from watcher.models import Edit
from watcher.report.entries import edit_ops
from watcher.report.html import css_token, edit_html, esc, flags_html


def inline_edits(edits: Sequence[Edit], lang: str | None) -> Markup:
    """Each edit as the report shows it: its label, then old and new in one text with <del>/<ins>."""
    return Markup("".join(edit_html(e, lang) for e in edits))


def _side(edit: Edit, keep: str) -> str:
    """One side of an edit: the unchanged text and what this side alone has (`-` before, `+` after)."""
    tag = "del" if keep == "-" else "ins"
    out = []
    for op, text in edit_ops(edit):
        if op == "=":
            out.append(esc(text))
        elif op == keep:
            out.append(f"<{tag}>{esc(text)}</{tag}>")
    return "".join(out)


def side_by_side(edits: Sequence[Edit], lang: str | None, before: str, after: str) -> Markup:
    """Each edit as two columns, before and after; a moved paragraph says so above both."""
    op_label = not story_words(lang)
    rows = [f'<tr><th scope="col">{esc(before)}</th><th scope="col">{esc(after)}</th></tr>']
    for edit in edits:
        op = f"{esc(op_word(edit.op))} · " if op_label else ""
        label = (
            f'<p class="label"><span class="field">{esc(story_field(edit.field, lang))}</span> · {op}'
            f'<span class="cls">{esc(story_class(edit.cls, lang))}</span></p>'
        )
        old = _side(edit, "-") if edit.old is not None or edit.op == "move" else ""
        new = _side(edit, "+") if edit.new is not None or edit.op == "move" else ""
        rows.append(
            f'<tr class="edit cls-{css_token(edit.cls)}" data-field="{esc(edit.field)}" data-op="{esc(edit.op)}" '
            f'data-class="{esc(edit.cls)}"><td colspan="2">{label}</td></tr>'
            f'<tr class="sides"><td class="diff old" dir="auto">{old}</td><td class="diff new" dir="auto">{new}</td></tr>'
        )
    return Markup(f'<table class="side-by-side">{"".join(rows)}</table>')


def flags(flag_names: Sequence[str], lang: str | None) -> Markup:
    """A version's flags as the report's chips."""
    return Markup(flags_html(flag_names, lang))
