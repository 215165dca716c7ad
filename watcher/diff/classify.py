"""The class of one edited text: cosmetic, typo or substantive (a move, the class `moved`, is decided in align)."""

from __future__ import annotations

import re
from functools import lru_cache

from watcher.diff.fold import fold, has_content
from watcher.diff.inline import token_ops
from watcher.diff.tokens import is_cjk, is_number, is_word, tokenize
from watcher.diff.words import (
    CORRECTION_GAIN,
    DEFAULT_LANG,
    MAGNITUDES,
    MAX_TYPO_DISTANCE,
    MAX_TYPO_WORD,
    MISSPELT_ZIPF,
    NEGATING_PREFIXES,
    NEGATIONS,
    SENTENCE_END,
    TITLE_BEFORE,
)
from watcher.models import CLASS_RANK, EditClass


def _sentence_start(before: str) -> bool:
    """True when the next word starts a sentence (so its capital says nothing about it being a name)."""
    tail = before[-12:]
    return bool(SENTENCE_END.search(tail)) and not TITLE_BEFORE.search(tail)


def _osa_distance(a: str, b: str) -> int:
    """Edit distance where swapping two neighbouring letters costs one, as in 'recieve'."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _names(text: str) -> set[str]:
    """Words written with a capital in mid-sentence somewhere in the text: names, whatever their position."""
    names: set[str] = set()
    before = ""
    for tok in tokenize(text):
        if is_word(tok) and tok[0].isupper() and not _sentence_start(before):
            names.add(tok.casefold())
        before += tok
    return names


@lru_cache(maxsize=64)
def _wordlist_lang(lang: str | None) -> str | None:
    """The wordfreq language for a page language ("en-GB" -> "en"); None when wordfreq has no list for it."""
    from wordfreq import available_languages  # 0.6 s to import: only when a word swap needs judging

    code = (lang or DEFAULT_LANG).split("-")[0].split("_")[0].lower()
    return code if code in available_languages() else None


def _is_correction(a: str, b: str, lang: str | None) -> bool:
    """a looks misspelt and b is the common word it was meant to be, by the page language's word frequencies."""
    wordlist = _wordlist_lang(lang)
    if wordlist is None:
        return False  # no word list to tell a misspelling from a rare word: say nothing milder than the truth
    from wordfreq import zipf_frequency

    rare = zipf_frequency(a, wordlist)
    return rare < MISSPELT_ZIPF and zipf_frequency(b, wordlist) >= rare + CORRECTION_GAIN


def _negates(a: str, b: str) -> bool:
    """One word is the other with a negating prefix: likely -> unlikely, able -> unable."""
    short, long = sorted((a, b), key=len)
    return any(long == prefix + short for prefix in NEGATING_PREFIXES)


def _word_typo(a: str, b: str, before: str, names: set[str], lang: str | None) -> bool:
    if any(ch.isdigit() for ch in a + b):
        return False
    fa, fb = a.casefold(), b.casefold()
    if fa == fb:
        return True
    if {fa, fb} & (NEGATIONS | MAGNITUDES) or _negates(fa, fb):
        return False
    # A capital mid-sentence marks a name: Smith -> Smyth is a different person, not a typo.
    if (a[0].isupper() or b[0].isupper()) and (not _sentence_start(before) or fa in names or fb in names):
        return False
    # Bounded before the quadratic distance: no misspelling is forty letters long or off by three letters' length.
    if max(len(a), len(b)) > MAX_TYPO_WORD or abs(len(a) - len(b)) > MAX_TYPO_DISTANCE:
        return False
    distance = _osa_distance(fa, fb)
    if distance > MAX_TYPO_DISTANCE or distance * 2 >= min(len(a), len(b)):
        return False
    return _is_correction(fa, fb, lang)


def _hunk_class(old: str, new: str, before: str, names: set[str], lang: str | None) -> EditClass:
    if fold(old) == fold(new):
        return "cosmetic"
    old_tokens = [t for t in tokenize(old) if not t.isspace()]
    new_tokens = [t for t in tokenize(new) if not t.isspace()]
    content = [t for t in old_tokens + new_tokens if is_word(t) or is_number(t) or is_cjk(t)]
    if not content:
        return "typo"  # punctuation added or removed, letters untouched
    if len(old_tokens) == 1 and len(new_tokens) == 1 and is_word(old_tokens[0]) and is_word(new_tokens[0]):
        return "typo" if _word_typo(old_tokens[0], new_tokens[0], before, names, lang) else "substantive"
    return "substantive"


# UTF-8 read as Latin-1 or Windows-1252: a lead byte's character (Â..ô) then a continuation byte's
# (U+0080..U+00BF, or what Windows-1252 puts at 0x80..0x9F). Real text rarely has the pair; ftfy's own test
# is a millisecond a paragraph, so this one decides first whether to ask it.
_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def may_be_mojibake(text: str | None) -> bool:
    """Whether text could be UTF-8 decoded as a single-byte charset (then ftfy judges it)."""
    return bool(text) and _MOJIBAKE_PAIR.search(text or "") is not None


def encoding_repair(old: str | None, new: str | None) -> bool:
    """new is old with its mojibake undone ("â€”" -> "—"): the server began declaring its charset, the story
    did not change. ftfy (already under wordfreq) tells mojibake from real text."""
    if not old or not new or old == new or not may_be_mojibake(old):
        return False
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    return is_bad(old) and fold(fix_encoding(old)) == fold(new)


def classify(old: str | None, new: str | None, lang: str | None = None) -> EditClass:
    """cosmetic, typo or substantive for one edit of one text (None for an added or removed text).

    lang is the page's language (BCP 47, "en" when unknown): whose word frequencies tell a misspelling.
    """
    if not old or not new:
        return "substantive" if has_content(fold(old or new)) else "cosmetic"
    if fold(old) == fold(new) or encoding_repair(old, new):
        return "cosmetic"
    worst: EditClass = "typo"  # the folds differ, so something more than formatting changed
    before = ""
    names = _names(old) | _names(new)
    hunk_old = hunk_new = ""
    # The raw (uncleaned) diff keeps neighbouring small fixes apart, so two typos do not merge into one
    # two-word change that would read as a rewrite.
    for op, text in token_ops(old, new, semantic=False) + [("=", "")]:
        if op == "=":
            if hunk_old or hunk_new:
                cls = _hunk_class(hunk_old, hunk_new, before, names, lang)
                if CLASS_RANK[cls] > CLASS_RANK[worst]:
                    worst = cls
                before += hunk_old
                hunk_old = hunk_new = ""
            before += text
        elif op == "-":
            hunk_old += text
        else:
            hunk_new += text
    return worst
