"""Every key the dashboard knows, on one screen."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Everywhere", ""),
    ("?", "this help"),
    ("q / Ctrl+C", "quit (a check in flight is abandoned, nothing recorded)"),
    ("Esc", "back, or clear the filters on the main screen"),
    ("n", "check the selected article now"),
    ("p", "pause / resume the selected article"),
    ("a", "add a URL to watch"),
    ("x / Delete", "remove the selected article and its history (asks first)"),
    ("o", "open the article in your browser"),
    ("r", "write an HTML report of the selected version change"),
    ("k", "write a PNG card of the selected version change"),
    ("Main screen", ""),
    ("Enter", "articles: open the timeline; edits: open the diff"),
    ("Tab", "move between the articles and the edits list"),
    ("Home / End", "first / last row of the table"),
    ("/", "search headlines and URLs"),
    ("c", "edit class: all, substantive, moves, typos"),
    ("f", "flag: stealth, correction, revert, removed, A/B"),
    ("t / h", "tag / host, cycling through those in the store"),
    ("Timeline", ""),
    ("Enter", "the diff of the selected version"),
    ("v", "the full text of the selected version"),
    ("Diff", ""),
    ("s", "inline / side by side"),
    ("v", "the full text of this version"),
    ("a", "show cosmetic edits too"),
]


def help_table() -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for key, text in KEYS:
        if text:
            table.add_row(key, text)
        else:
            table.add_row("", "")
            table.add_row(f"[u]{key}[/u]", "")
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: 90%; border: thick $accent;
        background: $surface; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_table())
