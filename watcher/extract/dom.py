"""The parsed page as a tree: parsing rendered HTML, reading an element's visible text, small tree edits."""

from __future__ import annotations

import re
from html import parser as stdlib_html
from typing import Any

import lxml.html
from lxml import etree

from watcher.extract.rules import BLOCK_TAGS
from watcher.normalize import normalize_text

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# What an lxml tree cannot hold (XML 1.0 allows no C0 control but tab, newline and carriage return, no
# U+FFFE/U+FFFF, no lone surrogate): lxml parses such text but refuses it the moment extraction moves a
# piece of it (a tail joined to its neighbour when a comment or an ad is dropped), so one ESC in a page
# made the whole check fail. Raw, or spelled as a numeric reference (&#x1b;, &#27).
_UNFIT = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_UNFIT_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

_SPLIT = re.compile(r"[\s_\-:]+")


def fit_for_tree(html: str) -> str:
    """`html` with every character an lxml tree cannot hold taken out, raw or as a numeric reference.

    They are invisible on the page, so they are dropped (a form feed, which HTML counts as a space, becomes
    one); a reference to NUL, a surrogate or past U+10FFFF reads as U+FFFD, as a browser shows it.
    """
    if "&#" in html:
        html = _UNFIT_REF.sub(_unfit_reference, html)
    return _UNFIT.sub(_unfit_character, html)


def _unfit_character(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\x0c":
        return " "
    return "\ufffd" if "\ud800" <= char <= "\udfff" else ""


def _unfit_reference(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code == 0x0C:
        return " "
    if code < 0x20 and code not in (0x09, 0x0A, 0x0D) or code in (0xFFFE, 0xFFFF):
        return ""
    return match.group()


def parse_html(html: str) -> Any:
    """The page as an lxml tree, however deep its markup; None when there is nothing to parse.

    libxml2 stops at depth 256 (2048 with huge_tree) and silently drops the rest of the page, which would read as
    the story losing its paragraphs. A page nested deeper than Chromium's parser nests (512) is rebuilt the way
    Chromium builds it: elements past that depth become siblings there, so all the text is kept, in order.
    """
    if not html or not html.strip():
        return None
    html = fit_for_tree(_XML_DECL.sub("", html))
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    deep = _deeper_than(root, 256)
    if (deep and _deeper_than(root, MAX_DEPTH)) or any(
        e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log
    ):
        root = _parse_capped(html)
    if deep:
        _collapse_wrappers(root)
    return root


def _collapse_wrappers(root: Any) -> None:
    """Replace each element that only wraps one element like itself (no text, no attributes of its own) by it.

    A word inside hundreds of bare <span>s reads the same inside one; the readers of the tree, which look at
    ancestors and subtrees, then do not pay for every level.
    """
    # Whole chains at once, top to bottom: moving an element moves its subtree, so one move per chain.
    stack = [root]
    while stack:
        el = stack.pop()
        bottom = el
        while _wraps_its_like(bottom):
            bottom = bottom[0]
        parent = el.getparent()
        if bottom is not el and parent is not None:
            bottom.tail = el.tail
            parent.replace(el, bottom)
        stack.extend(c for c in bottom if isinstance(c.tag, str))


def _wraps_its_like(el: Any) -> bool:
    if len(el) != 1 or not isinstance(el.tag, str) or el.tag in ("html", "head", "body"):
        return False
    child = el[0]
    if child.tag != el.tag or (el.attrib and el.attrib != child.attrib):
        return False
    return not ((el.text and el.text.strip()) or (child.tail and child.tail.strip()))


def _deeper_than(root: Any, depth: int) -> bool:
    # In libxml2's XPath engine: a fraction of a millisecond on a large page, unlike a walk in Python.
    return bool(root.xpath(f"boolean(//*[count(ancestor::*) >= {depth}])"))


# Chromium's HTML parser nests at most 512 elements deep; deeper start tags become siblings at that depth.
MAX_DEPTH = 512
_RAW_TEXT = frozenset(("script", "style"))
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _CappedBuilder(stdlib_html.HTMLParser):
    """A forgiving tree builder for pages nested past libxml2's limit: never deeper than MAX_DEPTH, text kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tb = etree.TreeBuilder(parser=lxml.html.HTMLParser())
        self.root = self.tb.start("html", {})
        self.open = ["html"]
        self.flattened: dict[str, int] = {}
        self.broke = False  # whether the last thing added was a line break standing in for a block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs if _NAME.fullmatch(k)}
        if tag == "html":
            for k, v in values.items():
                self.root.set(k, v)
            return
        depth = len(self.open)
        if depth >= MAX_DEPTH and (depth >= 2 * MAX_DEPTH or not values) and tag not in _VOID | _RAW_TEXT:
            # Past the cap a bare element is left out (a block leaves a line break), so 100,000 nested wrappers do
            # not become 100,000 elements; one with attributes (style, hidden, class) still holds its content for
            # a while longer, and past twice the cap becomes an empty sibling.
            self.flattened[tag] = self.flattened.get(tag, 0) + 1
            if values:
                self.tb.start(tag, values)
                self.tb.end(tag)
                self.broke = False
            elif tag in BLOCK_TAGS and not self.broke:
                self.tb.start("br", {})
                self.tb.end("br")
                self.broke = True
            return
        self.tb.start(tag, values)
        self.broke = False
        if tag in _VOID:
            self.tb.end(tag)
        else:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        before = self.flattened.get(tag, 0)
        self.handle_starttag(tag, attrs)
        if self.flattened.get(tag, 0) > before:
            self.flattened[tag] = before  # no end tag will come for <tag/>
        elif tag not in _VOID and tag != "html" and self.open[-1] == tag and len(self.open) > 1:
            self.tb.end(self.open.pop())

    def handle_endtag(self, tag: str) -> None:
        if self.flattened.get(tag):
            self.flattened[tag] -= 1
            return
        if tag in self.open[1:]:
            while self.open[-1] != tag:
                self.tb.end(self.open.pop())
            self.tb.end(self.open.pop())

    def handle_data(self, data: str) -> None:
        self.tb.data(data)
        if data.strip():
            self.broke = False

    def close_tree(self) -> Any:
        self.close()
        while self.open:
            self.tb.end(self.open.pop())
        return self.tb.close()


_NAME = re.compile(r"[A-Za-z_:][-\w:.]*")


def _parse_capped(html: str) -> Any:
    builder = _CappedBuilder()
    builder.feed(html)
    root = builder.close_tree()
    if root.find("body") is None:
        # Readers look for the story under <body>; a page without the tag gets one around everything but <head>.
        body = etree.SubElement(root, "body")
        for child in list(root):
            if child is not body and child.tag != "head":
                body.append(child)
        body.text, root.text = root.text, None
    return root


def visible_text(el: Any) -> str:
    """Visible text of an element: inline pieces joined as written, block boundaries as spaces."""
    if el is None:
        return ""
    parts: list[str] = []
    # An explicit stack, not recursion: trees can be thousands of elements deep.
    stack: list[tuple[Any, bool]] = [(el, False)]
    while stack:
        node, leaving = stack.pop()
        block = node.tag in BLOCK_TAGS or node.tag == "br"
        if leaving:
            if block:
                parts.append(" ")
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if block:
            parts.append(" ")
        if node.text and isinstance(node.tag, str) and node.tag not in ("script", "style"):
            parts.append(node.text)
        stack.append((node, True))
        for child in reversed(node):
            if isinstance(child.tag, str):
                stack.append((child, False))
            elif child.tail:
                stack.append((_Tail(child.tail), True))
    return normalize_text("".join(parts))


class _Tail:
    """The tail text of a comment or processing instruction, read in its place."""

    tag = ""
    text = None

    def __init__(self, tail: str) -> None:
        self.tail = tail


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
        return list(root.cssselect(selector))
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
