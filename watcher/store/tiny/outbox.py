"""The notifications outbox: each notification is stored before it is sent and removed once delivered,
so what a run could not deliver (the target down, the run stopped or killed) is sent by the next run.

File: outbox.json in the data folder, TinyDB table "outbox", one document per notification and target:
{"target": key of the target URL, "body": the webhook body, "created_at", "attempts", "last_error"}.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watcher.store.docs import ts
from watcher.store.tiny.folder import DataFolder


class OutboxRecords(DataFolder):
    """Store methods for the notifications outbox."""

    def _outbox_path(self) -> Path:
        return self.root / "outbox.json"

    def outbox_put(self, entries: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None) -> list[int]:
        """Keep (target key, body) notifications until delivered; their ids, in order."""
        moment = ts(now or datetime.now(UTC))
        with self.transaction():
            table = self._table(self._outbox_path(), "outbox")
            return [
                table.insert({"target": target, "body": body, "created_at": moment, "attempts": 0, "last_error": None})
                for target, body in entries
            ]

    def outbox_pending(self) -> list[dict[str, Any]]:
        """Notifications not delivered yet, oldest first, each with its "id"."""
        path = self._outbox_path()
        if not path.exists():
            return []
        return [{**doc, "id": doc.doc_id} for doc in sorted(self._table(path, "outbox").all(), key=lambda d: d.doc_id)]

    def outbox_done(self, entry_id: int) -> None:
        """Delivered (or given up): remove it from the outbox."""
        with self.transaction():
            table = self._table(self._outbox_path(), "outbox")
            if table.contains(doc_id=entry_id):
                table.remove(doc_ids=[entry_id])

    def outbox_failed(self, entry_id: int, error: str) -> int:
        """Count a failed delivery run on it; the attempts so far."""
        with self.transaction():
            table = self._table(self._outbox_path(), "outbox")
            doc = table.get(doc_id=entry_id)
            if doc is None:
                return 0
            attempts = int(doc.get("attempts") or 0) + 1
            table.update({"attempts": attempts, "last_error": error[:500]}, doc_ids=[entry_id])
            return attempts
