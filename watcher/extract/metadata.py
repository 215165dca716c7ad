"""Article metadata: schema.org JSON-LD, <meta> tags, dates, language, canonical URL, headline, dek and byline."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from watcher.extract import rules
from watcher.extract.byline import has_meta, meta_text, name_in
from watcher.extract.dom import attr_parts, attrs_of, drop, visible_text
from watcher.extract.trace import Said, unsaid, where
from watcher.normalize import normalize_text
from watcher.times import iso


def json_ld(root: Any) -> dict[str, Any]:
    """The best schema.org article object on the page (JSON-LD, also inside @graph and lists), else {}."""
    best: dict[str, Any] = {}
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the decoder can follow
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t in rules.ARTICLE_TYPES for t in types):
                # The first article object is the page's own; a later one wins only with a longer body.
                if not best or len(str(obj.get("articleBody") or "")) > len(str(best.get("articleBody") or "")):
                    best = obj
    return best


def _ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _ld_objects(data["@graph"], depth + 1)
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, dict):
            yield from _ld_objects(main, depth + 1)


def ld_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return normalize_text(unescape(str(value))) if value else ""


def unescape(text: str) -> str:
    # JSON-LD strings sometimes carry HTML entities or tags; read them as a browser would show them.
    if "<" in text or "&" in text:
        try:
            return str(lxml.html.fromstring(f"<div>{text}</div>").text_content())
        except (etree.ParserError, ValueError):
            return text
    return text


def authors(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    names = [ld_text(item) for item in items if item]
    return ", ".join(dict.fromkeys(n for n in names if n))


def meta_tags(root: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        value = m.get("content")
        if key and value and key not in out:
            out[key] = value
    return out


def meta_first(meta: dict[str, str], keys: Iterable[str]) -> str:
    for key in keys:
        if meta.get(key):
            return normalize_text(meta[key])
    return ""


def first_date(meta: dict[str, str], keys: Iterable[str]) -> str | None:
    for key in keys:
        found = parse_date(meta.get(key))
        if found:
            return found
    return None


def parse_date(value: Any) -> str | None:
    """A date as ISO 8601 (UTC with Z when the zone is known), or None when it does not parse."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            m = re.match(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", text)
            return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None
    if moment.tzinfo is None:
        return moment.replace(microsecond=0).isoformat()
    return iso(moment)


def itemprop_date(root: Any, prop: str) -> str | None:
    for el in root.iterfind(f'.//*[@itemprop="{prop}"]'):
        found = parse_date(el.get("datetime") or el.get("content") or visible_text(el))
        if found:
            return found
    return None


def language(root: Any, ld: dict[str, Any], meta: dict[str, str]) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = ld_text(ld.get("inLanguage")) or meta.get("og:locale", "").replace("_", "-")
    return lang.strip() or None if lang else None


def canonical(root: Any, url: str, meta: dict[str, str]) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(url, str(link.get("href")).strip())
    return urljoin(url, meta["og:url"].strip()) if meta.get("og:url") else None


_DEK_WINDOW = 600  # characters of page text between the headline and its standfirst, at most (a byline, a date)
_DEK_SKIP = frozenset(("nav", "aside", "footer", "figure", "figcaption", "a", "li"))


def dek_element(root: Any, headline: str) -> Any | None:
    """The standfirst under the headline, when the page marks one (class dek, standfirst, subtitle, summary...).

    Only a block close below the visible headline counts: the same class names also mark promo summaries, widget
    subtitles and footers elsewhere on the page, which are not this story's dek.
    """
    if not headline:
        return None
    after: Any = None
    seen = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if after is None:
            if el.tag in ("h1", "h2", "h3") or el.get("itemprop") == "headline":
                if visible_text(el) == headline:
                    after = el
            continue
        if any(a is after for a in el.iterancestors()):
            continue
        if el.tag in ("p", "div", "h2", "h3", "span") and rules.DEK_PATTERN.search(attrs_of(el)) and _dek_like(el):
            return el
        seen += len((el.text or "").strip()) + len((el.tail or "").strip())
        if seen > _DEK_WINDOW:
            return None
    return None


def _dek_like(el: Any) -> bool:
    text = visible_text(el)
    if not 15 <= len(text) < 400:
        return False
    if not rules.DEK_STRONG.search(attrs_of(el)):
        # "summary" and "lede" also name the story's first paragraph: one followed by more paragraphs is that.
        nxt = el.getnext()
        if nxt is not None and nxt.tag == el.tag == "p":
            return False
    for node in (el, *el.iterancestors()):
        if node.tag in ("body", "html"):
            break
        if node.tag in _DEK_SKIP or attr_parts(attrs_of(node)) & rules.CHROME_PARTS:
            return False
    return True


def byline_from_dom(root: Any, headline: str = "", said: Said = unsaid) -> str:
    """The byline line as the reader sees it (e.g. 記者…／綜合報導), when the page marks one; said(its element).

    The first one in the article (or main). A page without either also marks the bylines of the teasers in its
    "most read" and "related" lists, which come in another order on every load: there the story's byline is the
    one nearest the visible headline, in the smallest block around the headline that holds any byline.
    """
    return _marked_byline(root, headline, said, _byline_elements, _byline_line)


def byline_from_meta_line(root: Any, headline: str = "", said: Said = unsaid) -> str:
    """The name on the meta line the page marks (class "meta": name, date, comment count), chosen as bylines are;
    said(its element). For pages that mark no byline and name no author in their metadata."""
    return _marked_byline(root, headline, said, _meta_elements, _meta_byline)


def _marked_byline(
    root: Any,
    headline: str,
    said: Said,
    elements: Callable[[Any], Iterator[Any]],
    line_of: Callable[[Any], str],
) -> str:
    for scope in [*root.iter("article"), *root.iter("main")]:
        for el in elements(scope):
            if text := line_of(el):
                said(f"element {where(el)}")
                return text
    heading = _headline_element(root, headline)
    if heading is not None:
        depth = {node: d for d, node in enumerate(reversed([heading, *heading.iterancestors()]))}
        best, best_el, best_depth = "", None, -1
        for el in elements(root):
            # The depth of the smallest block holding both this byline and the headline: deeper is nearer.
            shared = next((depth[n] for n in (el, *el.iterancestors()) if n in depth), 0)
            if shared > best_depth and (text := line_of(el)):
                best, best_el, best_depth = text, el, shared
        if best_el is not None:
            said(f"element {where(best_el)}")
        return best
    for el in elements(root):
        if text := line_of(el):
            said(f"element {where(el)}")
            return text
    return ""


def _headline_element(root: Any, headline: str) -> Any | None:
    if not headline:
        return None
    for el in root.iter("h1", "h2", "h3"):
        if visible_text(el) == headline:
            return el
    for el in root.iterfind('.//*[@itemprop="headline"]'):
        if visible_text(el) == headline:
            return el
    return None


_NOT_TEXT = ("meta", "link", "script", "style", "time")


def _byline_elements(scope: Any) -> Iterator[Any]:
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT:
            continue
        if el.get("rel") == "author" or el.get("itemprop") == "author" or rules.BYLINE_PATTERN.search(attrs_of(el)):
            if not _in_chrome(el):  # else another story's byline, in a menu's or a sidebar's list of stories
                yield el


def _meta_elements(scope: Any) -> Iterator[Any]:
    """Elements named as a meta line (class "meta", "article-meta", "info") or a byline whose name runs into its
    date ("林小華 2026-03-12"), outside menus and sidebars."""
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT:
            continue
        attrs = attrs_of(el)
        if rules.META_PATTERN.search(attrs) or rules.BYLINE_PATTERN.search(attrs):
            if not _in_chrome(el):
                yield el


def _meta_byline(el: Any) -> str:
    """The name on a meta line that also carries a date, a time or a counter (else it is not a meta line)."""
    line = meta_text(el)
    return name_in(line) if len(line) < 160 and has_meta(line) else ""


def _byline_line(el: Any) -> str:
    if el.get("rel") == "author" or el.get("itemprop") == "author":
        # A linked name inside a byline line: take the whole line.
        parent = el.getparent()
        if parent is not None and rules.BYLINE_PATTERN.search(attrs_of(parent)):
            el = parent
    text = _byline_text(el)
    return text if 0 < len(text) < 160 else ""


_CHROME_ROLES = ("navigation", "complementary")


def _in_chrome(el: Any) -> bool:
    """Inside a menu or a sidebar (by tag or ARIA role) of the page, not of an <article>: an article's own aside or
    footer may hold its byline."""
    for a in el.iterancestors():
        if a.tag in ("nav", "aside") or a.get("role") in _CHROME_ROLES:
            return next(a.iterancestors("article"), None) is None
    return False


_SEGMENTS = re.compile(r"\s+[|·•—–-]\s+|\s*[|·•｜]\s*")
_DIGIT = re.compile(r"\d")


def _byline_text(el: Any) -> str:
    """A byline line's names, without the date, comment count or reading time that share its line.

    Told by shape, in any language: a <time>, a link within the page (#comments), a short piece with figures.
    """
    text = visible_text(el)
    if not _DIGIT.search(text):
        return text
    el = copy.deepcopy(el)
    for node in list(el.iterdescendants()):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        piece = visible_text(node)
        if (
            node.tag == "time"
            or (node.tag == "a" and (node.get("href") or "").startswith("#"))
            or (_DIGIT.search(piece) and len(piece.split()) <= 4)
        ):
            drop(node)
    kept = [seg for seg in _SEGMENTS.split(visible_text(el)) if seg.strip() and not _DIGIT.search(seg)]
    return " · ".join(kept)
