"""PostgresStore's notifications outbox (table outbox), shared by every worker on the database.

A notification belongs to the process that put (or took) it for as long as that process lives (it holds an
advisory lock named after itself on its lock connection, which the server drops with the process); one
whose owner is gone is taken by the next to look. So none is sent by two workers, however long it waits,
and none is lost with one. A mixin of PostgresStore (watcher/store/postgres/store.py), which owns the connections.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from watcher.store.docs import ts
from watcher.store.postgres.schema import OUTBOX_LOCKS, jsonb
from watcher.store.postgres.shared import aware


class PostgresOutbox:
    """The Store protocol's outbox methods on PostgreSQL; the connection handling is PostgresStore's."""

    _claimant: str  # this process's name on the entries it owns
    _outbox_held: bool
    _lock_mutex: threading.Lock

    if TYPE_CHECKING:

        def _cursor(self) -> AbstractContextManager[Any]: ...

        def _errors(self) -> AbstractContextManager[None]: ...

        def _locks(self) -> Any: ...

    def _claim_outbox(self) -> None:
        if not self._outbox_held:
            with self._lock_mutex, self._errors():
                self._locks().execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (OUTBOX_LOCKS, self._claimant))
            self._outbox_held = True

    def outbox_put(self, entries: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None) -> list[int]:
        self._claim_outbox()
        with self._cursor() as cur:
            ids = []
            for target, body in entries:
                cur.execute(
                    "INSERT INTO outbox (target, body, created_at, claimed_by, claimed_at)"
                    " VALUES (%s, %s, %s, %s, clock_timestamp()) RETURNING id",
                    (target, jsonb(body), aware(now) or datetime.now(UTC), self._claimant),
                )
                ids.append(int(cur.fetchone()[0]))
            return ids

    def outbox_pending(self) -> list[dict[str, Any]]:
        self._claim_outbox()
        with self._cursor() as cur:
            # An owner is alive while its lock is held: trying it here succeeds only for a gone owner.
            cur.execute(
                "UPDATE outbox SET claimed_by = %s, claimed_at = clock_timestamp()"
                " WHERE claimed_by IS NULL OR claimed_by = %s"
                " OR pg_try_advisory_xact_lock(%s, hashtext(claimed_by))"
                " RETURNING id, target, body, created_at, attempts, last_error",
                (self._claimant, self._claimant, OUTBOX_LOCKS),
            )
            rows = sorted(cur.fetchall())
            return [
                {"id": i, "target": t, "body": b, "created_at": ts(c), "attempts": a, "last_error": e}
                for i, t, b, c, a, e in rows
            ]

    def outbox_done(self, entry_id: int) -> None:
        with self._cursor() as cur:
            cur.execute("DELETE FROM outbox WHERE id = %s", (entry_id,))

    def outbox_failed(self, entry_id: int, error: str) -> int:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = %s, claimed_at = clock_timestamp()"
                " WHERE id = %s RETURNING attempts",
                (error[:500], entry_id),
            )
            row = cur.fetchone()
            return int(row[0]) if row else 0
