"""Chrome stripping: menus, share bars, ads, related-story lists and hidden elements removed from the tree."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from typing import Any

from lxml import etree

from watcher.cjk import CJK_LETTERS
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


def _hidden(el: Any) -> str:
    """Why an element is hidden from readers ("" when it is not)."""
    if el.get("hidden") is not None or (el.get("aria-hidden") == "true" and el.tag not in ("img", "figure")):
        return "hidden"
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return "hidden by its style"
    return ""


def _chrome_reason(el: Any) -> str:
    """Why an element is page chrome, or "" when it is not."""
    tag = el.tag
    if tag in rules.DROP_TAGS:
        return f"<{tag}> never holds article text"
    if hidden := _hidden(el):
        return hidden
    role = (el.get("role") or "").lower()
    if role in ("navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "alert", "search"):
        return f"role={role}"
    if tag in rules.CHROME_TAGS:
        return f"<{tag}> is page chrome"
    attrs = el.get("class") or "" if _heading_anchor(el) else attrs_of(el)
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


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_FOLD = re.compile(r"[\W_]+")


def _heading_anchor(el: Any) -> bool:
    """Whether the element's id is its own heading's text made an anchor (documentation sections: the section
    "Sharing with a single developer" is id="sharing-with-a-single-developer"): its words are the heading's, not
    a name for what the element is, so they never make it a share bar or a menu."""
    ident = el.get("id")
    if not ident:
        return False
    heading = next((c for c in islice(el.iterchildren(), 3) if c.tag in _HEADINGS), None)
    if heading is None:
        return False
    key = _FOLD.sub("", ident.casefold())
    return len(key) >= 8 and _FOLD.sub("", visible_text(heading).casefold()).startswith(key)


def _in_prose(el: Any) -> bool:
    """Whether an inline element sits inside running text: its block's own words around it make a sentence."""
    parent = el.getparent()
    if parent is None:
        return False
    # The first children are enough to tell, and bound the cost on a block with thousands of children.
    around = (parent.text or "") + "".join(c.tail or "" for c in islice(parent, 24))
    return len(_WORD.findall(around)) >= 40


def _protected(el: Any, page: tuple[int, int], story: frozenset[Any] = frozenset()) -> bool:
    """Chrome-looking wrappers that in fact hold the article (a layout div named 'with-sidebar', an ASP.NET form, the
    overlay a story opens in over a stream of teasers); `story`: the page's main <article> and its ancestors."""
    if el.tag in ("html", "body", "article", "main") or el in story:
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


_SHINGLE = 5  # words (a CJK character counts as one)
COPY_SHARE = 0.6  # of a hidden body's word runs the page shows elsewhere: a copy of the story, not the story


def _drop_hidden_copies(root: Any) -> None:
    """Remove hidden copies of the story (microdata's articleBody in a display:none block, for machines).

    A hidden articleBody is otherwise kept, since a page may hide its story until a script shows it; but when the
    page shows the same text elsewhere, the hidden copy is only a second, often flattened copy (one block for the
    whole story), and extracting it would hide an edit made to the story the reader sees.
    """
    copies = []
    for marked in root.iterfind('.//*[@itemprop="articleBody"]'):
        hidden = next((n for n in (marked, *marked.iterancestors()) if _hidden(n)), None)
        if hidden is not None and hidden.tag not in ("html", "body") and hidden not in copies:
            copies.append(hidden)
    if not copies:
        return
    shown: list[str] = []
    stack = [root]
    while stack:
        el = stack.pop()
        if el.text and isinstance(el.tag, str) and el.tag not in rules.DROP_TAGS:
            shown.append(el.text)
        for child in reversed(el):
            if child.tail:
                shown.append(child.tail)  # order does not matter: word runs are counted, not read
            if isinstance(child.tag, str) and child not in copies and not _hidden(child):
                stack.append(child)
    runs = _shingles(" ".join(shown))
    for hidden in copies:
        own = _shingles(" ".join(hidden.itertext()))
        if len(own) >= 20 and len(own & runs) >= COPY_SHARE * len(own) and hidden.getparent() is not None:
            drop(hidden)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _TOKEN.findall(text.casefold())
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


# Unspaced Chinese and Japanese make one \w run of a whole sentence: a run of five of those would never match
# between a story split into paragraphs and its copy joined into one block. Each CJK character is a word here.
_TOKEN = re.compile(rf"[{CJK_LETTERS}]|[^\W{CJK_LETTERS}]+")


def strip_chrome(root: Any, trace: Trace | None = None) -> None:
    """Remove chrome in place: prompts, hidden copies of the story, cards of links inside sentences, elements, then
    sections a short title heads whose text is mostly links (延伸閱讀, Trending, Läs också: known by their shape).

    Each removal with text enough to matter goes in the trace, with its reason.
    """
    trace = trace if trace is not None else Untraced()
    _drop_prompts(root, trace)
    _drop_hidden_copies(root)
    _drop_link_cards(root)
    body = root.find("body")
    page_text = (p_text_len(root), rough_len(body) if body is not None else 0)
    story = _story_article(root)
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el):
            if not isinstance(child.tag, str):
                if child.tag is etree.Comment or child.tag is etree.ProcessingInstruction:
                    drop(child)
                continue
            reason = _chrome_reason(child)
            if reason and (child.tag in rules.DROP_TAGS or not _protected(child, page_text, story)):
                if child.tag not in rules.DROP_TAGS:  # a script's or a style's text is no text of the page
                    trace.drop_element(child, reason)
                drop(child)
            else:
                stack.append(child)
    # Each title looks at the text of what follows it: the texts are worked out once (on a long page of short
    # paragraphs, once per title made it quadratic), and again after a section is dropped.
    texts = _Texts()
    for el in list(root.iter("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "header")):
        if len(el) > 2 or rough_len(el) > 120 or next(islice(el.iter(), 40, None), None) is not None:
            continue  # a heading is a few words in few elements
        text = visible_text(el).strip()
        if text and len(text) <= 40 and _heads_links(el, text, texts):
            _drop_section(el, trace)
            texts.clear()


class _Texts(dict[Any, str]):
    """visible_text of elements, each worked out once while the tree is unchanged."""

    def __call__(self, el: Any) -> str:
        found = self.get(el)
        if found is None:
            found = self[el] = visible_text(el)
        return found


STORY_ARTICLE_CHARS = 500  # of paragraph text: a story, where a teaser <article> holds a line or two


def _story_article(root: Any) -> frozenset[Any]:
    """The <article> with the most paragraph text, when it holds a story's worth, with its ancestors: whatever
    their class names say (a 'modal' the story opens in), they hold the story."""
    best, best_len = None, STORY_ARTICLE_CHARS - 1
    for article in root.iter("article"):
        size = p_text_len(article)
        if size > best_len:
            best, best_len = article, size
    return frozenset() if best is None else frozenset((best, *best.iterancestors()))


_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")
HEADED_LINKS = 2  # entries under a heading, at least: one link under a subhead is a story's reference


_INLINE = frozenset(("span", "strong", "b", "em", "i"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_CELLS = frozenset(("body", "html", "article", "main", "td", "th", "tr", "table", "li", "dd", "dt", "cite"))


def _heads_links(heading: Any, text: str, text_of: Callable[[Any], str] = visible_text) -> bool:
    """Whether a short title heads a list of links (other stories, "相關新聞", "Zobacz też"), known by what follows
    it up to the next heading: text that is mostly links, two of them at least. A subhead over the story's
    paragraphs, or over one link, heads no such list; nor does a sentence, a bold word inside a line of text, or
    the label of a table's cell."""
    if _SENTENCE_END.search(text) or link_density(heading) > 0.5:
        return False
    parent = heading.getparent()
    if heading.tag in _INLINE and (parent is None or text_of(parent).strip() != text):
        return False  # a bold word in a line is no title
    anchor = heading
    for _ in range(3):
        after = _section_after(anchor, text_of)
        if after:
            break
        # A title in its own box (<div class="title"><h3>…</h3></div>): what follows the box is what it heads.
        parent = anchor.getparent()
        if parent is None or parent.tag in _CELLS or text_of(parent).strip() != text:
            return False
        anchor = parent
    if not after or after[0].tag in ("ul", "ol"):
        return False  # a list's items are lines of their own, and the body's reader knows a run of link lines
    # The text between the blocks counts, unlinked.
    shown = sum(len(text_of(el)) + len((el.tail or "").strip()) for el in after) + len((anchor.tail or "").strip())
    links = [a for el in after for a in el.iter("a") if text_of(a).strip()]
    linked = sum(len(text_of(a)) for a in links)
    return len(links) >= HEADED_LINKS and linked > 0.5 * shown


def _section_after(anchor: Any, text_of: Callable[[Any], str] = visible_text) -> list[Any]:
    """The blocks after a title up to the next heading, those with text."""
    after = []
    for el in anchor.itersiblings():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _HEADINGS:
            break
        if text_of(el).strip() or (el.tail or "").strip():
            after.append(el)
    return after


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
    """Whether a body line is a breadcrumb row (short segments between > › »), by its shape.

    Counters, reading times, rows of buttons and tags are told by their shape where the body's lines are read
    (watcher/extract/modules.py), never by the words they use.
    """
    if len(line) > rules.WIDGET_MAX_CHARS or line.count(" ") > rules.WIDGET_MAX_WORDS:
        return False
    return rules.BREADCRUMB.match(line) is not None
