"""The store: TinyDB documents plus content-addressed blobs in one data folder (see store.store)."""

from watcher.store.docs import edit_summary
from watcher.store.store import Store

__all__ = ["Store", "edit_summary"]
