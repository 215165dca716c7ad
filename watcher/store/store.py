"""The TinyDB store: watched articles, their versions, a bounded check log, feeds.

Layout of a data folder, and why:

    watcher.json          TinyDB "hot" file: tables articles, feeds, meta. Small per article (no
                          versions, no check log), so rewriting it on every check costs O(articles),
                          not O(history). Every write keeps the previous state as watcher.json.bak.
    articles/ab/<key>/    one folder per article (key = sha256 of its URL, 24 hex digits):
        v00000.json       TinyDB chunk, table "versions", versions 1..100 keyed by number (doc id);
        v00001.json       101..200, ... Saving a version rewrites only the last chunk, so its
                          cost stays flat however long the history grows.
        checks.json       TinyDB, table "checks": one document holding the last N checks.
    feeds/<key>.json      TinyDB, table "seen": the links a feed has listed so far.
    blobs/ab/cdef...gz    content-addressed gzip blobs: raw HTML, body+captions, long edit lists.
    watcher.lock          flock held by whoever is writing (one transaction at a time).
    run.lock              flock held by a `watcher run`, containing its pid.

A check that finds no change rewrites watcher.json (counters) and the article's checks.json (log
capped at N entries); nothing else grows. Every write is a transaction: take the writer lock,
re-read the files under it, mutate, write each changed file atomically (temp + fsync + rename),
release. The version chunk is committed before watcher.json, so a crash in between leaves a
complete version the article's counter has not caught up with; the next save skips past it.

Under the lock a transaction always re-parses the files it touches rather than trusting a
(inode, mtime, size) stat key: after inode reuse within one clock tick the key can repeat, and
a writer building on a stale copy would lose another process's write. Readers take no lock and
use the stat key to skip re-parsing unchanged files; the rename means they never see half a file.
Blobs are written inside the transaction (so a concurrent prune cannot delete one about to be
referenced); blobs of an aborted transaction or a removed article stay until `prune_raw` sweeps
unreferenced ones. A transaction belongs to the thread that opened it; other threads read the
committed files meanwhile and wait for the lock to write.
"""

from __future__ import annotations

import json
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from tinydb import Query
from tinydb.table import Document, Table

from watcher.errors import BadInput, StoreError, UnknownArticle
from watcher.models import Article, CheckResult, Edit, Feed, Version, VersionDiff, WatchedArticle, parse_iso
from watcher.normalize import content_hash
from watcher.store.blobs import BlobStore
from watcher.store.docs import (
    article_from_doc, article_to_doc, edit_summary, feed_from_doc, feed_to_doc, later, ts, url_key,
)
from watcher.store.lock import RunLock, WriteLock
from watcher.store.storage import JSONStorage
from watcher.urls import normalize_url

SCHEMA = 1
CHUNK = 100  # versions per chunk file
INLINE_EDITS_MAX = 2048  # bytes of JSON edits kept in the version document; longer ones go to a blob
ERROR_TEXT_MAX = 500
SHARD_CACHE_MAX = 256


class Store:
    """Watched articles and every version of them, in a data folder; safe across processes."""

    def __init__(self, data_dir: Path | str, *, check_log_size: int = 50, durable: bool = True,
                 lock_timeout: float = 10.0):
        self.root = Path(data_dir)
        self.check_log_size = max(1, int(check_log_size))
        self.durable = durable
        self.path = self.root / "watcher.json"
        self.backup_path = self.root / "watcher.json.bak"
        self._hot = JSONStorage(self.path, durable=durable, backup=self.backup_path, recovery=self._recovery_advice)
        self.blobs = BlobStore(self.root / "blobs", durable=durable)
        self._lock = WriteLock(self.root / "watcher.lock", timeout=lock_timeout)
        self._mutex = threading.RLock()
        self._depth = 0
        self._owner: int | None = None
        self._active: list[JSONStorage] = []
        self._shards: dict[Path, JSONStorage] = {}
        self._swept = False
        self._after: list[Any] = []
        self._index: tuple[dict, dict[str, int]] | None = None

    def _recovery_advice(self) -> str:
        if self.backup_path.exists():
            return (f"the previous state is in {self.backup_path}: restore it with "
                    f"`cp {self.backup_path} {self.path}` (or move the file aside to start empty)")
        return f"there is no backup yet; move {self.path} aside to start an empty store"

    # ----- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Group writes into one locked transaction; files are written once, at the end."""
        with self._mutex:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._ensure_dir()
            self._lock.acquire()
            self._depth = 1
            self._owner = threading.get_ident()
            self._hot.begin()
            self._active = []
            self._after = []
            try:
                yield self
                self._commit()
                # Still under the lock: deletions that must follow the commit (never precede it).
                for action in self._after:
                    action()
            except BaseException:
                for storage in [*self._active, self._hot]:
                    storage.abort()
                raise
            finally:
                self._depth = 0
                self._owner = None
                self._active = []
                self._after = []
                self._lock.release()
                if len(self._shards) > SHARD_CACHE_MAX:
                    # A big transaction (prune, bulk import) touched many files; keep memory bounded.
                    self._shards.clear()

    def _commit(self) -> None:
        if not self._swept:
            self._sweep_root_temps()
        pending = list(self._active)
        try:
            # Chunks and logs before the hot file: a crash between leaves extra data, never a
            # counter pointing at a version that is not there.
            while pending:
                pending.pop(0).commit()
            self._hot.commit()
        except BaseException:
            for storage in [*pending, self._hot]:
                storage.abort()
            raise

    def _sweep_root_temps(self) -> None:
        # Under the writer lock nobody else is mid-write, so any temp file is a killed writer's.
        self._swept = True
        for entry in self.root.glob(".*.tmp"):
            entry.unlink(missing_ok=True)

    def _ensure_dir(self) -> None:
        if self.root.is_dir():
            return
        if self.root.exists():
            raise StoreError(f"the data folder {self.root} is not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the data folder {self.root}: {err.strerror or err}") from err

    def _storage(self, path: Path) -> JSONStorage:
        storage = self._shards.get(path)
        if storage is None:
            if len(self._shards) >= SHARD_CACHE_MAX and not self._depth:
                self._shards.clear()
            storage = JSONStorage(path, durable=self.durable,
                                  recovery="restore it from a backup or move it aside (its data will be lost)")
            self._shards[path] = storage
        if self._depth and self._owner == threading.get_ident() and storage not in self._active:
            storage.begin()
            self._active.append(storage)
        return storage

    def _table(self, path: Path, name: str) -> Table:
        # A fresh Table per use: TinyDB caches query results and the next id per Table object,
        # which another process may have made stale.
        return Table(self._storage(path), name, cache_size=0)

    def _articles(self) -> Table:
        return Table(self._hot, "articles", cache_size=0)

    def _feeds(self) -> Table:
        return Table(self._hot, "feeds", cache_size=0)

    def _stamp_schema(self) -> None:
        meta = Table(self._hot, "meta", cache_size=0)
        if not meta.contains(doc_id=1):
            meta.insert(Document({"schema": SCHEMA}, doc_id=1))

    def run_lock(self) -> RunLock:
        """A context manager held by `watcher run`; StoreLocked if another run holds it."""
        self._ensure_dir()
        return RunLock(self.root / "run.lock")

    # ----- article lookup -----------------------------------------------------------------

    def _url_index(self) -> dict[str, int]:
        # TinyDB replaces the table dict on every write, so its identity tells when to rebuild;
        # holding a reference keeps that identity from being reused.
        raw = (self._hot.read() or {}).get("articles", {})
        if self._index is None or self._index[0] is not raw:
            self._index = (raw, {doc["url"]: int(doc_id) for doc_id, doc in raw.items()})
        return self._index[1]

    def _find(self, url: str) -> Document | None:
        index = self._url_index()
        doc_id = index.get(url)
        if doc_id is None:
            try:
                doc_id = index.get(normalize_url(url))
            except BadInput:
                return None
        return None if doc_id is None else self._articles().get(doc_id=doc_id)

    def _need(self, url: str) -> Document:
        doc = self._find(url)
        if doc is None:
            raise UnknownArticle(f"not watching {url}")
        return doc

    def _dir(self, key: str) -> Path:
        return self.root / "articles" / key[:2] / key

    def _chunk_path(self, key: str, number: int) -> Path:
        return self._dir(key) / f"v{(number - 1) // CHUNK:05d}.json"

    # ----- articles -----------------------------------------------------------------------

    def add_article(self, url: str, *, tags: Iterable[str] = (), every: int | None = None,
                    now: datetime | None = None, feed: str | None = None) -> tuple[WatchedArticle, bool]:
        """Start watching a URL (normalized); an existing one gets the new tags and interval."""
        normal = normalize_url(url)
        tags = [t for t in tags]
        now = now or datetime.now(timezone.utc)
        with self.transaction():
            table = self._articles()
            doc = self._find(normal)
            if doc is not None:
                merged = list(doc.get("tags") or []) + [t for t in tags if t not in (doc.get("tags") or [])]
                changes: dict[str, Any] = {}
                if merged != (doc.get("tags") or []):
                    changes["tags"] = merged
                if every is not None and every != doc.get("every"):
                    changes["every"] = every
                if changes:
                    table.update(changes, doc_ids=[doc.doc_id])
                    doc = table.get(doc_id=doc.doc_id)
                return article_from_doc(doc), False
            key = url_key(normal)
            # A folder left by a removal that crashed half-way must not resurrect old versions.
            shutil.rmtree(self._dir(key), ignore_errors=True)
            art = WatchedArticle(url=normal, added_at=now, tags=list(dict.fromkeys(tags)), every=every,
                                 next_check=now, feed=feed)
            table.insert({**article_to_doc(art), "key": key, "last_version_at": None})
            self._stamp_schema()
            return art, True

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
        return [article_from_doc(doc) for doc in self._articles().all()]

    def update_article(self, article: WatchedArticle) -> WatchedArticle:
        """Save schedule state and settings; version and check counters stay the store's own."""
        with self.transaction():
            doc = self._need(article.url)
            new = article_to_doc(article)
            new["url"] = doc["url"]
            new["versions"] = doc.get("versions", 0)
            new["checks_total"] = doc.get("checks_total", 0)
            # A caller holding an older copy must not move these back in time.
            for name in ("last_checked", "last_changed"):
                new[name] = ts(later(parse_iso(doc.get(name)), getattr(article, name)))
            self._articles().update(new, doc_ids=[doc.doc_id])
            return article_from_doc({**doc, **new})

    # ----- versions -----------------------------------------------------------------------

    def save_version(self, url: str, article: Article, *, html: str | None, diff: VersionDiff | None,
                     captured_at: datetime, event: str | None = None) -> Version:
        """Store a new version (numbered 1.. per article) and update the article's summary fields."""
        with self.transaction():
            doc = self._need(url)
            key = doc["key"]
            number = (doc.get("versions") or 0) + 1
            # Skip a version a crashed writer committed before it could update the counter.
            while self._table(self._chunk_path(key, number), "versions").contains(doc_id=number):
                number += 1
            edits = list(diff.edits) if diff else []
            flags = list(diff.flags) if diff else []
            vdoc = self._version_doc(article, html=html, edits=edits, flags=flags,
                                     captured_at=captured_at, event=event, number=number)
            self._table(self._chunk_path(key, number), "versions").insert(Document(vdoc, doc_id=number))
            changes = {
                "versions": number,
                "last_changed": ts(captured_at),
                "last_version_at": ts(later(parse_iso(doc.get("last_version_at")), captured_at)),
                "last_edit_summary": edit_summary(diff, event, number),
            }
            if article.headline:
                changes["headline"] = article.headline
            if article.canonical_url:
                changes["canonical_url"] = article.canonical_url
            self._articles().update(changes, doc_ids=[doc.doc_id])
            return Version(url=doc["url"], number=number, captured_at=parse_iso(vdoc["at"]),
                           content_hash=vdoc["hash"], article=article, html_hash=vdoc["html"],
                           flags=flags, edits=edits, event=event)

    def _version_doc(self, article: Article, *, html: str | None, edits: list[Edit], flags: list[str],
                     captured_at: datetime, event: str | None, number: int,
                     html_hash: str | None = None) -> dict[str, Any]:
        text = self.blobs.put_json({"body": list(article.body), "captions": list(article.captions)}) \
            if (article.body or article.captions) else None
        if html is not None:
            html_hash = self.blobs.put_text(html)
        edits_json = [e.to_json() for e in edits]
        edits_ref = None
        if len(json.dumps(edits_json, ensure_ascii=True)) > INLINE_EDITS_MAX:
            edits_ref, edits_json = self.blobs.put_json(edits_json), None
        top = VersionDiff(edits=edits).top_class()
        return {
            "n": number,
            "at": ts(captured_at),
            "hash": content_hash(article),
            "headline": article.headline,
            "dek": article.dek,
            "byline": article.byline,
            "published": article.published,
            "modified": article.modified,
            "lang": article.lang,
            "canonical_url": article.canonical_url,
            "extractor": article.extractor,
            "text": text,
            "html": html_hash,
            "flags": list(flags),
            "edits": edits_json,
            "edits_ref": edits_ref,
            "edits_count": len(edits),
            "top_class": top,
            "event": event,
        }

    def _version_from_doc(self, url: str, doc: dict[str, Any], *, full: bool = True) -> Version:
        text = (self.blobs.get_json(doc["text"]) or {}) if full and doc.get("text") else {}
        article = Article(
            headline=doc.get("headline") or "",
            dek=doc.get("dek") or "",
            byline=doc.get("byline") or "",
            published=doc.get("published"),
            modified=doc.get("modified"),
            body=list(text.get("body") or []),
            captions=list(text.get("captions") or []),
            lang=doc.get("lang"),
            canonical_url=doc.get("canonical_url"),
            extractor=doc.get("extractor") or "",
        )
        raw_edits = doc.get("edits")
        if raw_edits is None and doc.get("edits_ref") and full:
            raw_edits = self.blobs.get_json(doc["edits_ref"])
        return Version(url=url, number=doc["n"], captured_at=parse_iso(doc["at"]), content_hash=doc["hash"],
                       article=article, html_hash=doc.get("html"), flags=list(doc.get("flags") or []),
                       edits=[Edit.from_json(e) for e in raw_edits or []], event=doc.get("event"))

    def _version_docs(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        """Every version document of an article, oldest first (orphans past the counter included)."""
        folder = self._dir(doc["key"])
        if not folder.is_dir():
            return []
        out: list[dict[str, Any]] = []
        for chunk in sorted(folder.glob("v*.json")):
            out.extend(self._table(chunk, "versions").all())
        out.sort(key=lambda d: d["n"])
        return out

    def latest_version(self, url: str) -> Version | None:
        """The newest version of an article, or None before its first."""
        doc = self._need(url)
        count = doc.get("versions") or 0
        if not count:
            return None
        vdoc = self._table(self._chunk_path(doc["key"], count), "versions").get(doc_id=count)
        return None if vdoc is None else self._version_from_doc(doc["url"], vdoc)

    def get_version(self, url: str, number: int) -> Version:
        """One version by number; UnknownArticle if there is no such version."""
        doc = self._need(url)
        vdoc = None
        if isinstance(number, int) and number >= 1:
            vdoc = self._table(self._chunk_path(doc["key"], number), "versions").get(doc_id=number)
        if vdoc is None:
            raise UnknownArticle(f"no version {number} of {doc['url']} (it has {doc.get('versions') or 0})")
        return self._version_from_doc(doc["url"], vdoc)

    def list_versions(self, url: str, *, full: bool = True, last: int | None = None) -> list[Version]:
        """Versions of an article, oldest first; `last` keeps only the newest N (reading only their
        chunks); full=False skips body, captions and long edit lists."""
        doc = self._need(url)
        if last is None:
            vdocs = self._version_docs(doc)
        else:
            vdocs = []
            number = doc.get("versions") or 0
            while number >= 1 and len(vdocs) < last:
                chunk = self._table(self._chunk_path(doc["key"], number), "versions").all()
                vdocs = sorted((v for v in chunk if v["n"] <= number), key=lambda v: v["n"]) + vdocs
                number = (number - 1) // CHUNK * CHUNK  # the last number of the chunk before
            vdocs = vdocs[-last:] if last > 0 else []
        return [self._version_from_doc(doc["url"], v, full=full) for v in vdocs]

    def versions_since(self, since: datetime | None, until: datetime | None = None, *,
                       full: bool = True) -> list[Version]:
        """Versions of all articles captured in [since, until], oldest first (for reports)."""
        low = since.astimezone(timezone.utc) if since and since.tzinfo else (
            since.replace(tzinfo=timezone.utc) if since else None)
        high = until.astimezone(timezone.utc) if until and until.tzinfo else (
            until.replace(tzinfo=timezone.utc) if until else None)
        found: list[Version] = []
        for doc in self._articles().all():
            last = parse_iso(doc.get("last_version_at"))
            if last is None or (low is not None and last < low):
                continue  # nothing new here: skip reading its chunks
            for vdoc in self._version_docs(doc):
                at = parse_iso(vdoc["at"])
                if (low is None or at >= low) and (high is None or at <= high):
                    found.append(self._version_from_doc(doc["url"], vdoc, full=full))
        found.sort(key=lambda v: (v.captured_at, v.url, v.number))
        return found

    def replace_versions(self, url: str, versions: list[Version]) -> list[Version]:
        """Rewrite an article's whole history (for re-extraction), renumbered 1.. in the given order."""
        with self.transaction():
            doc = self._need(url)
            folder = self._dir(doc["key"])
            for chunk in folder.glob("v*.json") if folder.is_dir() else ():
                self._table(chunk, "versions").truncate()
            saved: list[Version] = []
            for number, version in enumerate(versions, start=1):
                vdoc = self._version_doc(version.article, html=None, html_hash=version.html_hash,
                                         edits=version.edits, flags=version.flags,
                                         captured_at=version.captured_at, event=version.event, number=number)
                self._table(self._chunk_path(doc["key"], number), "versions").insert(Document(vdoc, doc_id=number))
                saved.append(self._version_from_doc(doc["url"], vdoc))
            last = saved[-1] if saved else None
            self._articles().update({
                "versions": len(saved),
                "headline": (last.article.headline if last else "") or doc.get("headline", ""),
                "last_version_at": ts(max((v.captured_at for v in saved), default=None)),
            }, doc_ids=[doc.doc_id])
            return saved

    def get_html(self, version: Version) -> str | None:
        """The raw HTML a version was extracted from, or None if it was pruned or never kept."""
        return self.blobs.get_text(version.html_hash) if version.html_hash else None

    # ----- checks -------------------------------------------------------------------------

    def record_check(self, result: CheckResult) -> WatchedArticle:
        """Count a check on its article and append it to the article's bounded check log."""
        with self.transaction():
            doc = self._need(result.url)
            errors = (doc.get("consecutive_errors") or 0) + 1 if result.status == "error" else 0
            changes = {
                "last_checked": ts(later(parse_iso(doc.get("last_checked")), result.checked_at)),
                "last_status": result.status,
                "checks_total": (doc.get("checks_total") or 0) + 1,
                "consecutive_errors": errors,
            }
            self._articles().update(changes, doc_ids=[doc.doc_id])
            entry: dict[str, Any] = {"checked_at": ts(result.checked_at), "status": result.status,
                                     "version": result.version, "http_status": result.http_status,
                                     "duration": round(result.duration, 3)}
            if result.error:
                entry["error"] = result.error[:ERROR_TEXT_MAX]
            if result.flags:
                entry["flags"] = list(result.flags)
            log = self._table(self._dir(doc["key"]) / "checks.json", "checks")
            current = log.get(doc_id=1)
            entries = (list(current["log"]) if current else []) + [entry]
            log.upsert(Document({"log": entries[-self.check_log_size:]}, doc_id=1))
            return article_from_doc({**doc, **changes})

    def recent_checks(self, url: str) -> list[dict[str, Any]]:
        """The article's last checks, oldest first: checked_at, status, version, http_status, duration, error, flags."""
        doc = self._need(url)
        path = self._dir(doc["key"]) / "checks.json"
        current = self._table(path, "checks").get(doc_id=1) if path.exists() else None
        out = []
        for entry in (current or {}).get("log", []):
            out.append({"error": None, "flags": [], **entry})
        return out

    # ----- retention ----------------------------------------------------------------------

    def prune_raw(self, older_than: datetime) -> int:
        """Drop the raw HTML of versions captured before `older_than`; return how many were dropped."""
        cutoff = older_than if older_than.tzinfo else older_than.replace(tzinfo=timezone.utc)
        dropped = 0
        with self.transaction():
            referenced: set[str] = set()
            for doc in self._articles().all():
                folder = self._dir(doc["key"])
                for chunk in sorted(folder.glob("v*.json")) if folder.is_dir() else ():
                    table = self._table(chunk, "versions")
                    stale = [v.doc_id for v in table.all()
                             if v.get("html") and parse_iso(v["at"]) < cutoff]
                    if stale:
                        table.update({"html": None}, doc_ids=stale)
                        dropped += len(stale)
                    for v in table.all():
                        referenced.update(h for h in (v.get("html"), v.get("text"), v.get("edits_ref")) if h)
            self._after.append(lambda: self._collect_blobs(referenced))
        return dropped

    def _collect_blobs(self, referenced: set[str]) -> None:
        for digest in list(self.blobs.digests()):
            if digest not in referenced:
                self.blobs.delete(digest)
        self.blobs.sweep_temps()
        # Under the writer lock every temp file belongs to a writer that was killed.
        for folder in (self.root / "articles", self.root / "feeds"):
            for temp in folder.rglob(".*.tmp") if folder.is_dir() else ():
                temp.unlink(missing_ok=True)

    # ----- feeds --------------------------------------------------------------------------

    def add_feed(self, url: str, *, every: int = 600, tags: Iterable[str] = (),
                 now: datetime | None = None) -> tuple[Feed, bool]:
        """Follow a feed or sitemap; an existing one is returned unchanged with created False."""
        normal = normalize_url(url)
        now = now or datetime.now(timezone.utc)
        with self.transaction():
            table = self._feeds()
            doc = table.get(Query().url == normal)
            if doc is not None:
                return feed_from_doc(doc), False
            feed = Feed(url=normal, added_at=now, every=every, tags=list(dict.fromkeys(tags)), next_poll=now)
            table.insert(feed_to_doc(feed))
            self._stamp_schema()
            return feed, True

    def _need_feed(self, url: str) -> Document:
        table = self._feeds()
        doc = table.get(Query().url == url)
        if doc is None:
            try:
                doc = table.get(Query().url == normalize_url(url))
            except BadInput:
                doc = None
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
        return [feed_from_doc(doc) for doc in self._feeds().all()]

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

