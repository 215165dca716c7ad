"""Edits between two versions of an article: fields, captions and body, each edit classified, the version flagged.

The stages, one module each: tokens (what an inline diff counts in), sentences (where a sentence ends, so the
sentences an edit kept anchor its inline diff), fold (what counts as cosmetic), inline (token diffs), classify (the class of one edit), align (pairing paragraphs), articles (the whole article and its
flags); words holds the word lists and tuning figures they decide by.

Classification (decided here, documented for users):
- cosmetic: the texts are equal once whitespace, width forms, quote/dash/CJK punctuation style are folded.
  A bare change of the `modified` timestamp is cosmetic too: readers see nothing, and it still feeds `stealth`.
- typo: every changed spot is a one-word-for-one-word swap within edit distance 2 (transpositions count 1) where
  the old word looks misspelt and the new one is its correction by the page language's word frequencies
  (wordfreq), touching no digit, magnitude word, negation, name (a capital mid-sentence) or CJK character (one Han
  character is often a whole word: 中國 -> 美國 is not a typo); or a case-only or punctuation-only change. Two
  real words (hire -> fire) are never a typo.
- moved: a paragraph in another place, its text unchanged (or changed only cosmetically or by a typo fix). It
  changes emphasis, so it ranks above typo and below substantive.
- substantive: everything else, including any inserted or deleted paragraph that has content; a moved paragraph
  whose text was rewritten keeps this class and its inline edit.
"""

from watcher.diff.align import Row, align
from watcher.diff.articles import diff_articles
from watcher.diff.classify import classify
from watcher.diff.fold import fold
from watcher.diff.inline import inline_diff

__all__ = ["Row", "align", "classify", "diff_articles", "fold", "inline_diff"]
