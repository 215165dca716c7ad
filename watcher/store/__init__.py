"""The store: the `Store` protocol and `open_store`, the one place that picks a backend.

Callers annotate with `Store` and open with `open_store(location)`; the embedded TinyDB backend
(watcher.store.tiny.store.TinyStore) is named only here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from watcher.errors import BadInput
from watcher.models import CheckRecord
from watcher.store.docs import edit_summary
from watcher.store.protocol import Store

__all__ = ["CheckRecord", "Store", "edit_summary", "open_store"]

SERVER_SCHEMES = ("postgresql://", "postgres://")


def open_store(location: str | Path, **opts: Any) -> Store:
    """The store at `location`: a data folder path (or file:// URL) opens the embedded TinyDB store;
    a postgresql:// URL names a database server. Options go to the backend (TinyStore takes
    check_log_size, durable, lock_timeout)."""
    text = str(location)
    lowered = text.lower()
    if lowered.startswith(SERVER_SCHEMES):
        from watcher.store.postgres.store import PostgresStore

        return PostgresStore(text, **opts)
    if lowered.startswith("file://"):
        text = text[len("file://") :]
    elif "://" in text:
        raise BadInput(f"unknown store {text.split('://', 1)[0]}:// (use a data folder path)")
    from watcher.store.tiny.store import TinyStore

    return TinyStore(Path(text), **opts)
