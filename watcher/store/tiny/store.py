"""TinyStore, the embedded (TinyDB) backend of the Store protocol: articles, versions, check log, feeds.

Layout of a data folder, and why:

    watcher.json          TinyDB checkpoint of the watch list: tables articles, feeds, meta (schema 2,
    watcher.journal       generation). A write appends its changes to the journal (JSON lines) and
                          the checkpoint is rewritten only when the journal has grown to half its size,
                          so a check costs the same at 100 or 100,000 articles (see store.journal).
    watcher.json.bak,     the checkpoint and journal before the last compaction: restoring the checkpoint
    watcher.journal.bak   from its backup replays both journals, so it loses nothing.
    watcher.json.larger.bak  a backup that listed more articles than the list rotated over it (kept, said).
    articles/ab/<key>/    one folder per article (key = sha256 of its URL, 24 hex digits):
        v00000.json       TinyDB chunk, table "versions", versions 1..100 keyed by number (doc id);
        v00001.json       101..200, ... Saving a version rewrites only the last chunk, so its
                          cost stays flat however long the history grows.
        checks.json       TinyDB, table "checks": one document holding the last N checks.
    feeds/<key>.json      TinyDB, table "seen": the links a feed has listed so far.
    blobs/ab/cdef...gz    content-addressed gzip blobs: raw HTML, body+captions, long edit lists.
    watcher.lock          flock held by whoever is writing (one transaction at a time);
    watcher.queue.lock    held shared by writers waiting for it, so they take turns.
    run.lock              flock held by a `watcher run`, containing its pid.

A check that finds no change appends one journal line (counters, schedule) and rewrites the
article's checks.json (log capped at N entries); nothing else grows. Every write is a transaction:
take the writer lock, catch up with the files under it, mutate, write each changed file atomically
(temp + fsync + rename; the journal by one append), release. The version chunk is committed before
the journal, so a crash in between leaves a complete version the article's counter has not caught
up with; the next save skips past it. A folder written before the journal (schema 1) is upgraded on
first open, its old watcher.json kept as watcher.json.schema1.bak.

Under the lock a transaction always re-parses the chunk and log files it touches rather than trusting a
(inode, mtime, size) stat key: after inode reuse within one clock tick the key can repeat, and
a writer building on a stale copy would lose another process's write. Readers take no lock and
use the stat key to skip re-parsing unchanged files; the rename means they never see half a file.
Blobs are written inside the transaction (so a concurrent prune cannot delete one about to be
referenced); blobs of an aborted transaction or a removed article stay until `prune_raw` sweeps
unreferenced ones. A transaction belongs to the thread that opened it; other threads read the
committed files meanwhile and wait for the lock to write.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from tinydb.table import Document

from watcher.models import CheckRecord, WatchedArticle
from watcher.store.backend import Backend
from watcher.store.docs import (
    UnreadableDoc,
    article_from_doc,
    article_to_doc,
    check_record,
    sound_fields,
    ts,
    url_key,
)
from watcher.store.tiny.feeds import FeedRecords
from watcher.store.tiny.folder import DataFolder
from watcher.store.tiny.outbox import OutboxRecords
from watcher.store.tiny.versions import VersionRecords

log = logging.getLogger("watcher.store")


def readable(docs: Iterable[Document]) -> Iterator[WatchedArticle]:
    """The articles of watch list documents; one that cannot be an article (no URL) is reported and passed over."""
    for doc in docs:
        try:
            yield article_from_doc(doc)
        except UnreadableDoc as err:
            log.warning(f"watcher: watch list entry {doc.doc_id}: {err}; passed over (`watcher doctor` reports it)")


class TinyStore(VersionRecords, FeedRecords, OutboxRecords, DataFolder, Backend):
    """The embedded backend of the Store protocol: TinyDB files in a data folder, safe across processes."""

    @property
    def location(self) -> str:
        return str(self.root)

    @property
    def shared_url(self) -> str | None:
        return None  # a data folder is one machine's: `watcher worker` needs a database server

    def examine(self, *, repair: bool = False, extract: Any = None) -> list[Any]:
        from watcher.store.tiny.doctor import examine

        return examine(self, repair=repair, extract=extract)

    # ----- articles -----------------------------------------------------------------------

    def _article_for_write(self, url: str) -> Document:
        return self._sound(self._need(url))  # under the transaction's writer lock

    @staticmethod
    def _sound(doc: Document) -> Document:
        """The document without the fields it holds of the wrong type: a write computes from their defaults."""
        bad = sound_fields(doc)
        return Document({k: v for k, v in doc.items() if k not in bad}, doc_id=doc.doc_id) if bad else doc

    def _insert_article(self, article: WatchedArticle) -> Document | None:
        table = self._articles()
        doc = table.find_url(article.url)  # already normalized: _find would normalize it again
        if doc is None:
            key = url_key(article.url)
            kept = self._versions_left(article.url, key)
            if not kept:
                shutil.rmtree(self._dir(key), ignore_errors=True)  # an empty folder a crashed write left
            table.insert({**article_to_doc(article), "key": key, "last_version_at": None, **kept})
        return doc

    def _versions_left(self, url: str, key: str) -> dict[str, Any]:
        """The counter fields for versions already in a new article's folder (a watch list moved aside or lost,
        then the article added again): they are its history, kept rather than deleted."""
        folder = self._dir(key)
        docs = (
            [d for c in sorted(folder.glob("v*.json")) for d in self._table(c, "versions").all()]
            if folder.is_dir()
            else []
        )
        numbered = [d for d in docs if isinstance(d.get("n"), int)]
        if not numbered:
            return {}
        newest = max(numbered, key=lambda d: d["n"])
        log.warning(f"watcher: {url}: kept the {len(numbered)} version(s) already in its folder {folder}")
        return {"versions": newest["n"], "last_version_at": newest.get("at"), "headline": newest.get("headline") or ""}

    def _change_article(self, doc: Document, changes: dict[str, Any]) -> Document:
        self._articles().update(changes, doc_ids=[doc.doc_id])
        return Document({**doc, **changes}, doc_id=doc.doc_id)

    def remove_article(self, url: str) -> WatchedArticle:
        """Stop watching a URL and delete its versions (blobs go at the next prune)."""
        with self.transaction():
            doc = self._need(url)
            self._articles().remove(doc_ids=[doc.doc_id])
            self._after.append(lambda: shutil.rmtree(self._dir(doc["key"]), ignore_errors=True))
        return article_from_doc(doc)

    def get_article(self, url: str) -> WatchedArticle:
        """The watched article for a URL; UnknownArticle if it is not watched."""
        return article_from_doc(self._need(url))

    def list_articles(self) -> list[WatchedArticle]:
        """Every watched article, in the order they were added."""
        return list(readable(self._articles().all()))

    def articles_due(self, now: datetime) -> list[WatchedArticle]:
        """Due articles, chosen on the stored documents' fields; only those are made into articles."""
        # Stored times are ISO UTC ("2026-05-01T10:00:00[.ffffff]Z"): to the second they compare as text.
        cutoff = (ts(now) or "")[:19]

        def due(doc: Mapping[str, Any]) -> bool:
            if doc.get("stopped") or doc.get("paused"):
                return False
            next_check = doc.get("next_check")
            if next_check is not None and not (isinstance(next_check, str) and next_check[:1].isdigit()):
                return True  # unreadable: due now, and the check's schedule writes a sound one
            return (next_check is None and doc.get("last_checked") is None) or (
                next_check is not None and next_check[:19] <= cutoff
            )

        # Judged on the stored documents, copied only when due: the run loop asks after every check.
        return list(readable(self._articles().matching(due)))

    def iter_articles(self) -> Iterator[WatchedArticle]:
        """Every watched article in the order added, made one at a time (a listing starts at once)."""
        yield from readable(self._articles())

    def article_keys(self) -> dict[str, str]:
        """Every watched URL in the order added, with its key (the name of its folder), without making the articles."""
        if self._depth:
            return {doc["url"]: doc["key"] for doc in self._articles() if isinstance(doc.get("url"), str)}
        self._upgrade_once()
        return self._hot.column("articles", "key")

    def learned_modes(self) -> dict[str, str]:
        if self._depth:
            return {
                doc["url"]: doc["learned_mode"]
                for doc in self._articles()
                if doc.get("learned_mode") and isinstance(doc.get("url"), str)
            }
        self._upgrade_once()
        return {url: mode for url, mode in self._hot.column("articles", "learned_mode").items() if mode}

    # ----- checks -------------------------------------------------------------------------

    def _append_check(self, doc: Document, entry: dict[str, Any]) -> None:
        checks = self._table(self._dir(doc["key"]) / "checks.json", "checks")
        current = checks.get(doc_id=1)
        entries = (list(current["log"]) if current else []) + [entry]
        checks.upsert(Document({"log": entries[-self.check_log_size :]}, doc_id=1))

    def recent_checks(self, url: str) -> list[CheckRecord]:
        """The article's last checks, oldest first."""
        doc = self._need(url)
        path = self._dir(doc["key"]) / "checks.json"
        current = self._table(path, "checks").get(doc_id=1) if path.exists() else None
        entries: list[dict[str, Any]] = list(current["log"]) if current else []
        return [check_record(entry) for entry in entries]
