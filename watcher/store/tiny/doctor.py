"""`watcher doctor`: check an embedded store's files, say what is damaged, repair what can be repaired.

Damage is found per file and reported per version: a blob whose bytes no longer match its name, a
version chunk or check log that does not parse, a counter that points past the versions there are, a
damaged watch list. With repair, under the writer lock:
- a damaged file is set aside as NAME.damaged (never deleted: a person may still recover from it);
- a version's lost text is rebuilt from its raw HTML with the extraction rules passed in (`extract`);
  where there is no raw HTML the version keeps its headline and dates and is marked as having lost
  its text, so every reader says so instead of showing its paragraphs as removed;
- the article's version counter follows the versions that are left, so the next check compares
  with the newest version there is and numbers the next one after it;
- a damaged watch list snapshot is replaced by its backup, whose journals are replayed.
The store is left consistent: a second run finds nothing to repair.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.errors import StoreCorrupt
from watcher.models import Article
from watcher.normalize import content_hash
from watcher.store.docs import version_article

if TYPE_CHECKING:  # the store calls in here (TinyStore.examine); at run time it hands itself over
    from watcher.store.tiny.store import TinyStore

Extract = Callable[[str, str], Article]  # (raw HTML, page URL) -> the article, with the current rules


@dataclass
class Finding:
    """One piece of damage: where, what is wrong, and what repair did (or would do, or cannot)."""

    where: str
    problem: str
    remedy: str | None = None  # None: nothing can bring it back
    repaired: bool = False


def set_aside(path: Path) -> Path:
    """Rename a damaged file out of the store's way, keeping its bytes."""
    target = path.with_name(path.name + ".damaged")
    os.replace(path, target)
    return target


class Doctor:
    def __init__(self, store: TinyStore, *, repair: bool, extract: Extract | None):
        self.store, self.repair, self.extract = store, repair, extract
        self.findings: list[Finding] = []
        self.bad_blobs: set[str] = set()

    def note(self, where: str, problem: str, remedy: str | None, fix: Callable[[], Any] | None = None) -> None:
        finding = Finding(where, problem, remedy)
        if self.repair and fix is not None:
            fix()
            finding.repaired = True
        self.findings.append(finding)

    # ----- the watch list -----------------------------------------------------------------

    def watch_list(self) -> bool:
        store = self.store
        for _ in range(3):
            try:
                store._hot.refresh()
                return True
            except StoreCorrupt as err:
                broken = store.journal_path if str(store.journal_path) in str(err) else store.path
                if broken == store.path and not self._parses(store.backup_path):
                    self.note(str(broken), f"damaged ({err})", None)
                    return False
                remedy = (
                    f"set aside; the backup {store.backup_path.name} replaces it and the journals since are replayed"
                    if broken == store.path
                    else "set aside; the schedule changes since the watch list was last compacted are lost"
                )
                self.note(str(broken), "damaged, does not parse", remedy, partial(self._replace, broken))
                if not self.repair:
                    return False
        return False

    def _parses(self, path: Path) -> bool:
        import json

        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())

    def _replace(self, broken: Path) -> None:
        store = self.store
        store._lock.acquire()
        try:
            set_aside(broken)
            if broken == store.path:
                with open(store.backup_path, "rb") as src:
                    data = src.read()
                from watcher.store.tiny.jsonfile import atomic_write

                atomic_write(store.path, data, durable=store.durable)
            store._hot.forget()
        finally:
            store._lock.release()

    # ----- blobs --------------------------------------------------------------------------

    def blobs(self) -> None:
        for digest in list(self.store.blobs.digests()):
            path = self.store.blobs.path(digest)
            try:
                data = gzip.decompress(path.read_bytes())
                intact = hashlib.sha256(data).hexdigest() == digest
            except (OSError, EOFError, zlib.error):
                intact = False
            if not intact:
                self.bad_blobs.add(digest)
                self.note(
                    str(path),
                    "damaged (its content no longer matches its name)",
                    "set aside",
                    partial(set_aside, path),
                )

    def _blob_state(self, digest: str | None) -> str | None:
        """None when the blob is there and intact, else 'damaged' or 'missing'."""
        if not digest:
            return None
        if digest in self.bad_blobs:
            return "damaged"
        return None if self.store.blobs.path(digest).exists() else "missing"

    # ----- articles -----------------------------------------------------------------------

    def articles(self) -> None:
        store = self.store
        for doc in store._articles().all():
            url, folder = doc["url"], store._dir(doc["key"])
            chunks = sorted(folder.glob("v*.json")) if folder.is_dir() else []
            numbers: list[int] = []
            for chunk in chunks:
                try:
                    docs = list(store._table(chunk, "versions").all())
                except StoreCorrupt:
                    first = int(chunk.stem[1:]) * 100 + 1
                    self.note(
                        url,
                        f"versions {first}-{first + 99} are unreadable ({chunk} is damaged)",
                        "set aside; the article goes on from the versions that are left",
                        partial(self._drop_chunk, chunk),
                    )
                    continue
                for vdoc in sorted(docs, key=lambda d: d["n"]):
                    numbers.append(vdoc["n"])
                    self._version(url, chunk, vdoc)
            newest = max(numbers, default=0)
            if (doc.get("versions") or 0) != newest:
                self.note(
                    url,
                    f"its counter says {doc.get('versions') or 0} versions, the files hold up to version {newest}",
                    f"counter set to {newest}",
                    partial(self._set_counter, doc, newest),
                )
            log = folder / "checks.json"
            if log.exists():
                try:
                    store._table(log, "checks").get(doc_id=1)
                except StoreCorrupt:
                    self.note(
                        url,
                        f"its check log is damaged ({log})",
                        "set aside; the log starts afresh",
                        partial(self._drop_chunk, log),
                    )

    def _version(self, url: str, chunk: Path, vdoc: dict[str, Any]) -> None:
        where = f"{url} v{vdoc['n']}"
        text, html, edits = (self._blob_state(vdoc.get(k)) for k in ("text", "html", "edits_ref"))
        if text:
            if html is None and vdoc.get("html") and self.extract is not None:
                self.note(
                    where, f"its text is {text}", "rebuilt from its raw HTML", lambda: self._rebuild(url, chunk, vdoc)
                )
            else:
                self.note(
                    where,
                    f"its text is {text} and no raw HTML is left to rebuild it from",
                    "marked as lost (readers say so; headline and dates stay)",
                    lambda: self._update(chunk, vdoc, {"text": None, "damage": "its text was lost"}),
                )
        if html:
            self.note(
                where,
                f"its raw HTML is {html}",
                "forgotten (as if pruned)",
                lambda: self._update(chunk, vdoc, {"html": None}),
            )
        if edits:
            self.note(
                where,
                f"its list of edits is {edits}",
                "marked as lost (`watcher diff` still compares the two texts)",
                lambda: self._update(chunk, vdoc, {"edits_ref": None, "damage": "its list of edits was lost"}),
            )

    def _rebuild(self, url: str, chunk: Path, vdoc: dict[str, Any]) -> None:
        assert self.extract is not None
        html = self.store.blobs.get_text(vdoc["html"])
        assert html is not None
        fresh = self.extract(html, url)
        article = version_article(vdoc, {"body": fresh.body, "captions": fresh.captions})
        with self.store.transaction():
            digest = self.store.blobs.put_json({"body": article.body, "captions": article.captions})
            # The hash follows the rebuilt text, so the next check compares like with like.
            self._update(chunk, vdoc, {"text": digest, "hash": content_hash(article)})

    def _update(self, chunk: Path, vdoc: dict[str, Any], changes: dict[str, Any]) -> None:
        with self.store.transaction():
            self.store._table(chunk, "versions").update(changes, doc_ids=[vdoc["n"]])

    def _drop_chunk(self, path: Path) -> None:
        with self.store.transaction():
            set_aside(path)
            self.store._shards.pop(path, None)

    def _set_counter(self, doc: dict[str, Any], newest: int) -> None:
        with self.store.transaction():
            self.store._articles().update({"versions": newest}, doc_ids=[doc.doc_id])  # type: ignore[attr-defined]

    # ----- feeds --------------------------------------------------------------------------

    def feeds(self) -> None:
        for doc in self.store._feeds().all():
            path = self.store._seen_path(doc["url"])
            if path.exists():
                try:
                    self.store._table(path, "seen").get(doc_id=1)
                except StoreCorrupt:
                    self.note(
                        doc["url"],
                        f"the list of links it has shown is damaged ({path})",
                        "set aside; links it lists again that are already watched are not added twice",
                        partial(self._drop_chunk, path),
                    )


def examine(store: TinyStore, *, repair: bool = False, extract: Extract | None = None) -> list[Finding]:
    """Every piece of damage in the store, repaired where possible when `repair` is set (Store.examine)."""
    doctor = Doctor(store, repair=repair, extract=extract)
    if not store.root.exists():
        return []
    if doctor.watch_list():
        doctor.blobs()
        doctor.articles()
        doctor.feeds()
    return doctor.findings
