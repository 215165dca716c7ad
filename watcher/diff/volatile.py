"""Text that is not the story: blocks that change on every load, a host's recurring chrome, the user's ignore rules.

Three sources, one mask applied to both sides before two versions are compared:
- per-article volatility: a short block that differs between a fetch and its confirming re-fetch (re-counted,
  replaced, or in another order), while both loads agree on the story, is a widget (a counter, "read time",
  "3 小時前", a related list, a "most read now" line). It is learned as a key with its digits masked, so the
  next value of the counter matches it too; a host's other articles mask it where they show it.
- per-host boilerplate: a block found, digits masked, in another watched article of the same host that is a
  different story ("9168 點閱" there, "312 點閱" here) is chrome of that site.
- ignore rules: regular expressions the user gave (per host in [[sites]] ignore_text, per article with
  `watcher add --ignore`); the text they match is cut out of every paragraph.

Nothing here may hide a real edit, so a block is masked only when it is short (a story paragraph is longer than
a widget), or when it is long, stands at an end of the body and came with other figures on each of three loads
(stored, fetched, re-fetched: a bio, an "about" box, an offer whose figures the page redraws); and a mask never
takes more than half of the body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

from watcher.diff.fold import fold, has_content
from watcher.diff.words import MAX_MASKED_SHARE, NEAR_LINE, VOLATILE_MAX_CHARS
from watcher.models import Article

_DIGITS = re.compile(r"\d+(?:[.,:]\d+)*")


def block_key(text: str) -> str:
    """The key a volatile or boilerplate block is known by: folded, every number written as 0."""
    return _DIGITS.sub("0", fold(text))


# Marks the key of a long block learned volatile (see _refigured_trailers), so that no other key masks a long block.
LONG_MARK = "<long>"


def volatile_key(text: str) -> str:
    """The key a block learned volatile is known by: block_key, marked for a long block."""
    return block_key(text) if maskable(text) else LONG_MARK + block_key(text)


# Fields other than the headline that may be learned volatile as a whole (a headline that differs between loads
# is an A/B test, told apart by watcher.monitor.trust.headline_return).
VOLATILE_FIELDS = ("dek", "byline", "published", "modified", "captions")


def field_key(name: str) -> str:
    """The key a field learned to differ between loads is known by among the block keys ("<byline>")."""
    return f"<{name}>"


def maskable(text: str) -> bool:
    """Short enough to be a widget rather than a story paragraph."""
    return len(text.strip()) <= VOLATILE_MAX_CHARS


@dataclass
class Mask:
    """What to leave out of the comparison of one article."""

    keys: set[str] = field(default_factory=set)  # block keys: learned volatile and host boilerplate
    patterns: list[re.Pattern[str]] = field(default_factory=list)  # ignore rules

    def __bool__(self) -> bool:
        return bool(self.keys or self.patterns)


def compile_patterns(rules: Iterable[str]) -> list[re.Pattern[str]]:
    """Ignore rules as compiled patterns; a bad rule raises re.error (callers validate input with it)."""
    return [re.compile(rule) for rule in rules if rule]


def _cut(text: str, patterns: Sequence[re.Pattern[str]], pieces: list[str] | None = None) -> str:
    """The text without what the patterns match (the matches appended to pieces); spaces tidied where cut."""
    cut = text
    for pattern in patterns:
        found = [m.group() for m in pattern.finditer(cut) if m.group()]
        if found:
            if pieces is not None:
                pieces.extend(found)
            cut = pattern.sub("", cut)
    return " ".join(cut.split()) if cut != text else text


def apply_mask(article: Article, mask: Mask) -> tuple[Article, list[str]]:
    """The article with masked text left out, and the texts left out (what `extract --json` calls volatile)."""
    if not mask:
        return article, []
    removed: list[str] = []
    body: list[str] = []
    # Counted in characters: a mask never takes more than half of the body's text.
    budget = int(sum(len(p) for p in article.body) * MAX_MASKED_SHARE) if len(article.body) > 1 else 0
    for paragraph in article.body:
        pieces: list[str] = []
        cut = _cut(paragraph, mask.patterns, pieces)
        if cut != paragraph and not has_content(cut):
            removed.append(paragraph)  # the rules left nothing of it
            continue
        if len(cut) <= budget and volatile_key(cut) in mask.keys:
            budget -= len(cut)
            removed.append(paragraph)
            continue
        removed.extend(pieces)
        body.append(cut)
    fields: dict[str, Any] = {name: _cut(getattr(article, name), mask.patterns) for name in ("dek", "byline")}
    fields["captions"] = [c for c in (_cut(c, mask.patterns) for c in article.captions) if has_content(c)]
    for name in VOLATILE_FIELDS:
        if field_key(name) in mask.keys and getattr(article, name):
            # Seen differing between two loads seconds apart: left out whole, on both sides.
            value = getattr(article, name)
            removed.extend(value if isinstance(value, list) else [value])
            fields[name] = [] if name == "captions" else (None if name in ("published", "modified") else "")
    return replace(article, body=body, **fields), removed


def host_boilerplate(body: Sequence[str], others: Iterable[Sequence[str]]) -> set[str]:
    """Keys of the short blocks of body that recur, digits masked, in the host's other articles' bodies."""
    mine = {block_key(p) for p in body if maskable(p) and has_content(p)}
    found: set[str] = set()
    for other in others:
        found |= mine & {block_key(p) for p in other if maskable(p)}
    return found


@dataclass
class Agreement:
    """What two loads of a page a few seconds apart agree on (see reconcile)."""

    body: list[str]  # the second load's blocks: what both loads showed, and the volatile blocks still in place
    keys: set[str]  # keys of the blocks that changed between the loads (reordered, replaced, re-counted)
    disputed: bool = False  # a short story line the first load changed was shown as stored again: not confirmed


def reconcile(stored: Sequence[str], first: Sequence[str], second: Sequence[str]) -> Agreement | None:
    """What two fetches agree on, and the keys of the blocks that changed between them; None when story text
    (a long paragraph) differs between the loads.

    Blocks are compared as a multiset, so a list that reorders itself is no disagreement: its blocks are volatile
    (they moved between the loads) and so is every short block one load has and the other has not. An edit both
    loads show stays in the body. A short line the first load changed and the re-fetch shows as stored again
    (same figures-masked key, or nearly the same words) is an edit served once by a lagging cache, not a widget:
    it is not learned, and the candidate keeps the stored text there (`disputed`). The stored text of a volatile
    block (the widget as it was when the version was stored) is learned too, when it sits where the loads show
    volatile blocks and no agreed edit.
    """
    a_count, b_count = Counter(first), Counter(second)
    only_a, only_b = a_count - b_count, b_count - a_count
    refigured = _refigured_trailers(stored, second, only_a, only_b)
    if any(not maskable(x) and x not in refigured for x in (*only_a, *only_b)):
        return None
    stored_set = set(stored)
    if any(
        x in stored_set and block_key(x) != block_key(y) and _near(x, y)
        for x in only_a
        for y in only_b
        if y not in stored_set
    ):
        return None  # words, not figures, changed on the reload: the story is being edited right now
    taken_back = {x for x in only_b if x in stored_set and any(y not in stored_set and _near(x, y) for y in only_a)}
    served_once = {y for y in only_a if y not in stored_set and any(_near(x, y) for x in taken_back)}
    keys = {volatile_key(x) for x in (*only_a, *only_b) if x not in taken_back and x not in served_once}
    keys |= _moved_between(stored, first, second, a_count & b_count)
    changed = sum(len(x) for x in second if volatile_key(x) in keys)
    if changed > sum(len(x) for x in second) * MAX_MASKED_SHARE:
        return None
    keys |= _stored_counterparts(stored, first, second, keys)
    return Agreement(list(second), keys, disputed=bool(taken_back))


def _refigured_trailers(
    stored: Sequence[str], second: Sequence[str], only_a: Counter[str], only_b: Counter[str]
) -> set[str]:
    """Long blocks the two loads and the stored version show with the same words and three sets of figures, that
    stand at an end of the body (only short blocks, or more such blocks, between them and its first or last block).

    That is where pages put the long blocks that are not the story: an author's bio, a company's "about" box, a
    subscription offer, a gallery's captions, comments. A story paragraph inside the story is never one of them;
    nor is a paragraph one of whose loads shows the stored text (an edit served by one cache node and not yet by
    another, which the check leaves unconfirmed); so the figures of a story paragraph edited once, seen alike on
    both loads, are never learned.
    """
    kept = set(stored)
    # The stored version shows it too, with the same words: a block whose words are new is story text.
    was = {block_key(x) for x in stored if not maskable(x)}
    pairs = {block_key(x) for x in only_a if not maskable(x) and x not in kept and block_key(x) in was}
    found = {y for y in only_b if not maskable(y) and y not in kept and block_key(y) in pairs}
    if not found:
        return set()

    def quiet(block: str) -> bool:
        return maskable(block) or block in found

    at_edge = set()
    for i, block in enumerate(second):
        if block in found and (all(map(quiet, second[:i])) or all(map(quiet, second[i + 1 :]))):
            at_edge.add(block_key(block))
    return {x for x in (*only_a, *only_b) if not maskable(x) and x not in kept and block_key(x) in at_edge}


def _near(a: str, b: str) -> bool:
    """Two versions of one line: the same words with other figures, or mostly the same characters."""
    return block_key(a) == block_key(b) or SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio() >= NEAR_LINE


def _moved_between(
    stored: Sequence[str], first: Sequence[str], second: Sequence[str], common: Counter[str]
) -> set[str]:
    """Keys of the short blocks both loads show but in another order (a list reordering itself), with those of the
    same run of short blocks that stand in another order than when the version was stored."""
    a = [x for x in first if x in common]
    b = [x for x in second if x in common]
    if a == b:
        return set()
    moved = _out_of_order(a, b)
    found = {x for x in moved if maskable(x)}
    kept = set(stored)
    against_stored = _out_of_order([x for x in stored if x in common], [x for x in b if x in kept])
    run: list[str] = []
    for block in [*b, ""]:  # a run of short blocks ends at a story paragraph (and at the end)
        if block and maskable(block):
            run.append(block)
            continue
        if any(x in found for x in run):
            found |= {x for x in run if x in against_stored}
        run = []
    return {block_key(x) for x in found}


def _out_of_order(a: Sequence[str], b: Sequence[str]) -> set[str]:
    """The blocks of b outside the longest run of blocks a and b show in the same order."""
    kept: Counter[str] = Counter()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return set(Counter(b) - kept)


_ENDS_AS_SENTENCE = re.compile(r"[.!?。！？…][\"'”’»)\]）」』】》]*\s*$")


def _shaped_alike(block: str, others: Sequence[str]) -> bool:
    """Whether block ends as a sentence exactly when one of others does: a widget's lines are all built alike."""
    sentence = bool(_ENDS_AS_SENTENCE.search(block))
    return any(bool(_ENDS_AS_SENTENCE.search(x)) == sentence for x in others)


def _stored_counterparts(
    stored: Sequence[str], first: Sequence[str], second: Sequence[str], keys: set[str]
) -> set[str]:
    """Keys of stored short blocks neither load shows, which sit where the second load has volatile blocks built
    like them and no agreed edit: the widget's text when the version was stored. A short story sentence the
    editor deleted beside a "most read now" line is no such text, and its deletion stays an edit."""
    seen = set(first) | set(second)
    at = {x: i for i, x in enumerate(second) if x in set(stored)}
    found: set[str] = set()
    for i, block in enumerate(stored):
        if block in seen or not maskable(block) or block_key(block) in keys:
            continue
        before = [at[x] for x in stored[:i] if x in at]
        after = [at[x] for x in stored[i + 1 :] if x in at]
        lo, hi = (before[-1] + 1 if before else 0), (after[0] if after else len(second))
        region = second[lo:hi] if lo <= hi else []
        volatile = [x for x in region if volatile_key(x) in keys]
        agreed_new = [x for x in region if volatile_key(x) not in keys and x not in set(stored)]
        if volatile and not agreed_new and _shaped_alike(block, volatile):
            found.add(block_key(block))
    return found
