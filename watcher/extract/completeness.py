"""Whether a page's raw HTML carries a complete story: real paragraphs that agree with the page's own JSON-LD articleBody or og:description."""

from __future__ import annotations

import re
from collections import Counter

from watcher.cjk import CJK_LETTERS
from watcher.extract.dom import parse_html
from watcher.extract.metadata import json_ld, ld_text, meta_tags, unescape
from watcher.models import Article
from watcher.normalize import normalize_text

# A story's body, not a teaser or a paywall's first lines: at least this many paragraphs of at least this many
# characters each. Short for a story (a brief has three sentences), long for a teaser, a cookie line or a menu.
MIN_PARAGRAPHS = 3
MIN_PARAGRAPH_CHARS = 60
# Of the words the page's own structured data says its story holds, the share the body must hold too: the whole
# articleBody (a body missing a tenth of it is written partly by script), most of an og:description (a summary
# often reworded, so a looser bar; it still tells a story from a placeholder or another story).
ARTICLE_BODY_SHARE = 0.9
DESCRIPTION_SHARE = 0.6
# Extractors that read the story from the page's paragraphs (not from its JSON-LD when the paragraphs were empty).
FROM_PARAGRAPHS = ("dom", "site-rule", "trafilatura")
_TOKEN = re.compile(rf"[{CJK_LETTERS}]|\w+")


def complete_story(html: str, article: Article) -> str | None:
    """None when `article` (extracted from `html`, a page's raw HTML) is a complete story; else why not, in words."""
    if article.extractor not in FROM_PARAGRAPHS:
        return f"the story was read from {article.extractor or 'metadata'}, not from the page's paragraphs"
    real = [p for p in article.body if len(p) >= MIN_PARAGRAPH_CHARS]
    if len(real) < MIN_PARAGRAPHS:
        return f"{len(real)} paragraphs of story text (at least {MIN_PARAGRAPHS} wanted)"
    body = Counter(_tokens(" ".join(article.body)))
    try:
        root = parse_html(html)
    except Exception:  # a page that parsed for extraction but not here: no evidence of completeness
        root = None
    if root is None:
        return "the page could not be read again"
    structured = json_ld(root).get("articleBody")
    if isinstance(structured, list):
        structured = " ".join(str(part) for part in structured)
    if isinstance(structured, str) and structured.strip():
        share = _covered(_tokens(normalize_text(unescape(structured))), body)
        if share < ARTICLE_BODY_SHARE:
            return f"the body holds {share:.0%} of the page's JSON-LD articleBody"
        return None
    description = ld_text(meta_tags(root).get("og:description", ""))
    if description:
        share = _covered(_tokens(description), body)
        if share < DESCRIPTION_SHARE:
            return f"the body holds {share:.0%} of the words of the page's og:description"
    return None


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _covered(wanted: list[str], have: Counter[str]) -> float:
    """The share of `wanted` (counted with repeats) found in `have`."""
    if not wanted:
        return 1.0
    return sum((Counter(wanted) & have).values()) / len(wanted)
