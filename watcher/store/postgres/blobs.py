"""PostgresStore's blobs: raw HTML, paragraph lists and served pages in the `blobs` table, content-addressed
(sha256) and gzip-compressed, as in the data folder (watcher/store/tiny/blobs.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


def put_blob(cur: Any, data: bytes) -> str:
    """Store bytes (once) on the cursor's transaction; their sha256 hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    cur.execute(
        "INSERT INTO blobs (digest, data) VALUES (%s, %s) ON CONFLICT (digest) DO NOTHING",
        (digest, gzip.compress(data, compresslevel=6, mtime=0)),
    )
    return digest


def get_blob(cur: Any, digest: str | None) -> bytes | None:
    """A blob's bytes, or None for no digest or a blob that is gone."""
    if not digest:
        return None
    cur.execute("SELECT data FROM blobs WHERE digest = %s", (digest,))
    row = cur.fetchone()
    return gzip.decompress(row[0]) if row else None


class PostgresBlobs:
    """The blobs of one PostgresStore, each call on the store's cursor (inside its open transaction, if any)."""

    def __init__(self, cursor: Callable[[], AbstractContextManager[Any]]):
        self._cursor = cursor

    def put(self, data: bytes) -> str:
        with self._cursor() as cur:
            return put_blob(cur, data)

    def put_text(self, text: str) -> str:
        return self.put(text.encode("utf-8", "surrogatepass"))

    def put_json(self, value: Any) -> str:
        return self.put(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))

    def get(self, digest: str) -> bytes | None:
        with self._cursor() as cur:
            return get_blob(cur, digest)

    def get_text(self, digest: str) -> str | None:
        raw = self.get(digest)
        return raw.decode("utf-8", "surrogatepass") if raw is not None else None
