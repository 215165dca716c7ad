"""Feed discovery: what a home or section page offers to follow — the feeds it links
(`<link rel="alternate">` RSS, Atom and JSON Feed), the sitemaps its robots.txt lists, and
/sitemap.xml — so `watcher follow https://site/` works without knowing where a site keeps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
