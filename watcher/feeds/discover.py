"""Feed discovery: what a home or section page offers to follow — the feeds it links
(`<link rel="alternate">` RSS, Atom and JSON Feed), the sitemaps its robots.txt lists, and
/sitemap.xml — so `watcher follow https://site/` works without knowing where a site keeps them; and
telling such a page from an article when one is given to `add`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "jsonfeed",
    "application/json": "jsonfeed",
    "application/rdf+xml": "rss",
}
MAX_FOUND = 20  # a page that links hundreds of feeds (one per tag) is offering a directory, not its news


@dataclass(frozen=True)
class Found:
    """A feed or sitemap a page leads to, and where it was found."""

    url: str
    kind: str  # rss, atom, jsonfeed or sitemap (an index or a plain one: the feed reader tells them apart)
    source: str  # "page", "robots.txt" or "sitemap.xml"
    title: str = ""


def linked_feeds(page: str | bytes, page_url: str) -> list[Found]:
    """The feeds a page declares with <link rel="alternate" type=...>, in page order, resolved."""
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return []
    base = page_url
    for href in root.xpath("//base/@href")[:1]:
        base = urljoin(page_url, href.strip())
    found: list[Found] = []
    seen: set[str] = set()
    for link in root.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        if "alternate" not in rels or kind is None:
            continue
        url = urljoin(base, link.get("href").strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        found.append(Found(url=url, kind=kind, source="page", title=(link.get("title") or "").strip()))
        if len(found) >= MAX_FOUND:
            break
    return found


def discover(
    page_url: str,
    page: str | bytes,
    *,
    robots_sitemaps: Callable[[str], list[str]],
    exists: Callable[[str], bool],
) -> list[Found]:
    """Everything `page_url` leads to: linked feeds first, then robots.txt's sitemaps, else /sitemap.xml.

    `robots_sitemaps(url)` lists the Sitemap: lines of the site's robots.txt; `exists(url)` says whether
    a URL answers with a feed or sitemap (used for the conventional /sitemap.xml only)."""
    found = linked_feeds(page, page_url)
    known = {f.url for f in found}
    parts = urlsplit(page_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    # Sitemap: lines should be absolute; a relative one is taken from the site's root.
    listed = [urljoin(origin + "/", u.strip()) for u in robots_sitemaps(page_url)]
    sitemaps = [u for u in dict.fromkeys(listed) if u not in known and urlsplit(u).scheme in ("http", "https")]
    sitemaps = sitemaps[:MAX_FOUND]
    found += [Found(url=u, kind="sitemap", source="robots.txt") for u in sitemaps]
    if not sitemaps:
        conventional = origin + "/sitemap.xml"
        if conventional not in known and exists(conventional):
            found.append(Found(url=conventional, kind="sitemap", source="sitemap.xml"))
    return found


# --- a section or home page given as an article ------------------------------------------------------------

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
}
# schema.org types of a page that lists others: a section front, a search result, a tag or author page.
COLLECTION_TYPES = {"collectionpage", "searchresultspage"}
MIN_STORY_LINKS = 5  # links to other stories of the site that make a page a list of stories
LONG_PARAGRAPH = 60  # characters of a paragraph's own text (not its links) that read as story text
MIN_RUN = 3  # long paragraphs side by side: an article body; teasers give one or two per card
_SKIP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside")


def _says_article(root: Any) -> bool:
    """The page declares itself an article: og:type, article:published_time, or schema.org JSON-LD. A page whose
    JSON-LD names it a collection (a section front's CollectionPage) and no article is not one, whatever its
    og:type says: many sites set og:type "article" on every page, their schema.org type is written per page."""
    types: list[str] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            # "@type" is a name, a list of names ("WebPage", "CollectionPage"), or a schema.org address.
            for value in re.findall(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")', script.text):
                types += [t.strip().lower().rsplit("/", 1)[-1] for t in re.findall(r'"([^"]+)"', value)]
    if any(t in ARTICLE_TYPES for t in types):
        return True
    if any(t in COLLECTION_TYPES for t in types):
        return False
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = (meta.get("content") or "").strip().lower()
        if (key == "og:type" and value == "article") or (key == "article:published_time" and value):
            return True
    return False


def _story_path(path: str) -> bool:
    """A path that names one story: a long slug (three words or more) or a long number (a date, an id)."""
    last = [p for p in path.split("/") if p][-1:] or [""]
    words = [w for w in re.split(r"[-_]+", last[0].rsplit(".", 1)[0]) if w]
    return len(words) >= 3 or bool(re.search(r"\d{4,}", path))


def _own_text(element: Any) -> str:
    """An element's text without what is inside its links."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != "a":
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


CARD_CHARS = 500  # a teaser card (headline link and summary) holds less text than this


def _story_paragraphs(root: Any, page_url: str, host: str) -> int:
    """Paragraphs of story text: long ones (their own text, not their links) that are not a teaser's summary,
    i.e. not inside a small block that also holds a link to another page of the site."""
    count = 0
    for p in root.iter("p", "pre"):
        own = len(_own_text(p))
        if own < LONG_PARAGRAPH or any(a.tag in _SKIP for a in p.iterancestors()):
            continue
        if p.tag == "pre":  # preformatted text (a plain-text document) is many paragraphs in one element
            count += own // (LONG_PARAGRAPH * 5)
            continue
        card = False
        for block in [p, *list(p.iterancestors())[:3]]:
            if len(" ".join(block.text_content().split())) >= CARD_CHARS:
                break
            links = [urljoin(page_url, h) for h in block.xpath(".//a/@href")]
            if any(urlsplit(link).netloc.lower() == host for link in links):
                card = True
                break
        count += not card
    return count


def _one_article_element(root: Any) -> bool:
    """One <article> with story text of its own: an article page (a section page has one per teaser)."""
    articles = list(root.iter("article"))
    return len(articles) == 1 and len(_own_text(articles[0])) >= 2 * LONG_PARAGRAPH * MIN_RUN


def section_signals(page: str | bytes, page_url: str) -> str | None:
    """Why a page looks like a home or section page rather than an article, or None when it does not: it
    links many of the site's stories, has no run of story paragraphs, and does not declare itself an article.
    Structure only, no list of sites: the words say what was counted, so a reader can judge."""
    try:
        root = lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    if _says_article(root):
        return None
    host = urlsplit(page_url).netloc.lower()
    stories = set()
    for href in root.xpath("//a/@href"):
        try:
            parts = urlsplit(urljoin(page_url, href.strip()))
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and parts.netloc.lower() == host and _story_path(parts.path):
            if parts.path.rstrip("/") != urlsplit(page_url).path.rstrip("/"):
                stories.add(parts.path)
    if len(stories) < MIN_STORY_LINKS:
        return None
    if _story_paragraphs(root, page_url, host) >= MIN_RUN or _one_article_element(root):
        return None
    return f"it links {len(stories)} stories of the site and has no article text or article metadata"


def section_advice(page: str | bytes, page_url: str) -> str | None:
    """What to tell someone who gave a home or section page as an article, or None for an article."""
    reason = section_signals(page, page_url)
    if reason is None:
        return None
    return (
        f"{page_url} looks like a home or section page, not an article ({reason}); "
        f"to watch the stories it lists, use: watcher follow {page_url}"
    )
