"""Tokens for inline diffs: a CJK character, a word, a number, a punctuation mark or a whitespace run."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from watcher.cjk import CJK_LETTERS

# Han, kana and Hangul: scripts where one character is the smallest unit a reader would want highlighted.
CJK_CHARS = CJK_LETTERS
_CJK_RE = re.compile(f"[{CJK_CHARS}]")
# Chinese numerals (with the financial forms and the magnitudes 十 百 千 萬 億 兆): a run of them is one number,
# so 十五 -> 二十 reads as one replacement instead of characters matched across two numbers.
CJK_NUMERALS = "〇零一二三四五六七八九十百千萬万億亿兆兩两壹貳贰參叁肆伍陸陆柒捌玖拾佰仟"

# Order matters: CJK before words (\w matches Han), numbers before words so "2,000" stays one token.
_TOKEN = re.compile(
    rf"""
    [{CJK_NUMERALS}]{{2,}}                             # a Chinese number: 二十, 三百五十, 十五萬
    | [{CJK_CHARS}]                                 # one CJK character
    | \d+(?:[.,]\d+)*                               # 10, 2,000, 3.5 (any script's digits)
    | [^\W{CJK_CHARS}]+(?:['\u2019][^\W{CJK_CHARS}]+)*   # a word; don't / don’t stay whole
    | \s+                                           # a whitespace run
    | .                                             # punctuation or a symbol, one at a time
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[str]:
    """Split text into diff tokens; joining them gives the text back exactly."""
    return list(_tokens(text))


# One diff tokenizes each paragraph several times (alignment features, names, classification, inline ops).
@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        tok = match.group()
        # Python's \w leaves out combining marks (Devanagari vowel signs, decomposed accents): glue them
        # to the token before so a word is never cut between a letter and its mark.
        if tokens and not tokens[-1].isspace() and (_is_mark(tok[0]) or (_is_mark(tokens[-1][-1]) and is_word(tok))):
            tokens[-1] += tok
        else:
            tokens.append(tok)
    return tuple(tokens)


def _is_mark(char: str) -> bool:
    # No combining mark comes before U+0300: most text never needs the Unicode database.
    return char >= "\u0300" and unicodedata.category(char).startswith("M")


def is_cjk(token: str) -> bool:
    """True for a token holding a CJK character."""
    return bool(_CJK_RE.search(token))


def is_number(token: str) -> bool:
    """True for a number token."""
    return token[:1].isdigit()


def is_word(token: str) -> bool:
    """True for a word token of a space-delimited script (letters, maybe digits)."""
    return bool(token) and (token[0].isalnum() or token[0] == "_") and not is_cjk(token) and not is_number(token)
