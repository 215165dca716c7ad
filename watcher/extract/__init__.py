"""Extraction: rendered HTML -> Article, split by stage.

core (the order of the stages), dom (parsing, text of an element), metadata (JSON-LD, meta tags, dates, headline,
dek, byline), chrome (stripping menus, share bars, widgets), body (the story's paragraphs), modules (in-article
modules told by the shape of their lines), captions, rules (what is chrome and what is article, as data), and
trace (the record of what extraction decided and why, which `extract --explain` prints).
"""

from watcher.extract.core import MIN_BODY_CHARS, extract, extract_traced
from watcher.extract.trace import Extraction, Trace

__all__ = ["MIN_BODY_CHARS", "Extraction", "Trace", "extract", "extract_traced"]
