"""Untrusted page text as rich Text: never markup, and no control character reaches the terminal."""

from __future__ import annotations

from rich.text import Text

# The neutraliser lives in watcher.untrusted so that report/ and the console share it; re-exported here.
from watcher.untrusted import visible as visible


def safe_text(text: str | None, style: str = "") -> Text:
    """Page text as a Text with an optional style; brackets stay literal because no markup is parsed."""
    return Text(visible(text or ""), style=style)
