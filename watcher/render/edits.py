"""Edits on the terminal: inline and side-by-side views of a version diff, and the block `watcher check` prints.

Without colour (a pipe, NO_COLOR, a golden test) deletions and insertions are also marked in the text as
⟦-old-⟧ and ⟦+new+⟧ (see render.inline, which also wraps edits so a marker never splits from its text).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from watcher.diff import Row, align
from watcher.labels import field_label, flag_label, op_word, place
from watcher.models import (
    CLASSES,
    FLAGS,
    STATUSES,
    CheckResult,
    Edit,
    InlineOp,
    Version,
    VersionDiff,
    is_shown,
    shown_edits,
)
from watcher.render.inline import DELETE_MARKS, INSERT_MARKS, InlineView, is_rewrite  # noqa: F401 (re-exported)
from watcher.render.text import visible
from watcher.times import display_time

_FIELD_ORDER = ("headline", "dek", "byline", "published", "modified")


def _plain(console: Console) -> bool:
    """True when colour will not reach the reader, so changes need visible markers."""
    return console.no_color or console.color_system is None


def inline_text(inline: Iterable[InlineOp], *, markers: bool = False, keep: str = "=-+") -> Text:
    """Inline ops as one unwrapped Text (for one-line cells): styles, and markers when there is no colour."""
    return InlineView(inline, markers=markers, keep=keep).line()


def _context(text: str) -> RenderableType:
    """An unchanged paragraph, wrapped like the edits (no line starts with closing punctuation)."""
    if "\n" in text:
        return Text(visible(text), style="diff.context")
    return InlineView([("=", text)], markers=False, style="diff.context")


def _whole(edit: Edit, markers: bool) -> RenderableType:
    """Old and new each on their own lines: for added or removed text, and rewrites sharing too little."""
    parts: list[RenderableType] = []
    if edit.old:
        parts.append(InlineView([("-", edit.old)], markers=markers))
    if edit.new:
        parts.append(InlineView([("+", edit.new)], markers=markers))
    return Group(*parts)


def _edit_body(edit: Edit, markers: bool) -> RenderableType:
    if edit.op == "move" and not edit.inline:
        return Text(visible(edit.new or ""), style="diff.move")
    shared = any(op == "=" and chunk.strip() for op, chunk in edit.inline)
    if edit.inline and shared and not is_rewrite(edit.inline):
        return InlineView(edit.inline, markers=markers)
    return _whole(edit, markers)


def flags_text(flags: Sequence[str], *, short: bool = False) -> Text:
    """The flags as a styled, comma-separated line (short: bare names, for table cells)."""
    text = Text()
    for n, flag in enumerate(flags):
        if n:
            text.append(", ")
        label = flag.replace("_", " ") if short else flag_label(flag, note=True)
        text.append(label, style=f"flag.{flag}" if flag in FLAGS else "diff.label")
    return text


def _when(moment: datetime | None) -> str:
    return display_time(moment, missing="?")


def _edit_label(edit: Edit, where: str) -> Text:
    label = Text()
    label.append(where, style="diff.label")
    if edit.op == "move" and edit.cls == "moved":
        # A paragraph moved unchanged: its operation and its class are one word, said once (as reports do).
        label.append(" ")
    else:
        label.append(f" {op_word(edit.op)} · ")
    label.append(edit.cls, style=f"class.{edit.cls}")
    return label


def _cell_label(edit: Edit, where: str) -> Text:
    """A narrow label for the side-by-side view: where on one line, the class below (the op shows in the columns)."""
    label = Text(where + "\n", style="diff.label")
    moved = edit.op == "move" and edit.cls != "moved"
    label.append(f"moved {edit.cls}" if moved else edit.cls, style=f"class.{edit.cls}")
    return label


# --- placing body edits --------------------------------------------------------------------------------


@dataclass
class _Line:
    """One row of a body view: a context paragraph, a gap marker or an edit."""

    row: Row | None
    edit: Edit | None
    shown: bool


def _body_lines(old: Version | None, new: Version, edits: list[Edit], include_cosmetic: bool) -> list[_Line]:
    """Body edits in reading order with every unchanged paragraph, so context can be cut around them."""
    if old is None:
        return [_Line(None, e, is_shown(e, include_cosmetic)) for e in edits]
    # The rows are re-derived from the two bodies (the same code diff_articles ran) to learn where each edit
    # sits; the edits shown are the ones the caller passed, matched by content, so a stored diff stays the truth.
    wanted: dict[tuple, list[Edit]] = defaultdict(list)
    for e in edits:
        wanted[(e.op, e.old, e.new)].append(e)
    lines = []
    for row in align(old.article.body, new.article.body):
        found = row.edit
        match = wanted.get((found.op, found.old, found.new)) if found else None
        if match:
            edit = match.pop(0)
            lines.append(_Line(row, edit, is_shown(edit, include_cosmetic)))
        elif row.new:
            lines.append(_Line(row, None, False))
    leftovers = [e for group in wanted.values() for e in group]
    lines += [_Line(None, e, is_shown(e, include_cosmetic)) for e in leftovers]
    return lines


def _with_context(lines: list[_Line], context: int) -> list[_Line | int]:
    """Shown edits plus `context` paragraphs either side; runs left out become a count of hidden paragraphs."""
    keep = [line.shown for line in lines]
    for k, line in enumerate(lines):
        if not line.shown:
            continue
        for step in (-1, 1):
            found, m = 0, k + step
            while found < context and 0 <= m < len(lines) and not lines[m].shown:
                row = lines[m].row
                if row is not None and row.new:
                    keep[m] = True
                    found += 1
                m += step
    out: list[_Line | int] = []
    gap = 0
    for line, kept in zip(lines, keep):
        if kept:
            if gap:
                out.append(gap)
            gap = 0
            out.append(line)
        elif line.row is not None and line.row.new:
            gap += 1
    if gap and len(out):
        out.append(gap)
    return out


def _where(line: _Line) -> str:
    row, edit = line.row, line.edit
    if row is None:
        return "body"
    if edit and edit.op == "move":
        # The positions the differ stored with the edit; rows re-derived from the bodies for older edits.
        return f"¶{edit.to_para or row.new[0] + 1} (was ¶{edit.from_para or row.old[0] + 1})"
    if row.new:
        span = row.new[0] + 1 if len(row.new) == 1 else f"{row.new[0] + 1}-{row.new[-1] + 1}"
        return f"¶{span}"
    return f"old ¶{row.old[0] + 1}"


def _gap_text(count: int) -> Text:
    return Text(f"⋯ {count} unchanged paragraph{'s' if count != 1 else ''}", style="diff.gap")


# --- the views -----------------------------------------------------------------------------------------


def _header(
    old: Version | None,
    new: Version,
    diff: VersionDiff,
    include_cosmetic: bool,
    when: Callable[[datetime | None], str] = _when,
) -> list[RenderableType]:
    title = Text()
    title.append(visible(new.article.headline or new.url), style="diff.label")
    versions = Text()
    if old is None:
        versions.append(f"v{new.number} (first version) · {when(new.captured_at)}")
    else:
        versions.append(f"v{old.number} → v{new.number} · {when(old.captured_at)} → {when(new.captured_at)}")
    parts: list[RenderableType] = [title, versions]
    if diff.flags:
        parts.append(Text.assemble("flags: ", flags_text(diff.flags)))
    counts: defaultdict[str, int] = defaultdict(int)
    for e in diff.edits:
        counts[e.cls] += 1
    summary = ", ".join(f"{counts[c]} {c}" for c in reversed(CLASSES) if counts[c])
    parts.append(
        Text(f"{len(diff.edits)} edit{'s' if len(diff.edits) != 1 else ''}" + (f": {summary}" if summary else ""))
    )
    return parts


def _hidden_note(diff: VersionDiff, include_cosmetic: bool) -> Text | None:
    hidden = len(diff.edits) - len(diff.visible_edits(include_cosmetic))
    if not hidden:
        return None
    return Text(f"{hidden} cosmetic edit{'s' if hidden != 1 else ''} hidden (--all shows them)", style="diff.gap")


def _split_edits(diff: VersionDiff) -> tuple[list[Edit], list[Edit], list[Edit]]:
    fields = sorted((e for e in diff.edits if e.field in _FIELD_ORDER), key=lambda e: _FIELD_ORDER.index(e.field))
    body = [e for e in diff.edits if e.field == "body"]
    captions = [e for e in diff.edits if e.field == "caption"]
    return fields, body, captions


class DiffView:
    """A version diff, inline or side by side; markers appear when the console has no colour."""

    def __init__(
        self,
        old: Version | None,
        new: Version,
        diff: VersionDiff,
        context: int,
        side_by_side: bool,
        include_cosmetic: bool,
        when: Callable[[datetime | None], str] | None = None,
    ):
        self.old, self.new, self.diff = old, new, diff
        self.context, self.side_by_side, self.include_cosmetic = context, side_by_side, include_cosmetic
        self.when = when or _when

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        markers = _plain(console)
        fields, body, captions = _split_edits(self.diff)
        parts = _header(self.old, self.new, self.diff, self.include_cosmetic, self.when)
        lines = _with_context(_body_lines(self.old, self.new, body, self.include_cosmetic), self.context)
        fields = shown_edits(fields, self.include_cosmetic)
        captions = shown_edits(captions, self.include_cosmetic)
        if self.side_by_side:
            parts += ["", self._table(fields, lines, captions, markers)]
        else:
            parts += self._inline(fields, lines, captions, markers)
        note = _hidden_note(self.diff, self.include_cosmetic)
        if note:
            parts += ["", note]
        yield Group(*parts)

    def _old_text(self, line: _Line) -> str:
        if self.old is None or line.row is None or not line.row.old:
            return ""
        return "\n\n".join(self.old.article.body[i] for i in line.row.old)

    def _new_text(self, line: _Line) -> str:
        if line.row is None or not line.row.new:
            return ""
        return "\n\n".join(self.new.article.body[j] for j in line.row.new)

    def _inline(self, fields: list[Edit], lines: list, captions: list[Edit], markers: bool) -> list[RenderableType]:
        out: list[RenderableType] = []
        for e in fields:
            out += ["", _edit_label(e, e.field), Padding(_edit_body(e, markers), (0, 0, 0, 2))]
        if lines:
            out += ["", Text("body", style="diff.label")]
        for line in lines:
            if isinstance(line, int):
                out.append(Padding(_gap_text(line), (0, 0, 0, 2)))
            elif line.edit is not None and line.shown:
                out += [_edit_label(line.edit, _where(line)), Padding(_edit_body(line.edit, markers), (0, 0, 0, 2))]
            else:
                out.append(Padding(_context(self._new_text(line)), (0, 0, 0, 2)))
        for n, e in enumerate(captions):
            out += ["", Text("captions", style="diff.label")] if n == 0 else []
            out += [_edit_label(e, "caption"), Padding(_edit_body(e, markers), (0, 0, 0, 2))]
        return out

    def _table(self, fields: list[Edit], lines: list, captions: list[Edit], markers: bool) -> Table:
        old_head = f"v{self.old.number} · {self.when(self.old.captured_at)}" if self.old else "(nothing)"
        table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False)
        table.add_column("", style="diff.label", no_wrap=True, max_width=14)
        table.add_column(old_head, ratio=1, overflow="fold")
        table.add_column(f"v{self.new.number} · {self.when(self.new.captured_at)}", ratio=1, overflow="fold")

        def edit_row(label: Text, e: Edit) -> None:
            if e.op == "move" and not e.inline:
                both = Text(visible(e.new or ""), style="diff.move")
                table.add_row(label, both, both)
                return
            ops = e.inline or ([("-", e.old)] if e.old else []) + ([("+", e.new)] if e.new else [])
            table.add_row(
                label,
                InlineView(ops, markers=markers, keep="=-"),
                InlineView(ops, markers=markers, keep="=+"),
            )

        for e in fields:
            edit_row(_cell_label(e, e.field), e)
        for line in lines:
            if isinstance(line, int):
                table.add_row("", _gap_text(line), "")
            elif line.edit is not None and line.shown:
                edit_row(_cell_label(line.edit, _where(line)), line.edit)
            else:
                table.add_row(
                    Text(_where(line), style="diff.context"),
                    _context(self._old_text(line)),
                    _context(self._new_text(line)),
                )
        for e in captions:
            edit_row(_cell_label(e, "caption"), e)
        return table


def render_diff(
    old: Version | None,
    new: Version,
    diff: VersionDiff,
    *,
    context: int = 1,
    side_by_side: bool = False,
    include_cosmetic: bool = False,
    when: Callable[[datetime | None], str] | None = None,
) -> RenderableType:
    """The edits from old to new with a header (versions, times, flags), inline or as old | new columns;
    `when` writes the times (default: UTC)."""
    return DiffView(old, new, diff, max(0, context), side_by_side, include_cosmetic, when)


class CheckView:
    """One compact block for one checked article."""

    def __init__(self, result: CheckResult, include_cosmetic: bool):
        self.result, self.include_cosmetic = result, include_cosmetic

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.result
        markers = _plain(console)
        line = Text()
        line.append(r.status, style=f"status.{r.status}" if r.status in STATUSES else "diff.label")
        if r.version is not None:
            line.append(f" v{r.version}")
        line.append(" ")
        line.append(visible(r.url))
        parts: list[RenderableType] = [line]
        if r.headline:
            parts.append(Padding(Text(visible(r.headline), style="diff.label"), (0, 0, 0, 2)))
        if r.error:
            parts.append(Padding(Text(visible(r.error), style="status.error"), (0, 0, 0, 2)))
        if r.flags:
            parts.append(Padding(Text.assemble("flags: ", flags_text(r.flags)), (0, 0, 0, 2)))
        if r.summary:
            parts.append(Padding(Text("what changed: " + visible(r.summary), style="diff.label"), (0, 0, 0, 2)))
        if r.final_url:
            parts.append(Padding(Text("now at " + visible(r.final_url), style="diff.label"), (0, 0, 0, 2)))
        if r.note:
            parts.append(Padding(Text(visible(r.note), style="diff.gap"), (0, 0, 0, 2)))
        shown = shown_edits(r.edits, self.include_cosmetic)
        for e in shown:
            where = place(e.from_para, e.to_para, e.op) if e.field == "body" else ""
            label = _edit_label(e, f"{e.field} {where}" if where else e.field)
            parts += [Padding(label, (0, 0, 0, 2)), Padding(_edit_body(e, markers), (0, 0, 0, 4))]
        hidden = [e for e in r.edits if e not in shown]
        if hidden:
            where = ", ".join(dict.fromkeys(field_label(e.field).lower() for e in hidden))
            note = f"{len(hidden)} cosmetic edit{'s' if len(hidden) != 1 else ''} hidden ({where}; --all shows them)"
            if not shown:
                note = f"no edit to the story's text: {note}"
            parts.append(Padding(Text(note, style="diff.gap"), (0, 0, 0, 2)))
        yield Group(*parts)


def render_check(result: CheckResult, *, include_cosmetic: bool = False) -> RenderableType:
    """One compact block per checked article: status, version, URL, flags and the edits found."""
    return CheckView(result, include_cosmetic)


def check_summary(results: Sequence[CheckResult], *, include_cosmetic: bool = False) -> Text:
    """The closing line of `watcher check`: how many articles changed, failed or stayed the same."""
    counts: dict[str, int] = defaultdict(int)
    hidden = 0
    for r in results:
        if r.status == "changed" and not shown_edits(r.edits, include_cosmetic):
            hidden += 1
        else:
            counts[r.status] += 1
    text = Text(f"checked {len(results)} article{'s' if len(results) != 1 else ''}: ")
    # What needs reading first: edits and events, then failures, then what stayed the same.
    order = sorted(STATUSES, key=lambda s: (s == "unchanged", s == "error", s == "new"))
    parts = [(status, counts[status]) for status in order if counts[status]]
    for n, (status, count) in enumerate(parts):
        if n:
            text.append(", ")
        text.append(f"{count} {status}", style=f"status.{status}")
    if hidden:
        text.append(", " if parts else "")
        text.append(f"{hidden} with cosmetic edits only (--all shows them)", style="diff.gap")
    return text
