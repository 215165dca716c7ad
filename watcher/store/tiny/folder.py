"""The store's machinery: data-folder layout, locked transactions over TinyDB files, URL lookup."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb.table import Document, Table

from watcher.errors import BadInput, StoreError, UnknownArticle
from watcher.store.tiny.blobs import BlobStore
from watcher.store.tiny.journal import Journaled, TableView
from watcher.store.tiny.jsonfile import AtomicJSONFile
from watcher.store.tiny.lock import RunLock, WriteLock
from watcher.urls import normalize_url

CHUNK = 100  # versions per chunk file
INLINE_EDITS_MAX = 2048  # bytes of JSON edits kept in the version document; longer ones go to a blob
SHARD_CACHE_MAX = 256

log = logging.getLogger("watcher.store")
# Moving a damaged file aside by hand left gaps and counters pointing past them; doctor keeps them consistent.
DAMAGED_FILE_ADVICE = "`watcher doctor` says what it holds and `watcher doctor --repair` sets it aside consistently"


class DataFolder:
    """Files, locks and transactions under every part of TinyStore (see watcher.store.tiny.store for the layout)."""

    def __init__(
        self, data_dir: Path | str, *, check_log_size: int = 50, durable: bool = True, lock_timeout: float = 30.0
    ):
        self.root = Path(data_dir)
        self.check_log_size = max(1, int(check_log_size))
        self.durable = durable
        self.path = self.root / "watcher.json"
        self.backup_path = self.root / "watcher.json.bak"
        self.journal_path = self.root / "watcher.journal"
        self._hot = Journaled(self.path, self.journal_path, durable=durable, recovery=self._recovery_advice)
        self.blobs = BlobStore(self.root / "blobs", durable=durable)
        self._lock = WriteLock(self.root / "watcher.lock", timeout=lock_timeout)
        self._mutex = threading.RLock()
        self._depth = 0
        self._owner: int | None = None
        self._active: list[AtomicJSONFile] = []
        self._shards: dict[Path, AtomicJSONFile] = {}
        self._swept = False
        self._after: list[Any] = []
        self._schema_checked = False
        self._warned: set[Path] = set()

    def _recovery_advice(self) -> str:
        if self.backup_path.exists():
            return (
                f"the previous state is in {self.backup_path}: restore it with "
                f"`cp {self.backup_path} {self.path}` (or move the file aside to start empty)"
            )
        return f"there is no backup yet; move {self.path} aside to start an empty store"

    # ----- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[DataFolder]:
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
            self._active = []
            self._after = []
            try:
                self._hot.begin()
                if self._hot.needs_migration():
                    kept = self._hot.migrate()
                    log.warning(
                        f"watcher: upgraded the store in {self.root} to the journaled format "
                        f"(schedule changes now go to {self.journal_path.name}); the old file is kept as {kept}"
                    )
                yield self
                self._commit()
                # Still under the lock: deletions that must follow the commit (never precede it).
                for action in self._after:
                    action()
            except BaseException:
                for storage in self._active:
                    storage.abort()
                self._hot.abort()
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
            for storage in pending:
                storage.abort()
            self._hot.abort()
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

    def _storage(self, path: Path) -> AtomicJSONFile:
        storage = self._shards.get(path)
        if storage is None:
            if len(self._shards) >= SHARD_CACHE_MAX and not self._depth:
                self._shards.clear()
            storage = AtomicJSONFile(path, durable=self.durable, recovery=DAMAGED_FILE_ADVICE)
            self._shards[path] = storage
        if self._depth and self._owner == threading.get_ident() and storage not in self._active:
            storage.begin()
            self._active.append(storage)
        return storage

    def _table(self, path: Path, name: str) -> Table:
        # A fresh Table per use: TinyDB caches query results and the next id per Table object,
        # which another process may have made stale.
        return Table(self._storage(path), name, cache_size=0)

    def _articles(self) -> TableView:
        self._upgrade_once()
        return self._hot.table("articles")

    def _feeds(self) -> TableView:
        self._upgrade_once()
        return self._hot.table("feeds")

    def _upgrade_once(self) -> None:
        # A data folder written by a release before the journal is upgraded on first use, by readers too.
        if self._schema_checked or self._depth:
            return
        self._schema_checked = True
        if self._hot.needs_migration():
            try:
                with self.transaction():
                    pass  # transaction() migrates under the writer lock
            except StoreError as err:
                log.warning(f"watcher: cannot upgrade the store in {self.root} ({err}); reading it as it is")

    def run_lock(self) -> RunLock:
        """A context manager held by `watcher run`; StoreLocked if another run holds it."""
        self._ensure_dir()
        return RunLock(self.root / "run.lock")

    # ----- article lookup -----------------------------------------------------------------

    def _find(self, url: str) -> Document | None:
        return find_spelled(self._articles(), url)

    def _need(self, url: str) -> Document:
        doc = self._find(url)
        if doc is None:
            raise UnknownArticle(f"not watching {url}")
        return doc

    def _dir(self, key: str) -> Path:
        return self.root / "articles" / key[:2] / key

    def _chunk_path(self, key: str, number: int) -> Path:
        return self._dir(key) / f"v{(number - 1) // CHUNK:05d}.json"


def find_spelled(table: TableView, url: str) -> Document | None:
    """The document of a watch-list table (articles, feeds) at a URL spelled as stored or as it normalizes to."""
    doc = table.find_url(url)
    if doc is None:
        try:
            doc = table.find_url(normalize_url(url))
        except BadInput:
            return None
    return doc
