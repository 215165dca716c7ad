"""The watch list (tables articles and feeds): a TinyDB checkpoint file plus an append-only journal.

A check changes a few fields of one article (schedule, counters, status). Rewriting a file holding
every article for that made a check cost O(articles): 420 KB written per check at 1,000 articles,
21 MB at 50,000. Here a write transaction appends its changes to `watcher.journal` as JSON lines
(one line per changed document, a few hundred bytes), and the checkpoint `watcher.json` (TinyDB's
format: {"articles": {id: doc}, "feeds": {...}, "meta": {"1": {"schema", "gen"}}}) is rewritten only
when the journal has grown to half the checkpoint's size. Each compaction writes S bytes after about
S/2 bytes of journal, so a check's amortized cost stays flat however many articles are watched.

Journal lines: ["gen", G] first (the checkpoint generation it continues), then
["i", table, id, doc] insert, ["s", table, id, fields] set fields, ["r", table, id] remove.
A line is applied only when complete (ends in a newline): a writer killed mid-append leaves a torn
tail that readers ignore and the next writer cuts off under the lock.

Compaction (under the writer lock): the checkpoint is written as generation G+1 (the old one kept as
watcher.json.bak), then a new journal ["gen", G+1] replaces the old (kept as watcher.journal.bak).
A crash between the two leaves a journal older than the checkpoint: it is ignored, its changes are
in the checkpoint. A checkpoint restored from watcher.json.bak (the recovery advice for a damaged one)
is one generation behind the journal: watcher.journal.bak is replayed first, so nothing is lost.

Readers take no lock: they re-parse the checkpoint only when its (inode, mtime, size) changed, and
otherwise read just the journal bytes appended since their last look; the journal's generation
line tells them when a compaction replaced it. A transaction's changes are visible to its own
thread at once and to everyone else only once committed.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb.table import Document

from watcher.errors import StoreCorrupt, StoreError
from watcher.store.tiny.jsonfile import StatKey, atomic_write, fsync_dir, parse_tables, stat_key, write_error

SCHEMA = 2
TABLES = ("articles", "feeds")
# Compact when the journal has grown past this share of the checkpoint (and past a floor, so a tiny
# store is not rewritten on every write, yet still gets a backup within its first few writes).
COMPACT_RATIO = 0.5
COMPACT_FLOOR = 256
# A checkpoint past this size is parsed with the cyclic collector paused and its documents then frozen out of it.
FREEZE_BYTES = 1 << 20

log = logging.getLogger("watcher.store")

Op = list[Any]


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _slim(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without its empty fields (None, "", [], 0, False): readers default them again."""
    return {k: v for k, v in doc.items() if v or k == "url"}


def _sound_op(op: Any) -> bool:
    """Whether a parsed journal line is a change this code writes: ["i"|"s", table, id, {...}] or ["r", table, id]."""
    if not (isinstance(op, list) and len(op) >= 3 and op[0] in ("i", "s", "r") and isinstance(op[1], str)):
        return False
    if not isinstance(op[2], int | str) or not str(op[2]).isdigit():
        return False
    return op[0] == "r" or (len(op) >= 4 and isinstance(op[3], dict))


def _article_count(raw: bytes) -> int:
    """How many articles a checkpoint's bytes list (0 for one that does not parse)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return 0
    articles = data.get("articles") if isinstance(data, dict) else None
    return len(articles) if isinstance(articles, dict) else 0


class Journaled:
    """The tables articles and feeds of one data folder (see the module docstring)."""

    def __init__(
        self,
        checkpoint: Path,
        journal: Path,
        *,
        durable: bool = True,
        recovery: Callable[[], str] = lambda: "",
        lock: Callable[[], Any] | None = None,
    ):
        self.path = Path(checkpoint)
        self.journal_path = Path(journal)
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        self.journal_backup = self.journal_path.with_name(self.journal_path.name + ".bak")
        self.durable = durable
        self.recovery = recovery
        self._exclusive = lock  # a context manager factory for the writer lock (migration)
        self._state = threading.RLock()
        self._tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TABLES}
        # Built on first use: a command that only lists (100,000 articles) needs neither.
        self._by_url: dict[str, dict[str, str]] = {}
        self._next_id: dict[str, int] = {}
        self._gen = 0
        self._schema = SCHEMA
        self._snap_key: StatKey | None = None
        self._snap_bytes = 0
        self._offset = 0  # journal bytes applied (header included)
        self._loaded = False
        self._retry_at = 0  # journal size before which a failed compaction is not tried again
        # transaction state, owned by one thread
        self._owner: int | None = None
        self._pending: list[Op] = []
        self._overlay: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._overlay_urls: dict[tuple[str, str], str | None] = {}

    # ----- reading ------------------------------------------------------------------------

    def _mine(self) -> bool:
        return self._owner is not None and self._owner == threading.get_ident()

    def forget(self) -> None:
        """Read the files afresh on the next refresh: they were replaced behind this object (doctor's repair)."""
        with self._state:
            self._loaded = False

    def refresh(self) -> None:
        """Catch up with what other writers committed: the journal's new lines, or everything."""
        with self._state:
            key = stat_key(self.path)
            if not self._loaded or key != self._snap_key:
                self._load(key)
                return
            header, size = self._journal_header()
            if header is None:
                if self._offset:
                    self._load(key)  # the journal went away: start over
                return
            if header != self._gen or size < self._offset:
                self._load(key)
                return
            if size > self._offset:
                self._apply_journal(self.journal_path, self._offset)

    def _load(self, key: StatKey | None) -> None:
        tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TABLES}
        gen, schema, size = 0, SCHEMA, 0
        if key is not None:
            raw = self._read(self.path)
            size = len(raw)
            data = self._parse_big(raw) if size > FREEZE_BYTES else self._parse_checkpoint(raw)
            for name in TABLES:
                rows = data.get(name) or {}
                tables[name] = {i: doc for i, doc in rows.items() if isinstance(doc, dict) and i.isdigit()}
                if len(tables[name]) < len(rows):
                    log.warning(
                        f"watcher: {self.path}: {len(rows) - len(tables[name])} {name} entries are not documents; passed over"
                    )
            gen, schema = self._meta(data)
        self._tables = tables
        self._by_url, self._next_id = {}, {}
        self._gen, self._schema, self._snap_key, self._snap_bytes = gen, schema, key, size
        self._offset = 0
        self._loaded = True
        header, _ = self._journal_header()
        if header is None or header < gen:
            return  # no journal yet, or one a compaction had already folded in before it crashed
        if header > gen:
            # The checkpoint was restored from its backup: replay the journal that followed it first.
            previous, _ = self._journal_header(self.journal_backup)
            if previous == gen:
                self._apply_journal(self.journal_backup, 0, track=False)
            self._gen = header
        self._apply_journal(self.journal_path, 0)

    def _journal_header(self, path: Path | None = None) -> tuple[int | None, int]:
        path = path or self.journal_path
        try:
            with open(path, "rb") as fh:
                first = fh.readline()
                size = os.fstat(fh.fileno()).st_size
        except FileNotFoundError:
            return None, 0
        except OSError as err:
            raise StoreError(f"cannot read {path}: {err.strerror or err}") from err
        try:
            tag, gen = json.loads(first)
            if tag != "gen":
                raise ValueError
            return int(gen), size
        except (ValueError, TypeError, RecursionError):
            if not first.endswith(b"\n"):
                return None, 0  # a journal whose creation was cut short: nothing in it yet
            raise StoreCorrupt(f"{path} is damaged (no generation line); {self._journal_advice(path)}") from None

    def _apply_journal(self, path: Path, start: int, *, track: bool = True) -> None:
        with open(path, "rb") as fh:
            if start:
                fh.seek(start)
            else:
                fh.readline()  # the generation line
            body = fh.read()
            begin = start or fh.tell() - len(body)
        end = body.rfind(b"\n") + 1  # only complete lines
        for line in body[:end].splitlines():
            if not line.strip():
                continue
            try:
                op = json.loads(line)
            except (ValueError, RecursionError):
                raise StoreCorrupt(f"{path} is damaged (a line is not JSON); {self._journal_advice(path)}") from None
            if not _sound_op(op):
                raise StoreCorrupt(f"{path} is damaged (a line is not a change); {self._journal_advice(path)}")
            self._apply(op, self._tables)
        if track:
            self._offset = begin + end

    def _apply(self, op: Op, tables: dict[str, dict[str, dict[str, Any]]]) -> None:
        kind, table, doc_id = op[0], op[1], str(op[2])
        rows = tables.setdefault(table, {})
        index = self._by_url.get(table)
        if kind == "i":
            rows[doc_id] = dict(op[3])
            if index is not None and "url" in op[3]:
                index[op[3]["url"]] = doc_id
            if table in self._next_id:
                self._next_id[table] = max(self._next_id[table], int(doc_id) + 1)
        elif kind == "s":
            if doc_id in rows:
                rows[doc_id] = {**rows[doc_id], **op[3]}
        elif kind == "r":
            gone = rows.pop(doc_id, None)
            if index is not None and gone is not None and "url" in gone and index.get(gone["url"]) == doc_id:
                del index[gone["url"]]

    def _meta(self, data: dict[str, Any]) -> tuple[int, int]:
        """The checkpoint's generation and schema; a schema newer than this code's is refused (reading it
        could misread what it holds, and writing it would damage it for the release that wrote it)."""
        meta = data.get("meta")
        meta = meta.get("1") if isinstance(meta, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        gen, schema = meta.get("gen") or 0, meta.get("schema") or 1
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (gen, schema)):
            raise StoreCorrupt(
                f"{self.path} is damaged (its schema {schema!r} or generation {gen!r} is not a number); {self.recovery()}"
            )
        if schema > SCHEMA:
            raise StoreError(
                f"{self.path} was written by a newer watcher (store schema {schema}; this one reads up to {SCHEMA}): "
                "upgrade watcher to use it; nothing was changed"
            )
        return gen, schema

    def _journal_advice(self, path: Path) -> str:
        return f"move it aside to continue (the schedule changes since {self.path.name} was last written are lost)"

    def _read(self, path: Path) -> bytes:
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return b"{}"
        except OSError as err:
            raise StoreError(f"cannot read {path}: {err.strerror or err}") from err

    def _parse_checkpoint(self, raw: bytes) -> dict[str, Any]:
        return parse_tables(raw, self.path, self.recovery)

    def _parse_big(self, raw: bytes) -> dict[str, Any]:
        """A large checkpoint's tables, kept out of the cyclic garbage collector's way.

        100,000 documents are 200,000 long-lived containers (a dict and its tags list each), none of them
        ever part of a cycle: every collection of the oldest generation walked them all (30-60 ms at
        100,000), and the allocations of parsing them, or of listing them, set off such collections
        again and again (a quarter of `watcher list`'s CPU at 100,000 articles). Collected first, so no
        garbage of the caller's is frozen with them; documents replaced later are freed by their
        reference counts as before (freezing only hides objects from the cycle search).
        """
        self._tables = {t: {} for t in TABLES}  # the previous copy, if any, goes before the new one is made
        # freeze() holds every object of the process, not only ours: thawed and collected before each new
        # freeze, what died in a cycle since the last load (a task, a traceback) is freed, not kept for good.
        gc.unfreeze()
        gc.collect()
        paused = gc.isenabled()
        gc.disable()
        try:
            data = self._parse_checkpoint(raw)
        finally:
            if paused:
                gc.enable()
        gc.freeze()
        return data

    # ----- the table view used by the store ------------------------------------------------

    def get(self, table: str, doc_id: int | str) -> Document | None:
        doc_id = str(doc_id)
        with self._state:
            if not self._mine():
                self._ensure_fresh()
            elif (table, doc_id) in self._overlay:
                doc = self._overlay[(table, doc_id)]
                return None if doc is None else Document(doc, doc_id=int(doc_id))
            doc = self._tables[table].get(doc_id)
            return None if doc is None else Document(doc, doc_id=int(doc_id))

    def find_url(self, table: str, url: str) -> Document | None:
        with self._state:
            if not self._mine():
                self._ensure_fresh()
            elif (table, url) in self._overlay_urls:
                doc_id = self._overlay_urls[(table, url)]
                return None if doc_id is None else self.get(table, doc_id)
            found = self._index(table).get(url)
            return None if found is None else self.get(table, found)

    def all(self, table: str) -> list[Document]:
        """Every document of a table, in insertion order."""
        with self._state:
            if not self._mine():
                self._ensure_fresh()
                return [Document(doc, doc_id=int(i)) for i, doc in self._tables[table].items()]
            out = []
            for i, committed in self._tables[table].items():
                doc = self._overlay[(table, i)] if (table, i) in self._overlay else committed
                if doc is not None:
                    out.append(Document(doc, doc_id=int(i)))
            added = [(int(i), d) for (t, i), d in self._overlay.items() if t == table and i not in self._tables[table]]
            out += [Document(d, doc_id=i) for i, d in sorted(added) if d is not None]
            return out

    def iter_all(self, table: str) -> Iterator[Document]:
        """Every document of a table in insertion order, copied one at a time (as of the call)."""
        if self._mine():
            yield from self.all(table)
            return
        with self._state:
            self._ensure_fresh()
            rows = list(self._tables[table].items())
        for i, doc in rows:
            yield Document(doc, doc_id=int(i))

    def iter_matching(self, table: str, wanted: Callable[[Mapping[str, Any]], bool]) -> Iterator[Document]:
        """iter_all's documents that `wanted` accepts, judged on the committed documents: only those are copied
        (a run asking which of 50,000 articles are due copies the few that are, not all of them)."""
        if self._mine():
            yield from (doc for doc in self.all(table) if wanted(doc))
            return
        with self._state:
            self._ensure_fresh()
            rows = [(i, doc) for i, doc in self._tables[table].items() if wanted(doc)]
        for i, doc in rows:
            yield Document(doc, doc_id=int(i))

    def column(self, table: str, name: str, key: str = "url") -> dict[str, Any]:
        """{doc[key]: doc[name]} over a table's committed documents, in insertion order, copying no document."""
        with self._state:
            self._ensure_fresh()
            return {doc[key]: doc.get(name) for doc in self._tables[table].values() if isinstance(doc.get(key), str)}

    def urls(self, table: str) -> list[str]:
        """The URLs of a table's documents, in insertion order (cheaper than all())."""
        if self._mine():
            return [d["url"] for d in self.all(table) if isinstance(d.get("url"), str)]
        with self._state:
            self._ensure_fresh()
            return [doc["url"] for doc in self._tables[table].values() if isinstance(doc.get("url"), str)]

    def count(self, table: str) -> int:
        with self._state:
            if self._mine():
                return len(self.all(table))
            self._ensure_fresh()
            return len(self._tables[table])

    def _index(self, table: str) -> dict[str, str]:
        """URL -> id over a table's committed documents (built once, then kept up to date by _apply)."""
        index = self._by_url.get(table)
        if index is None:
            rows = self._tables.setdefault(table, {})
            index = self._by_url[table] = {doc["url"]: i for i, doc in rows.items() if isinstance(doc.get("url"), str)}
        return index

    def _ensure_fresh(self) -> None:
        self.refresh()

    def insert(self, table: str, doc: dict[str, Any]) -> int:
        if table not in self._next_id:
            with self._state:
                self._next_id[table] = max((int(i) for i in self._tables[table]), default=0) + 1
        doc_id = self._next_id[table]
        self._next_id[table] = doc_id + 1
        key = str(doc_id)
        self._overlay[(table, key)] = dict(doc)
        if "url" in doc:
            self._overlay_urls[(table, doc["url"])] = key
        self._pending.append(["i", table, key, _slim(doc)])
        return doc_id

    def update(self, table: str, doc_id: int | str, changes: dict[str, Any]) -> None:
        key = str(doc_id)
        current = self.get(table, key)
        if current is None:
            return
        # A field slimmed out of the checkpoint is as good as any empty value.
        changed = {k: v for k, v in changes.items() if current.get(k) != v and (v or current.get(k))}
        if not changed:
            return
        self._overlay[(table, key)] = {**current, **changed}
        self._pending.append(["s", table, key, changed])

    def remove(self, table: str, doc_id: int | str) -> None:
        key = str(doc_id)
        current = self.get(table, key)
        if current is None:
            return
        self._overlay[(table, key)] = None
        if "url" in current:
            self._overlay_urls[(table, current["url"])] = None
        self._pending.append(["r", table, key])

    # ----- transactions -------------------------------------------------------------------

    def begin(self) -> None:
        """Start a transaction; the caller holds the writer lock."""
        with self._state:
            self._loaded = self._loaded and stat_key(self.path) == self._snap_key
            self.refresh()
            self._owner = threading.get_ident()
            self._pending, self._overlay, self._overlay_urls = [], {}, {}

    def commit(self) -> None:
        """Append this transaction's changes to the journal (one write), compacting when it is due."""
        try:
            if self._pending:
                lines = b"".join(_dumps(op) + b"\n" for op in self._pending)
                # Held across the append: a reader thread catching up in between would apply these lines twice.
                with self._state:
                    self._repair_journal()
                    self._append(lines)
                    for op in self._pending:
                        self._apply(op, self._tables)
                    self._offset += len(lines)
                if self._due():
                    try:
                        self.compact()
                    except StoreError as err:
                        # The transaction is in the journal already; compacting is only an economy, retried
                        # once the journal has grown a quarter more (not on every write of a full disk).
                        self._retry_at = int(self._offset * 1.25)
                        log.warning(f"watcher: could not compact the watch list ({err}); will try again later")
        finally:
            self._end()

    def abort(self) -> None:
        """Drop the transaction's changes; the committed state is untouched."""
        with self._state:
            # Ids handed out by the aborted transaction are free again.
            self._next_id = {}
        self._end()

    def _end(self) -> None:
        self._owner = None
        self._pending, self._overlay, self._overlay_urls = [], {}, {}

    def _due(self) -> bool:
        if self._snap_key is None:
            return True  # a new store gets its checkpoint at its first write
        grown = self._offset
        return grown > COMPACT_FLOOR and grown > self._snap_bytes * COMPACT_RATIO and grown >= self._retry_at

    def _repair_journal(self) -> None:
        """Under the writer lock: a journal that does not continue this checkpoint, or ends in a torn line, is fixed."""
        header, size = self._journal_header()
        if header is None or header != self._gen:
            if header is not None and header > self._gen:
                return  # restored checkpoint; _load already follows this journal (self._gen moved to it)
            atomic_write(self.journal_path, _dumps(["gen", self._gen]) + b"\n", durable=self.durable)
            self._offset = len(_dumps(["gen", self._gen])) + 1
            return
        if size > self._offset:
            try:
                os.truncate(self.journal_path, self._offset)  # a killed writer's torn line
            except OSError as err:
                raise write_error(self.journal_path, err) from err

    def _append(self, data: bytes) -> None:
        try:
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND)
        except OSError as err:
            raise write_error(self.journal_path, err) from err
        try:
            before = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if self.durable:
                    os.fsync(fd)
            except OSError as err:
                try:
                    os.ftruncate(fd, before)  # nothing half-written stays behind
                except OSError:
                    pass
                raise write_error(self.journal_path, err) from err
        finally:
            os.close(fd)

    def compact(self) -> None:
        """Write the whole state as the next checkpoint generation and start an empty journal (writer lock held)."""
        with self._state:
            gen = self._gen + 1
            data: dict[str, Any] = {t: {i: _slim(d) for i, d in rows.items()} for t, rows in self._tables.items()}
            data["meta"] = {"1": {"schema": SCHEMA, "gen": gen}}
            payload = _dumps(data)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._keep_larger_backup(len(payload), len(data["articles"]))
            if not self.path.exists():
                # A new store's backup is the empty store its first journal starts from: so a backup
                # exists from the first write on, and restoring it replays everything since.
                empty = _dumps({"meta": {"1": {"schema": SCHEMA, "gen": self._gen}}})
                atomic_write(self.backup_path, empty, durable=self.durable)
            atomic_write(self.path, payload, durable=self.durable, backup=self.backup_path)
            header = _dumps(["gen", gen]) + b"\n"
            atomic_write(self.journal_path, header, durable=self.durable, backup=self.journal_backup)
            self._gen, self._schema = gen, SCHEMA
            self._snap_key, self._snap_bytes, self._offset = stat_key(self.path), len(payload), len(header)

    def _keep_larger_backup(self, size: int, articles: int) -> None:
        """Before the backup is replaced: one that lists more articles than the list being written (a watch list
        moved aside or lost, then a new one started) is kept as watcher.json.larger.bak, and a warning says so.
        Only the largest such list is kept, so removals cost one copy each time the watch list shrinks from a
        new high, not one per compaction."""
        try:
            if self.backup_path.stat().st_size <= size:
                return  # the common case, decided without reading it: a list that grew or stayed
            counted = _article_count(self.backup_path.read_bytes())
        except OSError:
            return
        kept = self.path.with_name(self.path.name + ".larger.bak")
        if counted <= articles:
            return
        try:
            if kept.exists() and _article_count(kept.read_bytes()) >= counted:
                return
            atomic_write(kept, self.backup_path.read_bytes(), durable=self.durable)
        except (OSError, StoreError) as err:
            raise write_error(kept, err) if isinstance(err, OSError) else err from None
        log.warning(
            f"watcher: the watch list backup {self.backup_path.name} lists {counted} articles and the list now "
            f"written {articles}: the longer list is kept as {kept} (`watcher doctor` names the articles it is missing)"
        )

    # ----- format migration ---------------------------------------------------------------

    def needs_migration(self) -> bool:
        """True when the checkpoint was written by a release before the journal (schema 1)."""
        with self._state:
            if not self._mine():
                self._ensure_fresh()
            return self._snap_key is not None and self._schema < SCHEMA

    def migrate(self) -> Path:
        """Rewrite a schema-1 store in this format (writer lock held); the old file is kept beside it."""
        keep = self.path.with_name(f"{self.path.name}.schema{self._schema}.bak")
        try:
            if not keep.exists():
                staged = keep.with_name(f".{keep.name}.tmp")
                with open(self.path, "rb") as src, open(staged, "wb") as dst:
                    dst.write(src.read())
                    if self.durable:
                        os.fsync(dst.fileno())
                os.replace(staged, keep)
                if self.durable:
                    fsync_dir(self.path.parent)
        except OSError as err:
            raise write_error(keep, err) from err
        self.compact()
        return keep

    def table(self, name: str) -> TableView:
        return TableView(self, name)


class TableView:
    """One table of a Journaled store, with the few TinyDB Table calls the store makes."""

    def __init__(self, book: Journaled, name: str):
        self.book, self.name = book, name

    def get(self, *, doc_id: int) -> Document | None:
        return self.book.get(self.name, doc_id)

    def contains(self, *, doc_id: int) -> bool:
        return self.book.get(self.name, doc_id) is not None

    def all(self) -> list[Document]:
        return self.book.all(self.name)

    def __iter__(self) -> Iterator[Document]:
        return self.book.iter_all(self.name)

    def matching(self, wanted: Callable[[Mapping[str, Any]], bool]) -> Iterator[Document]:
        return self.book.iter_matching(self.name, wanted)

    def find_url(self, url: str) -> Document | None:
        return self.book.find_url(self.name, url)

    def insert(self, doc: dict[str, Any]) -> int:
        return self.book.insert(self.name, doc)

    def update(self, changes: dict[str, Any], *, doc_ids: list[int]) -> None:
        for doc_id in doc_ids:
            self.book.update(self.name, doc_id, changes)

    def remove(self, *, doc_ids: list[int]) -> None:
        for doc_id in doc_ids:
            self.book.remove(self.name, doc_id)
