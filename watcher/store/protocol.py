"""The store contract: what every backend offers the monitor, the CLI and the reports.

Callers name only `Store` (this protocol) and get an instance from `watcher.store.open_store`.
Behaviour every backend must show is pinned by tests/contract/test_store_contract.py; see
docs/architecture.md ("Store contract") for the prose.

Conventions shared by all methods:
- URLs are normalized by the store (watcher.urls.normalize_url); any spelling that normalizes to a
  watched URL finds it. An unwatched URL or a missing version raises UnknownArticle naming it.
- Data moves as the dataclasses of watcher.models; timestamps are timezone-aware UTC.
- Every write is atomic: it happens completely or not at all, also across processes and crashes.
  Writes of one thread can be grouped with `transaction()`; other threads and processes see the
  group only once it has committed. A busy store makes a writer wait (StoreLocked after a bound).
- Failures are one-line StoreError subclasses (StoreLocked, StoreCorrupt), never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from watcher.models import (
    Article,
    CheckRecord,
    CheckResult,
    Feed,
    Screenshot,
    ServedPage,
    Version,
    VersionDiff,
    WatchedArticle,
)

__all__ = ["CheckRecord", "Store", "WorkerStore"]


@runtime_checkable
class Store(Protocol):
    """Watched articles, every version of them, a bounded check log per article, and followed feeds."""

    @property
    def location(self) -> str:
        """Where the store lives (a folder or a URL without its password), for messages."""
        ...

    # ----- what this backend can do beyond the common methods ------------------------------

    @property
    def shared_url(self) -> str | None:
        """The connection URL through which `watcher worker` processes share this store (which is then a
        WorkerStore); None for a store that only one machine's processes open."""
        ...

    def examine(self, *, repair: bool = False, extract: Any = None) -> list[Any]:
        """`watcher doctor`: every piece of damage in the store's own files, repaired where possible when
        `repair` is set (findings as tiny/doctor.py's Finding); BadInput for a backend whose server checks its own."""
        ...

    # ----- articles -----------------------------------------------------------------------

    def add_article(
        self,
        url: str,
        *,
        tags: Iterable[str] = (),
        every: int | None = None,
        now: datetime | None = None,
        feed: str | None = None,
    ) -> tuple[WatchedArticle, bool]:
        """Start watching a URL, due at once; returns (article, created). An existing article gains
        the new tags and interval and is returned with created False. Bad URLs raise BadInput."""
        ...

    def remove_article(self, url: str) -> WatchedArticle:
        """Stop watching a URL and delete its versions and check log; re-adding starts afresh."""
        ...

    def get_article(self, url: str) -> WatchedArticle:
        """The watched article for a URL."""
        ...

    def list_articles(self) -> list[WatchedArticle]:
        """Every watched article, in the order they were added."""
        ...

    def iter_articles(self) -> Iterator[WatchedArticle]:
        """Every watched article in the order added, made one at a time (a long listing starts at once)."""
        ...

    def article_keys(self) -> dict[str, str]:
        """Every watched URL, in the order added, with its stable key (watcher.store.docs.url_key); cheaper
        than loading the articles."""
        ...

    def learned_modes(self) -> dict[str, str]:
        """{url: learned_mode} of the articles whose checks learned one, without loading the articles."""
        ...

    def articles_due(self, now: datetime) -> list[WatchedArticle]:
        """Articles due for a check at `now` (never checked, or next_check reached; not stopped or paused),
        found without making every watched article (the run loop asks on every tick)."""
        ...

    def update_article(self, article: WatchedArticle) -> WatchedArticle:
        """Save schedule state and settings. The store's own counters (versions, checks_total) are
        kept, and last_checked / last_changed never move back in time (a caller may hold a stale copy)."""
        ...

    # ----- the check log ------------------------------------------------------------------

    def record_check(self, result: CheckResult) -> WatchedArticle:
        """Count one check on its article (checks_total, last_status, consecutive_errors) and append
        it to the article's check log, which keeps only the newest N entries (N set when opened);
        error text is capped at 500 characters."""
        ...

    def recent_checks(self, url: str) -> list[CheckRecord]:
        """The article's logged checks, oldest first."""
        ...

    # ----- versions -----------------------------------------------------------------------

    def save_version(
        self,
        url: str,
        article: Article,
        *,
        html: str | None,
        diff: VersionDiff | None,
        captured_at: datetime,
        event: str | None = None,
        final_url: str | None = None,
        served: ServedPage | None = None,
        screenshot: Screenshot | None = None,
        source: str | None = None,
    ) -> Version:
        """Store a new version, numbered 1, 2, ... per article, with its raw HTML (if given) and the
        edits from the previous one; updates the article's headline, summary and counters. final_url is where
        the page led when a redirect took it elsewhere (recorded on the version); served is the main document
        as the server sent it (status line, headers, body bytes), kept like the raw HTML for WARC export;
        screenshot is the page as rendered (its image in `data`), kept like the raw HTML and pruned with it.
        source is where the page came from ("http": raw HTML, "browser": a render).
        If the newest version already holds this text (and event), it is returned and nothing is written:
        two checks that saw the same edit at once store it once."""
        ...

    def latest_version(self, url: str) -> Version | None:
        """The newest version, or None before the first."""
        ...

    def get_version(self, url: str, number: int) -> Version:
        """One version by number."""
        ...

    def list_versions(self, url: str, *, full: bool = True, last: int | None = None) -> list[Version]:
        """Versions oldest first; `last` keeps the newest N; full=False may leave body, captions and
        long edit lists empty (for listings that show counts only)."""
        ...

    def versions_since(
        self, since: datetime | None, until: datetime | None = None, *, full: bool = True
    ) -> list[Version]:
        """Versions of every article captured in [since, until], ordered by capture time, URL, number."""
        ...

    def replace_versions(self, url: str, versions: list[Version]) -> list[Version]:
        """Rewrite an article's whole history (re-extraction), renumbered 1.. in the given order; raw
        HTML is kept by its hash. Returns the versions as stored."""
        ...

    def record_copy(self, url: str, number: int, record: dict[str, Any]) -> Version:
        """Record a third-party copy of a version (watcher/copies.py), replacing an earlier record from the same
        service; the version as it now is (without its text). UnknownArticle for a version not stored."""
        ...

    def get_served(self, version: Version) -> ServedPage | None:
        """The page as the server sent it for a version, or None if it was pruned or never kept."""
        ...

    def get_html(self, version: Version) -> str | None:
        """The raw HTML a version was extracted from, or None if it was pruned or never kept."""
        ...

    def get_screenshot(self, version: Version) -> bytes | None:
        """The image of a version's screenshot (Version.screenshot says what it is), or None if it was
        pruned or never taken."""
        ...

    # ----- feeds --------------------------------------------------------------------------

    def add_feed(
        self, url: str, *, every: int = 600, tags: Iterable[str] = (), now: datetime | None = None
    ) -> tuple[Feed, bool]:
        """Follow a feed or sitemap, due at once; an existing one is returned unchanged, created False."""
        ...

    def remove_feed(self, url: str) -> Feed:
        """Stop following a feed; the articles it added stay watched."""
        ...

    def list_feeds(self) -> list[Feed]:
        """Every followed feed, in the order they were added."""
        ...

    def update_feed(self, feed: Feed) -> Feed:
        """Save a feed's poll state."""
        ...

    def seen_feed_links(self, feed_url: str) -> set[str]:
        """Links the feed has listed before (UnknownArticle for a feed not followed)."""
        ...

    def mark_feed_links(self, feed_url: str, links: Iterable[str]) -> None:
        """Remember links as seen so they are not added again."""
        ...

    # ----- the notifications outbox ---------------------------------------------------------

    def outbox_put(self, entries: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None) -> list[int]:
        """Keep (target key, webhook body) notifications until they are delivered; their ids, in order."""
        ...

    def outbox_pending(self) -> list[dict[str, Any]]:
        """Notifications not delivered yet that are this process's to send, oldest first, each with its
        "id", "target", "body", "attempts" and "last_error" (a shared store hands each to one process)."""
        ...

    def outbox_done(self, entry_id: int) -> None:
        """Delivered, or given up on: never sent again."""
        ...

    def outbox_failed(self, entry_id: int, error: str) -> int:
        """Count a failed delivery run; the attempts so far."""
        ...

    # ----- transactions, locks, retention -------------------------------------------------

    def transaction(self) -> AbstractContextManager[object]:
        """Group this thread's writes into one atomic unit; nests (the outermost one commits). An
        exception inside rolls every write of the group back."""
        ...

    def run_lock(self) -> AbstractContextManager[object]:
        """Held by `watcher run` for its lifetime: a second holder gets StoreLocked naming the first."""
        ...

    def prune_raw(self, older_than: datetime) -> int:
        """Drop raw HTML (and the served page and screenshot kept with it) of versions captured before
        `older_than` (versions stay); returns how many."""
        ...


@runtime_checkable
class WorkerStore(Store, Protocol):
    """A store that any number of `watcher worker` processes share (PostgresStore): beyond the Store protocol,
    the due lists a sweep hands out, a per-host politeness slot common to every process, and locks that
    the server drops with a process that dies."""

    def due_articles(self, until: datetime) -> list[tuple[str, datetime | None]]:
        """(url, next_check) of articles due by `until` and not stopped or paused, soonest first."""
        ...

    def due_feeds(self, until: datetime) -> list[tuple[str, datetime | None]]:
        """(url, next_poll) of feeds due by `until`."""
        ...

    def reserve_host(self, host: str, gap: float) -> float:
        """Reserve the host's next load slot, `gap` seconds after the previous one (across every
        process using this store); returns how many seconds to wait for it."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether a table is visible on the store's search path."""
        ...

    def try_advisory_lock(self, key: int) -> bool:
        """Take a session-level advisory lock without waiting (released by advisory_unlock or on disconnect)."""
        ...

    def advisory_unlock(self, key: int) -> None: ...

    def advisory_lock(self, key: int) -> AbstractContextManager[None]:
        """Wait for an advisory lock and hold it for the block."""
        ...

    def checking(self, url: str) -> AbstractContextManager[bool]:
        """Hold the article's check lock for the block if no other process holds it; yields whether it
        was had. It is released when the holder dies (a killed worker)."""
        ...
