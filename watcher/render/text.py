"""Untrusted page text as rich Text: never markup, and no control character reaches the terminal."""

from __future__ import annotations

import re

from rich.text import Text

# C0/C1 controls (ESC starts ANSI sequences) and bidi overrides that could reorder what a reader sees.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Replace control and bidi-override characters with a visible stand-in (ESC shows as ␛)."""
    return _UNSAFE.sub(lambda m: "␛" if m.group() == "\x1b" else f"\\u{ord(m.group()):04x}", text)


def safe_text(text: str | None, style: str = "") -> Text:
    """Page text as a Text with an optional style; brackets stay literal because no markup is parsed."""
    return Text(visible(text or ""), style=style)
