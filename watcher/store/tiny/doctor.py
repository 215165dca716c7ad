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
- a damaged watch list checkpoint is replaced by its backup, whose journals are replayed.
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

from watcher.errors import BadInput, StoreCorrupt
from watcher.models import Article
from watcher.normalize import content_hash
from watcher.store.docs import sound_fields, url_key, version_article

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

    def _entry(self, doc: Any) -> tuple[str, str] | None:
        """The URL and folder key of a watch list entry, reporting (and repairing) what is wrong with it."""
        url, key = doc.get("url"), doc.get("key")
        if not isinstance(url, str):
            self.note(
                f"watch list entry {doc.doc_id}",
                f"has no URL ({url!r})",
                None,  # a folder's name is a hash of its URL: it cannot be worked back
            )
            return None
        if not (isinstance(key, str) and len(key) == 24 and all(c in "0123456789abcdef" for c in key)):
            key = url_key(url)
            self.note(
                url,
                "its folder name is missing from the watch list",
                "set from its URL",
                partial(self._set, doc, {"key": key}),
            )
        bad = sound_fields(doc)
        if bad:
            self.note(
                url,
                f"its stored {', '.join(bad)} cannot be read",
                "reset to the defaults (its schedule is due again)",
                partial(self._set, doc, dict.fromkeys(bad)),
            )
        return url, key

    def articles(self) -> None:
        store = self.store
        for doc in store._articles().all():
            entry = self._entry(doc)
            if entry is None:
                continue
            url, folder = entry[0], store._dir(entry[1])
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
                odd = [d.doc_id for d in docs if not (isinstance(d.get("n"), int) and isinstance(d.get("at"), str))]
                if odd:
                    self.note(
                        url,
                        f"{len(odd)} version document(s) in {chunk} have no number or time",
                        f"copied to {chunk.name}.damaged and taken out; the other versions stay",
                        partial(self._drop_docs, chunk, odd),
                    )
                    docs = [d for d in docs if d.doc_id not in odd]
                for vdoc in sorted(docs, key=lambda d: d["n"]):
                    numbers.append(vdoc["n"])
                    self._version(url, chunk, vdoc)
            newest = max(numbers, default=0)
            counter = doc.get("versions") if isinstance(doc.get("versions"), int) else 0
            if counter != newest:
                self.note(
                    url,
                    f"its counter says {counter} versions, the files hold up to version {newest}",
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

    def _drop_docs(self, chunk: Path, doc_ids: list[int]) -> None:
        with self.store.transaction():
            from watcher.store.tiny.jsonfile import atomic_write

            atomic_write(chunk.with_name(chunk.name + ".damaged"), chunk.read_bytes(), durable=self.store.durable)
            self.store._table(chunk, "versions").remove(doc_ids=doc_ids)

    def _drop_chunk(self, path: Path) -> None:
        with self.store.transaction():
            set_aside(path)
            self.store._shards.pop(path, None)

    def _set(self, doc: Any, changes: dict[str, Any]) -> None:
        with self.store.transaction():
            self.store._articles().update(changes, doc_ids=[doc.doc_id])

    def _set_counter(self, doc: dict[str, Any], newest: int) -> None:
        with self.store.transaction():
            self.store._articles().update({"versions": newest}, doc_ids=[doc.doc_id])  # type: ignore[attr-defined]

    # ----- orphaned article folders -------------------------------------------------------

    def orphans(self) -> None:
        """Article folders holding versions that no watch list entry names (a watch list moved aside or lost)."""
        store = self.store
        base = store.root / "articles"
        if not base.is_dir():
            return
        named = {doc.get("key") for doc in store._articles().all()}
        listed: dict[str, dict[str, Any]] | None = None
        for folder in sorted(p for p in base.glob("??/*") if p.is_dir() and p.name not in named):
            vdocs: list[dict[str, Any]] = []
            for chunk in sorted(folder.glob("v*.json")):
                try:
                    vdocs += [d for d in store._table(chunk, "versions").all() if isinstance(d.get("n"), int)]
                except StoreCorrupt:
                    continue
            if not vdocs:
                continue  # nothing to lose: a folder a crashed write or removal left empty
            if listed is None:
                listed = remembered_entries(store.root)
            doc = listed.get(folder.name) or _entry_from_versions(folder.name, vdocs)
            count = len(vdocs)
            if doc is None:
                self.note(
                    str(folder),
                    f"{count} version(s) of an article the watch list does not name, and its URL is nowhere left to read",
                    None,
                )
                continue
            self.note(
                doc["url"],
                f"{count} version(s) in {folder} that the watch list does not name",
                "put back on the watch list",
                partial(self._put_back, doc, folder.name, vdocs),
            )

    def _put_back(self, doc: dict[str, Any], key: str, vdocs: list[dict[str, Any]]) -> None:
        newest = max(vdocs, key=lambda d: d["n"])
        with self.store.transaction():
            table = self.store._articles()
            if table.find_url(doc["url"]) is not None:
                return
            entry = {k: v for k, v in doc.items() if k not in sound_fields(doc)}
            entry.update(key=key, versions=newest["n"], last_version_at=newest.get("at"))
            entry.setdefault("added_at", min(str(d.get("at") or "") for d in vdocs) or None)
            entry.setdefault("headline", newest.get("headline") or "")
            table.insert(entry)

    # ----- feeds --------------------------------------------------------------------------

    def feeds(self) -> None:
        for doc in self.store._feeds().all():
            if not isinstance(doc.get("url"), str):
                self.note(f"feed entry {doc.doc_id}", f"has no URL ({doc.get('url')!r})", None)
                continue
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


def remembered_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Watch list entries still readable in the folder's other watch list files (backups, files set aside or
    moved aside by hand), by folder key; the key is worked out from the URL, so an entry always matches its folder."""
    import json

    found: dict[str, dict[str, Any]] = {}
    for path in sorted(root.glob("watcher.j*")):
        if path.name in ("watcher.json", "watcher.journal") or not path.is_file():
            continue
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        docs: list[Any] = []
        try:
            data = json.loads(raw)
            articles = data.get("articles") if isinstance(data, dict) else None
            docs = list(articles.values()) if isinstance(articles, dict) else []
        except (ValueError, RecursionError):
            for line in raw.splitlines():  # a journal: its inserts
                try:
                    op = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(op, list) and len(op) >= 4 and op[:2] == ["i", "articles"]:
                    docs.append(op[3])
        for doc in docs:
            if isinstance(doc, dict) and isinstance(doc.get("url"), str):
                found.setdefault(url_key(doc["url"]), doc)
    return found


def _entry_from_versions(key: str, vdocs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """An entry for an orphaned folder from the addresses its versions recorded (canonical, final), when one
    of them is the URL whose hash names the folder."""
    from watcher.urls import normalize_url

    for vdoc in sorted(vdocs, key=lambda d: -d["n"]):
        for candidate in (vdoc.get("final_url"), vdoc.get("canonical_url")):
            if not isinstance(candidate, str):
                continue
            try:
                spellings = {candidate, normalize_url(candidate)}
            except BadInput:
                spellings = {candidate}
            for url in spellings:
                if url_key(url) == key:
                    return {"url": url}
    return None


def examine(store: TinyStore, *, repair: bool = False, extract: Extract | None = None) -> list[Finding]:
    """Every piece of damage in the store, repaired where possible when `repair` is set (Store.examine)."""
    doctor = Doctor(store, repair=repair, extract=extract)
    if not store.root.exists():
        return []
    if doctor.watch_list():
        doctor.blobs()
        doctor.articles()
        doctor.orphans()
        doctor.feeds()
    return doctor.findings
