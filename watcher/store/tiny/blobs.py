"""Content-addressed, gzip-compressed blobs: raw HTML, paragraph lists and long edit lists live here."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from watcher.errors import StoreCorrupt, StoreError
from watcher.store.tiny.jsonfile import atomic_write, fsync_dir, write_error

# Deleting a damaged blob by hand made its version read as if every paragraph had been removed.
BLOB_ADVICE = "`watcher doctor --repair` rebuilds what it can from the raw HTML and marks the rest"


class BlobStore:
    """Blobs named by the sha256 of their content under <root>/ab/cdef....gz; identical content is stored once."""

    def __init__(self, root: Path, *, durable: bool = True):
        self.root = Path(root)
        self.durable = durable

    def path(self, digest: str) -> Path:
        """Where the blob with this digest lives."""
        return self.root / digest[:2] / f"{digest[2:]}.gz"

    def put(self, data: bytes) -> str:
        """Store bytes (once) and return their sha256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise write_error(target.parent, err) from err
        # mtime=0 keeps the compressed bytes a function of the content alone.
        atomic_write(target, gzip.compress(data, compresslevel=6, mtime=0), durable=self.durable)
        return digest

    def put_text(self, text: str) -> str:
        """Store a string; lone surrogates from odd pages survive the round trip."""
        return self.put(text.encode("utf-8", "surrogatepass"))

    def put_json(self, value: Any) -> str:
        """Store a JSON-serializable value."""
        return self.put(json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii"))

    def get(self, digest: str) -> bytes | None:
        """The blob's bytes, or None when it is absent (pruned)."""
        target = self.path(digest)
        try:
            with open(target, "rb") as fh:
                packed = fh.read()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(f"cannot read {target}: {err.strerror or err}") from err
        try:
            return gzip.decompress(packed)
        except (OSError, EOFError, zlib.error) as err:
            raise StoreCorrupt(f"{target} is damaged ({err}); {BLOB_ADVICE}") from None

    def get_text(self, digest: str) -> str | None:
        """A string stored with put_text, or None."""
        data = self.get(digest)
        return None if data is None else data.decode("utf-8", "surrogatepass")

    def get_json(self, digest: str) -> Any:
        """A value stored with put_json, or None."""
        data = self.get(digest)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            raise StoreCorrupt(f"{self.path(digest)} is damaged (not JSON); {BLOB_ADVICE}") from None

    def digests(self) -> Iterator[str]:
        """Every stored digest."""
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for entry in sub.iterdir():
                    if entry.name.endswith(".gz") and not entry.name.startswith("."):
                        yield sub.name + entry.name[:-3]

    def delete(self, digest: str) -> None:
        """Remove a blob if present."""
        try:
            os.unlink(self.path(digest))
        except FileNotFoundError:
            pass

    def sweep_temps(self) -> int:
        """Delete temp files left by killed writers; call only under the writer lock."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for sub in self.root.iterdir():
            if sub.is_dir():
                for entry in sub.glob(".*.tmp"):
                    entry.unlink(missing_ok=True)
                    removed += 1
        if removed and self.durable:
            fsync_dir(self.root)
        return removed
