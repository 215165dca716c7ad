"""Feeds and sitemaps: download one, list the article links it holds, pick the ones not seen before."""

from __future__ import annotations

import io
import re
import urllib.parse
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from watcher.errors import BadInput, RefusedScheme
from watcher.urls import hostname_of, normalize_url, on_domain, same_site

FeedKind = Literal["rss", "atom", "jsonfeed", "sitemap", "sitemapindex"]

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
# Past this many entries a feed is not a feed of news but a dump; only the first ones are read, so a
# huge document cannot stall a poll (feedparser handles ~10k entries a second once trimmed).
MAX_FEED_ENTRIES = 10_000
MAX_SITEMAP_URLS = 50_000  # the sitemaps.org limit for one file
MAX_GUNZIPPED = 50_000_000  # cap on a .xml.gz sitemap once inflated (a gzip bomb is tiny on the wire)
# The only entry children feedparser needs to find an entry's link (a permalink guid only when there
# is no link); dropping the rest before feedparser sees them makes big feeds several times faster.
_LINK_CHILDREN = {"link", "origLink"}
_ID_CHILDREN = {"guid", "id"}


class FeedError(BadInput):
    """The document is not an RSS/Atom feed or a sitemap."""


class HTMLPage(FeedError):
    """The document is a web page: a page to discover feeds on (watcher.feeds.discover), not a feed."""


@dataclass
class FeedItems:
    """What one feed or sitemap lists: article links, and for a sitemap index, child sitemaps."""

    kind: FeedKind
    links: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    truncated: int = 0  # entries beyond the caps, not read


def parse_feed(content: bytes, base_url: str) -> FeedItems:
    """The links in an RSS 0.9x/1.0/2.0 or Atom feed, a sitemap or a sitemap index; FeedError otherwise."""
    content = _gunzip(content, base_url)
    if not content.strip():
        raise FeedError(f"{base_url}: empty response, not a feed")
    if content.lstrip()[:1] == b"{":
        return _json_feed(content, base_url)
    root = _parse_xml(content)
    if root is None:
        if _looks_like_html(content):
            raise HTMLPage(f"{base_url} is an HTML page, not a feed")
        # Not well-formed XML: feedparser's forgiving parser still reads many broken feeds.
        return _parse_with_feedparser(content, base_url, well_formed=False)
    name = etree.QName(root).localname.lower()
    if name == "urlset":
        return _sitemap(root, "url", "sitemap", base_url)
    if name == "sitemapindex":
        return _sitemap(root, "sitemap", "sitemapindex", base_url)
    if name == "html":
        raise HTMLPage(f"{base_url} is an HTML page, not a feed")
    truncated = _trim_entries(root)
    result = _parse_with_feedparser(etree.tostring(root, encoding="utf-8"), base_url, well_formed=True)
    result.truncated = truncated
    return result


def _json_feed(content: bytes, base_url: str) -> FeedItems:
    """A JSON Feed (jsonfeed.org, versions 1 and 1.1): each item's url, else its external_url."""
    import json

    try:
        doc = json.loads(content.decode("utf-8-sig", "replace"))
    except ValueError:
        raise FeedError(f"{base_url}: not a feed (broken JSON)") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError(f"{base_url}: JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items") if isinstance(doc.get("items"), list) else []
    links = []
    for item in items[:MAX_FEED_ENTRIES]:
        if isinstance(item, dict):
            link = item.get("url") or item.get("external_url")
            if isinstance(link, str) and link.strip():
                links.append(link.strip())
    return FeedItems(kind="jsonfeed", links=_resolve(links, base_url), truncated=max(0, len(items) - MAX_FEED_ENTRIES))


def select_new(
    links: Iterable[str], seen: set[str], limit: int, *, site: str | None = None, allow_hosts: Iterable[str] = ()
) -> list[str]:
    """Links not in `seen`, normalized and de-duplicated, in feed order, at most `limit`.

    With `site` (the feed's URL), only links on the feed's own site or on one of `allow_hosts` are
    taken: a feed is third-party input, and its links must not steer watcher anywhere else.
    """
    chosen: list[str] = []
    taken: set[str] = set()
    allowed = _site_test(site, allow_hosts) if site is not None else None
    for link in links:
        if len(chosen) >= limit:
            break
        try:
            url = normalize_url(link)
        except (BadInput, RefusedScheme):  # a junk link in a feed is skipped, not fatal to the poll
            continue
        if url in seen or url in taken or (allowed is not None and not allowed(url)):
            continue
        taken.add(url)
        chosen.append(url)
    return chosen


def download(
    url: str,
    *,
    timeout: float = 15,
    max_bytes: int = 10_000_000,
    allow_private: bool = False,
    user_agent: str | None = None,
    proxy: str | None = None,
) -> bytes:
    """The body of an http(s) URL, raising FetchError subclasses on failure, size over the cap, or timeout.

    `timeout` bounds the whole download, however slowly the bytes trickle in.
    """
    from watcher.fetch import http  # here: httpx is only imported by commands that go online

    limits = http.Limits(timeout=timeout, total=timeout, max_bytes=max_bytes, allow_private=allow_private, proxy=proxy)
    headers = {"Accept": ACCEPT, **({"User-Agent": user_agent} if user_agent else {})}
    return http.get(normalize_url(url), limits, headers=headers).body


def _site_test(site: str, allow_hosts: Iterable[str]):
    """A predicate: is a link on the feed's site, or on a listed host (or a subdomain of one)?"""
    hosts = [h.strip().lower().rstrip(".") for h in allow_hosts if h.strip()]

    def allowed(url: str) -> bool:
        if same_site(url, site):
            return True
        name = hostname_of(url)
        return any(on_domain(name, h) for h in hosts)

    return allowed


def _parse_xml(content: bytes) -> etree._Element | None:
    """The XML tree, or None when the content is not well-formed XML."""
    # No network, no entity expansion, no DTD: a feed is untrusted input (XXE, billion laughs).
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def _looks_like_html(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(html|head|body)[\s>]", head) is not None


def _gunzip(content: bytes, base_url: str) -> bytes:
    """Inflate a gzipped sitemap (sitemap.xml.gz), refusing anything that inflates past the cap."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, MAX_GUNZIPPED + 1)
    except zlib.error:
        raise FeedError(f"{base_url}: corrupt gzip data, not a valid RSS/Atom feed or sitemap") from None
    if len(data) > MAX_GUNZIPPED:
        raise FeedError(f"{base_url}: gzipped document inflates past {MAX_GUNZIPPED:,} bytes")
    return data


def _sitemap(root: etree._Element, entry: str, kind: FeedKind, base_url: str) -> FeedItems:
    """Sitemap <loc>s; only those directly under <url>/<sitemap>, not image:loc or video locations."""
    urls: list[str] = []
    truncated = 0
    for element in root:
        if not isinstance(element.tag, str) or etree.QName(element).localname != entry:
            continue
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).localname == "loc" and child.text:
                if len(urls) >= MAX_SITEMAP_URLS:
                    truncated += 1
                else:
                    urls.append(child.text.strip())
                break
    resolved = _resolve(urls, base_url)
    if kind == "sitemapindex":
        return FeedItems(kind=kind, children=resolved, truncated=truncated)
    return FeedItems(kind=kind, links=resolved, truncated=truncated)


def _trim_entries(root: etree._Element) -> int:
    """Drop entries past the cap and every entry child that does not carry its link; returns how many dropped."""
    dropped = 0
    kept = 0
    for entry in list(root.iter("{*}item", "{*}entry")):
        if kept >= MAX_FEED_ENTRIES:
            entry.getparent().remove(entry)
            dropped += 1
            continue
        kept += 1
        names = [etree.QName(c).localname if isinstance(c.tag, str) else "" for c in entry]
        keep = _LINK_CHILDREN if _LINK_CHILDREN.intersection(names) else _ID_CHILDREN
        for child, name in zip(list(entry), names):
            if name not in keep:
                entry.remove(child)
    return dropped


def _parse_with_feedparser(content: bytes, base_url: str, *, well_formed: bool) -> FeedItems:
    import feedparser  # imported here: it is slow to import and only feed polling needs it

    # A BytesIO, never bytes or str: feedparser treats a string as a URL or file name to open.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": base_url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = parsed.get("version") or ""
    if not version:
        if _looks_like_html(content):
            raise HTMLPage(f"{base_url} is an HTML page, not a feed")
        raise FeedError(f"{base_url}: not a valid RSS/Atom feed or sitemap")
    links = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link and entry.get("guidislink"):
            link = entry.get("id") or ""
        if link:
            links.append(link)
    if not well_formed and not links:
        # Broken XML feedparser could not recover a single link from: report where it broke.
        reason = str(parsed.get("bozo_exception") or "").replace("<unknown>:", "line ").splitlines()[:1]
        detail = f" ({reason[0]})" if reason and reason[0] else ""
        raise FeedError(f"{base_url}: not a valid RSS/Atom feed or sitemap{detail}")
    kind: FeedKind = "atom" if version.startswith("atom") else "rss"
    return FeedItems(kind=kind, links=_resolve(links, base_url))


def _resolve(urls: list[str], base_url: str) -> list[str]:
    """Absolute http(s) URLs against the feed's address, de-duplicated in order."""
    out: list[str] = []
    seen: set[str] = set()
    for url in urls:
        absolute = urllib.parse.urljoin(base_url, url.strip())
        if urllib.parse.urlsplit(absolute).scheme.lower() not in ("http", "https"):
            continue
        if absolute not in seen:
            seen.add(absolute)
            out.append(absolute)
    return out
