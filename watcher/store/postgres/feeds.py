"""PostgresStore's followed feeds and the links each has listed (tables feeds and feed_links). A mixin of
PostgresStore (watcher/store/postgres/store.py), which owns the connections."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from watcher.errors import UnknownArticle
from watcher.models import Feed
from watcher.store.docs import feed_from_doc, feed_to_doc
from watcher.store.postgres.schema import jsonb
from watcher.urls import normalize_url


class PostgresFeeds:
    """The Store protocol's feed methods on PostgreSQL; the connection handling is PostgresStore's."""

    if TYPE_CHECKING:

        def _cursor(self) -> AbstractContextManager[Any]: ...

    def _feed_row(self, cur: Any, url: str, *, lock: bool = False) -> tuple[int, dict[str, Any]]:
        for candidate in dict.fromkeys([url, _normal_or_same(url)]):
            cur.execute("SELECT id, doc FROM feeds WHERE url = %s" + (" FOR UPDATE" if lock else ""), (candidate,))
            row = cur.fetchone()
            if row is not None:
                return row[0], row[1]
        raise UnknownArticle(f"not following the feed {url}")

    def add_feed(
        self, url: str, *, every: int = 600, tags: Iterable[str] = (), now: datetime | None = None
    ) -> tuple[Feed, bool]:
        normal = normalize_url(url)
        now = now or datetime.now(UTC)
        feed = Feed(url=normal, added_at=now, every=every, tags=list(dict.fromkeys(tags)), next_poll=now)
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO feeds (url, doc) VALUES (%s, %s) ON CONFLICT (url) DO NOTHING RETURNING id",
                (normal, jsonb(feed_to_doc(feed))),
            )
            if cur.fetchone() is not None:
                return feed, True
            return feed_from_doc(self._feed_row(cur, normal)[1]), False

    def remove_feed(self, url: str) -> Feed:
        with self._cursor() as cur:
            feed_id, doc = self._feed_row(cur, url, lock=True)
            cur.execute("DELETE FROM feeds WHERE id = %s", (feed_id,))
            return feed_from_doc(doc)

    def list_feeds(self) -> list[Feed]:
        with self._cursor() as cur:
            cur.execute("SELECT doc FROM feeds ORDER BY id")
            return [feed_from_doc(r[0]) for r in cur.fetchall()]

    def update_feed(self, feed: Feed) -> Feed:
        with self._cursor() as cur:
            feed_id, doc = self._feed_row(cur, feed.url, lock=True)
            new = {**feed_to_doc(feed), "url": doc["url"]}
            cur.execute("UPDATE feeds SET doc = %s WHERE id = %s", (jsonb(new), feed_id))
            return feed_from_doc(new)

    def seen_feed_links(self, feed_url: str) -> set[str]:
        with self._cursor() as cur:
            feed_id, _ = self._feed_row(cur, feed_url)
            cur.execute("SELECT link FROM feed_links WHERE feed_id = %s", (feed_id,))
            return {r[0] for r in cur.fetchall()}

    def mark_feed_links(self, feed_url: str, links: Iterable[str]) -> None:
        with self._cursor() as cur:
            feed_id, _ = self._feed_row(cur, feed_url)
            fresh = list(dict.fromkeys(links))
            if fresh:
                cur.executemany(
                    "INSERT INTO feed_links (feed_id, link) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    [(feed_id, link) for link in fresh],
                )


def _normal_or_same(url: str) -> str:
    try:
        return normalize_url(url)
    except Exception:  # a spelling that cannot be normalized can only match as it is
        return url
