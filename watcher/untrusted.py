"""Untrusted text (page text, HTTP reason phrases, server answers) made harmless wherever watcher shows it.

Two dangers: control characters (ESC starts the ANSI sequences that recolour, retitle or rewrite a terminal;
C1 bytes such as U+009B do the same on some terminals) and bidi controls that reorder what a reader sees
around them. Terminals and one-line logs get both replaced by visible stand-ins; HTML keeps bidi controls
(right-to-left text may use them) and confines them with <bdi> / dir="auto" instead (report/html.py).
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Embeddings, overrides and isolates, and the marks (LRM, RLM, ALM) that are enough on their own to move
# neutral characters such as digits and punctuation to the other side: all can reorder what a reader sees.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")
# What json.dumps(ensure_ascii=False) leaves raw but a terminal acts on (it escapes C0 itself), and lone
# surrogates (odd pages have them), which no UTF-8 output can hold raw.
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    return "␛" if char == "\x1b" else f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """Control and bidi characters replaced with a visible stand-in (ESC shows as ␛, others as \\u202e)."""
    return _UNSAFE.sub(_stand_in, text)


def without_controls(text: str) -> str:
    """Control characters replaced with a visible stand-in; bidi controls kept (for HTML that isolates them)."""
    return _CONTROL.sub(_stand_in, text)


_HAS_BIDI = re.compile(f"[{_BIDI}]")


def isolated(text: str) -> str:
    """Plain text that holds bidi controls wrapped in FSI ... PDI, the plain-text <bdi>: whatever order they set
    ends with it, so they cannot reorder the text written after it. Text without them is returned as it is."""
    return f"\u2068{text}\u2069" if _HAS_BIDI.search(text) else text


def json_safe(document: str) -> str:
    """JSON text with DEL, C1 and bidi characters written as \\u escapes: the same JSON value, harmless raw.

    Outside strings JSON is ASCII, so every such character is inside a string, where the escape is valid.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def one_line(text: str) -> str:
    """Every run of white space (newlines included) as one space, ends trimmed: a message fit for one log line."""
    return " ".join(text.split())
