"""Sentences of a paragraph, for anchoring inline diffs: abbreviations, initials and list numbers end none."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from watcher.cjk import CJK_LETTERS
from watcher.diff.words import ABBREVIATIONS
from watcher.models import InlineOp

_CLOSERS = "\"'”’»)\\]）」』】》"
# A full stop, ! or ? (with closing quotes and brackets) before a space and what can start a sentence: anything
# but a lower-case letter in any script. A lower-case word after it continues the sentence ("e.g. the",
# "approx. ten"), so no rule is needed for those.
_LATIN_END = re.compile(rf"(?P<stop>[.!?…]+)[{_CLOSERS}]*(?=\s+(?P<next>\S))")
# A CJK full stop ends a sentence whatever follows; so do ! and ? right after a CJK character (a URL's "?" does not).
_CJK_END = re.compile(rf"[。！？]+[{_CLOSERS}]*|(?<=[{CJK_LETTERS}])[!?]+[{_CLOSERS}]*")
_WORD_BEFORE = re.compile(r"(\S*?)$")
_LONGEST_WORD = 40
_DOTTED = re.compile(r"(?:[^\W\d_]\.){2,}$")  # U.S., a.m., e.g.: letters each followed by a full stop
# "No. 5", "nr. 12": abbreviations only before a number; "the board said no. Work starts" ends a sentence.
_BEFORE_A_NUMBER = frozenset({"No", "Nos", "Nr", "no", "nos", "nr"})
# What ends the sentence before an inline list's number: "… the pier. 2. Repair the piles."
_ENDED = re.compile(rf"(?:^|[.!?:;。！？][{_CLOSERS}]*)\s*$")
_LIST_NUMBER_DIGITS = 3


def _continues(text: str, start: int, following: str) -> bool:
    """True when the full stop at `start` ends an abbreviation, an initial or a list number, not a sentence;
    `following` is the first character after it and its spaces."""
    # Only the word before matters: a bounded window keeps a long paragraph linear.
    word = _WORD_BEFORE.search(text, max(0, start - _LONGEST_WORD), start)
    before = word.group(1) if word else ""
    if _DOTTED.search(text[max(0, start - 12) : start + 1]):
        return True
    bare = before.lstrip("\"'“‘«([")
    if len(bare) == 1 and bare.isupper():
        return True  # an initial: J. K. Rowling
    if bare in _BEFORE_A_NUMBER:
        return following.isdigit()
    if bare in ABBREVIATIONS:
        return True
    # "1." opening a list item (at the paragraph's or a line's start, or right after the sentence before it)
    # numbers the item, it ends nothing.
    if not bare.isdigit():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() == bare:
        return True
    return len(bare) <= _LIST_NUMBER_DIGITS and bool(_ENDED.search(text, line_start, start - len(before)))


@lru_cache(maxsize=4096)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of text, surrounding whitespace left out; the text between is whitespace."""
    ends: set[int] = set()
    for match in _LATIN_END.finditer(text):
        if match.group("next").islower():
            continue
        stop = match.group("stop")
        if stop == "." and _continues(text, match.start("stop"), match.group("next")[0]):
            continue
        ends.add(match.end())
    ends.update(match.end() for match in _CJK_END.finditer(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for end in sorted(ends) + [len(text)]:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = end
    return tuple(spans)


def sentences(text: str) -> list[str]:
    """The sentences of text, in order."""
    return [text[a:b] for a, b in sentence_spans(text)]


def keeps_a_sentence(inline: Sequence[InlineOp]) -> bool:
    """True when some whole sentence of the old text lies inside one unchanged run of the inline ops."""
    old = ""
    kept: list[tuple[int, int]] = []
    for op, chunk in inline:
        if op == "=":
            kept.append((len(old), len(old) + len(chunk)))
        if op != "+":
            old += chunk
    return any(a <= s and e <= b for s, e in sentence_spans(old) for a, b in kept)
