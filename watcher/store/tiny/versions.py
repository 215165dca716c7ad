"""Versions of an article in the data folder: the chunk files under the shared version methods
(watcher.store.backend), loading, listing, and retention of raw HTML."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb.table import Document

from watcher.errors import StoreCorrupt, UnknownArticle
from watcher.models import Version
from watcher.store.docs import (
    stored_time,
    version_from_doc,
)
from watcher.store.tiny.folder import CHUNK, DAMAGED_FILE_ADVICE, INLINE_EDITS_MAX, DataFolder, log
from watcher.times import as_utc, parse_iso


class VersionRecords(DataFolder):
    """TinyStore's versions: chunked TinyDB files, and raw-HTML retention."""

    # ----- versions -----------------------------------------------------------------------

    def _stored_version(self, doc: Any, number: int) -> dict[str, Any] | None:
        return self._table(self._chunk_path(doc["key"], number), "versions").get(doc_id=number)

    def _free_number(self, doc: Any, number: int) -> int:
        while self._table(self._chunk_path(doc["key"], number), "versions").contains(doc_id=number):
            number += 1
        return number

    def _insert_version(self, doc: Any, vdoc: dict[str, Any]) -> None:
        number = vdoc["n"]
        self._table(self._chunk_path(doc["key"], number), "versions").insert(Document(vdoc, doc_id=number))

    def _update_version(self, doc: Any, number: int, changes: dict[str, Any]) -> None:
        self._table(self._chunk_path(doc["key"], number), "versions").update(changes, doc_ids=[number])

    def _clear_versions(self, doc: Any) -> None:
        folder = self._dir(doc["key"])
        for chunk in folder.glob("v*.json") if folder.is_dir() else ():
            self._table(chunk, "versions").truncate()

    def _edits_fields(self, edits: list[dict[str, Any]]) -> dict[str, Any]:
        # A list of edits longer than INLINE_EDITS_MAX goes to a blob, keeping the chunk files small.
        if len(json.dumps(edits, ensure_ascii=True)) > INLINE_EDITS_MAX:
            return {"edits": None, "edits_ref": self.blobs.put_json(edits)}
        return {"edits": edits, "edits_ref": None}

    def _version_from_doc(self, url: str, doc: dict[str, Any], *, full: bool = True) -> Version:
        # A blob that is gone or damaged costs this version its text (or edits), said in `damage`;
        # the other versions and articles read on, and no reader mistakes the gap for deleted paragraphs.
        damage: list[str] = [doc["damage"]] if doc.get("damage") else []  # marked by `watcher doctor --repair`
        text: dict[str, Any] = {}
        if full and doc.get("text"):
            text = self._blob_or_damage(doc["text"], "text", damage) or {}
        raw_edits = doc.get("edits")
        if raw_edits is None and doc.get("edits_ref") and full:
            raw_edits = self._blob_or_damage(doc["edits_ref"], "list of edits", damage)
        return version_from_doc(url, doc, text=text, edits=raw_edits, damage="; ".join(damage) or None)

    def _blob_or_damage(self, digest: str, what: str, damage: list[str]) -> Any:
        try:
            value = self.blobs.get_json(digest)
        except StoreCorrupt:
            damage.append(f"its {what} is damaged ({self.blobs.path(digest)})")
            return None
        if value is None:
            damage.append(f"its {what} is missing ({self.blobs.path(digest)})")
        return value

    def _chunk_docs(self, chunk: Path) -> list[dict[str, Any]]:
        """The versions in one chunk file; a damaged chunk is reported once and read as empty."""
        try:
            docs = list(self._table(chunk, "versions").all())
        except StoreCorrupt as err:
            if chunk not in self._warned:
                self._warned.add(chunk)
                log.warning(f"watcher: {err}")
            return []
        sound: list[dict[str, Any]] = [d for d in docs if isinstance(d.get("n"), int) and isinstance(d.get("at"), str)]
        if len(sound) < len(docs) and chunk not in self._warned:
            self._warned.add(chunk)
            log.warning(
                f"watcher: {chunk}: {len(docs) - len(sound)} version document(s) without a number or time passed over; {DAMAGED_FILE_ADVICE}"
            )
        return sound

    def _version_docs(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        """Every version document of an article, oldest first (orphans past the counter included)."""
        folder = self._dir(doc["key"])
        if not folder.is_dir():
            return []
        out: list[dict[str, Any]] = []
        for chunk in sorted(folder.glob("v*.json")):
            out.extend(self._chunk_docs(chunk))
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
                chunk = self._chunk_docs(self._chunk_path(doc["key"], number))
                vdocs = sorted((v for v in chunk if v["n"] <= number), key=lambda v: v["n"]) + vdocs
                number = (number - 1) // CHUNK * CHUNK  # the last number of the chunk before
            vdocs = vdocs[-last:] if last > 0 else []
        return [self._version_from_doc(doc["url"], v, full=full) for v in vdocs]

    def versions_since(
        self, since: datetime | None, until: datetime | None = None, *, full: bool = True
    ) -> list[Version]:
        """Versions of all articles captured in [since, until], oldest first (for reports)."""
        low = as_utc(since) if since else None
        high = as_utc(until) if until else None
        found: list[Version] = []
        for doc in self._articles().all():
            last = parse_iso(doc.get("last_version_at"))
            if last is None or (low is not None and last < low):
                continue  # nothing new here: skip reading its chunks
            for vdoc in self._version_docs(doc):
                at = stored_time(vdoc["at"])
                if (low is None or at >= low) and (high is None or at <= high):
                    found.append(self._version_from_doc(doc["url"], vdoc, full=full))
        found.sort(key=lambda v: (v.captured_at, v.url, v.number))
        return found

    # ----- retention ----------------------------------------------------------------------

    def prune_raw(self, older_than: datetime) -> int:
        """Drop the raw HTML (served page, screenshot) of versions captured before `older_than`; how many."""
        cutoff = as_utc(older_than)
        dropped = 0
        with self.transaction():
            referenced: set[str] = set()
            for doc in self._articles().all():
                folder = self._dir(doc["key"])
                for chunk in sorted(folder.glob("v*.json")) if folder.is_dir() else ():
                    table = self._table(chunk, "versions")
                    stale = [
                        v.doc_id
                        for v in table.all()
                        if (v.get("html") or v.get("served") or v.get("shot")) and stored_time(v["at"]) < cutoff
                    ]
                    if stale:
                        table.update({"html": None, "served": None, "shot": None}, doc_ids=stale)
                        dropped += len(stale)
                    for v in table.all():
                        shot = v.get("shot")
                        shot = shot if isinstance(shot, dict) else {}
                        referenced.update(
                            h
                            for h in (
                                v.get("html"),
                                v.get("text"),
                                v.get("edits_ref"),
                                v.get("served"),
                                shot.get("digest"),
                            )
                            if h
                        )
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
