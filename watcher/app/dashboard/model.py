"""What the dashboard shows, read from the store: article rows, the edits list, filters and counts.

Pure over the store's read methods (list_articles, list_versions, list_feeds, recent_checks), so it works
the same over the embedded store while another `watcher run` writes, and over any other store backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from watcher.app.narrowing import Narrowing, folded
from watcher.errors import WatcherError
from watcher.labels import NEVER_CHECKED
from watcher.models import Edit, Version, WatchedArticle, shown_edits, top_class
from watcher.times import ago
from watcher.urls import host_of

if TYPE_CHECKING:
    from watcher.store import Store

EDITS_PER_ARTICLE = 10  # newest versions of each article kept for the edits list
EDITS_LENGTH = 200  # entries the edits list holds, newest first

CLASS_FILTERS = ("all", "substantive", "moves", "typos")
FLAG_FILTERS = ("any", "stealth", "correction", "revert", "removed", "A/B")


def is_paused(article: WatchedArticle) -> bool:
    """Paused by the user (`watcher pause`, or `p` here)."""
    return article.paused


def next_label(article: WatchedArticle, now: datetime) -> str:
    """When the article is checked next, as the table shows it."""
    if is_paused(article):
        return "paused"
    if article.stopped:
        return "stopped"
    if article.next_check is None or article.next_check <= now:
        return "due"
    return ago(article.next_check, now)


def status_label(article: WatchedArticle) -> str:
    if is_paused(article):
        return "paused"
    return article.last_status or NEVER_CHECKED


@dataclass
class EditEntry:
    """One version change of one article, as a line of the edits list."""

    article: WatchedArticle
    version: Version

    @property
    def url(self) -> str:
        return self.version.url

    @property
    def headline(self) -> str:
        return self.version.article.headline or self.article.headline or self.url

    @property
    def top_class(self) -> str | None:
        return top_class(self.version.edits)

    @property
    def marks(self) -> list[str]:
        """The version's event first (removed, redirected, …), then its flags."""
        out = [self.version.event] if self.version.event else []
        return out + [f for f in self.version.flags if f not in out]

    def first_edit(self) -> Edit | None:
        """The edit a one-line snippet shows: the first that is not cosmetic, else the first."""
        shown = shown_edits(self.version.edits) or self.version.edits
        return shown[0] if shown else None


@dataclass
class Filters(Narrowing):
    """What the user narrowed the views to: the search, tag and host the web view has too, and the dashboard's
    own groups of classes and flags ("all" and "any": no narrowing)."""

    cls: str = "all"
    flag: str = "any"

    def entry_ok(self, entry: EditEntry) -> bool:
        if not self.article_ok(entry.article) and not self._search_hits_version(entry):
            return False
        return self.marks_ok(entry)

    @property
    def narrows_marks(self) -> bool:
        """Whether the class or flag filter is set: the articles table then shows only articles with such a change."""
        return self.cls != "all" or self.flag != "any"

    def marks_ok(self, entry: EditEntry) -> bool:
        """The class and flag filters alone: whether this change is of the kind asked for."""
        edits = entry.version.edits
        if self.cls == "substantive" and entry.top_class != "substantive":
            return False
        if self.cls == "moves" and not any(e.op == "move" or e.cls == "moved" for e in edits):
            return False
        if self.cls == "typos" and not any(e.cls == "typo" for e in edits):
            return False
        return self._flag_ok(entry)

    def _search_hits_version(self, entry: EditEntry) -> bool:
        # A headline rewritten since: the edits list's line shows the old headline, so the search should find it.
        needle = self.needle
        return bool(needle) and self.place_ok(entry.article) and needle in folded(entry.version.article.headline)

    def _flag_ok(self, entry: EditEntry) -> bool:
        marks = entry.marks
        if self.flag == "stealth":
            return "stealth" in marks
        if self.flag == "correction":
            return "correction_notice" in marks
        if self.flag == "revert":
            return "revert" in marks
        if self.flag == "removed":
            return "removed" in marks or "redirected" in marks
        if self.flag == "A/B":
            return "ab_test" in marks or len(entry.article.headline_variants) > 1
        return True

    def describe(self) -> str:
        parts = [f"class {self.cls}", f"flag {self.flag}", f"tag {self.tag or 'any'}", f"host {self.host or 'any'}"]
        return "  ".join(parts)


def cycle(value: str, choices: Sequence[str]) -> str:
    """The choice after `value`, wrapping round; the first when `value` is not among them."""
    options = list(choices)
    if not options:
        return value
    if value not in options:
        return options[0]
    return options[(options.index(value) + 1) % len(options)]


@dataclass
class StoreView:
    """Everything the main screen shows at one moment."""

    articles: list[WatchedArticle] = field(default_factory=list)
    edits: list[EditEntry] = field(default_factory=list)
    last_class: dict[str, str] = field(default_factory=dict)  # url -> class of its latest change
    tags: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    due: int = 0
    failing_feeds: list[str] = field(default_factory=list)


class StoreReader:
    """Reads the store for the dashboard, re-reading an article's versions only when its count moved."""

    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock
        self._versions: dict[str, tuple[int, list[Version]]] = {}

    def read(self) -> StoreView:
        now = self.clock()
        articles = sorted(self.store.list_articles(), key=lambda a: (a.added_at, a.url))
        view = StoreView(articles=articles)
        live = set()
        for article in articles:
            live.add(article.url)
            versions = self._recent_versions(article)
            changes = [v for v in versions if v.number >= 2 or v.event]
            if changes:
                latest = changes[-1]
                top = EditEntry(article, latest).top_class
                view.last_class[article.url] = latest.event or top or "no visible edits"
            view.edits.extend(EditEntry(article, v) for v in changes)
            if not article.stopped and not is_paused(article):
                if article.next_check is None or article.next_check <= now:
                    view.due += 1
        for url in list(self._versions):
            if url not in live:
                del self._versions[url]
        view.edits.sort(key=lambda e: (e.version.captured_at, e.url, e.version.number), reverse=True)
        del view.edits[EDITS_LENGTH:]
        view.tags = sorted({t for a in articles for t in a.tags})
        view.hosts = sorted({host_of(a.url) for a in articles})
        view.failing_feeds = sorted(f.url for f in self.store.list_feeds() if f.last_status == "error")
        return view

    def _recent_versions(self, article: WatchedArticle) -> list[Version]:
        cached = self._versions.get(article.url)
        if cached is not None and cached[0] == article.versions:
            return cached[1]
        try:
            versions = self.store.list_versions(article.url, last=EDITS_PER_ARTICLE)
        except WatcherError:  # removed by another process between the two reads
            versions = []
        self._versions[article.url] = (article.versions, versions)
        return versions
