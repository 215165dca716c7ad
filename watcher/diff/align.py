"""Aligning two paragraph lists: equal runs first, then moves, edits in place, splits and merges, edited moves.

Paragraphs are aligned on their comparison keys (one diff-match-patch run over one symbol per paragraph, so
near-linear), which yields equal paragraphs and blocks of changed ones. Inside the changed ones each step below
pairs what it can and leaves the rest to the next; what no step pairs was added or removed. Two paragraphs
are alike when they share enough tokens, or when one kept a whole sentence of the other. A reading with more
than one move is tried again with its edited paragraphs counted as kept (see align()).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from functools import lru_cache
from typing import Any, Literal

from watcher.diff.classify import classify
from watcher.diff.fold import fold
from watcher.diff.inline import encode, inline_diff, make_dmp
from watcher.diff.sentences import sentences
from watcher.diff.tokens import tokenize
from watcher.diff.words import (
    ALIGN_TIMEOUT,
    MAX_BLOCK_CELLS,
    MAX_MOVE_PAIRS,
    MAX_REPART_CELLS,
    MIN_SHARED_SENTENCE_TOKENS,
    SIMILAR,
    SPLIT_WEIGHT,
)
from watcher.models import CLASS_RANK, Edit
from watcher.normalize import comparison_key

Kind = Literal["equal", "insert", "delete", "replace", "move"]
SortKey = tuple[int, int, int, int, int]


@dataclass
class Row:
    """One aligned step of a list field: which old and new paragraphs it covers, and the edit if any."""

    kind: Kind
    old: tuple[int, ...]
    new: tuple[int, ...]
    edit: Edit | None = None


def make_edit(
    field: str, op: str, old: str | None, new: str | None, *, moved: bool = False, lang: str | None = None
) -> Edit:
    """An Edit with its class and inline ops; lang is the page language the typo test reads words in."""
    if op == "insert":
        return Edit(field, "insert", None, new, classify(None, new), [("+", new or "")])  # type: ignore[arg-type]
    if op == "delete":
        return Edit(field, "delete", old, None, classify(old, None), [("-", old or "")])  # type: ignore[arg-type]
    cls = classify(old, new, lang)
    inline = inline_diff(old or "", new or "") if old != new else []
    if moved:
        # A move changes emphasis, so it outranks a typo; a moved paragraph also rewritten keeps the higher class.
        cls = max(cls, "moved", key=CLASS_RANK.__getitem__)
    return Edit(field, "move" if moved else "replace", old, new, cls, inline)  # type: ignore[arg-type]


def _features(text: str) -> Counter[Any]:
    tokens = [t for t in tokenize(fold(text)) if not t.isspace()]
    return Counter(tokens) + Counter(zip(tokens, tokens[1:]))


def _similarity(a: Counter[Any], b: Counter[Any]) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


@lru_cache(maxsize=4096)
def _full_sentences(text: str) -> frozenset[str]:
    """The sentences of a paragraph long enough to say it is the same paragraph when another one keeps them."""
    return frozenset(
        s for s in sentences(text) if sum(not t.isspace() for t in tokenize(s)) >= MIN_SHARED_SENTENCE_TOKENS
    )


def _likeness(old: str, new: str, a: Counter[Any], b: Counter[Any]) -> float:
    """How alike two paragraphs read: their token similarity, or at least SIMILAR when one kept a sentence of
    the other whole (a paragraph rewritten around two sentences it kept is that paragraph edited, not another)."""
    score = _similarity(a, b)
    if score < SIMILAR and _full_sentences(old) & _full_sentences(new):
        return SIMILAR
    return score


@dataclass
class _Alignment:
    """The work in progress of one align() call: what is paired so far and the rows made."""

    old: list[str]
    new: list[str]
    field: str
    lang: str | None = None
    keys_a: list[str] = dc_field(default_factory=list)
    keys_b: list[str] = dc_field(default_factory=list)
    rows: list[tuple[SortKey, Row]] = dc_field(default_factory=list)
    blocks: list[tuple[list[int], list[int]]] = dc_field(default_factory=list)  # changed runs between equal runs
    position: dict[int, int] = dc_field(default_factory=dict)  # old index -> new paragraphs before it
    paired_old: set[int] = dc_field(default_factory=set)
    paired_new: set[int] = dc_field(default_factory=set)
    feats_a: dict[int, Counter[Any]] = dc_field(default_factory=dict)
    feats_b: dict[int, Counter[Any]] = dc_field(default_factory=dict)
    # Shared by the alignments of one align() call: a second reading does not score the same pairs again.
    memo: dict[tuple[str, str], float] = dc_field(default_factory=dict)
    feature_memo: dict[str, Counter[Any]] = dc_field(default_factory=dict)
    edit_memo: dict[tuple[str, str | None, str | None], Edit] = dc_field(default_factory=dict)

    def edit(self, op: str, old: str | None, new: str | None) -> Edit:
        """make_edit for this field, each distinct edit diffed once per align() call; every row gets its own copy."""
        key = (op, old, new)
        found = self.edit_memo.get(key)
        if found is None:
            found = self.edit_memo[key] = make_edit(self.field, op, old, new, moved=op == "move", lang=self.lang)
        return replace(found, inline=list(found.inline))

    def features(self, text: str) -> Counter[Any]:
        found = self.feature_memo.get(text)
        if found is None:
            found = self.feature_memo[text] = _features(text)
        return found

    def alike(self, x: int, y: int) -> float:
        """How alike old paragraph x and new paragraph y read (see _likeness)."""
        key = (self.old[x], self.new[y])
        score = self.memo.get(key)
        if score is None:
            score = self.memo[key] = _likeness(*key, self.features(key[0]), self.features(key[1]))
        return score

    def deleted(self) -> list[int]:
        return [x for olds, _ in self.blocks for x in olds]

    def inserted(self) -> list[int]:
        return [y for _, news in self.blocks for y in news]

    def unpaired_blocks(self) -> list[tuple[list[int], list[int]]]:
        return [
            ([x for x in olds if x not in self.paired_old], [y for y in news if y not in self.paired_new])
            for olds, news in self.blocks
        ]

    def pair(self, kind: Kind, xs: tuple[int, ...], ys: tuple[int, ...], edit: Edit | None) -> None:
        self.paired_old.update(xs)
        self.paired_new.update(ys)
        self.rows.append(((ys[0], 1, 0, 0, 0), Row(kind, xs, ys, edit)))

    def pair_move(self, x: int, y: int) -> None:
        self.pair("move", (x,), (y,), self.edit("move", self.old[x], self.new[y]))


def _edited_twins(state: _Alignment, twins: list[tuple[int, int]]) -> None:
    """Give each edited paragraph the key of its counterpart, so the paragraph diff counts it as staying in
    place: with it, "A B P" -> "P A B'" is P moving, not A and B moving (both read one paragraph kept, and
    only the edited B tells them apart)."""
    for x, y in twins:
        state.keys_b[y] = state.keys_a[x]


def _match_equal_runs(state: _Alignment, twins: list[tuple[int, int]] | None = None) -> None:
    """Diff the paragraph keys: equal runs become rows, the changed runs between them become blocks.

    twins are (old, new) pairs of one edited paragraph, matched like unchanged ones (a change in place).
    """
    old, new = state.old, state.new
    # Folding costs more than the rest of the alignment; a paragraph found verbatim on the other side needs no
    # fold to be matched, so only the changed few are folded.
    raw_a, raw_b = set(old), set(new)
    state.keys_a = ["=" + p if p in raw_b else "~" + fold(p) for p in old]
    state.keys_b = ["=" + p if p in raw_a else "~" + fold(p) for p in new]
    if twins:
        _edited_twins(state, twins)
    (ea, eb), _ = encode(state.keys_a, state.keys_b)
    i = j = 0
    in_block = False
    for op, chars in make_dmp(ALIGN_TIMEOUT).diff_main(ea, eb, False):
        if op == 0:
            in_block = False
            for _ in chars:
                edit = None if old[i] == new[j] else state.edit("replace", old[i], new[j])
                state.rows.append(((j, 1, 0, 0, 0), Row("replace" if edit else "equal", (i,), (j,), edit)))
                i, j = i + 1, j + 1
            continue
        if not in_block:
            state.blocks.append(([], []))
            in_block = True
        for _ in chars:
            if op == -1:
                state.position[i] = j
                state.blocks[-1][0].append(i)
                i += 1
            else:
                state.blocks[-1][1].append(j)
                j += 1


def _pair_moves(state: _Alignment) -> None:
    """The same paragraph (by key) left one place and appeared in another: a move."""
    waiting: dict[str, list[int]] = {}
    for y in state.inserted():
        waiting.setdefault(state.keys_b[y], []).append(y)
    for x in state.deleted():
        spots = waiting.get(state.keys_a[x])
        if spots:
            state.pair_move(x, spots.pop(0))


def _pair_reparted(state: _Alignment) -> None:
    """The same words parted into other paragraphs: one paragraph split in three or more, several joined into one,
    or a run re-parted (a site re-flowing its story, or better extraction rules reading its <br> lines as
    paragraphs) is one change of the same text, classed by it (cosmetic), not one paragraph rewritten and others
    added. Splits in two and merges of two, also when edited, are left to _pair_block."""
    for olds, news in state.unpaired_blocks():
        if len(olds) * len(news) > MAX_REPART_CELLS:
            continue
        free_old, free_new = set(olds), set(news)
        keys_a = {x: comparison_key(state.old[x]) for x in olds}
        keys_b = {y: comparison_key(state.new[y]) for y in news}
        for x in olds:
            for y in news:
                if x not in free_old:
                    break
                a, b = keys_a[x], keys_b[y]
                if a == b or not (a and b) or not (a.startswith(b) or b.startswith(a)):
                    continue  # not the start of the same words parted otherwise (a 1-1 pair is _pair_block's)
                run = _same_words(state, x, y, free_old, free_new)
                if run is None:
                    continue
                xs, ys = run
                free_old.difference_update(xs)
                free_new.difference_update(ys)
                old_text = "\n\n".join(state.old[i] for i in xs)
                new_text = "\n\n".join(state.new[j] for j in ys)
                state.pair("replace", xs, ys, state.edit("replace", old_text, new_text))


def _same_words(
    state: _Alignment, x: int, y: int, free_old: set[int], free_new: set[int]
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The runs of old paragraphs from x and new ones from y holding the same words (compared as comparison keys,
    a paragraph break read as a space), when they make more than three paragraphs; else None."""
    if y not in free_new:
        return None
    xs, ys = [x], [y]
    while True:
        a = comparison_key(" ".join(state.old[i] for i in xs))
        b = comparison_key(" ".join(state.new[j] for j in ys))
        if a == b:
            return (tuple(xs), tuple(ys)) if len(xs) + len(ys) > 3 else None
        if a and b.startswith(a) and xs[-1] + 1 in free_old:
            xs.append(xs[-1] + 1)
        elif b and a.startswith(b) and ys[-1] + 1 in free_new:
            ys.append(ys[-1] + 1)
        else:
            return None


def _pair_block(
    state: _Alignment, olds: list[int], news: list[int], allow_split: bool
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs (old indices, new indices) inside one changed block: 1-1 replaces, 1-2 splits, 2-1 merges."""
    feats_a, feats_b, alike = state.feats_a, state.feats_b, state.alike
    a, b = len(olds), len(news)
    if not a or not b:
        return []
    if a * b > MAX_BLOCK_CELLS:
        return [((i,), (j,)) for i, j in zip(olds, news) if alike(i, j) >= SIMILAR]
    score = [[0.0] * (b + 1) for _ in range(a + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (b + 1) for _ in range(a + 1)]
    for i in range(a + 1):
        for j in range(b + 1):
            options: list[tuple[float, tuple[int, int]]] = []
            if i:
                options.append((score[i - 1][j], (1, 0)))
            if j:
                options.append((score[i][j - 1], (0, 1)))
            if i and j:
                sim = alike(olds[i - 1], news[j - 1])
                if sim >= SIMILAR:
                    options.append((score[i - 1][j - 1] + sim, (1, 1)))
            if allow_split and i and j >= 2:
                sim = _similarity(feats_a[olds[i - 1]], feats_b[news[j - 2]] + feats_b[news[j - 1]])
                if sim >= SIMILAR:
                    options.append((score[i - 1][j - 2] + sim * SPLIT_WEIGHT, (1, 2)))
            if allow_split and i >= 2 and j:
                sim = _similarity(feats_a[olds[i - 2]] + feats_a[olds[i - 1]], feats_b[news[j - 1]])
                if sim >= SIMILAR:
                    options.append((score[i - 2][j - 1] + sim * SPLIT_WEIGHT, (2, 1)))
            if options:
                score[i][j], back[i][j] = max(options, key=lambda o: o[0])
    pairs = []
    i, j = a, b
    while i or j:
        di, dj = back[i][j]  # type: ignore[misc]
        if di and dj:
            pairs.append((tuple(olds[i - di : i]), tuple(news[j - dj : j])))
        i, j = i - di, j - dj
    return pairs[::-1]


def _pair_neighbours(state: _Alignment, allow_split: bool) -> None:
    """Neighbours inside one changed block: edited in place, split or merged."""
    state.feats_a = {x: state.features(state.old[x]) for x in state.deleted() if x not in state.paired_old}
    state.feats_b = {y: state.features(state.new[y]) for y in state.inserted() if y not in state.paired_new}
    for olds, news in state.unpaired_blocks():
        for xs, ys in _pair_block(state, olds, news, allow_split):
            old_text = "\n\n".join(state.old[x] for x in xs)
            new_text = "\n\n".join(state.new[y] for y in ys)
            state.pair("replace", xs, ys, state.edit("replace", old_text, new_text))


def _pair_edited_moves(state: _Alignment) -> None:
    """An edited paragraph that also moved: best-first pairing of what is left, across blocks."""
    left_old = [x for x in state.deleted() if x not in state.paired_old]
    left_new = [y for y in state.inserted() if y not in state.paired_new]
    if not left_old or not left_new or len(left_old) * len(left_new) > MAX_MOVE_PAIRS:
        return
    candidates = sorted(
        ((s, x, y) for x in left_old for y in left_new if (s := state.alike(x, y)) >= SIMILAR),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    for _, x, y in candidates:
        if x not in state.paired_old and y not in state.paired_new:
            state.pair_move(x, y)


def _pair_caption_slots(state: _Alignment) -> None:
    """A caption in the same slot that reads nothing like the old one is still that photo's caption changing
    (a swapped photo or a rewritten caption), which readers expect as one change, not two."""
    for olds, news in state.unpaired_blocks():
        for x, y in zip(olds, news):
            state.pair("replace", (x,), (y,), state.edit("replace", state.old[x], state.new[y]))


def _add_the_rest(state: _Alignment) -> None:
    """What no step paired was added or removed; a deletion is placed where it stood.

    A deletion sits right after the old paragraph before it when that one stayed put (equal or edited in
    place), so "A, B(deleted), C(edited)" reads in that order; otherwise where the alignment left it.
    """
    placed = {x: key for key, row in state.rows if row.kind != "move" for x in row.old}
    for x in state.deleted():
        if x not in state.paired_old:
            before = placed.get(x - 1)
            key: SortKey = (*before[:3], 1, x) if before else (state.position[x], 0, x, 0, 0)
            placed[x] = key
            state.rows.append((key, Row("delete", (x,), (), state.edit("delete", state.old[x], None))))
    for y in state.inserted():
        if y not in state.paired_new:
            state.rows.append(((y, 1, 0, 0, 0), Row("insert", (), (y,), state.edit("insert", None, state.new[y]))))


def align(
    old: list[str], new: list[str], field: str = "body", *, allow_split: bool = True, lang: str | None = None
) -> list[Row]:
    """Aligned rows of two paragraph lists in reading order of the new one, deletions where they stood.

    The paragraph diff keeps the most unchanged paragraphs in place, and between equally long choices it may
    keep the wrong one: when that leaves more than one move, the alignment is tried again counting edited
    paragraphs the first reading paired as kept too, and the reading with fewer moves (then fewer edits) is
    the one returned.
    """
    first = _Alignment(old, new, field, lang)
    rows = _align(first, allow_split)
    moves = sum(row.kind == "move" for row in rows)
    if moves < 2:
        return rows
    again = _Alignment(
        old, new, field, lang, memo=first.memo, feature_memo=first.feature_memo, edit_memo=first.edit_memo
    )
    twins = [
        (row.old[0], row.new[0])
        for row in rows
        if row.kind in ("replace", "move") and len(row.old) == len(row.new) == 1 and row.edit and row.edit.inline
    ]
    other = _align(again, allow_split, twins)

    def cost(found: list[Row]) -> tuple[int, int]:
        return sum(row.kind == "move" for row in found), sum(row.edit is not None for row in found)

    return other if cost(other) < cost(rows) else rows


def _align(state: _Alignment, allow_split: bool, twins: list[tuple[int, int]] | None = None) -> list[Row]:
    _match_equal_runs(state, twins)
    _pair_moves(state)
    if allow_split:
        _pair_reparted(state)
    _pair_neighbours(state, allow_split)
    _pair_edited_moves(state)
    if state.field == "caption":
        _pair_caption_slots(state)
    _add_the_rest(state)
    state.rows.sort(key=lambda r: r[0])
    return [row for _, row in state.rows]
