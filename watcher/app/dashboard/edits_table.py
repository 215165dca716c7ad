"""The edits list: every stored version change across the articles, newest first, two lines each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from watcher.app.dashboard.model import EditEntry, Filters, StoreView, ago
from watcher.app.dashboard.table_base import Column, FittedTable, widths
from watcher.diff.summary import summarize
from watcher.labels import flag_short
from watcher.render.edits import inline_text
from watcher.render.text import safe_text

CONTEXT_CELLS = 24  # terminal cells of unchanged text kept beside a change (a CJK character takes two)


def _head(text: str, cells: int) -> str:
    """The start of text within `cells` terminal cells."""
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out)


def _tail(text: str, cells: int) -> str:
    return _head(text[::-1], cells)[::-1]


def around_changes(inline: Sequence[tuple[str, str]], keep: int = CONTEXT_CELLS) -> list[tuple[str, str]]:
    """Inline ops with long unchanged runs cut to `keep` cells beside each change, so the change stays in sight."""
    ops = list(inline)
    trimmed = []
    for index, (op, text) in enumerate(ops):
        if op == "=" and cell_len(text) > keep:
            if index == 0:
                text = "…" + _tail(text, keep)
            elif index == len(ops) - 1:
                text = _head(text, keep) + "…"
            elif cell_len(text) > 2 * keep:
                text = _head(text, keep) + "…" + _tail(text, keep)
        trimmed.append((op, text))
    return trimmed


def edit_key(url: str, number: int) -> str:
    return f"{number} {url}"


def split_key(key: str) -> tuple[str, int]:
    number, url = key.split(" ", 1)
    return url, int(number)


def snippet(entry: EditEntry, keep: int = CONTEXT_CELLS) -> Text:
    """What changed in words, for versions whose edits carry facts; else the first edit in a line: where, then
    the change in colour (the table never loses colour)."""
    if any(e.facts is not None for e in entry.version.edits):
        words = summarize(entry.version.edits, entry.version.article.lang)
        if words:
            return safe_text(words, style="diff.label")
    edit = entry.first_edit()
    if edit is None:
        event = entry.version.event
        return Text(f"{event}" if event else "no visible edits", style="dim")
    line = Text(f"{edit.field} {edit.op}: ", style="dim")
    if edit.op == "move" and not edit.inline:
        line.append_text(safe_text(edit.new or "", style="diff.move"))
    elif edit.inline:
        line.append_text(inline_text(around_changes(edit.inline, keep)))
    else:
        ops = ([("-", edit.old)] if edit.old else []) + ([("+", edit.new)] if edit.new else [])
        line.append_text(inline_text(around_changes(ops, keep)))
    more = len(entry.version.edits) - 1
    if more > 0:
        line.append(f"  (+{more} more)", style="dim")
    return line


class EditsTable(FittedTable):
    """Version changes matching the filters; the row key is "NUMBER URL"."""

    COLUMNS = (
        Column("when", "When", width=8),
        Column("what", "Class", width=12),
        Column("story", "Story / change", share=1),
    )

    def on_resize(self) -> None:
        last = getattr(self, "_last", None)
        if last is not None and self.size.width != self._built_for:
            self.show(*last)  # the snippets' context depends on the width, so they are cut again
        else:
            super().on_resize()

    def show(self, view: StoreView, filters: Filters, now: datetime) -> None:
        self._last = (view, filters, now)
        # A wide terminal shows more of the sentence around the change: a third of the line either side.
        story = widths(self.COLUMNS, self.size.width or 80)["story"]
        keep = max(CONTEXT_CELLS, story // 3)
        rows = []
        for entry in view.edits:
            if not filters.entry_ok(entry):
                continue
            cls = entry.top_class or (entry.version.event or "")
            marks = ", ".join(flag_short(m) for m in entry.marks if m != entry.version.event or cls != m)
            rows.append(
                (
                    edit_key(entry.url, entry.version.number),
                    {
                        "when": [ago(entry.version.captured_at, now), f"v{entry.version.number}"],
                        "what": [
                            Text(cls, style=f"class.{cls}" if entry.top_class else "status.removed"),
                            Text(marks, style="bold"),
                        ],
                        "story": [safe_text(entry.headline, style="bold"), snippet(entry, keep)],
                    },
                )
            )
        self.set_rows(rows)
