"""Text that is not the story: blocks that change on every load, a host's recurring chrome, the user's ignore rules.

Three sources, one mask applied to both sides before two versions are compared:
- per-article volatility: a short block that differs between the stored version, a fetch and its confirming
  re-fetch, while the rest of the story agrees, is a widget (a counter, "read time", "3 小時前"). It is learned
  as a key with its digits masked, so the next value of the counter matches it too.
- per-host boilerplate: a block found, digits masked, in another watched article of the same host that is a
  different story ("9168 點閱" there, "312 點閱" here) is chrome of that site.
- ignore rules: regular expressions the user gave (per host in [[sites]] ignore_text, per article with
  `watcher add --ignore`); the text they match is cut out of every paragraph.

Nothing here may hide a real edit, so a block is masked only when it is short (a story paragraph is longer than
a widget) and a mask never takes more than a third of the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from watcher.diff.fold import fold, has_content
from watcher.diff.words import MAX_MASKED_SHARE, VOLATILE_MAX_CHARS
from watcher.models import Article

_DIGITS = re.compile(r"\d+(?:[.,:]\d+)*")


def block_key(text: str) -> str:
    """The key a volatile or boilerplate block is known by: folded, every number written as 0."""
    return _DIGITS.sub("0", fold(text))


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
    # Counted in characters: a mask never takes more than a third of the body's text.
    budget = int(sum(len(p) for p in article.body) * MAX_MASKED_SHARE) if len(article.body) > 1 else 0
    for paragraph in article.body:
        pieces: list[str] = []
        cut = _cut(paragraph, mask.patterns, pieces)
        if cut != paragraph and not has_content(cut):
            removed.append(paragraph)  # the rules left nothing of it
            continue
        if len(cut) <= budget and maskable(cut) and block_key(cut) in mask.keys:
            budget -= len(cut)
            removed.append(paragraph)
            continue
        removed.extend(pieces)
        body.append(cut)
    fields = {name: _cut(getattr(article, name), mask.patterns) for name in ("dek", "byline")}
    captions = [c for c in (_cut(c, mask.patterns) for c in article.captions) if has_content(c)]
    return replace(article, body=body, captions=captions, **fields), removed


def host_boilerplate(body: Sequence[str], others: Iterable[Sequence[str]]) -> set[str]:
    """Keys of the short blocks of body that recur, digits masked, in the host's other articles' bodies."""
    mine = {block_key(p) for p in body if maskable(p) and has_content(p)}
    found: set[str] = set()
    for other in others:
        found |= mine & {block_key(p) for p in other if maskable(p)}
    return found


def reconcile(stored: Sequence[str], first: Sequence[str], second: Sequence[str]) -> tuple[list[str], set[str]] | None:
    """The body two fetches agree on and the keys of the blocks that changed on every load; None when the story
    text itself disagrees.

    The fetches are compared paragraph by paragraph in order (a widget keeps its place). A block where they
    differ is volatile when it is short and the re-fetch does not show the stored text there: a first fetch's
    change that the re-fetch takes back is an edit served once (a lagging cache), the story disagreeing. A block
    the first fetch still showed as stored may only have changed its figures on the reload ("4 min" -> "5 min").
    """
    if len(first) != len(second):
        return None
    stored_set = set(stored)
    same_shape = len(stored) == len(first)
    agreed: list[str] = []
    keys: set[str] = set()

    def shows_stored(i: int, text: str) -> bool:
        # In place when the shapes agree, so a widget reordering its own lines is not mistaken for a
        # lagging cache; anywhere when a paragraph came or went.
        return stored[i] == text if same_shape else text in stored_set

    for i, (a, b) in enumerate(zip(first, second)):
        if a == b:
            agreed.append(a)
            continue
        if not (maskable(a) and maskable(b)) or shows_stored(i, b):
            return None
        if shows_stored(i, a) and block_key(a) != block_key(b):
            return None  # words, not a figure, changed on the reload: the story may be being edited now
        keys |= {block_key(a), block_key(b)}
        if same_shape and maskable(stored[i]):
            keys.add(block_key(stored[i]))  # the widget's text when the version was stored
        agreed.append(b)
    changed = sum(len(b) for a, b in zip(first, second) if a != b)
    if changed > sum(len(b) for b in second) * MAX_MASKED_SHARE:
        return None
    return agreed, keys
