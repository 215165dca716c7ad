"""The story body: the container that holds it, its paragraphs in reading order, and the fallbacks (trafilatura, JSON-LD)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from itertools import islice
from typing import Any

from lxml import etree

from watcher.cjk import CJK_LETTERS
from watcher.config import SiteRule
from watcher.extract import rules
from watcher.extract.chrome import is_widget_line
from watcher.extract.dom import attrs_of, link_density, rough_len, select, visible_text
from watcher.extract.metadata import ld_text, unescape
from watcher.extract.modules import Line, drop_modules, is_prose
from watcher.extract.rules import BLOCK_TAGS
from watcher.extract.trace import Trace, Untraced
from watcher.models import Article
from watcher.normalize import comparison_key, normalize_paragraphs, normalize_text
from watcher.urls import hostname_of, on_domain

_TOKEN = re.compile(rf"[{CJK_LETTERS}]|\w+")


def rule_for(url: str, site_rules: Sequence[SiteRule]) -> SiteRule | None:
    """The config's site rule for the URL's host: the one for the longest matching domain."""
    host = hostname_of(url)  # domains match names; a port is no part of a domain
    best = None
    for rule in site_rules:
        domain = rule.domain.lower().lstrip(".")
        if on_domain(host, domain):
            if best is None or len(domain) > len(best.domain):
                best = rule
    return best


def rule_text(root: Any, selector: str | None) -> str:
    if not selector:
        return ""
    for el in select(root, selector):
        text = visible_text(el)
        if text:
            return text
    return ""


def find_container(root: Any, rule: SiteRule | None, trace: Trace | None = None) -> tuple[Any, bool]:
    """The element holding the story, and whether the page marked it explicitly (strong evidence); the trace is
    told how it was found."""
    trace = trace if trace is not None else Untraced()
    if rule is not None and rule.body:
        found = select(root, rule.body)
        if found:
            trace.read_from(found[0], True, f"the site rule's body selector {rule.body}")
            return found[0], True
    for css in rules.BODY_SELECTORS:
        found = select(root, css)
        if found:
            container = _with_siblings(max(found, key=_paragraph_text_len), found)
            trace.read_from(container, True, f"the page marks the story body: {css}")
            return container, True
    candidates = [
        el for el in root.iter("div", "section", "article", "main") if rules.BODY_PATTERN.search(attrs_of(el))
    ]
    if candidates:
        best = max(candidates, key=_paragraph_text_len)
        if _paragraph_text_len(best) > 200:
            container = _with_siblings(best, candidates)
            trace.read_from(container, True, "its class or id names a story body")
            return container, True
    hint: Any = None
    why = ""
    articles = list(root.iter("article"))
    if articles:
        hint = max(articles, key=_paragraph_text_len)
        parent = hint.getparent()
        # Sibling <article>s are the posts of one live blog (or one story split in parts): take them all.
        if parent is not None and sum(1 for a in articles if a.getparent() is parent) > 1:
            hint = parent
        why = "the <article> with the most paragraph text"
    if hint is None:
        hint, why = root.find(".//main"), "the page's <main>"
    if hint is None:
        densest = _densest(root)
        if densest is not None:
            trace.read_from(densest, False, "the densest text on the page (no <article> or <main>)")
        return densest, False
    # <article> and <main> are only hints: teasers in a sidebar are <article>s too. Text elsewhere that is much
    # denser (a body laid out as <br>-separated lines in a plain <div>) wins over them.
    densest = _densest(root)
    if densest is not None and not _contains(hint, densest) and not _contains(densest, hint):
        if _paragraph_text_len(densest) > 2 * _paragraph_text_len(hint):
            trace.read_from(densest, False, f"the densest text on the page, over twice what {why} holds")
            return densest, False
    trace.read_from(hint, False, why)
    return hint, False


def _contains(outer: Any, inner: Any) -> bool:
    return any(a is outer for a in inner.iterancestors())


def _with_siblings(best: Any, candidates: list[Any]) -> Any:
    """The body container, or its parent when the story is split into sibling containers (around ads or embeds)."""
    parent = best.getparent()
    siblings = [c for c in candidates if c is not best and c.getparent() is parent and _paragraph_text_len(c) > 100]
    return parent if siblings and parent is not None and parent.tag not in ("body", "html") else best


def _paragraph_text_len(el: Any) -> int:
    """How much story-like text an element holds: its <p>s, and the lines of blocks laid out with <br>."""
    total = sum(rough_len(p) for p in el.iter("p"))
    lines = el.xpath(".//br/parent::*[not(self::p)]") if el.find(".//br") is not None else []
    for node in lines:
        if node.tag in ("div", "td", "section", "article", "font", "span"):
            total += len(node.text or "") + sum(len(c.tail or "") for c in node if c.tag in ("br", "b", "strong"))
    return total or rough_len(el) // 3


_LETTERS = re.compile(r"[\W\d_]+")


def _densest(root: Any) -> Any:
    """Readability-style: the element whose text blocks add up to the most text (parents get half credit)."""
    scores: dict[Any, float] = {}
    short: dict[Any, list[str]] = {}  # each parent's paragraphs too short to count alone
    for el in root.iter("p", "div", "td", "pre"):
        # A block's own text, with that of its inline children (a paragraph written as <div><span>…</span></div>).
        own = normalize_text((el.text or "") + "".join(_inline_text(c) + (c.tail or "") for c in el))
        if el.tag == "p":
            own = visible_text(el)
        parent = el.getparent()
        if parent is None:
            continue
        if len(own) < 25:
            if el.tag == "p" and own and link_density(el) < 0.5:
                short.setdefault(parent, []).append(own)
            continue
        if len(_LETTERS.sub("", own)) < 20 or (el.tag == "p" and link_density(el) > 0.5):
            continue  # punctuation between links (a list of names or tags) is not prose
        blocks = sum(1 for c in el if c.tag != "br")
        _credit(scores, el if el.tag == "div" and blocks < 8 else parent, own)
    for parent, lines in short.items():
        # A story told in many short lines (one clause per <p>, as some Asian outlets write) is prose together.
        if len(lines) >= 4:
            _credit(scores, parent, "".join(lines))
    if not scores:
        return root.find(".//body")
    best = max(scores, key=scores.__getitem__)
    parent = best.getparent()
    if best.tag == "div" and parent is not None and parent.tag not in ("body", "html"):
        # A story laid out as several text blocks with link lists between them (common on Asian news sites):
        # sibling blocks scoring like the best one are more of the same story, so their parent holds it.
        peers = [c for c in parent if c is not best and c.tag == "div" and scores.get(c, 0) >= 0.3 * scores[best]]
        if peers:
            return parent
    return best


_PHRASING = frozenset(
    ("span", "em", "i", "b", "strong", "font", "u", "small", "mark", "q", "cite", "abbr", "sub", "sup")
)


def _inline_text(el: Any) -> str:
    """The text of an inline element without links or blocks inside (a <span> of a sentence), else ""."""
    if not isinstance(el.tag, str) or el.tag not in _PHRASING:
        return ""
    if next(el.iterdescendants(*BLOCK_TAGS, "a", "br"), None) is not None:
        return ""
    return "".join(el.itertext())


def _credit(scores: dict[Any, float], target: Any, text: str) -> None:
    score = 1 + len(text) / 100 + text.count(",") + text.count("，") + text.count("。")
    scores[target] = scores.get(target, 0) + score
    grand = target.getparent()
    # A wrapper around this one block alone (a paragraph's <div> inside a styling <div>) is the same block.
    while grand is not None and grand.tag == "div" and sum(1 for c in grand if isinstance(c.tag, str)) == 1:
        grand = grand.getparent()
    if grand is not None:
        scores[grand] = scores.get(grand, 0) + score / 2


GALLERY_CREDITS = 2  # items of a list holding a photo's credit: the list is a gallery's captions


def is_caption_el(el: Any) -> bool:
    """A caption or credit: by its tag or class, or an item of a gallery's captions: a list in which two or more
    items (of the first few) hold a photo's credit beside their title and caption."""
    if el.tag != "li":
        return _named_caption(el)
    if _credited(el):
        return True
    parent = el.getparent()
    items = islice((c for c in parent if c.tag == "li"), 50) if parent is not None else ()
    return sum(1 for c in items if _credited(c)) >= GALLERY_CREDITS


def _credited(item: Any) -> bool:
    return any(isinstance(c.tag, str) and c.tag != "li" and _named_caption(c) for c in item)


def _named_caption(el: Any) -> bool:
    if el.tag in ("figcaption", "caption"):
        return True
    attrs = attrs_of(el)
    return bool(attrs.strip()) and bool(rules.CAPTION_PATTERN.search(attrs))


def is_meta_el(el: Any) -> bool:
    if el.tag == "time":
        return True
    attrs = attrs_of(el)
    if not attrs.strip():
        return False
    pattern = rules.BYLINE_PATTERN.search(attrs) or rules.META_PATTERN.search(attrs)
    return bool(pattern) and len(visible_text(el)) < 300


def _dom_paragraphs(container: Any, keep_links: bool = False) -> list[str]:
    """Text blocks of a container in reading order; figures, captions, bylines, dates and in-article modules out."""
    lines = _dom_lines(container)
    return [line.text for line in lines] if keep_links else _story_lines(lines)[0]


def _story_lines(lines: list[Line]) -> tuple[list[str], list[str]]:
    return drop_modules(lines)


def _dom_lines(container: Any) -> list[Line]:
    out: list[Line] = []
    buf: list[tuple[str, int]] = []  # (text, the link it is inside: 0 for none, else a number per <a>)
    anchors = 0

    def flush(row: bool = False) -> None:
        if not buf:
            return
        text = normalize_text("".join(t for t, _ in buf))
        if text:
            linked = sum(len(t.strip()) for t, link in buf if link)
            links = len({link for t, link in buf if link and t.strip()})
            unlinked = normalize_text("".join(t for t, link in buf if not link))
            first = next((i for i, (t, link) in enumerate(buf) if link and t.strip()), len(buf))
            lead = normalize_text("".join(t for t, _ in buf[:first]))
            out.append(Line(text, linked, links, unlinked, row, lead))
        buf.clear()

    # An explicit stack, not recursion: trees can be hundreds of elements deep. Entries are (element, link,
    # leaving): on leaving a block the paragraph ends; the element's tail then belongs to its parent's run.
    if container.text:
        buf.append((container.text, 0))
    stack: list[tuple[Any, int, bool | None]] = [(c, 0, None) for c in reversed(container)]
    while stack:
        child, link, leaving = stack.pop()
        if leaving is not None:
            if leaving:
                flush()
            if child.tail:
                buf.append((child.tail, link))
            continue
        tag = child.tag
        descend: tuple[int, bool] | None = None  # (link inside, is a block)
        if not isinstance(tag, str):
            pass
        elif tag == "br":
            flush()
        elif tag in ("figure", "img", "picture", "h1") or is_caption_el(child) or is_meta_el(child):
            pass
        elif tag == "tr" and not _laid_out(child):
            # One table row reads as one line; a paragraph per cell would shred the table.
            flush()
            buf.append((visible_text(child), link))
            flush(row=True)
        elif tag in BLOCK_TAGS:
            flush()
            if child.text:
                buf.append((child.text, link))
            descend = (link, True)
        else:
            inner = link
            if tag == "a" and not link:
                anchors += 1
                inner = anchors
            if child.text:
                buf.append((child.text, inner))
            descend = (inner, False)
        if descend is None:
            if child.tail:
                buf.append((child.tail, link))
            continue
        stack.append((child, link, descend[1]))
        stack.extend((c, descend[0], None) for c in reversed(child))

    flush()
    return out


_CELL_BLOCKS = "./*/*[self::p or self::div or self::ul or self::ol or self::blockquote or self::table or self::pre]"


def _laid_out(row: Any) -> bool:
    """A row of a layout table: a cell holds paragraphs or other blocks, read as blocks, not as one line."""
    return bool(row.xpath(_CELL_BLOCKS))


def _trafilatura_paragraphs(root: Any, url: str | None = None) -> list[str]:
    from trafilatura import bare_extraction  # imported late: it costs ~0.3 s at start-up

    try:
        doc = bare_extraction(
            root,
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=True,
            with_metadata=False,
        )
    except Exception:  # trafilatura can fail on odd trees; treat it as "no evidence" rather than a crash
        return []
    tree = getattr(doc, "body", None)
    if tree is None:
        return []
    return [p for el in tree for p in _trafilatura_blocks(el) if p]


# Trafilatura's output elements that are blocks of their own (its XML: <p>, <head>, <list>, <quote>, ...).
_TRAF_BLOCKS = frozenset(("p", "head", "list", "quote", "code", "table"))


def _trafilatura_blocks(el: Any) -> list[str]:
    """The text blocks of one element of trafilatura's output: a list's items, a table's rows, else the element's
    lines (parted by line breaks).

    Read as the DOM reading reads a page: a row of a layout table (a cell holding paragraphs) block by block, and a
    paragraph of lines parted by <br> line by line. Read as one block, the story would be joined with whatever
    shares its cell or its lines (a rotating "most read" line, a pager), and that line would then make the story's
    own paragraph differ between two loads.
    """
    if el.tag == "list":
        return [visible_text(item) for item in el]
    if el.tag == "code":
        return [visible_text(el)]
    if el.tag != "table":
        return _line_blocks(el)
    out: list[str] = []
    for row in el:
        if any(_stands_apart(block) for cell in row for block in cell):
            out.extend(text for cell in row for text in _line_blocks(cell))
        else:
            out.append(visible_text(row))
    return out


def _stands_apart(el: Any) -> bool:
    """Whether an element of trafilatura's output is a block of its own where it stands. Its <code> and <quote> are
    also what it makes of an inline <code> or <q>: in a paragraph or a heading, or with words of the same line
    around it, such an element is words of the sentence, as the DOM reading reads them."""
    if el.tag not in _TRAF_BLOCKS:
        return False
    parent = el.getparent()
    if parent is not None and parent.tag in ("p", "head"):
        return False
    if el.tag not in ("code", "quote"):
        return True
    previous = el.getprevious()
    before = (previous.tail if previous is not None else parent.text if parent is not None else None) or ""
    return not (before.strip() or (el.tail or "").strip())


def _line_blocks(el: Any) -> list[str]:
    """An element's blocks in order: its loose text (up to a block or a line break) and each block inside."""
    out: list[str] = []
    loose = [el.text or ""]
    for child in el:
        if child.tag == "lb" or _stands_apart(child):
            out.append(normalize_text("".join(loose)))
            if child.tag != "lb":
                out.extend(_trafilatura_blocks(child))
            loose = [child.tail or ""]
        else:  # inline: its text as written, the spaces around its words kept ("the<code> autumn </code>season")
            loose.append(etree.tostring(child, method="text", encoding=str, with_tail=False) + (child.tail or ""))
    out.append(normalize_text("".join(loose)))
    return out


def _ld_body(ld: dict[str, Any]) -> list[str]:
    body = ld.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(str(b) for b in body)
    if not isinstance(body, str) or not body.strip():
        updates = ld.get("liveBlogUpdate")
        if isinstance(updates, dict):
            updates = [updates]
        if isinstance(updates, list):
            paras: list[str] = []
            for upd in updates:
                if isinstance(upd, dict):
                    paras.extend(p for p in (ld_text(upd.get("headline")),) if p)
                    paras.extend(_ld_body(upd))
            return paras
        return []
    return normalize_paragraphs(re.split(r"\n+", unescape(body)))


def _covers(held: list[str], dom: list[str], traf: list[str]) -> bool:
    """Whether the DOM container holds nearly all of trafilatura's text, and its reading (dom) little more.

    Then the DOM keeps the page's own paragraph breaks (trafilatura can merge <br>-separated paragraphs).
    What the container holds (held) is judged on all of it: trafilatura may keep an in-article module the DOM
    left out. What the reading adds is judged on what it keeps: the related-story lists and counters it left out
    are not "more", and they are what changes from one load to the next (reordered, re-counted), so a choice
    weighing them would flip between loads of an unchanged story.
    """
    held_tokens = _tokens(" ".join(held))
    traf_tokens = _tokens(" ".join(traf))
    if not held_tokens or not traf_tokens:
        return False
    traf_counts = Counter(traf_tokens)
    shared = sum((Counter(held_tokens) & traf_counts).values())
    if shared < 0.8 * len(traf_tokens):
        return False
    dom_tokens = _tokens(" ".join(dom))
    if not dom_tokens:
        return False
    # Trafilatura's precision mode also cuts tables, formulas and short lines of the story; a reading holding all
    # it found and at most half as much again is read as the story, not as the story plus chrome.
    kept = sum((Counter(dom_tokens) & traf_counts).values())
    return kept >= 0.9 * len(dom_tokens) or len(dom_tokens) <= 1.5 * len(traf_tokens)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def text_length(paras: list[str]) -> int:
    return sum(len(p) for p in paras)


def body_paragraphs(
    root: Any, container: Any, strong: bool, rule: SiteRule | None, ld: dict[str, Any], trace: Trace | None = None
) -> tuple[list[str], str, list[str]]:
    """The story's paragraphs, the extractor that found them, and the date-and-counter lines left out of them;
    the trace is told which of the container's lines the DOM reading left out."""
    ld_body = _ld_body(ld)
    matches = select(root, rule.body) if rule is not None and rule.body else []
    if matches:
        # A rule may select many elements ("div.story p"); read each outermost match once, in page order.
        chosen = set(matches)
        outer = [m for m in matches if not any(a in chosen for a in m.iterancestors())]
        return [p for m in outer for p in _dom_paragraphs(m, keep_links=True)], "site-rule", []
    lines = _dom_lines(container) if container is not None else []
    dom, meta = _story_lines(lines)
    if strong and dom:
        best, source = dom, "dom"
    else:
        traf = _trafilatura_paragraphs(root)
        held = [line.text for line in lines]
        if traf and text_length(traf) >= 0.5 * text_length(dom) and not _covers(held, dom, traf):
            best, source = traf, "trafilatura"
        else:
            best, source = dom, "dom"
    # A JSON-LD body wins unless the DOM gave at least as much text (JSON-LD bodies are often cut short).
    if ld_body and text_length(ld_body) > 1.1 * text_length(best):
        return ld_body, "json-ld", []
    if source == "dom" and trace is not None:
        kept, dated = set(dom), set(meta)
        for line in lines:
            if line.text in dated:
                trace.drop_line(line.text, "a date, byline or counter line")
            elif line.text not in kept:
                trace.drop_line(line.text, "a link to another page, or a list of them (an in-article module)")
    return best, source, meta if source == "dom" else []


def clean_body(art: Article, trace: Trace | None = None) -> list[str]:
    """Drop lines that repeat the headline, byline or a caption, and page furniture lines (each told the trace)."""
    trace = trace if trace is not None else Untraced()
    skip = {comparison_key(c) for c in art.captions}
    skip.update(comparison_key(x) for x in (art.headline, art.byline) if x)
    kept = []
    story_end = max((k for k, p in enumerate(art.body) if is_prose(p)), default=len(art.body))
    for k, p in enumerate(art.body):
        if comparison_key(p) in skip:
            trace.drop_line(p, "repeats the headline, the byline or a caption")
        elif is_widget_line(p):
            trace.drop_line(p, "page furniture (a share, counter, pager or tag line)")
        elif k > story_end and rules.LABEL_ROW.match(p):
            trace.drop_line(p, "a label and a list of short items after the story (a row of tags)")
        else:
            kept.append(p)
    return kept


def is_lead_copy(dek: str, lead: str) -> bool:
    """Whether a meta description is the first paragraph cut short (then it is not a dek)."""
    d = comparison_key(dek)
    if d.endswith(("…", "...")):
        return True
    d = d[:300]
    head = comparison_key(lead[:400])[: len(d)]
    return len(d) > 20 and SequenceMatcher(None, d, head, autojunk=False).ratio() > 0.85
