"""Benchmark 4: diff speed (the text comes from bench/diff_speed.py).

diff_articles on a 100,000-character article with 50 edits, CJK and English, against one plain
character-level diff-match-patch run over the same text in the same process. Each is the fastest
of REPEATS runs: one run after the memory benchmark once took 5x its usual time (a collector pause).

    python bench/diffs.py
"""

from __future__ import annotations

import random

import diff_speed
from common import Row, print_rows  # first: puts the repository on sys.path
from diff_match_patch import diff_match_patch

from watcher.diff import diff_articles
from watcher.models import Article

REPEATS = 5


def best(fn) -> tuple[float, object]:
    """The fastest of REPEATS timed runs of fn, and its result."""
    return min((diff_speed.timed(fn) for _ in range(REPEATS)), key=lambda timed: timed[0])


def run(seed: int = 7) -> list[Row]:
    """Time both diffs for both scripts (figure 4); the issue sets no target, so the rows are context."""
    rows = []
    for label, cjk in (("CJK", True), ("English", False)):
        rng = random.Random(seed)
        old = diff_speed.article(rng, cjk)
        new = diff_speed.edit(rng, old, cjk)
        ours, diff = best(lambda: diff_articles(Article(body=old), Article(body=new)))
        dmp = diff_match_patch()
        dmp.Diff_Timeout = 0  # no deadline: the full character-level diff, as a baseline
        plain, _ = best(lambda: dmp.diff_main("\n\n".join(old), "\n\n".join(new)))
        chars = len("\n\n".join(old))
        print(
            f"diff {label}: {chars:,} chars, {len(diff.edits)} edits, diff_articles {ours * 1000:.0f} ms, "
            f"char-level dmp {plain * 1000:.0f} ms",
            flush=True,
        )
        rows.append(
            Row(
                f"diff: {label}, {chars // 1000}k chars, {diff_speed.EDITS} edits",
                f"{ours * 1000:.0f} ms; char-level dmp {plain * 1000:.0f} ms (dmp/ours {plain / ours:.1f}x)",
            )
        )
    return rows


if __name__ == "__main__":
    print_rows(run())
