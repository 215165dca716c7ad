"""Inline diffs over tokens: diff-match-patch run on one symbol per token, cleaned up to read naturally.

Unchanged sentences are matched first and kept as they are; only the runs of changed sentences between them
are diffed word by word (character by character in CJK), so a cleanup that reads a run as one rewrite never
swallows a sentence that did not change.
"""

from __future__ import annotations

from collections.abc import Iterator

from diff_match_patch import diff_match_patch

from watcher.diff.sentences import sentence_spans
from watcher.diff.tokens import tokenize
from watcher.diff.words import INLINE_TIMEOUT, REWRITE_SHARE
from watcher.models import InlineOp

_FIRST = 0xF0000


def _code_points() -> Iterator[int]:
    # Private-use planes first: those characters are neither letters nor spaces, so dmp's boundary heuristics
    # treat every token alike instead of reading meaning into the code we picked.
    yield from range(0xF0000, 0xFFFFE)
    yield from range(0x100000, 0x10FFFE)
    yield from range(0x100, 0xD800)
    yield from range(0xE000, 0xF0000)


def encode(*sequences: list[str]) -> tuple[list[str], list[str]]:
    """Map every distinct item to one character, the trick dmp's line mode uses, so dmp diffs items."""
    table: dict[str, str] = {}
    vocab: list[str] = []
    codes = _code_points()
    out = []
    for seq in sequences:
        chars = []
        for item in seq:
            ch = table.get(item)
            if ch is None:
                ch = table[item] = chr(next(codes))
                vocab.append(item)
            chars.append(ch)
        out.append("".join(chars))
    return out, vocab


def make_dmp(timeout: float) -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    return dmp


def _index(ch: str) -> int:
    """The vocabulary index encode() gave the character ch (the inverse of _code_points)."""
    code = ord(ch)
    if code >= _FIRST:
        return code - _FIRST if code < 0x100000 else code - 0x100000 + (0xFFFFE - _FIRST)
    base = (0xFFFFE - _FIRST) + (0x10FFFE - 0x100000)
    return base + (code - 0x100 if code < 0xD800 else (0xD800 - 0x100) + code - 0xE000)


def token_ops(old: str, new: str, semantic: bool) -> list[InlineOp]:
    """The token diff of two texts; semantic=True folds fragments into readable changes."""
    (ea, eb), vocab = encode(tokenize(old), tokenize(new))
    dmp = make_dmp(INLINE_TIMEOUT)
    diffs = dmp.diff_main(ea, eb, False)
    if semantic:
        # Lengths are now counted in tokens, so a lone shared space or 的 between two changed words is folded
        # into one readable change instead of a confetti of fragments.
        dmp.diff_cleanupSemantic(diffs)
    ops: list[InlineOp] = []
    for op, chars in diffs:
        text = "".join(vocab[_index(ch)] for ch in chars)
        ops.append(({-1: "-", 0: "=", 1: "+"}[op], text))
    return _tidy(ops)


def _tidy(ops: list[InlineOp]) -> list[InlineOp]:
    """Merge neighbours with the same op and put each deletion before the insertion it pairs with."""
    out: list[InlineOp] = []
    pending = {"-": "", "+": ""}
    for op, text in ops:
        if not text:
            continue
        if op == "=":
            out.extend((o, pending[o]) for o in "-+" if pending[o])
            pending = {"-": "", "+": ""}
            if out and out[-1][0] == "=":
                out[-1] = ("=", out[-1][1] + text)
            else:
                out.append(("=", text))
        else:
            pending[op] += text
    out.extend((o, pending[o]) for o in "-+" if pending[o])
    return out


def _shared_share(ops: list[InlineOp]) -> float:
    """How much of the longer side is unchanged text (spaces not counted)."""
    size = {"=": 0, "-": 0, "+": 0}
    for op, text in ops:
        size[op] += len("".join(text.split()))
    return size["="] / max(size["="] + size["-"], size["="] + size["+"], 1)


def _pieces(text: str) -> list[str]:
    """text cut before each of its sentences after the first (joined, they give text back)."""
    starts = [a for a, _ in sentence_spans(text)[1:]]
    return [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)])]


def _run_ops(old: str, new: str) -> list[InlineOp]:
    """The ops of one run of changed sentences: word by word, or old and new whole when they share too little.

    A run that reads as a rewrite but has as many sentences on both sides is judged sentence by sentence, so a
    figure fixed in one sentence still shows as that figure beside a sentence rewritten whole.
    """
    if old == new:
        return [("=", old)] if old else []
    ops = token_ops(old, new, semantic=True)
    if _shared_share(ops) >= REWRITE_SHARE:
        return ops
    pieces_old, pieces_new = _pieces(old), _pieces(new)
    if len(pieces_old) == len(pieces_new) > 1:
        return [op for a, b in zip(pieces_old, pieces_new) for op in _run_ops(a, b)]
    # A rewrite: word-by-word shows confetti of shared "the" and "said"; the spaces around the run are kept.
    lead_o, lead_n = len(old) - len(old.lstrip()), len(new) - len(new.lstrip())
    trail_o, trail_n = len(old.rstrip()), len(new.rstrip())
    whole: list[InlineOp] = []
    whole += [("=", old[:lead_o])] if old[:lead_o] == new[:lead_n] else [("-", old[:lead_o]), ("+", new[:lead_n])]
    whole += [("-", old[lead_o:trail_o]), ("+", new[lead_n:trail_n])]
    whole += [("=", old[trail_o:])] if old[trail_o:] == new[trail_n:] else [("-", old[trail_o:]), ("+", new[trail_n:])]
    return whole


def inline_diff(old: str, new: str) -> list[InlineOp]:
    """Token-level inline diff of two texts, cleaned up to read naturally: [("=", t), ("-", t), ("+", t)].

    Sentences found unchanged (in order) anchor the diff; the text between two anchors is diffed on its own.
    """
    spans_a, spans_b = sentence_spans(old), sentence_spans(new)
    (ea, eb), _ = encode([old[a:b] for a, b in spans_a], [new[a:b] for a, b in spans_b])
    ops: list[InlineOp] = []
    i = j = 0  # sentences of old and new passed
    at_old = at_new = 0  # characters of old and new emitted
    for op, chars in make_dmp(INLINE_TIMEOUT).diff_main(ea, eb, False):
        if op != 0:
            i, j = i + len(chars) * (op == -1), j + len(chars) * (op == 1)
            continue
        for _ in chars:
            (sa, ea_), (sb, eb_) = spans_a[i], spans_b[j]
            ops += _run_ops(old[at_old:sa], new[at_new:sb])
            ops.append(("=", old[sa:ea_]))
            at_old, at_new, i, j = ea_, eb_, i + 1, j + 1
    ops += _run_ops(old[at_old:], new[at_new:])
    return _tidy(ops)
