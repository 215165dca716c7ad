"""Rendered HTML -> Article: the story's text and metadata, without the page's chrome.

Evidence, strongest first: a site rule from the config, schema.org JSON-LD, OpenGraph/meta tags, then the DOM
(an explicit article-body container, else trafilatura's main-text extraction on the chrome-stripped tree).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from difflib import SequenceMatcher
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from watcher import selectors as sel
from watcher.config import SiteRule
from watcher.errors import NoArticle
from watcher.models import Article, iso
from watcher.normalize import comparison_key, normalize_article, normalize_paragraphs, normalize_text

ARTICLE_TYPES = frozenset(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle BackgroundNewsArticle "
    "ReviewNewsArticle BlogPosting LiveBlogPosting Report ScholarlyArticle TechArticle SocialMediaPosting".split()
)
BLOCK_TAGS = frozenset(
    "p div section article main li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 table tr td th tbody thead "
    "figure address hr center details summary".split()
)
MIN_BODY_CHARS = 20  # shorter than any real story, longer than a leftover "Home News" link row
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[\s_\-:]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SENTENCE_END = re.compile(r"[.!?。！？」』)）]\s*$")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|\w+")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—:·]\s+[^|\-–—:·]{2,40}$")


def extract(html: str, url: str, rules: Sequence[SiteRule] = ()) -> Article:
    """The article on a rendered page, normalized; raises NoArticle when the page has no article body."""
    root = _parse(html)
    if root is None:
        raise NoArticle(f"no article found on {url}")
    ld = _json_ld(root)
    meta = _meta(root)
    rule = _rule_for(url, rules)
    art = Article(lang=_lang(root, ld, meta), canonical_url=_canonical(root, url, meta))
    art.published = (
        _date(ld.get("datePublished")) or _first_date(meta, sel.PUBLISHED_META) or _itemprop_date(root, "datePublished")
    )
    art.modified = (
        _date(ld.get("dateModified")) or _first_date(meta, sel.MODIFIED_META) or _itemprop_date(root, "dateModified")
    )

    if rule is not None:
        for css in rule.exclude:
            for el in _css(root, css):
                _drop(el)
    rule_head = _rule_text(root, rule.headline) if rule else ""
    rule_dek = _rule_text(root, rule.dek) if rule else ""
    rule_byline = _rule_text(root, rule.byline) if rule else ""
    story_h1 = _headline_from_dom(root, _STORY_HEADLINES)
    page_h1 = _headline_from_dom(root, _PAGE_HEADLINES)
    # Bylines and deks usually sit in the article's <header>, which chrome stripping removes: read them first.
    dom_byline = _byline_from_dom(root)
    dom_dek = _dek_from_dom(root)

    _strip_chrome(root)
    container, strong = _find_container(root, rule)
    art.headline = rule_head or story_h1 or _ld_text(ld.get("headline")) or page_h1 or _title_from_meta(root, meta)
    art.byline = rule_byline or dom_byline or _authors(ld.get("author")) or _meta_first(meta, sel.AUTHOR_META)
    art.captions = _captions(_caption_scope(container, strong, root), rule)
    art.dek = rule_dek or _ld_text(ld.get("description")) or _meta_first(meta, sel.DEK_META) or dom_dek

    body, extractor = _body(root, container, strong, rule, ld)
    if not body:
        raise NoArticle(f"no article found on {url}")
    art.body, art.extractor = body, extractor
    art = normalize_article(art)
    art.body = _clean_body(art)
    if _length(art.body) < MIN_BODY_CHARS:
        raise NoArticle(f"no article found on {url}")
    if art.dek and art.body and _is_lead_copy(art.dek, art.body[0]):
        # Meta descriptions are often just the first paragraph cut short; that is not a dek.
        art.dek = ""
    return art


# ---------------------------------------------------------------- parsing and metadata


def _parse(html: str) -> Any:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", html))
    except (etree.ParserError, ValueError):
        return None


def _text(el: Any) -> str:
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


def _classes(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _parts(value: str) -> set[str]:
    parts: set[str] = set()
    for token in value.split():
        parts.add(token.lower().replace("-", "").replace("_", ""))
        for piece in _SPLIT.split(_CAMEL.sub("-", token)):
            if piece:
                parts.add(piece.lower())
    return parts


def _json_ld(root: Any) -> dict[str, Any]:
    """The best schema.org article object on the page (JSON-LD, also inside @graph and lists), else {}."""
    best: dict[str, Any] = {}
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t in ARTICLE_TYPES for t in types):
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


def _ld_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return normalize_text(_unescape(str(value))) if value else ""


def _unescape(text: str) -> str:
    # JSON-LD strings sometimes carry HTML entities or tags; read them as a browser would show them.
    if "<" in text or "&" in text:
        try:
            return lxml.html.fromstring(f"<div>{text}</div>").text_content()
        except (etree.ParserError, ValueError):
            return text
    return text


def _authors(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    names = [_ld_text(item) for item in items if item]
    return ", ".join(dict.fromkeys(n for n in names if n))


def _meta(root: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        value = m.get("content")
        if key and value and key not in out:
            out[key] = value
    return out


def _meta_first(meta: dict[str, str], keys: Iterable[str]) -> str:
    for key in keys:
        if meta.get(key):
            return normalize_text(meta[key])
    return ""


def _first_date(meta: dict[str, str], keys: Iterable[str]) -> str | None:
    for key in keys:
        found = _date(meta.get(key))
        if found:
            return found
    return None


def _date(value: Any) -> str | None:
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
    return iso(moment.astimezone(UTC))


def _itemprop_date(root: Any, prop: str) -> str | None:
    for el in root.iterfind(f'.//*[@itemprop="{prop}"]'):
        found = _date(el.get("datetime") or el.get("content") or _text(el))
        if found:
            return found
    return None


def _lang(root: Any, ld: dict[str, Any], meta: dict[str, str]) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        lang = _ld_text(ld.get("inLanguage")) or meta.get("og:locale", "").replace("_", "-")
    return lang.strip() or None if lang else None


def _canonical(root: Any, url: str, meta: dict[str, str]) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(url, link.get("href").strip())
    return urljoin(url, meta["og:url"].strip()) if meta.get("og:url") else None


def _headline_from_dom(root: Any, scopes: tuple[str, ...]) -> str:
    for scope in scopes:
        for el in root.xpath(scope):
            text = _text(el)
            if text:
                return text
    return ""


# The headline a reader sees inside the story outranks JSON-LD, which CMS caches can leave stale after an
# edit to the visible headline; a bare page-level <h1> (often the site's logo) does not.
_STORY_HEADLINES = ('//*[@itemprop="headline"]', "//article//h1", "//main//h1")
_PAGE_HEADLINES = ("//h1",)


def _title_from_meta(root: Any, meta: dict[str, str]) -> str:
    title = _meta_first(meta, sel.TITLE_META)
    if not title:
        el = root.find(".//title")
        title = _text(el)
    return _TITLE_SUFFIX.sub("", title) if title else ""


def _dek_from_dom(root: Any) -> str:
    for el in root.iter("p", "div", "h2", "span"):
        if sel.DEK_PATTERN.search(_classes(el)):
            text = _text(el)
            if 0 < len(text) < 400:
                return text
    return ""


def _byline_from_dom(root: Any) -> str:
    """The byline line as the reader sees it (e.g. 記者…／綜合報導), when the page marks one."""
    scopes = list(root.iter("article")) + list(root.iter("main")) + [root]
    for scope in scopes:
        for el in scope.iter():
            if not isinstance(el.tag, str) or el.tag in ("meta", "link", "script"):
                continue
            if el.get("rel") == "author" or el.get("itemprop") == "author" or sel.BYLINE_PATTERN.search(_classes(el)):
                if el.get("rel") == "author" or el.get("itemprop") == "author":
                    # A linked name inside a byline line: take the whole line.
                    parent = el.getparent()
                    if parent is not None and sel.BYLINE_PATTERN.search(_classes(parent)):
                        el = parent
                text = _text(el)
                if 0 < len(text) < 160:
                    return text
    return ""


def _caption_scope(container: Any, strong: bool, root: Any) -> Any:
    """Where captions are looked for: the article around the body (lead photos sit outside the body div)."""
    if container is None:
        return root
    for anc in container.iterancestors("article", "main"):
        return anc
    if strong and container.getparent() is not None and container.getparent().tag != "body":
        return container.getparent()
    return container


# ---------------------------------------------------------------- chrome


def _is_chrome(el: Any) -> bool:
    tag = el.tag
    if tag in sel.DROP_TAGS:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") == "true" and tag not in ("img", "figure")):
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    role = (el.get("role") or "").lower()
    if role in ("navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "alert", "search"):
        return True
    if tag in sel.CHROME_TAGS:
        return True
    attrs = _classes(el)
    if not attrs.strip():
        return False
    if el.get("itemprop") == "articleBody" or sel.BODY_PATTERN.search(attrs):
        return False
    parts = _parts(attrs)
    if parts & sel.CHROME_PARTS or any(j in parts for j in sel.CHROME_JOINED):
        return True
    return False


def _protected(el: Any, page: tuple[int, int]) -> bool:
    """Chrome-looking wrappers that in fact hold the article (a layout div named 'with-sidebar', an ASP.NET form)."""
    if el.tag in ("html", "body", "article", "main"):
        return True
    for _ in el.iterfind('.//*[@itemprop="articleBody"]'):
        return True
    for inner in el.iterdescendants("div", "section", "article"):
        if sel.BODY_PATTERN.search(_classes(inner)) and _rough_len(inner) > 500:
            return True
    p_text, all_text = page
    if p_text > 0 and _p_text(el) > 0.4 * p_text:
        return True
    if el.tag in sel.CHROME_TAGS and el.tag != "form":
        return False
    own = _rough_len(el)
    return own >= 500 and own > 0.5 * all_text


def _p_text(el: Any) -> int:
    return sum(_rough_len(p) for p in el.iter("p"))


def _rough_len(el: Any) -> int:
    """Character count of an element's text, whitespace included: cheap, for comparisons of size only."""
    return len("".join(el.itertext()))


def _strip_chrome(root: Any) -> None:
    """Remove chrome in place: elements, then sections introduced by a chrome heading (延伸閱讀, Trending ...)."""
    body = root.find("body")
    page_text = (_p_text(root), _rough_len(body) if body is not None else 0)
    stack = [root]
    while stack:
        el = stack.pop()
        for child in list(el):
            if not isinstance(child.tag, str):
                if child.tag is etree.Comment or child.tag is etree.ProcessingInstruction:
                    _drop(child)
                continue
            if _is_chrome(child) and (child.tag in sel.DROP_TAGS or not _protected(child, page_text)):
                _drop(child)
            else:
                stack.append(child)
    for el in list(root.iter("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "header")):
        if len(el) > 2 or _rough_len(el) > 120:
            continue
        text = _text(el).casefold().rstrip(":：>›.…» ").strip()
        if text and len(text) <= 40 and _is_chrome_heading(text):
            _drop_section(el)


def _is_chrome_heading(text: str) -> bool:
    return text in sel.CHROME_HEADINGS or any(text.startswith(h + " ") for h in ("more from", "more on", "更多"))


def _drop_section(heading: Any) -> None:
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
        if sel.BODY_PATTERN.search(_classes(parent)) or _unlinked_text(parent) > 200:
            break
        section = parent
        if _link_density(section) > 0.3 or section.find(".//ul") is not None or section.find(".//ol") is not None:
            break
    if section is heading:
        nxt = heading.getnext()
        if nxt is not None and (nxt.tag in ("ul", "ol") or _link_density(nxt) > 0.5):
            _drop(nxt)
    _drop(section)


def _unlinked_text(el: Any) -> int:
    return len(_text(el)) - sum(len(_text(a)) for a in el.iter("a"))


def _link_density(el: Any) -> float:
    total = len(_text(el))
    if not total:
        return 0.0
    linked = sum(len(_text(a)) for a in el.iter("a"))
    return linked / total


def _drop(el: Any) -> None:
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


# ---------------------------------------------------------------- body


def _css(root: Any, selector: str) -> list[Any]:
    try:
        return root.cssselect(selector)
    except Exception:  # cssselect raises several types for a bad selector; a bad rule must not break a check
        return []


def _rule_for(url: str, rules: Sequence[SiteRule]) -> SiteRule | None:
    host = (urlsplit(url).hostname or "").lower()
    best = None
    for rule in rules:
        domain = rule.domain.lower().lstrip(".")
        if host == domain or host.endswith("." + domain):
            if best is None or len(domain) > len(best.domain):
                best = rule
    return best


def _rule_text(root: Any, selector: str | None) -> str:
    if not selector:
        return ""
    for el in _css(root, selector):
        text = _text(el)
        if text:
            return text
    return ""


def _find_container(root: Any, rule: SiteRule | None) -> tuple[Any, bool]:
    """The element holding the story, and whether the page marked it explicitly (strong evidence)."""
    if rule is not None and rule.body:
        found = _css(root, rule.body)
        if found:
            return found[0], True
    for css in sel.BODY_SELECTORS:
        found = _css(root, css)
        if found:
            return _with_siblings(max(found, key=_paragraph_text_len), found), True
    candidates = [el for el in root.iter("div", "section", "article", "main") if sel.BODY_PATTERN.search(_classes(el))]
    if candidates:
        best = max(candidates, key=_paragraph_text_len)
        if _paragraph_text_len(best) > 200:
            return _with_siblings(best, candidates), True
    articles = list(root.iter("article"))
    if articles:
        best = max(articles, key=_paragraph_text_len)
        parent = best.getparent()
        # Sibling <article>s are the posts of one live blog (or one story split in parts): take them all.
        if parent is not None and sum(1 for a in articles if a.getparent() is parent) > 1:
            return parent, False
        return best, False
    main = root.find(".//main")
    if main is not None:
        return main, False
    return _densest(root), False


def _with_siblings(best: Any, candidates: list[Any]) -> Any:
    """The body container, or its parent when the story is split into sibling containers (around ads or embeds)."""
    parent = best.getparent()
    siblings = [c for c in candidates if c is not best and c.getparent() is parent and _paragraph_text_len(c) > 100]
    return parent if siblings and parent is not None and parent.tag not in ("body", "html") else best


def _paragraph_text_len(el: Any) -> int:
    return sum(_rough_len(p) for p in el.iter("p")) or _rough_len(el) // 3


def _densest(root: Any) -> Any:
    """Readability-style: the element whose text blocks add up to the most text (parents get half credit)."""
    scores: dict[Any, float] = {}
    for el in root.iter("p", "div", "td", "pre"):
        own = normalize_text((el.text or "") + "".join((c.tail or "") for c in el))
        if el.tag == "p":
            own = _text(el)
        if len(own) < 25:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        score = 1 + len(own) / 100 + own.count(",") + own.count("，") + own.count("。")
        target = el if el.tag == "div" and el.tag != "p" and len(el) < 8 else parent
        scores[target] = scores.get(target, 0) + score
        grand = target.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + score / 2
    if not scores:
        return root.find(".//body")
    return max(scores, key=scores.__getitem__)


def _is_caption_el(el: Any) -> bool:
    if el.tag in ("figcaption", "caption"):
        return True
    attrs = _classes(el)
    return bool(attrs.strip()) and bool(sel.CAPTION_PATTERN.search(attrs))


def _is_meta_el(el: Any) -> bool:
    if el.tag == "time":
        return True
    attrs = _classes(el)
    if not attrs.strip():
        return False
    pattern = sel.BYLINE_PATTERN.search(attrs) or sel.META_PATTERN.search(attrs)
    return bool(pattern) and len(_text(el)) < 300


def _dom_paragraphs(container: Any, keep_links: bool = False) -> list[str]:
    """Text blocks of a container in reading order; figures, captions, bylines, dates and link-only lines left out."""
    out: list[str] = []
    buf: list[tuple[str, bool]] = []

    def flush() -> None:
        if not buf:
            return
        text = normalize_text("".join(t for t, _ in buf))
        linked = sum(len(t.strip()) for t, is_link in buf if is_link)
        buf.clear()
        # A block that is nothing but a link is a pointer to another page ("READ MORE: ...", a related story).
        if text and (keep_links or not (linked >= 0.9 * len(text) and len(text) < 250)):
            out.append(text)

    def walk(el: Any, linked: bool) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag == "br":
                flush()
            elif tag in ("figure", "img", "picture", "h1") or _is_caption_el(child) or _is_meta_el(child):
                pass
            elif tag == "tr":
                # One table row reads as one line; a paragraph per cell would shred the table.
                flush()
                buf.append((_text(child), linked))
                flush()
            elif tag in BLOCK_TAGS:
                flush()
                if child.text:
                    buf.append((child.text, linked))
                walk(child, linked)
                flush()
            else:
                inner = linked or tag == "a"
                if child.text:
                    buf.append((child.text, inner))
                walk(child, inner)
            if child.tail:
                buf.append((child.tail, linked))

    if container.text:
        buf.append((container.text, False))
    walk(container, False)
    flush()
    return out


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
    if doc is None or getattr(doc, "body", None) is None:
        return []
    paras = []
    for el in doc.body:
        if el.tag in ("list",):
            paras.extend(_text(item) for item in el)
        elif el.tag == "table":
            paras.extend(_text(row) for row in el)
        else:
            paras.append(_text(el))
    return [p for p in paras if p]


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
                    paras.extend(p for p in (_ld_text(upd.get("headline")),) if p)
                    paras.extend(_ld_body(upd))
            return paras
        return []
    return normalize_paragraphs(re.split(r"\n+", _unescape(body)))


def _covers(dom: list[str], traf: list[str]) -> bool:
    """Whether the DOM container's text holds nearly all of trafilatura's text and little more.

    Then the DOM keeps the page's own paragraph breaks (trafilatura can merge <br>-separated paragraphs).
    """
    dom_tokens = _tokens(" ".join(dom))
    traf_tokens = _tokens(" ".join(traf))
    if not dom_tokens or not traf_tokens:
        return False
    shared = sum((Counter(dom_tokens) & Counter(traf_tokens)).values())
    return shared >= 0.8 * len(traf_tokens) and shared >= 0.9 * len(dom_tokens)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _length(paras: list[str]) -> int:
    return sum(len(p) for p in paras)


def _body(root: Any, container: Any, strong: bool, rule: SiteRule | None, ld: dict[str, Any]) -> tuple[list[str], str]:
    ld_body = _ld_body(ld)
    matches = _css(root, rule.body) if rule is not None and rule.body else []
    if matches:
        # A rule may select many elements ("div.story p"); read each outermost match once, in page order.
        chosen = set(matches)
        outer = [m for m in matches if not any(a in chosen for a in m.iterancestors())]
        return [p for m in outer for p in _dom_paragraphs(m, keep_links=True)], "site-rule"
    dom = _dom_paragraphs(container) if container is not None else []
    if strong and dom:
        best, source = dom, "dom"
    else:
        traf = _trafilatura_paragraphs(root)
        if traf and _length(traf) >= 0.5 * _length(dom) and not _covers(dom, traf):
            best, source = traf, "trafilatura"
        else:
            best, source = dom, "dom"
    # A JSON-LD body wins unless the DOM gave at least as much text (JSON-LD bodies are often cut short).
    if ld_body and _length(ld_body) > 1.1 * _length(best):
        return ld_body, "json-ld"
    return best, source


def _clean_body(art: Article) -> list[str]:
    """Drop lines that repeat the headline, byline or a caption, and page furniture lines."""
    skip = {comparison_key(c) for c in art.captions}
    skip.update(comparison_key(x) for x in (art.headline, art.byline) if x)
    return [p for p in art.body if comparison_key(p) not in skip and not sel.JUNK_LINE.match(p)]


def _is_lead_copy(dek: str, lead: str) -> bool:
    """Whether a meta description is the first paragraph cut short (then it is not a dek)."""
    d = comparison_key(dek)
    if d.endswith(("…", "...")):
        return True
    d = d[:300]
    head = comparison_key(lead[:400])[: len(d)]
    return len(d) > 20 and SequenceMatcher(None, d, head, autojunk=False).ratio() > 0.85


# ---------------------------------------------------------------- captions


def _looks_like_sentence(text: str) -> bool:
    if len(_CJK_CHAR.findall(text)) >= 8:
        return True
    return len(text.split()) >= 5 and (bool(_SENTENCE_END.search(text)) or len(text.split()) >= 8)


def _captions(scope: Any, rule: SiteRule | None) -> list[str]:
    """Captions in page order: figcaptions, caption-classed elements, sentence-like alt/title; repeats once."""
    found: list[str] = []
    if rule is not None and rule.captions:
        found = [_text(el) for el in _css(scope, rule.captions)]
    else:
        inside_caption: set[Any] = set()
        for el in scope.iter():
            if not isinstance(el.tag, str) or el in inside_caption:
                continue
            if el.tag == "img":
                for attr in ("alt", "title"):
                    text = normalize_text(el.get(attr))
                    if text and _looks_like_sentence(text):
                        found.append(text)
                        break
            elif _is_caption_el(el):
                found.append(_text(el))
                inside_caption.update(el.iterdescendants())
    keys: list[str] = []
    out: list[str] = []
    for text in found:
        key = comparison_key(text)
        if not key or any(key == k or key in k for k in keys):
            continue
        # A credit line that a later full caption contains is the same caption.
        for i, k in enumerate(keys):
            if k in key:
                keys[i], out[i] = key, text
                break
        else:
            keys.append(key)
            out.append(text)
    return list(dict.fromkeys(out))
