"""What `watcher worker` needs of the PostgreSQL store beyond the Store protocol: the due lists, the
per-host politeness slot shared by every process on the database, and the advisory locks that keep two
workers off one article. A mixin of PostgresStore (watcher/store/postgres/store.py), which owns the connections."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.errors import StoreError
from watcher.times import as_utc
from watcher.urls import normalize_url


class WorkerCoordination:
    """The WorkerStore methods (watcher.store.protocol, with their docs); the connection handling is PostgresStore's."""

    _lock_conn: Any  # session-level advisory locks live on one connection
    _lock_mutex: threading.Lock

    if TYPE_CHECKING:

        def _connect(self) -> Any: ...

        def _cursor(self) -> AbstractContextManager[Any]: ...

        def _errors(self) -> AbstractContextManager[None]: ...

    def due_articles(self, until: datetime) -> list[tuple[str, datetime | None]]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT url, next_check FROM articles"
                " WHERE (next_check <= %s OR (next_check IS NULL AND doc->>'last_checked' IS NULL))"
                " AND coalesce((doc->>'stopped')::boolean, false) = false"
                " AND coalesce((doc->>'paused')::boolean, false) = false"
                " ORDER BY next_check NULLS FIRST",
                (aware(until),),
            )
            return [(url, at) for url, at in cur.fetchall()]

    def due_feeds(self, until: datetime) -> list[tuple[str, datetime | None]]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT url, (doc->>'next_poll')::timestamptz FROM feeds"
                " WHERE doc->>'next_poll' IS NULL OR (doc->>'next_poll')::timestamptz <= %s",
                (aware(until),),
            )
            return [(url, at) for url, at in cur.fetchall()]

    def reserve_host(self, host: str, gap: float) -> float:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO host_gate AS g (host, next_at) VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(gap)s))"
                " ON CONFLICT (host) DO UPDATE"
                " SET next_at = greatest(g.next_at, clock_timestamp()) + make_interval(secs => %(gap)s)"
                " RETURNING greatest(0, extract(epoch FROM g.next_at - clock_timestamp()) - %(gap)s)",
                {"host": host, "gap": float(gap)},
            )
            return float(cur.fetchone()[0])

    def has_table(self, name: str) -> bool:
        with self._cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
            return bool(cur.fetchone()[0])

    def _locks(self) -> Any:
        if self._lock_conn is None or self._lock_conn.closed or self._lock_conn.broken:
            self._lock_conn = self._connect()
        return self._lock_conn

    def try_advisory_lock(self, key: int) -> bool:
        with self._lock_mutex, self._errors():
            return bool(self._locks().execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0])

    def advisory_unlock(self, key: int) -> None:
        with self._lock_mutex, self._errors():
            self._locks().execute("SELECT pg_advisory_unlock(%s)", (key,))

    @contextmanager
    def checking(self, url: str) -> Iterator[bool]:
        # A session-level advisory lock: the server releases it when the holder's connection dies.
        key = int.from_bytes(
            hashlib.sha256(normalize_url(url).encode("utf-8", "surrogatepass")).digest()[:8], "big", signed=True
        )
        got = self.try_advisory_lock(key)
        try:
            yield got
        finally:
            if got:
                try:
                    self.advisory_unlock(key)
                except StoreError:
                    pass  # the connection is gone, and the lock with it

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[None]:
        conn = self._connect()
        try:
            with self._errors():
                conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            yield
        finally:
            conn.close()


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return as_utc(moment)
