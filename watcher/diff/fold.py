"""Keys blind to cosmetic differences, the basis of "cosmetic" and of matching paragraphs."""

from __future__ import annotations

import re

from watcher.diff.words import PUNCT_FOLD
from watcher.normalize import comparison_key

_SPACE_NEAR_PUNCT = re.compile(r"\s+(?=[^\w\s])|(?<=[^\w\s])\s+")


def fold(text: str | None) -> str:
    """A key blind to cosmetic differences: comparison_key plus punctuation style and spaces around punctuation."""
    text = comparison_key(text).translate(PUNCT_FOLD)
    return _SPACE_NEAR_PUNCT.sub("", text)


def has_content(text: str) -> bool:
    """True when the text holds a letter or digit (a separator such as "* * *" does not)."""
    return any(ch.isalnum() for ch in text)
