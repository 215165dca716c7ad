"""Followed feeds and the links each has listed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from tinydb.table import Document

from watcher.errors import UnknownArticle
from watcher.models import Feed
from watcher.store.docs import feed_from_doc, feed_to_doc, url_key
from watcher.store.tiny.folder import DataFolder, find_spelled
from watcher.urls import normalize_url


class FeedRecords(DataFolder):
    """Store methods for feeds: follow, poll state, seen links."""

    # ----- feeds --------------------------------------------------------------------------

    def add_feed(
        self, url: str, *, every: int = 600, tags: Iterable[str] = (), now: datetime | None = None
    ) -> tuple[Feed, bool]:
        """Follow a feed or sitemap; an existing one is returned unchanged with created False."""
        normal = normalize_url(url)
        now = now or datetime.now(UTC)
        with self.transaction():
            table = self._feeds()
            doc = table.find_url(normal)
            if doc is not None:
                return feed_from_doc(doc), False
            feed = Feed(url=normal, added_at=now, every=every, tags=list(dict.fromkeys(tags)), next_poll=now)
            table.insert(feed_to_doc(feed))
            return feed, True

    def _need_feed(self, url: str) -> Document:
        doc = find_spelled(self._feeds(), url)
        if doc is None:
            raise UnknownArticle(f"not following the feed {url}")
        return doc

    def _seen_path(self, feed_url: str) -> Path:
        return self.root / "feeds" / f"{url_key(feed_url)}.json"

    def remove_feed(self, url: str) -> Feed:
        """Stop following a feed (the articles it added stay watched)."""
        with self.transaction():
            doc = self._need_feed(url)
            self._feeds().remove(doc_ids=[doc.doc_id])
            self._after.append(lambda: self._seen_path(doc["url"]).unlink(missing_ok=True))
        return feed_from_doc(doc)

    def list_feeds(self) -> list[Feed]:
        """Every followed feed."""
        return [feed_from_doc(doc) for doc in self._feeds().all() if isinstance(doc.get("url"), str)]

    def update_feed(self, feed: Feed) -> Feed:
        """Save a feed's poll state."""
        with self.transaction():
            doc = self._need_feed(feed.url)
            new = {**feed_to_doc(feed), "url": doc["url"]}
            self._feeds().update(new, doc_ids=[doc.doc_id])
            return feed_from_doc(new)

    def seen_feed_links(self, feed_url: str) -> set[str]:
        """Links a feed has listed before."""
        path = self._seen_path(self._need_feed(feed_url)["url"])
        if not path.exists():
            return set()
        doc = self._table(path, "seen").get(doc_id=1)
        return set(doc["links"]) if doc else set()

    def mark_feed_links(self, feed_url: str, links: Iterable[str]) -> None:
        """Remember links as seen, so they are not added again."""
        with self.transaction():
            path = self._seen_path(self._need_feed(feed_url)["url"])
            table = self._table(path, "seen")
            doc = table.get(doc_id=1)
            known = list(doc["links"]) if doc else []
            known_set = set(known)
            fresh = [link for link in dict.fromkeys(links) if link not in known_set]
            if fresh:
                table.upsert(Document({"links": known + fresh}, doc_id=1))
