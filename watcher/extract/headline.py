"""The headline: the story's visible heading, recognised by agreeing with the page's titles; site names taken off.

Pages name their story several times: <title> (usually with the site's name), og:title, JSON-LD, and a visible
heading. The visible heading is what readers see and what editors change, so it wins when it can be told apart from
the site's logo, section names, slideshow captions and related-story headings: it is the heading whose text agrees
with one of the titles. Titles are the fall-back, with site names stripped using og:site_name and the titles of the
host's other pages (site_titles), which is how a suffix such as " | 要聞 | 即時新聞" is learned rather than guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from watcher.extract import rules
from watcher.extract.dom import attr_parts, attrs_of, visible_text
from watcher.extract.metadata import ld_text, meta_first
from watcher.extract.trace import Said, unsaid, where

_FOLD = re.compile(r"[\W_]+")
# Separators between a title and a site or section name: spaced dashes, bars, colons, bullets, "::"; an
# underscore or bar also unspaced (Chinese sites write "標題_科技_某某網").
_SEP = re.compile(r"\s+[|\-–—:·»~/]\s+|\s*(?:\||::|｜|_(?=[^_\s]{1,12}(?:$|_)))\s*")
_GENERIC_SITE_SEGMENT = 40  # a last segment this short after a separator is read as a site name even unlearned
MAX_HEADLINE = 300
MAX_CANDIDATES = 40  # the headline is among a page's first headings; a wiki's hundredth h3 is a section


def fold(text: str) -> str:
    """Letters and digits only, case-folded: the form in which two spellings of one title agree."""
    return _FOLD.sub("", text.casefold())


def choose_headline(
    root: Any, ld: dict[str, Any], meta: dict[str, str], site_titles: Sequence[str] = (), said: Said = unsaid
) -> str:
    """The story's headline (read before chrome stripping: headings often sit in a <header>); said(its source)."""
    site_names = [fold(n) for n in (meta.get("og:site_name"),) if n and fold(n)]
    # A title two other pages of the host also have is the site's (its name on every page); one other page with
    # the same title may be the same story watched under a second URL.
    seen = Counter(fold(t) for t in site_titles if fold(t))
    known = {key for key, count in seen.items() if count >= 2}
    title_el = root.find(".//title")
    title_meta = next((key for key in rules.TITLE_META if meta.get(key)), "")
    raw_titles = [
        (f"<meta {title_meta}>", meta_first(meta, rules.TITLE_META)),
        ("JSON-LD headline", ld_text(ld.get("headline"))),
        ("<title>", visible_text(title_el) if title_el is not None else ""),
    ]
    named = [(name, t) for name, t in raw_titles if t]
    titles = [t for _, t in named]
    cleaned = [strip_site_name(t, site_names, site_titles) for t in titles]
    targets = [fold(t) for t in titles + cleaned if fold(t) and fold(t) not in known and fold(t) not in site_names]

    best, best_score = "", 0.0
    story = ""
    best_el: Any = None
    story_el: Any = None
    for rank, el in enumerate(_heading_candidates(root)[:MAX_CANDIDATES]):
        text = visible_text(el)
        key = fold(text)
        if not key or len(text) > MAX_HEADLINE or key in site_names or key in known or _is_chrome_heading(el):
            continue
        if not story and _in_story(el):
            story, story_el = text, el
        score = max((_agreement(key, t) for t in targets), default=0.0)
        score -= 0.01 * rank / (rank + 10)  # earlier headings win ties
        if score > best_score:
            best, best_score, best_el = text, score, el
    if best_score >= 0.35:
        said(f"<{best_el.tag}> {where(best_el)}, agreeing with the page's titles")
        return best
    if story:
        # Inside the article but in words the titles do not use: the CMS can leave og:title and JSON-LD stale
        # after an edit to the visible headline, and the reader sees the heading.
        said(f"<{story_el.tag}> {where(story_el)} in the article (the titles say otherwise)")
        return story
    for (name, raw), title in zip(named, cleaned, strict=True):
        key = fold(title)
        if key and key not in known and key not in site_names:
            said(f"{name}, the site's name taken off" if title != raw.strip() else name)
            return title
    return ""


def strip_site_name(title: str, site_names: Sequence[str], site_titles: Sequence[str] = ()) -> str:
    """The title without the site/section names before or after it.

    A segment goes when it is the site's name (og:site_name), when it also begins or ends another page of the site
    (site_titles), or, for the last segment only, when it is short enough to be a name.
    """
    parts = _SEP.split(title)
    if len(parts) < 2:
        return title.strip()
    seps = _SEP.findall(title)
    learned_heads, learned_tails = set(), set()
    for other in site_titles:
        other_parts = [fold(p) for p in _SEP.split(other) if fold(p)]
        if len(other_parts) >= 2:
            learned_heads.add(other_parts[0])
            learned_tails.update(other_parts[1:])
    names = set(site_names)
    start, end = 0, len(parts)
    while end - start > 1 and (fold(parts[end - 1]) in names or fold(parts[end - 1]) in learned_tails):
        end -= 1
    while end - start > 1 and (fold(parts[start]) in names or fold(parts[start]) in learned_heads):
        start += 1
    if end == len(parts) and start == 0:
        # Unlearned: the last short segment is the site's name; more segments behind the same separator are
        # sections ("標題 | 要聞 | 即時新聞") while what stays is clearly the longer part.
        while end > 1 and len(parts[end - 1].strip()) <= _GENERIC_SITE_SEGMENT:
            head = fold("".join(parts[: end - 1]))
            same_sep = end == len(parts) or seps[end - 2].strip() == seps[end - 1].strip()
            if not same_sep or len(head) < (1 if end == len(parts) else 2) * len(fold(parts[end - 1])):
                break
            end -= 1
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out.strip() or title.strip()


def _agreement(heading: str, title: str) -> float:
    """How surely a heading is the story a title names, 0..1 (both folded)."""
    if heading == title:
        return 1.0
    if heading in title:
        return len(heading) / len(title)
    if title in heading:
        return 0.9 * len(title) / len(heading)
    if abs(len(heading) - len(title)) > 0.5 * max(len(heading), len(title)):
        return 0.0
    matcher = SequenceMatcher(None, heading, title, autojunk=False)
    if matcher.real_quick_ratio() < 0.75 or matcher.quick_ratio() < 0.75:
        return 0.0  # upper bounds of ratio(), far cheaper
    ratio = matcher.ratio()
    return 0.8 * ratio if ratio >= 0.75 else 0.0


_HEADINGS = '//*[@itemprop="headline"] | //h1 | //h2 | //h3 | //h4'


def _heading_candidates(root: Any) -> list[Any]:
    # itemprop=headline first, then h1s, then h2s to h4s, each in page order.
    found = root.xpath(_HEADINGS)
    order = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
    return sorted(
        (el for el in found if isinstance(el.tag, str) and el.tag not in ("meta", "title")),
        key=lambda el: 0 if el.get("itemprop") == "headline" else order.get(el.tag, 5),
    )


def _in_story(el: Any) -> bool:
    if el.get("itemprop") == "headline":
        return True
    return el.tag == "h1" and any(a.tag in ("article", "main") for a in el.iterancestors())


def _is_chrome_heading(el: Any) -> bool:
    """A heading inside a caption, slideshow, logo, menu or related-stories block: never the headline."""
    for node in (el, *el.iterancestors()):
        tag = node.tag
        if tag in ("body", "html"):
            break  # their classes are page-wide flags (js, theme, features), not a region
        if tag in ("figure", "figcaption", "caption", "nav", "aside", "footer", "a") and node is not el:
            return True
        if tag in ("figcaption", "caption"):
            return True
        attrs = attrs_of(node)
        if attrs.strip() and (rules.CAPTION_PATTERN.search(attrs) or attr_parts(attrs) & rules.HEADLINE_CHROME_PARTS):
            return True
    return False
