"""How alike two articles are as stories (not as texts): the share of word pairs their bodies have in common."""

from __future__ import annotations

from watcher.diff.tokens import is_cjk, is_number, is_word, tokenize
from watcher.models import Article
from watcher.normalize import comparison_key


def story_overlap(before: Article, after: Article) -> float:
    """How much of the body two articles share (0..1): Jaccard index of their word pairs."""
    old, new = _shingles(before), _shingles(after)
    if not old or not new:
        return 0.0
    return len(old & new) / len(old | new)


def story_containment(one: Article, other: Article) -> float:
    """How much of the shorter body the longer one holds (0..1): a shortened copy of a story (a wire story cut to
    its lede at another address) is contained in the full one, though their story_overlap is small."""
    a, b = _shingles(one), _shingles(other)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _shingles(article: Article) -> set[tuple[str, ...]]:
    # Pairs, not single words: two unrelated stories share most common words (and in Chinese most
    # common characters), rarely their pairs. Tokens put one CJK character per token, so text with
    # no spaces is compared piece by piece too.
    found: set[tuple[str, ...]] = set()
    for paragraph in article.body:
        words = [t for t in tokenize(comparison_key(paragraph)) if is_word(t) or is_cjk(t) or is_number(t)]
        found |= set(zip(words, words[1:])) or ({tuple(words)} if words else set())
    return found
