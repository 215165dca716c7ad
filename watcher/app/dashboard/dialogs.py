"""Small modal prompts: confirm a removal, type a URL to add."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 70; max-width: 95%; height: auto; border: thick $accent; background: $surface;
    padding: 0 1; }}
{name} Static {{ width: 100%; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no; anything but `y` is no, so a stray key never deletes history."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(Text("y: yes   n / Esc: no", style="bold"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_key(self, event) -> None:
        if event.key not in ("y", "n", "escape"):
            event.stop()
            self.dismiss(False)


class AddUrlScreen(ModalScreen[str | None]):
    """A URL to start watching; Enter adds, Esc cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AddUrlScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Watch a URL (Enter to add, Esc to cancel):")
            yield Input(placeholder="https://…", id="url")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
