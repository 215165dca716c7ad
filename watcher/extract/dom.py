"""The parsed page as a tree: parsing rendered HTML, reading an element's visible text, small tree edits."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from watcher.extract.rules import BLOCK_TAGS
from watcher.normalize import normalize_text

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

_SPLIT = re.compile(r"[\s_\-:]+")


def parse_html(html: str) -> Any:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", html))
    except (etree.ParserError, ValueError):
        return None


def visible_text(el: Any) -> str:
    """Visible text of an element: inline pieces joined as written, block boundaries as spaces."""
    if el is None:
        return ""
    parts: list[str] = []
    _collect(el, parts)
    return normalize_text("".join(parts))


def _collect(el: Any, parts: list[str]) -> None:
    block = el.tag in BLOCK_TAGS or el.tag == "br"
    if block:
        parts.append(" ")
    if el.text and isinstance(el.tag, str) and el.tag not in ("script", "style"):
        parts.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def attrs_of(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def attr_parts(value: str) -> set[str]:
    parts: set[str] = set()
    for token in value.split():
        parts.add(token.lower().replace("-", "").replace("_", ""))
        for piece in _SPLIT.split(_CAMEL.sub("-", token)):
            if piece:
                parts.add(piece.lower())
    return parts


def select(root: Any, selector: str) -> list[Any]:
    try:
        return root.cssselect(selector)
    except Exception:  # cssselect raises several types for a bad selector; a bad rule must not break a check
        return []


def drop(el: Any) -> None:
    """Remove an element but keep the text that follows it (its tail belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def rough_len(el: Any) -> int:
    """Character count of an element's text, whitespace included: cheap, for comparisons of size only."""
    return len("".join(el.itertext()))


def p_text_len(el: Any) -> int:
    return sum(rough_len(p) for p in el.iter("p"))


def link_density(el: Any) -> float:
    total = len(visible_text(el))
    if not total:
        return 0.0
    linked = sum(len(visible_text(a)) for a in el.iter("a"))
    return linked / total


def unlinked_text(el: Any) -> int:
    return len(visible_text(el)) - sum(len(visible_text(a)) for a in el.iter("a"))
