"""The Atom 1.0 feed: one entry per version change, so feed readers can subscribe to edits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from lxml import etree

from watcher.report.entries import (
    ArticleGroup,
    Change,
    ReportOptions,
    change_summary,
    ordered_changes,
    safe_href,
    url_digest,
)
from watcher.report.html import change_html
from watcher.times import iso
from watcher.untrusted import isolated, without_controls

ATOM_NS = "http://www.w3.org/2005/Atom"
# XML 1.0 cannot carry these at all; page text may contain them, and lxml refuses them rather than escaping.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Text with control characters as visible stand-ins (a feed may be printed) and what XML 1.0 forbids removed."""
    return _XML_INVALID.sub("", without_controls("" if text is None else str(text)))


def feed_id(title: str) -> str:
    """A feed id that stays the same for the same report title, so readers keep their state."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "watcher-report:" + title).urn


def entry_id(change: Change) -> str:
    """A stable id per version change; the content hash keeps a re-created store from reusing ids."""
    new = change.entry.new
    suffix = f"/{new.content_hash[:16]}" if new.content_hash else ""
    return f"tag:watcher,2026:{url_digest(change.url)}/{new.number}{suffix}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _entry(feed: etree._Element, change: Change) -> None:
    new = change.entry.new
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id(change))
    # A plain-text title has no <bdi>: each part of page text is isolated on its own instead.
    _sub(entry, "title", f"{isolated(change.headline)} — {isolated(change_summary(change))}", type="text")
    _sub(entry, "updated", iso(new.captured_at))
    _sub(entry, "published", iso(new.captured_at))
    href = safe_href(change.url)
    if href is not None:
        _sub(entry, "link", rel="alternate", type="text/html", href=href)
    for flag in change.flags:
        _sub(entry, "category", term=flag)
    _sub(entry, "content", change_html(change, heading="h3"), type="html")


def render_atom(groups: Sequence[ArticleGroup], options: ReportOptions) -> str:
    """The whole report as an Atom 1.0 feed document (times in UTC: its readers show them in their own zone)."""
    title, window = options.title, options.window
    changes = ordered_changes(groups)
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", feed_id(title))
    _sub(feed, "title", title, type="text")
    if window:
        _sub(feed, "subtitle", window, type="text")
    # A feed's updated is the newest entry's time, so polling an unchanged report does not look new.
    newest = max((c.entry.new.captured_at for c in changes), default=options.generated_at)
    _sub(feed, "updated", iso(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "watcher")
    _sub(feed, "generator", "watcher")
    for change in changes:
        _entry(feed, change)
    body = etree.tostring(feed, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body
