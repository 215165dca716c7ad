"""Edits between two versions of an article: fields, captions and body, each edit classified, the version flagged.

The body is diffed in two stages. Paragraphs are aligned first on their comparison keys (hashes, one
diff-match-patch run over one symbol per paragraph, so near-linear), which yields equal paragraphs and blocks of
changed ones; inside the changed ones a paragraph found again elsewhere is a move, neighbours are paired as a
replace, a split or a merge, and only then does a changed pair get an inline diff over tokens.

Classification (decided here, documented for users):
- cosmetic: the texts are equal once whitespace, width forms, quote/dash/CJK punctuation style are folded.
  A bare change of the `modified` timestamp is cosmetic too: readers see nothing, and it still feeds `stealth`.
- typo: every changed spot is a one-word-for-one-word swap within edit distance 2 (transpositions count 1) that
  touches no digit, no capitalised word mid-sentence (a name), no negation and no CJK character (one Han
  character is often a whole word: 中國 -> 美國 is not a typo), or a case-only or punctuation-only change.
- substantive: everything else, including any inserted or deleted paragraph that has content.
- A move is at least "typo": readers want to see a paragraph pushed down (it changes emphasis) but it is not
  worth an alert by itself; a moved paragraph that was also edited takes the class of its text edit if higher.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

from watcher.models import CLASS_RANK, Article, Edit, EditClass, InlineOp, VersionDiff, parse_iso
from watcher.normalize import comparison_key
from watcher.notices import is_notice
from watcher.tokens import is_cjk, is_number, is_word, tokenize

# A paragraph pair diffs in milliseconds; the cap only bounds pathological input (dmp then returns a coarser,
# still correct, diff).
INLINE_TIMEOUT = 0.5
ALIGN_TIMEOUT = 2.0
SIMILAR = 0.5  # Dice similarity over tokens and token pairs above which two paragraphs are one edited paragraph
SPLIT_WEIGHT = 1.2  # a split/merge covers three paragraphs; it must beat a 1-1 pairing plus an insert
MAX_BLOCK_CELLS = 2500  # above this a changed block is paired in order, not by dynamic programming
MAX_MOVE_PAIRS = 40000  # above this edited moves are not searched (a rewrite, not an edit)

NEGATIONS = frozenset(
    {
        "no",
        "not",
        "nor",
        "never",
        "none",
        "nothing",
        "cannot",
        "can't",
        "cant",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "won't",
        "nicht",
        "kein",
        "ne",
        "pas",
        "nunca",
    }
)

_PUNCT_FOLD = str.maketrans(
    {
        "。": ".",
        "｡": ".",
        "、": ",",
        "､": ",",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "《": '"',
        "》": '"',
        "〈": '"',
        "〉": '"',
        "'": '"',
        "…": "...",
        "‧": "·",
        "・": "·",
        "〜": "~",
        "～": "~",
    }
)
_SPACE_NEAR_PUNCT = re.compile(r"\s+(?=[^\w\s])|(?<=[^\w\s])\s+")
_SENTENCE_END = re.compile(r"(?:^|[.!?。！？:：;\"”»」』)\]\n])\s*$")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|St|Mt|Jr|Sr|Rev|Hon)\.\s*$")


def _sentence_start(before: str) -> bool:
    """True when the next word starts a sentence (so its capital says nothing about it being a name)."""
    tail = before[-12:]
    return bool(_SENTENCE_END.search(tail)) and not _TITLE.search(tail)


Kind = Literal["equal", "insert", "delete", "replace", "move"]


@dataclass
class Row:
    """One aligned step of a list field: which old and new paragraphs it covers, and the edit if any."""

    kind: Kind
    old: tuple[int, ...]
    new: tuple[int, ...]
    edit: Edit | None = None


# --- folding and tokens --------------------------------------------------------------------------------


def fold(text: str | None) -> str:
    """A key blind to cosmetic differences: comparison_key plus punctuation style and spaces around punctuation."""
    text = comparison_key(text).translate(_PUNCT_FOLD)
    return _SPACE_NEAR_PUNCT.sub("", text)


def _has_content(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _code_points() -> Iterator[int]:
    # Private-use planes first: those characters are neither letters nor spaces, so dmp's boundary heuristics
    # treat every token alike instead of reading meaning into the code we picked.
    yield from range(0xF0000, 0xFFFFE)
    yield from range(0x100000, 0x10FFFE)
    yield from range(0x100, 0xD800)
    yield from range(0xE000, 0xF0000)


def _encode(*sequences: list[str]) -> tuple[list[str], list[str]]:
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


def _dmp(timeout: float) -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    return dmp


def _token_ops(old: str, new: str, semantic: bool) -> list[InlineOp]:
    (ea, eb), vocab = _encode(tokenize(old), tokenize(new))
    dmp = _dmp(INLINE_TIMEOUT)
    diffs = dmp.diff_main(ea, eb, False)
    if semantic:
        # Lengths are now counted in tokens, so a lone shared space or 的 between two changed words is folded
        # into one readable change instead of a confetti of fragments.
        dmp.diff_cleanupSemantic(diffs)
    first = 0xF0000
    ops: list[InlineOp] = []
    for op, chars in diffs:
        text = "".join(vocab[_index(ch, first)] for ch in chars)
        ops.append(({-1: "-", 0: "=", 1: "+"}[op], text))
    return _tidy(ops)


def _index(ch: str, first: int) -> int:
    code = ord(ch)
    if code >= first:
        return code - first if code < 0x100000 else code - 0x100000 + (0xFFFFE - first)
    base = (0xFFFFE - first) + (0x10FFFE - 0x100000)
    return base + (code - 0x100 if code < 0xD800 else (0xD800 - 0x100) + code - 0xE000)


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


def inline_diff(old: str, new: str) -> list[InlineOp]:
    """Token-level inline diff of two texts, cleaned up to read naturally: [("=", t), ("-", t), ("+", t)]."""
    return _token_ops(old, new, semantic=True)


# --- classification ------------------------------------------------------------------------------------


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
        return "substantive" if _has_content(fold(old or new)) else "cosmetic"
    if fold(old) == fold(new):
        return "cosmetic"
    worst: EditClass = "typo"  # the folds differ, so something more than formatting changed
    before = ""
    names = _names(old) | _names(new)
    hunk_old = hunk_new = ""
    # The raw (uncleaned) diff keeps neighbouring small fixes apart, so two typos do not merge into one
    # two-word change that would read as a rewrite.
    for op, text in _token_ops(old, new, semantic=False) + [("=", "")]:
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


# --- paragraph alignment -------------------------------------------------------------------------------


def _features(text: str) -> Counter:
    tokens = [t for t in tokenize(fold(text)) if not t.isspace()]
    return Counter(tokens) + Counter(zip(tokens, tokens[1:]))


def _similarity(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def _edit(field: str, op: str, old: str | None, new: str | None, *, moved: bool = False) -> Edit:
    if op == "insert":
        return Edit(field, "insert", None, new, classify(None, new), [("+", new or "")])
    if op == "delete":
        return Edit(field, "delete", old, None, classify(old, None), [("-", old or "")])
    cls = classify(old, new)
    inline = inline_diff(old or "", new or "") if old != new else []
    if moved:
        cls = max(cls, "typo", key=CLASS_RANK.__getitem__)
    return Edit(field, "move" if moved else "replace", old, new, cls, inline)


def _pair_block(
    olds: list[int], news: list[int], feats_a: list[Counter], feats_b: list[Counter], allow_split: bool
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs (old indices, new indices) inside one changed block: 1-1 replaces, 1-2 splits, 2-1 merges."""
    a, b = len(olds), len(news)
    if not a or not b:
        return []
    if a * b > MAX_BLOCK_CELLS:
        pairs = []
        for i, j in zip(olds, news):
            if _similarity(feats_a[i], feats_b[j]) >= SIMILAR:
                pairs.append(((i,), (j,)))
        return pairs
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
                sim = _similarity(feats_a[olds[i - 1]], feats_b[news[j - 1]])
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


def align(old: list[str], new: list[str], field: str = "body", *, allow_split: bool = True) -> list[Row]:
    """Aligned rows of two paragraph lists in reading order of the new one, deletions where they stood."""
    # Folding costs more than the rest of the alignment; a paragraph found verbatim on the other side needs no
    # fold to be matched, so only the changed few are folded.
    raw_a, raw_b = set(old), set(new)
    keys_a = ["=" + p if p in raw_b else "~" + fold(p) for p in old]
    keys_b = ["=" + p if p in raw_a else "~" + fold(p) for p in new]
    (ea, eb), _ = _encode(keys_a, keys_b)
    rows: list[tuple[tuple, Row]] = []
    blocks: list[tuple[list[int], list[int]]] = []  # runs of changed paragraphs between two equal runs
    position: dict[int, int] = {}  # old index -> new paragraphs before it, to put a deletion where it stood
    i = j = 0
    in_block = False
    for op, chars in _dmp(ALIGN_TIMEOUT).diff_main(ea, eb, False):
        if op == 0:
            in_block = False
            for _ in chars:
                edit = None if old[i] == new[j] else _edit(field, "replace", old[i], new[j])
                rows.append(((j, 1, 0, 0, 0), Row("replace" if edit else "equal", (i,), (j,), edit)))
                i, j = i + 1, j + 1
            continue
        if not in_block:
            blocks.append(([], []))
            in_block = True
        for _ in chars:
            if op == -1:
                position[i] = j
                blocks[-1][0].append(i)
                i += 1
            else:
                blocks[-1][1].append(j)
                j += 1
    deleted = [x for olds, _ in blocks for x in olds]
    inserted = [y for _, news in blocks for y in news]
    paired_old: set[int] = set()
    paired_new: set[int] = set()

    # 1. the same paragraph (by key) left one place and appeared in another: a move
    waiting: dict[str, list[int]] = {}
    for y in inserted:
        waiting.setdefault(keys_b[y], []).append(y)
    for x in deleted:
        spots = waiting.get(keys_a[x])
        if spots:
            y = spots.pop(0)
            paired_old.add(x)
            paired_new.add(y)
            rows.append(((y, 1, 0, 0, 0), Row("move", (x,), (y,), _edit(field, "move", old[x], new[y], moved=True))))

    # 2. neighbours inside one changed block: edited in place, split or merged
    feats_a = {x: _features(old[x]) for x in deleted if x not in paired_old}
    feats_b = {y: _features(new[y]) for y in inserted if y not in paired_new}
    for olds, news in blocks:
        olds = [x for x in olds if x not in paired_old]
        news = [y for y in news if y not in paired_new]
        for xs, ys in _pair_block(olds, news, feats_a, feats_b, allow_split):  # type: ignore[arg-type]
            paired_old.update(xs)
            paired_new.update(ys)
            edit = _edit(field, "replace", "\n\n".join(old[x] for x in xs), "\n\n".join(new[y] for y in ys))
            rows.append(((ys[0], 1, 0, 0, 0), Row("replace", xs, ys, edit)))

    # 3. an edited paragraph that also moved: best-first pairing of what is left, across blocks
    left_old = [x for x in deleted if x not in paired_old]
    left_new = [y for y in inserted if y not in paired_new]
    if left_old and left_new and len(left_old) * len(left_new) <= MAX_MOVE_PAIRS:
        candidates = sorted(
            ((s, x, y) for x in left_old for y in left_new if (s := _similarity(feats_a[x], feats_b[y])) >= SIMILAR),
            key=lambda c: (-c[0], c[1], c[2]),
        )
        for _, x, y in candidates:
            if x in paired_old or y in paired_new:
                continue
            paired_old.add(x)
            paired_new.add(y)
            rows.append(((y, 1, 0, 0, 0), Row("move", (x,), (y,), _edit(field, "move", old[x], new[y], moved=True))))

    # 3b. a caption in the same slot that reads nothing like the old one is still that photo's caption
    # changing (a swapped photo or a rewritten caption), which readers expect as one change, not two.
    if field == "caption":
        for olds, news in blocks:
            olds = [x for x in olds if x not in paired_old]
            news = [y for y in news if y not in paired_new]
            for x, y in zip(olds, news):
                paired_old.add(x)
                paired_new.add(y)
                rows.append(((y, 1, 0, 0, 0), Row("replace", (x,), (y,), _edit(field, "replace", old[x], new[y]))))

    # 4. the rest was added or removed
    # A deletion sits right after the old paragraph before it when that one stayed put (equal or edited in
    # place), so "A, B(deleted), C(edited)" reads in that order; otherwise where the alignment left it.
    placed = {x: key for key, row in rows if row.kind != "move" for x in row.old}
    for x in deleted:
        if x not in paired_old:
            before = placed.get(x - 1)
            key = before[:3] + (1, x) if before else (position[x], 0, x, 0, 0)
            placed[x] = key
            rows.append((key, Row("delete", (x,), (), _edit(field, "delete", old[x], None))))
    for y in inserted:
        if y not in paired_new:
            rows.append(((y, 1, 0, 0, 0), Row("insert", (), (y,), _edit(field, "insert", None, new[y]))))
    rows.sort(key=lambda r: r[0])
    return [row for _, row in rows]


# --- fields and the whole article ----------------------------------------------------------------------


def _same_instant(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    try:
        return parse_iso(a) == parse_iso(b) and a is not None and b is not None
    except ValueError:
        return False


def _field_edit(field: str, old: str | None, new: str | None) -> Edit | None:
    old, new = old or "", new or ""
    if old == new:
        return None
    op = "insert" if not old else "delete" if not new else "replace"
    edit = _edit(field, op, old or None, new or None)
    if field == "modified" or (field == "published" and _same_instant(old, new)):
        # The timestamp says "we touched it", not what changed; it is kept for the record and for `stealth`.
        edit.cls = "cosmetic"
    return edit


def _notices(article: Article) -> set[str]:
    return {fold(p) for p in [article.dek, *article.body] if p and is_notice(p)}


def _notice_appeared(old: Article, new: Article) -> bool:
    """A notice in new that old did not carry (a reworded old notice counts: "Updated 10:00" -> "Updated 12:00")."""
    seen = {old.dek, *old.body}
    fresh = [p for p in [new.dek, *new.body] if p and p not in seen and is_notice(p)]
    return bool(fresh) and bool({fold(p) for p in fresh} - _notices(old))


def diff_articles(old: Article, new: Article) -> VersionDiff:
    """Every edit from old to new (fields, body, captions), classified, with the version's flags."""
    edits: list[Edit] = []
    for name in ("headline", "dek", "byline", "published", "modified"):
        edit = _field_edit(name, getattr(old, name), getattr(new, name))
        if edit:
            edits.append(edit)
    edits += [row.edit for row in align(old.body, new.body, "body") if row.edit]
    edits += [row.edit for row in align(old.captions, new.captions, "caption", allow_split=False) if row.edit]

    flags = []
    if any(e.field == "headline" and e.cls != "cosmetic" for e in edits):
        flags.append("headline_changed")
    notice = _notice_appeared(old, new)
    if notice:
        flags.append("correction_notice")
    if any(e.cls == "substantive" for e in edits) and not notice and _same_instant(old.modified, new.modified):
        flags.append("stealth")
    return VersionDiff(edits=edits, flags=flags)
