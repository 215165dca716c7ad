"""Chrome stripping: menus, share bars, ads, related-story lists and hidden elements removed from the tree."""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from lxml import etree

from watcher.extract import rules
from watcher.extract.dom import (
    attr_parts,
    attrs_of,
    drop,
    link_density,
    p_text_len,
    rough_len,
    unlinked_text,
    visible_text,
)
from watcher.extract.trace import Trace, Untraced


def _chrome_reason(el: Any) -> str:
    """Why an element is page chrome, or "" when it is not."""
    tag = el.tag
    if tag in rules.DROP_TAGS:
        return f"<{tag}> never holds article text"
    if el.get("hidden") is not None or (el.get("aria-hidden") == "true" and tag not in ("img", "figure")):
        return "hidden"
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return "hidden by its style"
    role = (el.get("role") or "").lower()
    if role in ("navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "alert", "search"):
        return f"role={role}"
    if tag in rules.CHROME_TAGS:
        return f"<{tag}> is page chrome"
    attrs = attrs_of(el)
    if not attrs.strip():
        return ""
    if el.get("itemprop") == "articleBody" or rules.BODY_PATTERN.search(attrs):
        return ""
    if tag in rules.INLINE_TAGS and _in_prose(el):
        return ""  # a word of a sentence, whatever its class says (a glossary 'popup' link, a 'share'd quote)
    parts = attr_parts(attrs)
    named = sorted(parts & rules.CHROME_PARTS) or [j for j in rules.CHROME_JOINED if j in parts]
    if named and not _quoted_post(el):
        return f"class/id names chrome ({named[0]})"
    return ""


def _quoted_post(el: Any) -> bool:
    """A post quoted in the story (an embedded tweet): a wrapper, named as social chrome is, around a blockquote
    that holds nearly all its text. A share bar holds no quote, and comments hold more than their quotes."""
    if el.tag not in ("div", "figure", "span"):
        return False
    quotes = el.findall(".//blockquote")
    if not quotes:
        return False
    quoted = sum(len(visible_text(q)) for q in quotes if not any(a in quotes for a in q.iterancestors("blockquote")))
    return quoted >= 40 and quoted >= 0.8 * len(visible_text(el))


def _in_prose(el: Any) -> bool:
    """Whether an inline element sits inside running text: its block's own words around it make a sentence."""
    parent = el.getparent()
    if parent is None:
        return False
    # The first children are enough to tell, and bound the cost on a block with thousands of children.
    around = (parent.text or "") + "".join(c.tail or "" for c in islice(parent, 24))
    return len(_WORD.findall(around)) >= 40


def _protected(el: Any, page: tuple[int, int]) -> bool:
    """Chrome-looking wrappers that in fact hold the article (a layout div named 'with-sidebar', an ASP.NET form)."""
    if el.tag in ("html", "body", "article", "main"):
        return True
    for _ in el.iterfind('.//*[@itemprop="articleBody"]'):
        return True
    for inner in el.iterdescendants("div", "section", "article"):
        if rules.BODY_PATTERN.search(attrs_of(inner)) and rough_len(inner) > 500:
            return True
    p_text, all_text = page
    if p_text > 0 and p_text_len(el) > 0.4 * p_text:
        return True
    if el.tag in rules.CHROME_TAGS and el.tag != "form":
        return False
    own = rough_len(el)
    return own >= 500 and own > 0.5 * all_text


MAX_PROMPT_CONTROLS = 200
PROMPT_CHARS = 300  # a newsletter or share prompt is a line or two around its field or buttons
_PROMPT_WRAPPERS = frozenset(("div", "section", "aside", "form", "span", "ul", "ol", "li", "fieldset", "label"))


# A control beside content (a code block's "Copy" button, a table's sort control) belongs to that content.
_CONTENT = "boolean(.//pre | .//code | .//table | .//figure | .//img | .//blockquote | .//video | .//audio)"


def _drop_prompts(root: Any, trace: Trace) -> None:
    """Remove the prompts built around a field or buttons (newsletter sign-up, share, follow, vote), in any language.

    From each control, climb through wrappers while they hold only a short text; the outermost such wrapper is the
    prompt. A story paragraph (<p>, a heading), the article itself or a wrapper holding content (code, a table, an
    image) is never climbed into.
    """
    # Each climb reads its wrappers' text: each wrapper is read once, and a bound on the controls keeps a page of
    # 10,000 inputs cheap.
    climbed: set[Any] = set()
    for control in list(islice(root.iter("input", "button", "select", "textarea"), MAX_PROMPT_CONTROLS)):
        if control.getparent() is None or (control.get("type") or "").lower() == "hidden":
            continue
        top = None
        node = control.getparent()
        while (
            node is not None
            and node not in climbed  # another control of this wrapper already decided it
            and node.tag in _PROMPT_WRAPPERS
            and node.get("itemprop") != "articleBody"
            and not rules.BODY_PATTERN.search(attrs_of(node))
            and rough_len(node) <= PROMPT_CHARS
            and not node.xpath(_CONTENT)
        ):
            climbed.add(node)
            top = node
            node = node.getparent()
        if node is not None:
            climbed.add(node)
        if top is not None and top.getparent() is not None:
            trace.drop_element(top, "a prompt around a form control (sign-up, share, vote)")
            drop(top)


CARD_LINKS = 3  # links in a card of other stories: a name's pop-up, a "more on this" list
CARD_CHARS = 60  # linked characters at least: more than a few names linked side by side
CARD_LINKED = 0.9  # share of the card's text inside links
CARD_SENTENCE = 40  # characters of the paragraph outside the card: the sentence it hides in
_CARD_TAGS = rules.INLINE_TAGS - {"a"}


def _card(el: Any) -> tuple[int, int] | None:
    """(linked characters, all characters) of an inline element that is a card of links, else None."""
    if el.tag not in _CARD_TAGS:
        return None
    links = [visible_text(a) for a in islice(el.iter("a"), 50)]
    if len(links) < CARD_LINKS:
        return None
    linked, total = sum(len(t) for t in links), len(visible_text(el))
    return (linked, total) if linked >= CARD_CHARS and linked >= CARD_LINKED * total else None


def _drop_link_cards(root: Any) -> None:
    """Remove cards of links hidden inside sentences: an inline element of a paragraph whose text is nothing but
    three or more links (the pop-up a site shows over a person's name, with that person's latest stories).

    Without the site's style sheet the card reads as part of the sentence. Of nested wrappers the innermost one
    holding (nearly) the whole card goes, so the name the sentence links stays.
    """
    for paragraph in list(root.iter("p")):
        for el in list(paragraph.iterdescendants(*_CARD_TAGS)):
            found = _card(el) if el.getparent() is not None else None
            if found is None or len(visible_text(paragraph)) - found[1] < CARD_SENTENCE:
                continue  # a paragraph that is nothing but links is a list, read as one (extract/modules.py)
            inner = el
            while True:
                deeper = next((c for c in inner if (_card(c) or (0, 0))[1] >= 0.8 * found[1]), None)
                if deeper is None:
                    break
                inner = deeper
            drop(inner)


def strip_chrome(root: Any, trace: Trace | None = None) -> None:
    """Remove chrome in place: prompts, cards of links inside sentences, elements, then sections introduced by a
    chrome heading (延伸閱讀, Trending ...).

    Each removal with text enough to matter goes in the trace, with its reason.
    """
    trace = trace if trace is not None else Untraced()
    _drop_prompts(root, trace)
    _drop_link_cards(root)
    body = root.find("body")
    page_text = (p_text_len(root), rough_len(body) if body is not None else 0)
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el):
            if not isinstance(child.tag, str):
                if child.tag is etree.Comment or child.tag is etree.ProcessingInstruction:
                    drop(child)
                continue
            reason = _chrome_reason(child)
            if reason and (child.tag in rules.DROP_TAGS or not _protected(child, page_text)):
                if child.tag not in rules.DROP_TAGS:  # a script's or a style's text is no text of the page
                    trace.drop_element(child, reason)
                drop(child)
            else:
                stack.append(child)
    for el in list(root.iter("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "header")):
        if len(el) > 2 or rough_len(el) > 120 or next(islice(el.iter(), 40, None), None) is not None:
            continue  # a heading is a few words in few elements
        text = visible_text(el).casefold().rstrip(":：>›.…» ").strip()
        if text and len(text) <= 40 and _is_chrome_heading(text):
            _drop_section(el, trace)


def _is_chrome_heading(text: str) -> bool:
    return text in rules.CHROME_HEADINGS or any(text.startswith(h + " ") for h in ("more from", "more on", "更多"))


def _drop_section(heading: Any, trace: Trace) -> None:
    if heading.getparent() is None:
        return
    # Climb from the heading while the enclosing block is a list of links (other stories), never into story text.
    section = heading
    while True:
        parent = section.getparent()
        if (
            parent is None
            or parent.tag in ("body", "html", "article", "main")
            or parent.get("itemprop") == "articleBody"
        ):
            break
        if rules.BODY_PATTERN.search(attrs_of(parent)) or unlinked_text(parent) > 200:
            break
        section = parent
        if link_density(section) > 0.3 or section.find(".//ul") is not None or section.find(".//ol") is not None:
            break
    if section is heading:
        nxt = heading.getnext()
        if nxt is not None and (nxt.tag in ("ul", "ol") or link_density(nxt) > 0.5):
            trace.drop_element(nxt, f"links under the heading {visible_text(heading)!r}")
            drop(nxt)
    trace.drop_element(section, f"a section under the heading {visible_text(heading)!r}")
    drop(section)


_WORD = re.compile(r"[^\W\d_]")


def is_widget_line(line: str) -> bool:
    """Whether a body line is an in-article widget (counter, reading time, font controls, pager, tags, ...).

    Only a short line made of nothing but widget tokens is one; see rules.WIDGET_TOKENS.
    """
    if len(line) > rules.WIDGET_MAX_CHARS or line.count(" ") > rules.WIDGET_MAX_WORDS:
        return False
    if rules.BREADCRUMB.match(line) or rules.TAG_ROW.match(line):
        return True
    if not rules.WIDGET_START.match(line):
        return False
    tokens = rules.WIDGET_TOKEN.findall(line)
    if not any(_WORD.search(t) for t in tokens):
        return False  # figures alone are a table's or a chart's, not a widget's
    return rules.WIDGET_GLUE.fullmatch(rules.WIDGET_TOKEN.sub(" ", line)) is not None
