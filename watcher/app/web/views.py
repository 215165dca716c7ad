"""The web view's reading of the store: the article index (filtered, sorted, paged), edits in a window, the diff between two versions.

Everything here goes through the Store protocol's read methods, which take no write lock, so the view runs
beside a `watcher run` writing the same embedded store, or against PostgreSQL from another machine.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from watcher.app.narrowing import Narrowing, searched_text
from watcher.errors import BadInput, UnknownArticle
from watcher.labels import NEVER_CHECKED
from watcher.models import CLASSES, EVENTS, FLAGS, Version, VersionDiff, WatchedArticle
from watcher.render.tables import watch_status
from watcher.urls import host_of

if TYPE_CHECKING:
    from watcher.report.entries import Change
    from watcher.store import Store

# An article's id in every address is its store key (Store.article_keys): 24 hex digits, nothing else;
# a unique start of one (the ids `watcher list` shows) names it too.
ARTICLE_ID = re.compile(r"^[0-9a-f]{4,24}$")
KEY_LENGTH = 24
PAGE_SIZE = 50
STATUS_CHOICES = (
    NEVER_CHECKED,
    "paused",
    "stopped",
    "new",
    "unchanged",
    "changed",
    "error",
    "revert",
    "removed",
    "redirected",
)
CLASS_CHOICES = CLASSES
FLAG_CHOICES = tuple(dict.fromkeys((*FLAGS, *EVENTS)))


def _time_key(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


# Each sort puts what a reader wants first on top; ties keep the order added.
SORTS: dict[str, Callable[[WatchedArticle], object]] = {
    "changed": lambda a: -_time_key(a.last_changed),
    "checked": lambda a: -_time_key(a.last_checked),
    "added": lambda a: _time_key(a.added_at),
    "headline": lambda a: (a.headline or a.url).casefold(),
    "host": lambda a: host_of(a.url),
    "versions": lambda a: -a.versions,
    "status": lambda a: watch_status(a),
}


@dataclass
class IndexRead:
    """The watch list as read at one moment, with each article's id, and what filters compare made once
    (host, status, the text a search looks in), so a filtered page of 100,000 articles is list passes only."""

    articles: list[WatchedArticle]
    keys: dict[str, str]  # url -> id
    read_at: float
    urls: dict[str, str] = field(default_factory=dict)  # id -> url
    tags: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    _host: list[str] = field(default_factory=list)
    _status: list[str] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)
    _sorted: dict[str, list[int]] = field(default_factory=dict)
    _selected: dict[tuple, list[WatchedArticle]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.urls = {key: url for url, key in self.keys.items()}
        self.tags = sorted({t for a in self.articles for t in a.tags})
        self._host = [host_of(a.url) for a in self.articles]
        self.hosts = sorted(set(self._host))
        self._status = [watch_status(a) for a in self.articles]
        self._text = [searched_text(a) for a in self.articles]

    def order(self, sort: str) -> list[int]:
        """Positions of the articles in one of SORTS' orders, sorted once per read (readers share it)."""
        if sort not in self._sorted:
            key = SORTS[sort]
            articles = self.articles
            self._sorted[sort] = sorted(range(len(articles)), key=lambda i: key(articles[i]))  # type: ignore[arg-type,return-value]
        return self._sorted[sort]

    def select(self, query: Query, marks: ChangeMarks) -> list[WatchedArticle]:
        """The articles a query's filters keep, in its order (kept for the read's life: paging re-filters nothing)."""
        key = (query.search, query.tag, query.host, query.status, query.cls, query.flag, query.sort)
        found = self._selected.get(key)
        if found is not None:
            return found
        chosen = self.order(query.sort)
        articles = self.articles
        if query.tag:
            chosen = [i for i in chosen if query.tag in articles[i].tags]
        if query.host:
            chosen = [i for i in chosen if self._host[i] == query.host]
        if query.status:
            chosen = [i for i in chosen if query.status in (self._status[i], articles[i].last_status)]
        needle = query.needle
        if needle:
            chosen = [i for i in chosen if needle in self._text[i]]
        found = [articles[i] for i in chosen]
        if query.cls or query.flag:
            found = [a for a in found if query.marked(a, marks)]
        if len(self._selected) > 64:
            self._selected.clear()
        self._selected[key] = found
        return found


class ArticleIndex:
    """The watch list, re-read in the background once it is older than `max_age` seconds.

    A page never waits for a re-read of 100,000 articles: it is served from the last read while one
    thread reads the next, so what another process wrote shows on a reload a moment later. A watch list
    that takes long to read is re-read less often (at most a quarter of the time is spent reading it), so
    a busy server is not kept re-reading it; an article's own pages always read the store afresh.
    """

    def __init__(self, store: Store, max_age: float = 1.0):
        self.store = store
        self.max_age = max_age
        self._last: IndexRead | None = None
        self._lock = threading.Lock()
        self._reading = False
        self._cost = 0.0  # seconds the last read took

    def _read(self) -> IndexRead:
        started = time.monotonic()
        # 100,000 articles are some 600,000 objects: frozen out of the cycle search, a page's allocations no
        # longer set off full collections that scan them all (150 ms each). Thawed and collected first, as
        # store/journal.py does, so what died in a cycle since the last read is freed, not kept for good.
        gc.unfreeze()
        gc.collect()
        listing = self._read_now()
        gc.freeze()
        self._cost = time.monotonic() - started
        return listing

    def _read_now(self) -> IndexRead:
        keys = self.store.article_keys()
        articles = list(self.store.iter_articles())
        for a in articles:  # added between the two reads
            if a.url not in keys:
                keys[a.url] = self.store.article_keys().get(a.url, "")
        return IndexRead(articles=articles, keys=keys, read_at=time.monotonic())

    def latest(self) -> IndexRead:
        current = self._last
        if current is None:
            with self._lock:
                if self._last is None:
                    self._last = self._read()
                return self._last
        if time.monotonic() - current.read_at > max(self.max_age, 3 * self._cost):
            with self._lock:
                start = not self._reading
                self._reading = True
            if start:
                threading.Thread(target=self._refresh, name="web-index", daemon=True).start()
        return current

    def _refresh(self) -> None:
        try:
            self._last = self._read()
        except Exception:  # a store hiccup: keep serving the last read, try again on the next page
            pass
        finally:
            self._reading = False

    def fresh(self) -> IndexRead:
        """The watch list read now (after this process wrote to the store)."""
        listing = self._read()
        self._last = listing
        return listing

    def url_of(self, article_id: str) -> str:
        """The URL an id (or a unique start of one) names; UnknownArticle for a malformed id or one not watched
        (read afresh before saying so)."""
        if not ARTICLE_ID.match(article_id):
            raise UnknownArticle("no such article")
        url = self._lookup(self.latest().urls, article_id)
        if url is None:
            url = self._lookup({key: u for u, key in self.store.article_keys().items()}, article_id)
        if url is None:
            raise UnknownArticle("no such article")
        return url

    @staticmethod
    def _lookup(urls: dict[str, str], article_id: str) -> str | None:
        if len(article_id) == KEY_LENGTH:
            return urls.get(article_id)
        found = [url for key, url in urls.items() if key.startswith(article_id)]
        return found[0] if len(found) == 1 else None

    def id_of(self, url: str) -> str:
        key = self.latest().keys.get(url)
        return key or self.store.article_keys().get(url, "")


class ChangeMarks:
    """Per article, the classes and flags (events too) of every edit it has had, cached until its version count moves."""

    def __init__(self, store: Store):
        self.store = store
        self._cache: dict[str, tuple[int, frozenset[str], frozenset[str]]] = {}

    def of(self, article: WatchedArticle) -> tuple[frozenset[str], frozenset[str]]:
        cached = self._cache.get(article.url)
        if cached is not None and cached[0] == article.versions:
            return cached[1], cached[2]
        classes: set[str] = set()
        marks: set[str] = set()
        if article.versions >= 2:
            try:
                versions = self.store.list_versions(article.url, full=False)
            except UnknownArticle:
                versions = []
            for v in versions:
                edits = v.edits
                if not edits and v.number >= 2 and not v.event:  # a long edit list is left out of full=False
                    edits = self.store.get_version(v.url, v.number).edits
                classes.update(e.cls for e in edits)
                marks.update(v.flags)
                if v.event:
                    marks.add(v.event)
        entry = (article.versions, frozenset(classes), frozenset(marks))
        self._cache[article.url] = entry
        return entry[1], entry[2]


@dataclass
class Query(Narrowing):
    """What the reader narrowed the article list to: the search, tag and host the dashboard has too, then a status,
    an exact class and flag, the order and the page (every value checked against its choices)."""

    status: str = ""
    cls: str = ""
    flag: str = ""
    sort: str = "changed"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Query:
        """From a query string; unknown choices are BadInput (so a mistyped filter is not silently ignored)."""
        q = cls(
            search=params.get("q", "").strip()[:200],
            tag=params.get("tag", "").strip(),
            host=params.get("host", "").strip().lower(),
            status=params.get("status", ""),
            cls=params.get("class", ""),
            flag=params.get("flag", ""),
            sort=params.get("sort", "") or "changed",
        )
        for name, value, choices in (
            ("status", q.status, STATUS_CHOICES),
            ("class", q.cls, CLASS_CHOICES),
            ("flag", q.flag, FLAG_CHOICES),
            ("sort", q.sort, tuple(SORTS)),
        ):
            if value and value not in choices:
                raise BadInput(f"{name} must be one of {', '.join(choices)}")
        try:
            q.page = max(1, int(params.get("page", "1") or "1"))
        except ValueError:
            raise BadInput("page must be a number") from None
        return q

    def params(self, **changes: object) -> dict[str, str]:
        """The query string of this query with some values changed (for links: next page, another sort)."""
        values = {
            "q": self.search,
            "tag": self.tag,
            "host": self.host,
            "status": self.status,
            "class": self.cls,
            "flag": self.flag,
            "sort": self.sort if self.sort != "changed" else "",
            "page": str(self.page) if self.page != 1 else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return {k: v for k, v in values.items() if v}

    def marked(self, article: WatchedArticle, marks: ChangeMarks) -> bool:
        """The class and flag filters, which need the article's versions (cached per article)."""
        classes, flags = marks.of(article)
        return (not self.cls or self.cls in classes) and (not self.flag or self.flag in flags)


@dataclass
class Page:
    """One page of the filtered article list."""

    articles: list[WatchedArticle]
    total: int  # matching articles
    watched: int  # all articles
    page: int
    pages: int


def article_page(listing: IndexRead, query: Query, marks: ChangeMarks, size: int = PAGE_SIZE) -> Page:
    """The articles of one page of the filtered, sorted list."""
    matching = listing.select(query, marks)
    pages = max(1, -(-len(matching) // size))
    page = min(query.page, pages)
    start = (page - 1) * size
    return Page(matching[start : start + size], len(matching), len(listing.articles), page, pages)


def recent_changes(
    store: Store,
    since: datetime | None,
    *,
    include_cosmetic: bool,
    urls: Sequence[str] = (),
    tags: Sequence[str] = (),
    host: str = "",
) -> list[Change]:
    """Version changes captured since a moment, newest first, as the reports see them (report.entries)."""
    from watcher.report.collect import report_entries
    from watcher.report.entries import ReportEntry, visible_changes

    if len(urls) == 1 and since is None:
        # One article's whole history: its own versions, not a pass over every article's.
        versions = store.list_versions(urls[0])
        article = store.get_article(urls[0])
        entries = [
            ReportEntry(article=article, old=old, new=new)
            for old, new in zip(versions, versions[1:])
            if new.number == old.number + 1
        ]
    else:
        entries = report_entries(store, urls=list(urls), tags=list(tags), start=since)
    if host:
        entries = [e for e in entries if host_of(e.article.url) == host]
    changes = visible_changes(entries, include_cosmetic)
    return sorted(changes, key=lambda c: (c.entry.new.captured_at, c.url, c.entry.new.number), reverse=True)


@dataclass
class Comparison:
    """Two versions of one article and the edits from the first to the second."""

    url: str
    old: Version
    new: Version
    diff: VersionDiff
    recorded: bool  # the edits the check stored (adjacent versions), not computed here


def compare(store: Store, url: str, old_n: int, new_n: int) -> Comparison:
    """The edits between any two versions. Adjacent versions show the edits their check recorded (what every
    report and feed shows); others are compared afresh from the stored texts. Both depend only on what is
    stored, so a permalink shows the same diff every time it is opened."""
    if old_n == new_n:
        raise BadInput("choose two different versions")
    old = store.get_version(url, old_n)
    new = store.get_version(url, new_n)
    if new_n == old_n + 1 and not new.damage:
        return Comparison(url, old, new, VersionDiff(edits=list(new.edits), flags=list(new.flags)), True)
    from watcher.diff import diff_articles

    return Comparison(url, old, new, diff_articles(old.article, new.article), False)
