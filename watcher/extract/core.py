"""Rendered HTML -> Article: the stages in order.

Evidence, strongest first: a site rule from the config, schema.org JSON-LD, OpenGraph/meta tags, then the DOM
(an explicit article-body container, else trafilatura's main-text extraction on the chrome-stripped tree).
What the reader sees wins where the page shows it: the visible headline, and the standfirst under it as the dek
(meta descriptions are often the first paragraph cut short, or stale after an edit).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from watcher.config import SiteRule
from watcher.errors import ExtractTimeout, NoArticle, PageTooBig
from watcher.extract import rules as data
from watcher.extract.body import (
    body_paragraphs,
    clean_body,
    find_container,
    is_lead_copy,
    rule_for,
    rule_text,
    text_length,
)
from watcher.extract.byline import byline_name
from watcher.extract.captions import caption_scope, captions
from watcher.extract.chrome import strip_chrome
from watcher.extract.dom import drop, parse_html, select, visible_text
from watcher.extract.headline import choose_headline
from watcher.extract.metadata import (
    authors,
    byline_from_dom,
    byline_from_meta_line,
    canonical,
    dek_element,
    itemprop_date,
    json_ld,
    language,
    ld_text,
    meta_tags,
    parse_date,
)
from watcher.extract.trace import Extraction, Said, Trace, Untraced, where
from watcher.models import Article
from watcher.normalize import normalize_article, normalize_text

MIN_BODY_CHARS = 20  # shorter than any real story, longer than a leftover "Home News" link row
# Elements a page may have for extraction to read it (an SVG's drawing does not count). The largest of 182 real
# pages in the real-layout sets has 9,888 (a long Wikipedia article), the median 790; extraction's cost grows
# with them (a page of 200,000 paragraphs, under the byte cap, took 200 s and 600 MB), so past this the page is
# refused in a second, said as such, before any of the slow stages.
MAX_ELEMENTS = 30_000


def site_name(ld: dict[str, Any], meta: dict[str, Any]) -> str:
    """The outlet's name, for labels (the card): og:site_name, else the JSON-LD publisher's name."""
    publisher = ld.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    named = publisher.get("name") if isinstance(publisher, dict) else None
    name = meta.get("og:site_name") or (named if isinstance(named, str) else "")
    return " ".join(str(name).split())[:80]


def extract(
    html: str,
    url: str,
    rules: Sequence[SiteRule] = (),
    site_titles: Sequence[str] = (),
    deadline: float | None = None,
) -> Article:
    """The article on a rendered page, normalized; raises NoArticle when the page has no article body.

    site_titles: titles or headlines of the host's other pages, if the caller knows them; a name they share with
    this page's title is the site's, not the story's. The result depends on the arguments only.
    deadline: a time.monotonic() moment; past it, extraction stops between stages with ExtractTimeout.
    A page of more than MAX_ELEMENTS elements raises PageTooBig.
    """
    return _extract(html, url, rules, site_titles, deadline, Untraced())


def extract_traced(html: str, url: str, rules: Sequence[SiteRule] = ()) -> Extraction:
    """extract() with no deadline and no other pages' titles, and the trace of its decisions; a page without an
    article gives no article and the error."""
    trace = Trace()
    try:
        return Extraction(_extract(html, url, rules, (), None, trace), trace)
    except NoArticle as exc:
        return Extraction(None, trace, exc)


def _extract(
    html: str,
    url: str,
    rules: Sequence[SiteRule],
    site_titles: Sequence[str],
    deadline: float | None,
    trace: Trace,
) -> Article:
    root = parse_html(html)
    if root is None:
        raise NoArticle(f"no article found on {url}")
    size = element_count(root)
    if size > MAX_ELEMENTS:
        raise PageTooBig(
            f"{url} is too big to read: {size:,} elements, more than the {MAX_ELEMENTS:,} watcher reads "
            "(a long news page has under 10,000)"
        )
    _in_time(deadline, url)
    ld = json_ld(root)
    meta = meta_tags(root)
    rule = rule_for(url, rules)
    trace.rule = rule.domain if rule is not None else ""
    art = Article(lang=language(root, ld, meta), canonical_url=canonical(root, url, meta))
    art.site = site_name(ld, meta)
    art.published = _date(root, ld, meta, "datePublished", data.PUBLISHED_META, trace.sourced("published"))
    art.modified = _date(root, ld, meta, "dateModified", data.MODIFIED_META, trace.sourced("modified"))

    if rule is not None:
        for css in rule.exclude:
            for el in select(root, css):
                trace.drop_element(el, f"the site rule excludes {css}")
                drop(el)
    rule_head = rule_text(root, rule.headline) if rule else ""
    rule_dek = rule_text(root, rule.dek) if rule else ""
    rule_byline = rule_text(root, rule.byline) if rule else ""
    if rule_head:
        headline = rule_head
        trace.source("headline", f"site rule {rule.headline}" if rule else "site rule")
    else:
        headline = choose_headline(root, ld, meta, site_titles, trace.sourced("headline"))
    # Bylines and deks usually sit in the article's <header>, which chrome stripping removes: read them first.
    dom_byline = byline_from_dom(root, headline, trace.sourced("byline"))
    meta_said: list[str] = []
    meta_byline = "" if dom_byline else byline_from_meta_line(root, headline, meta_said.append)
    dek_el = None if rule_dek else dek_element(root, headline)
    dom_dek = visible_text(dek_el) if dek_el is not None else ""
    if dek_el is not None:
        drop(dek_el)  # the standfirst the reader sees under the headline is the dek, not the body's first paragraph

    _in_time(deadline, url)
    strip_chrome(root, trace)
    _in_time(deadline, url)
    container, strong = find_container(root, rule, trace)
    art.headline = headline
    art.captions = captions(caption_scope(container, strong, root), rule)
    if rule_dek:
        art.dek = rule_dek
        trace.source("dek", f"site rule {rule.dek}" if rule else "site rule")
    elif dom_dek:
        art.dek = dom_dek
        trace.source("dek", f"element {where(dek_el)} under the headline")
    else:
        art.dek = _first_text(ld.get("description"), meta, data.DEK_META, trace.sourced("dek"), "description")

    _in_time(deadline, url)
    body, extractor, meta_lines = body_paragraphs(root, container, strong, rule, ld, trace)
    trace.extractor = extractor
    _in_time(deadline, url)
    if rule_byline:
        art.byline = rule_byline
        trace.source("byline", f"site rule {rule.byline}" if rule else "site rule")
    elif dom_byline:
        art.byline = dom_byline
    else:
        art.byline = _first_text(ld.get("author"), meta, data.AUTHOR_META, trace.sourced("byline"), "author")
        if not art.byline and meta_byline:
            art.byline = meta_byline
            trace.source("byline", f"the name on the meta line, {meta_said[0]}")
        if not art.byline:
            line = next((line for line in meta_lines if byline_name(line)), "")
            art.byline = byline_name(line)
            if art.byline:
                trace.source("byline", f"the names on a date-and-name line of the body: {line!r}")
    if not body:
        raise NoArticle(f"no article found on {url}")
    art.body, art.extractor = body, extractor
    art = normalize_article(art)
    art.body = clean_body(art, trace)
    if text_length(art.body) < MIN_BODY_CHARS:
        raise NoArticle(f"no article found on {url}")
    if not (rule_dek or dom_dek) and art.dek and art.body and is_lead_copy(art.dek, art.body[0]):
        # Meta descriptions are often just the first paragraph cut short; that is not a dek.
        art.dek = ""
        trace.source("dek", f"none: the {trace.sources.get('dek', 'description')} repeats the first paragraph")
    return art


def _date(
    root: Any, ld: dict[str, Any], meta: dict[str, str], key: str, meta_keys: Sequence[str], said: Said
) -> str | None:
    """A date from JSON-LD, else the first <meta> that parses, else an element with the itemprop; said(source)."""
    found = parse_date(ld.get(key))
    if found:
        said(f"JSON-LD {key}")
        return found
    for name in meta_keys:
        found = parse_date(meta.get(name))
        if found:
            said(f"<meta {name}>")
            return found
    found = itemprop_date(root, key)
    if found:
        said(f"element [itemprop={key}]")
    return found


def _first_text(ld_value: Any, meta: dict[str, str], meta_keys: Sequence[str], said: Said, ld_key: str) -> str:
    """A field from JSON-LD (authors for "author"), else the first <meta> that has it; said(source)."""
    found = authors(ld_value) if ld_key == "author" else ld_text(ld_value)
    if found:
        said(f"JSON-LD {ld_key}")
        return found
    for name in meta_keys:
        if meta.get(name):
            said(f"<meta {name}>")
            return normalize_text(meta[name])
    return ""


def element_count(root: Any) -> int:
    """Elements in the tree, an SVG drawing's own parts left out (counted in libxml2: milliseconds)."""
    return int(root.xpath("count(//*)") - root.xpath("count(//*[local-name()='svg']//*)"))


def _in_time(deadline: float | None, url: str) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise ExtractTimeout(f"reading the article on {url} took longer than the check's deadline")
