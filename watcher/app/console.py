"""Where output goes: consoles for stdout and stderr, and whether a person is watching."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.console import Console

from watcher.render.theme import THEME
from watcher.untrusted import json_safe, visible


@dataclass
class Environment:
    """The terminal watcher talks to; tests build one around StringIO."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    width: int | None = None

    def __post_init__(self) -> None:
        self.out = Console(file=self.stdout, theme=THEME, width=self.width, highlight=False)
        self.err = Console(file=self.stderr, theme=THEME, width=self.width, highlight=False)

    @property
    def interactive(self) -> bool:
        """Progress bars and live views only when a person sees stdout."""
        return self.out.is_terminal

    def print_json(self, data: Any) -> None:
        """One JSON document on stdout, bypassing rich so nothing is wrapped or styled (nor a raw C1 or bidi char)."""
        self.stdout.write(json_safe(json.dumps(data, ensure_ascii=False)) + "\n")
        self.stdout.flush()

    def print_json_array(self, items: Iterable[Any], *, flush_every: int = 500) -> None:
        """A JSON array written element by element as `items` come (the same text print_json writes for a list),
        so a long one starts arriving at once; nothing is written before the first element is ready."""
        opened = False
        try:
            for n, item in enumerate(items):
                self.stdout.write((", " if opened else "[") + json_safe(json.dumps(item, ensure_ascii=False)))
                opened = True
                if n % flush_every == 0:
                    self.stdout.flush()
        finally:
            # Closed even when reading the items fails midway (the error goes to stderr, the exit is non-zero):
            # what was written stays valid JSON for a pipe into jq.
            if opened:
                self.stdout.write("]\n")
                self.stdout.flush()
        if not opened:
            self.stdout.write("[]\n")
            self.stdout.flush()

    def error(self, message: str) -> None:
        """One line on stderr; the message may hold page or server text, so never markup and no control codes."""
        self.err.print(f"watcher: error: {visible(message)}", markup=False, highlight=False, soft_wrap=True)

    def info(self, message: str) -> None:
        """A plain line on stderr for progress notes that must not pollute --json stdout (neutralised like error)."""
        self.err.print(visible(message), markup=False, highlight=False, soft_wrap=True)
