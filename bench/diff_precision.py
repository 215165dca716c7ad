"""How much unchanged text the diff highlights: issue 26's precision and recall of highlights by sentence.

Over the revision pairs of bench/diff_revisions.py (English and Traditional Chinese stories edited the way
stories are: figures fixed, sentences inserted, clauses rewritten, quotes softened, paragraphs rewritten
keeping two sentences, paragraphs moved), for the inline diff before issue 26 (kept here as a reference:
one token diff over the whole paragraph, shown whole below 35% shared text) and the current one, run in the
same process:

- unchanged share: of the highlighted characters (deleted or inserted, spaces not counted), the share that
  belongs to sentences found unchanged in the other version. Target <= 3%.
- sentence recall: of the sentences that changed, the share with some highlight (a deletion inside a
  sentence counts for it). Target 1.0.
- moves: move edits per moved paragraph (target exactly 1), and edits whose whole changed text is an
  abbreviation such as "U.S." (target 0).

Two views are measured: the terminal's (`watcher diff`, `check`), which shows a rewrite as old and new
whole, and the inline ops every report and --json carries.

    python bench/diff_precision.py
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Callable, Sequence

from common import REPO, Row, table  # first: puts the repository on sys.path
from diff_revisions import REVISIONS, Revision

from watcher.diff import align
from watcher.diff.inline import inline_diff, token_ops
from watcher.models import InlineOp
from watcher.render.inline import is_rewrite

OLD_REWRITE_SHARE = 0.35
BEFORE = "b09921c"  # the commit before issue 26's alignment work, for the paragraph alignment of moves
ABBREVIATIONS = {"U.S.", "Dr.", "No.", "Mr.", "Gov.", "St.", "J.", "R."}

Ops = list[InlineOp]


def _share(ops: Sequence[InlineOp]) -> float:
    size = {"=": 0, "-": 0, "+": 0}
    for op, text in ops:
        size[op] += len("".join(text.split()))
    return size["="] / max(size["="] + size["-"], size["="] + size["+"], 1)


def _whole(old: str, new: str) -> Ops:
    return [("-", old), ("+", new)]


def _shared(ops: Ops) -> bool:
    return any(op == "=" and text.strip() for op, text in ops)


def old_inline(old: str, new: str) -> Ops:
    return token_ops(old, new, semantic=True)


def old_terminal(old: str, new: str) -> Ops:
    ops = old_inline(old, new)
    rewrite = any(op == "=" for op, _ in ops) and _share(ops) < OLD_REWRITE_SHARE
    return ops if _shared(ops) and not rewrite else _whole(old, new)


def new_terminal(old: str, new: str) -> Ops:
    ops = inline_diff(old, new)
    return ops if _shared(ops) and not is_rewrite(ops) else _whole(old, new)


ALGORITHMS: dict[str, Callable[[str, str], Ops]] = {
    "before, terminal": old_terminal,
    "before, inline ops": old_inline,
    "now, terminal": new_terminal,
    "now, inline ops": inline_diff,
}


def _spans(text: str, sentences: list[str]) -> list[tuple[int, int, str]]:
    """Where each known sentence lies in text (they appear in order)."""
    out, at = [], 0
    for sentence in sentences:
        start = text.index(sentence, at)
        out.append((start, start + len(sentence), sentence))
        at = start + len(sentence)
    return out


class Tally:
    def __init__(self) -> None:
        self.unchanged_chars = 0
        self.changed_chars = 0
        self.changed_sentences = 0
        self.hit_sentences = 0
        self.abbreviation_edits = 0

    def share(self) -> float:
        return self.unchanged_chars / max(1, self.unchanged_chars + self.changed_chars)

    def recall(self) -> float:
        return self.hit_sentences / max(1, self.changed_sentences)


def _measure(rev: Revision, diff: Callable[[str, str], Ops], tally: Tally) -> None:
    old_paras, new_paras = rev.paragraphs(rev.old), rev.paragraphs(rev.new)
    old_set = {s for p in rev.old for s in p}
    new_set = {s for p in rev.new for s in p}
    for row in align(old_paras, new_paras, "body", lang=rev.lang):
        edit = row.edit
        if edit is None:
            continue
        old_text, new_text = edit.old or "", edit.new or ""
        if edit.op == "insert":
            ops: Ops = [("+", new_text)]
        elif edit.op == "delete":
            ops = [("-", old_text)]
        elif old_text == new_text:
            ops = [("=", old_text)]  # moved unchanged: shown as a move, nothing highlighted
        else:
            ops = diff(old_text, new_text)
        sides = {
            "-": (_spans(old_text, [s for x in row.old for s in rev.old[x]]), new_set),
            "+": (_spans(new_text, [s for y in row.new for s in rev.new[y]]), old_set),
        }
        hit: dict[str, set[int]] = {"-": set(), "+": set()}
        pos = {"-": 0, "+": 0}
        for op, text in ops:
            if op != "=" and text.strip() in ABBREVIATIONS:
                tally.abbreviation_edits += 1
            for side in "-+":
                spans, other = sides[side]
                start = pos[side]
                if op in ("=", side):
                    for k, (a, b, sentence) in enumerate(spans):
                        if op == side and a < start + len(text) and start < b:
                            hit[side].add(k)
                            chars = len("".join(text[max(a - start, 0) : b - start].split()))
                            if sentence in other:
                                tally.unchanged_chars += chars
                            else:
                                tally.changed_chars += chars
                    pos[side] += len(text)
                else:  # the other side's change is a point here: it marks the sentence it falls inside
                    hit[side].update(k for k, (a, b, _) in enumerate(spans) if a < start < b)
        for side in "-+":
            spans, other = sides[side]
            for k, (_, _, sentence) in enumerate(spans):
                if sentence not in other:
                    tally.changed_sentences += 1
                    tally.hit_sentences += k in hit[side]


def _align_before() -> Callable[..., list] | None:
    """align() as it was before issue 26, read from git (None outside a git checkout)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BEFORE}:watcher/diff/align.py"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("align_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "align_before", "exec"), module.__dict__)
    return module.align


def _moves(align_fn: Callable[..., list]) -> tuple[int, int]:
    """(move edits, moved paragraphs) over the revisions that move one paragraph."""
    found = expected = 0
    for rev in REVISIONS:
        if "moved" not in rev.name:
            continue
        expected += 1
        rows = align_fn(rev.paragraphs(rev.old), rev.paragraphs(rev.new), "body", lang=rev.lang)
        found += sum(row.kind == "move" for row in rows)
    return found, expected


def run() -> list[Row]:
    rows = []
    for lang in ("en", "zh"):
        revisions = [r for r in REVISIONS if r.lang.startswith(lang)]
        for label, diff in ALGORITHMS.items():
            tally = Tally()
            for rev in revisions:
                _measure(rev, diff, tally)
            now = label.startswith("now")
            rows.append(
                Row(
                    f"{lang} ({len(revisions)} revisions), {label}: highlighted chars in unchanged sentences",
                    f"{tally.share():.1%} of {tally.unchanged_chars + tally.changed_chars}",
                    "<= 3%" if now else "",
                    tally.share() <= 0.03 if now else None,
                )
            )
            rows.append(
                Row(
                    f"{lang}, {label}: changed sentences with a highlight",
                    f"{tally.recall():.3f} ({tally.hit_sentences}/{tally.changed_sentences})",
                    "1.0" if now else "",
                    tally.hit_sentences == tally.changed_sentences if now else None,
                )
            )
            if lang == "en":
                rows.append(
                    Row(
                        f"{lang}, {label}: changes that are only an abbreviation",
                        str(tally.abbreviation_edits),
                        "0" if now else "",
                        tally.abbreviation_edits == 0 if now else None,
                    )
                )
    before = _align_before()
    if before is not None:
        found, expected = _moves(before)
        rows.append(Row(f"before ({BEFORE}): move edits per moved paragraph", f"{found}/{expected}"))
    found, expected = _moves(align)
    rows.append(Row("now: move edits per moved paragraph", f"{found}/{expected}", "1 each", found == expected))
    return rows


if __name__ == "__main__":
    print(table(run()))
