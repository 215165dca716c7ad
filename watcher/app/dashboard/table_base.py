"""A DataTable that is rebuilt on every refresh yet keeps the row the user is on, with columns sized to fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

GAP = 1  # blank columns after each cell (cell_padding is 0 so every column spends exactly this)
SCROLLBAR = 2


@dataclass
class Column:
    key: str
    label: str
    width: int = 0  # fixed width; 0 means a share of what is left
    share: int = 0
    cap: int = 0  # most a shared column gets (0: no cap)
    min_total: int = 0  # shown only when the table is at least this wide


def fit(text: Text | str, width: int) -> Text:
    """One line cut to `width` cells with an ellipsis; wide (CJK) characters count double."""
    line = text.copy() if isinstance(text, Text) else Text(text)
    line.no_wrap = True
    line.truncate(max(width, 1), overflow="ellipsis")
    if line.justify == "right":  # pad here: the column is GAP wider than the text, and the gap must stay blank
        line = Text(" " * (width - line.cell_len)) + line
    return line


def fit_lines(lines: Sequence[Text | str], width: int) -> Text:
    """Several lines, each cut to width, as one cell of a taller row."""
    return Text("\n").join(fit(line, width) for line in lines)


def widths(columns: Sequence[Column], total: int) -> dict[str, int]:
    """Column widths for a table `total` cells wide: fixed ones first, the rest shared out."""
    shown = [c for c in columns if total >= c.min_total]
    room = total - SCROLLBAR - sum(c.width + GAP for c in shown if c.width)
    room -= GAP * sum(1 for c in shown if not c.width)
    shares = sum(c.share for c in shown if not c.width) or 1
    out: dict[str, int] = {}
    spare = 0
    for c in shown:
        if c.width:
            out[c.key] = c.width
            continue
        give = max(4, room * c.share // shares)
        if c.cap and give > c.cap:
            spare += give - c.cap
            give = c.cap
        out[c.key] = give
    first_uncapped = next((c.key for c in shown if not c.width and not c.cap), None)
    if first_uncapped and spare:
        out[first_uncapped] += spare
    return out


class FittedTable(DataTable):
    """Rows are (key, {column: cell}), a cell a line or a list of lines (the row is as tall as its tallest cell);
    rebuilt whole, the cursor stays on the same key."""

    COLUMNS: Sequence[Column] = ()
    # DataTable's own Home/End scroll sideways, which a row table never needs: they go to the first/last row.
    BINDINGS = [
        Binding("home", "first_row", "First", show=False),
        Binding("end", "last_row", "Last", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", cell_padding=0, zebra_stripes=False, **kwargs)
        self._rows: list[tuple[str, dict[str, Any]]] = []
        self._built_for = -1

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def set_rows(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        if rows == self._rows and self.size.width == self._built_for:
            return  # the refresh timer found nothing new: keep the table (and the user's scroll) as it is
        self._rows = rows
        self._rebuild()

    def on_resize(self) -> None:
        if self.size.width != self._built_for:
            self._rebuild()

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:  # cursor past the rows while they are replaced
            return None

    def _rebuild(self) -> None:
        total = self.size.width or 80
        keep = self.current_key
        self._built_for = total
        sizes = widths(self.COLUMNS, total)
        self.clear(columns=True)
        for column in self.COLUMNS:
            if column.key in sizes:
                self.add_column(fit(column.label, sizes[column.key]), width=sizes[column.key] + GAP, key=column.key)
        for key, cells in self._rows:
            row = []
            height = max((len(value) for value in cells.values() if isinstance(value, list)), default=1)
            for column in self.COLUMNS:
                if column.key not in sizes:
                    continue
                value = cells.get(column.key, "")
                if isinstance(value, list):
                    row.append(fit_lines(value, sizes[column.key]))
                else:
                    row.append(fit(value, sizes[column.key]))
            self.add_row(*row, key=key, height=height)
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep), animate=False)
            except RowDoesNotExist:  # the row went away (removed, filtered out)
                pass
