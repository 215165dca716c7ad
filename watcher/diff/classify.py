"""The class of one edit: cosmetic, typo or substantive (see watcher.diff for the rules)."""

from __future__ import annotations

from watcher.diff.fold import fold, has_content
from watcher.diff.inline import token_ops
from watcher.diff.tokens import is_cjk, is_number, is_word, tokenize
from watcher.diff.words import NEGATIONS, SENTENCE_END, TITLE_BEFORE
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


def _word_typo(a: str, b: str, before: str, names: set[str]) -> bool:
    if any(ch.isdigit() for ch in a + b):
        return False
    if a.casefold() == b.casefold():
        return True
    if a.casefold() in NEGATIONS or b.casefold() in NEGATIONS:
        return False
    # A capital mid-sentence marks a name: Smith -> Smyth is a different person, not a typo.
    if (a[0].isupper() or b[0].isupper()) and (
        not _sentence_start(before) or a.casefold() in names or b.casefold() in names
    ):
        return False
    distance = _osa_distance(a.casefold(), b.casefold())
    return distance <= 2 and distance * 2 < min(len(a), len(b))


def _hunk_class(old: str, new: str, before: str, names: set[str]) -> EditClass:
    if fold(old) == fold(new):
        return "cosmetic"
    old_tokens = [t for t in tokenize(old) if not t.isspace()]
    new_tokens = [t for t in tokenize(new) if not t.isspace()]
    content = [t for t in old_tokens + new_tokens if is_word(t) or is_number(t) or is_cjk(t)]
    if not content:
        return "typo"  # punctuation added or removed, letters untouched
    if len(old_tokens) == 1 and len(new_tokens) == 1 and is_word(old_tokens[0]) and is_word(new_tokens[0]):
        return "typo" if _word_typo(old_tokens[0], new_tokens[0], before, names) else "substantive"
    return "substantive"


def classify(old: str | None, new: str | None) -> EditClass:
    """cosmetic, typo or substantive for one edit of one text (None for an added or removed text)."""
    if not old or not new:
        return "substantive" if has_content(fold(old or new)) else "cosmetic"
    if fold(old) == fold(new):
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
                cls = _hunk_class(hunk_old, hunk_new, before, names)
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
