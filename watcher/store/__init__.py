"""The store: TinyDB documents plus content-addressed blobs in one data folder (see store.store)."""

from watcher.store.store import Store, edit_summary

__all__ = ["Store", "edit_summary"]
