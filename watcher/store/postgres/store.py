"""PostgresStore, the server backend of the Store protocol: one PostgreSQL database shared by any number
of `watcher worker` processes on any number of machines.

Tables (created on first open, see watcher/store/postgres/schema.py): articles, versions, checks, feeds,
feed_links, blobs, meta. Each article, version and feed keeps its fields as one JSONB document built by the same
converters as the embedded store (watcher.store.docs), so a field added to a model is stored by both
backends without a migration; the columns beside the documents are only what queries select or
order on (url, next_check, captured_at, number). Raw HTML and paragraph lists live in `blobs`,
content-addressed (sha256) and gzip-compressed, as in the data folder.

Concurrency: every write runs in a database transaction; writes that read-modify-write an article
lock its row (SELECT ... FOR UPDATE), so two workers saving a version of one article are serialized
and the second sees the first's version (no number is used twice: the primary key says so too).
A thread's `transaction()` groups its writes on that thread's own connection. The run lock is a
session-level advisory lock, released by the server when the holder's connection dies.

This module holds the connections, articles, check log and versions; the other parts are mixins beside it
(postgres_feeds, postgres_outbox, postgres_blobs, and postgres_shared for `watcher worker`), and what the
two backends do alike (adding an article, saving and rewriting versions) is watcher.store.backend's.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from watcher.errors import BadInput, StoreError, StoreLocked, StoreUnavailable, UnknownArticle
from watcher.models import CheckRecord, Version, WatchedArticle
from watcher.store.backend import Backend
from watcher.store.docs import (
    article_from_doc,
    article_to_doc,
    check_record,
    sound_fields,
    stored_time,
    url_key,
    version_from_doc,
)
from watcher.store.postgres.blobs import PostgresBlobs, get_blob
from watcher.store.postgres.feeds import PostgresFeeds
from watcher.store.postgres.outbox import PostgresOutbox
from watcher.store.postgres.schema import RUN_LOCK_KEY, SCHEMA_SQL, SCHEMA_VERSION, jsonb
from watcher.store.postgres.shared import WorkerCoordination
from watcher.store.postgres.shared import aware as _aware
from watcher.urls import normalize_url

CONNECT_WAIT = 60.0  # seconds a store waits for its server to come back before giving up
IDLE_PING = 2.0  # seconds a connection may sit unused before it is checked before use


def redact_dsn(dsn: str) -> str:
    """A connection URL (or key=value string) without its password, for messages: the password in the
    authority and any password-like query or keyword parameter are dropped."""
    import re
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    if "://" not in dsn:
        return re.sub(r"(\b\w*pass\w*\s*=\s*)('[^']*'|\S+)", r"\1***", dsn, flags=re.I)
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if "pass" not in k.lower()]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="=%"), parts.fragment))


class _Row(dict[str, Any]):
    """An article's document with the id of its row, as the shared methods hand it back to the primitives."""

    def __init__(self, row_id: int, doc: dict[str, Any]):
        super().__init__(doc)
        self.id = row_id


class PostgresStore(PostgresFeeds, PostgresOutbox, WorkerCoordination, Backend):
    """The Store protocol on a PostgreSQL database (psycopg 3)."""

    blobs: PostgresBlobs

    def __init__(self, dsn: str, *, check_log_size: int = 50, connect_wait: float = CONNECT_WAIT, **_: Any):
        import psycopg  # imported here: the embedded store's commands never pay for it

        self._psycopg = psycopg
        self.dsn = dsn
        self.check_log_size = max(1, int(check_log_size))
        self.connect_wait = connect_wait
        self._local = threading.local()
        self._lock_conn: Any = None  # session-level advisory locks live on one connection
        self._lock_mutex = threading.Lock()
        self._claimant = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"  # whose outbox entries are whose
        self._outbox_held = False
        self.blobs = PostgresBlobs(self._cursor)
        with self._cursor() as cur:
            # One creator at a time: two workers starting together must not race on CREATE TABLE.
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (RUN_LOCK_KEY + 1,))
            cur.execute(SCHEMA_SQL)
            cur.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', %s) ON CONFLICT (key) DO NOTHING", (SCHEMA_VERSION,)
            )
            cur.execute("SELECT value FROM meta WHERE key = 'schema'")
            refuse_newer_schema(cur.fetchone()[0], self.location)

    @property
    def location(self) -> str:
        return redact_dsn(self.dsn)

    @property
    def shared_url(self) -> str | None:
        return self.dsn

    def examine(self, *, repair: bool = False, extract: Any = None) -> list[Any]:
        raise BadInput("watcher doctor checks the embedded store's files; a database server checks its own")

    # ----- connections and transactions ----------------------------------------------------

    def _connect(self) -> Any:
        """A new connection, waiting (with a clear message once) while the server is down."""
        deadline = time.monotonic() + self.connect_wait
        warned = False
        while True:
            try:
                return self._psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
            except self._psycopg.OperationalError as err:
                if time.monotonic() >= deadline:
                    raise StoreError(f"cannot reach the PostgreSQL store {self.location}: {_first_line(err)}") from None
                if not warned:
                    warned = True
                    print(
                        f"watcher: waiting for the PostgreSQL store {self.location} ({_first_line(err)})",
                        file=_stderr(),
                        flush=True,
                    )
                time.sleep(1.0)

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        now = time.monotonic()
        if conn is not None and not getattr(self._local, "depth", 0) and now - self._local.used > IDLE_PING:
            # A connection idle for a while may have been dropped by a server restart: find out now,
            # outside any transaction, where a fresh connection can still take its place.
            try:
                conn.execute("SELECT 1")
            except self._psycopg.Error:
                conn.close()
        self._local.used = now
        if conn is None or conn.closed or conn.broken:
            # A connection the server dropped (restart, failover) is replaced, waiting for the server.
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
        return conn

    @contextmanager
    def transaction(self) -> Iterator[PostgresStore]:
        """Group this thread's writes into one database transaction (nests; the outermost commits)."""
        conn = self._conn()
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield self
            finally:
                self._local.depth -= 1
            return
        self._local.depth = 1
        try:
            with self._errors(), conn.transaction():
                yield self
        finally:
            self._local.depth = 0

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor inside a transaction: the caller's open one, or one of its own."""
        conn = self._conn()
        if getattr(self._local, "depth", 0):
            with self._errors(), conn.cursor() as cur:
                yield cur
            return
        with self._errors(), conn.transaction(), conn.cursor() as cur:
            yield cur

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._psycopg.Error as err:
            # Every database failure is one line naming the store (never its password), not a traceback.
            # OperationalError: the server went away or is out of disk, the store as a whole, not one article.
            kind = StoreUnavailable if isinstance(err, self._psycopg.OperationalError) else StoreError
            raise kind(f"the PostgreSQL store {self.location} failed: {_first_line(err)}") from None

    # ----- articles ------------------------------------------------------------------------

    def _row(self, cur: Any, url: str, *, lock: bool = False) -> tuple[int, dict[str, Any]]:
        normal = normalize_url(url)
        cur.execute(
            "SELECT id, doc FROM articles WHERE url = %s" + (" FOR UPDATE" if lock else ""),
            (normal,),
        )
        row = cur.fetchone()
        if row is None:
            raise UnknownArticle(f"not watching {url}")
        if lock:  # a write computes from the fields it can read; those of the wrong type are written over
            bad = sound_fields(row[1])
            return row[0], {k: v for k, v in row[1].items() if k not in bad}
        return row[0], row[1]

    def _save_doc(self, cur: Any, article_id: int, doc: dict[str, Any]) -> None:
        cur.execute(
            "UPDATE articles SET doc = %s, next_check = %s, last_version_at = %s WHERE id = %s",
            (jsonb(doc), doc.get("next_check"), doc.get("last_version_at"), article_id),
        )

    def _article_for_write(self, url: str) -> _Row:
        with self._cursor() as cur:
            return _Row(*self._row(cur, url, lock=True))

    def _insert_article(self, article: WatchedArticle) -> _Row | None:
        doc = {**article_to_doc(article), "last_version_at": None}
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO articles (url, doc, next_check) VALUES (%s, %s, %s) ON CONFLICT (url) DO NOTHING"
                " RETURNING id",
                (article.url, jsonb(doc), doc["next_check"]),
            )
            if cur.fetchone() is not None:
                return None
            return _Row(*self._row(cur, article.url, lock=True))

    def _change_article(self, doc: _Row, changes: dict[str, Any]) -> _Row:
        changed = _Row(doc.id, {**doc, **changes})
        with self._cursor() as cur:
            self._save_doc(cur, changed.id, changed)
        return changed

    def remove_article(self, url: str) -> WatchedArticle:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url, lock=True)
            cur.execute("DELETE FROM articles WHERE id = %s", (article_id,))
            return article_from_doc(doc)

    def get_article(self, url: str) -> WatchedArticle:
        with self._cursor() as cur:
            return article_from_doc(self._row(cur, url)[1])

    def list_articles(self) -> list[WatchedArticle]:
        with self._cursor() as cur:
            cur.execute("SELECT doc FROM articles ORDER BY id")
            return [article_from_doc(row[0]) for row in cur.fetchall()]

    def iter_articles(self) -> Iterator[WatchedArticle]:
        yield from self.list_articles()

    def article_keys(self) -> dict[str, str]:
        with self._cursor() as cur:
            cur.execute("SELECT url FROM articles ORDER BY id")
            return {row[0]: url_key(row[0]) for row in cur.fetchall()}

    def learned_modes(self) -> dict[str, str]:
        with self._cursor() as cur:
            cur.execute("SELECT url, doc->>'learned_mode' FROM articles WHERE doc ? 'learned_mode' ORDER BY id")
            return {url: mode for url, mode in cur.fetchall() if mode}

    def articles_due(self, now: datetime) -> list[WatchedArticle]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT doc FROM articles"
                " WHERE (next_check <= %s OR (next_check IS NULL AND doc->>'last_checked' IS NULL))"
                " AND coalesce((doc->>'stopped')::boolean, false) = false"
                " AND coalesce((doc->>'paused')::boolean, false) = false ORDER BY id",
                (_aware(now),),
            )
            return [article_from_doc(row[0]) for row in cur.fetchall()]

    # ----- the check log -------------------------------------------------------------------

    def _append_check(self, doc: _Row, entry: dict[str, Any]) -> None:
        with self._cursor() as cur:
            cur.execute("INSERT INTO checks (article_id, doc) VALUES (%s, %s)", (doc.id, jsonb(entry)))
            cur.execute(
                "DELETE FROM checks WHERE article_id = %s AND id NOT IN"
                " (SELECT id FROM checks WHERE article_id = %s ORDER BY id DESC LIMIT %s)",
                (doc.id, doc.id, self.check_log_size),
            )

    def recent_checks(self, url: str) -> list[CheckRecord]:
        with self._cursor() as cur:
            article_id, _ = self._row(cur, url)
            cur.execute("SELECT doc FROM checks WHERE article_id = %s ORDER BY id", (article_id,))
            return [check_record(e) for (e,) in cur.fetchall()]

    # ----- versions ------------------------------------------------------------------------

    def _version(self, cur: Any, url: str, doc: dict[str, Any], *, full: bool = True) -> Version:
        text: dict[str, Any] = {}
        if full and doc.get("text"):
            raw = get_blob(cur, doc["text"])
            text = json.loads(raw) if raw else {}
        edits = doc.get("edits") if full else []
        return version_from_doc(url, doc, text=text, edits=edits)

    def _version_from_doc(self, url: str, vdoc: dict[str, Any], *, full: bool = True) -> Version:
        with self._cursor() as cur:
            return self._version(cur, url, vdoc, full=full)

    def _stored_version(self, doc: _Row, number: int) -> dict[str, Any] | None:
        with self._cursor() as cur:
            cur.execute("SELECT doc FROM versions WHERE article_id = %s AND number = %s", (doc.id, number))
            row = cur.fetchone()
            return None if row is None else row[0]

    def _free_number(self, doc: _Row, number: int) -> int:
        with self._cursor() as cur:
            cur.execute("SELECT coalesce(max(number), 0) FROM versions WHERE article_id = %s", (doc.id,))
            return max(number, int(cur.fetchone()[0]) + 1)

    def _insert_version(self, doc: _Row, vdoc: dict[str, Any]) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO versions (article_id, number, captured_at, doc) VALUES (%s, %s, %s, %s)",
                (doc.id, vdoc["n"], stored_time(vdoc["at"]), jsonb(vdoc)),
            )

    def _update_version(self, doc: _Row, number: int, changes: dict[str, Any]) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE versions SET doc = doc || %s WHERE article_id = %s AND number = %s",
                (jsonb(changes), doc.id, number),
            )

    def _clear_versions(self, doc: _Row) -> None:
        with self._cursor() as cur:
            cur.execute("DELETE FROM versions WHERE article_id = %s", (doc.id,))

    def latest_version(self, url: str) -> Version | None:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url)
            cur.execute(
                "SELECT doc FROM versions WHERE article_id = %s ORDER BY number DESC LIMIT 1",
                (article_id,),
            )
            row = cur.fetchone()
            return None if row is None else self._version(cur, doc["url"], row[0])

    def get_version(self, url: str, number: int) -> Version:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url)
            row = None
            if isinstance(number, int) and number >= 1:
                cur.execute("SELECT doc FROM versions WHERE article_id = %s AND number = %s", (article_id, number))
                row = cur.fetchone()
            if row is None:
                raise UnknownArticle(f"no version {number} of {doc['url']} (it has {doc.get('versions') or 0})")
            return self._version(cur, doc["url"], row[0])

    def list_versions(self, url: str, *, full: bool = True, last: int | None = None) -> list[Version]:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url)
            if last is None:
                cur.execute("SELECT doc FROM versions WHERE article_id = %s ORDER BY number", (article_id,))
                rows = cur.fetchall()
            else:
                cur.execute(
                    "SELECT doc FROM versions WHERE article_id = %s ORDER BY number DESC LIMIT %s",
                    (article_id, max(0, last)),
                )
                rows = list(reversed(cur.fetchall()))
            return [self._version(cur, doc["url"], r[0], full=full) for r in rows]

    def versions_since(
        self, since: datetime | None, until: datetime | None = None, *, full: bool = True
    ) -> list[Version]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT a.url, v.doc FROM versions v JOIN articles a ON a.id = v.article_id"
                " WHERE (%(low)s::timestamptz IS NULL OR v.captured_at >= %(low)s)"
                " AND (%(high)s::timestamptz IS NULL OR v.captured_at <= %(high)s)"
                " ORDER BY v.captured_at, a.url, v.number",
                {"low": _aware(since), "high": _aware(until)},
            )
            return [self._version(cur, url, vdoc, full=full) for url, vdoc in cur.fetchall()]

    # ----- locks and retention -------------------------------------------------------------

    @contextmanager
    def run_lock(self) -> Iterator[PostgresStore]:
        """A session-level advisory lock on its own connection: the server drops it if the holder dies."""
        conn = self._connect()
        try:
            with self._errors():
                got = conn.execute(
                    "SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))", (RUN_LOCK_KEY,)
                ).fetchone()[0]
                if not got:
                    row = conn.execute("SELECT holder FROM run_holder WHERE id = 1").fetchone()
                    raise StoreLocked(
                        f"another `watcher run` ({row[0] if row else 'unknown'}) is using {self.location}"
                    )
                holder = f"pid {os.getpid()} on {socket.gethostname()}"
                conn.execute(
                    "INSERT INTO run_holder (id, holder) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET holder = %s",
                    (holder, holder),
                )
            yield self
        finally:
            conn.close()

    def prune_raw(self, older_than: datetime) -> int:
        cutoff = _aware(older_than)
        with self._cursor() as cur:
            cur.execute(
                'UPDATE versions SET doc = doc || \'{"html": null, "served": null, "shot": null}\'::jsonb'
                " WHERE captured_at < %s AND (doc->>'html' IS NOT NULL OR doc->>'served' IS NOT NULL"
                " OR doc->>'shot' IS NOT NULL)",
                (cutoff,),
            )
            dropped: int = cur.rowcount
            cur.execute(
                "DELETE FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE"
                " v.doc->>'html' = b.digest OR v.doc->>'text' = b.digest OR v.doc->>'served' = b.digest"
                " OR v.doc->'shot'->>'digest' = b.digest)"
            )
            return dropped

    def close(self) -> None:
        """Close this thread's connection and the lock connection (its advisory locks go with it)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._lock_mutex:
            if self._lock_conn is not None:
                self._lock_conn.close()
                self._lock_conn = None
            self._outbox_held = False


def refuse_newer_schema(stored: str, location: str) -> None:
    """A database a newer watcher set up is not read or written by this one (one line saying so)."""
    if stored.isdigit() and int(stored) <= int(SCHEMA_VERSION):
        return
    raise StoreError(
        f"the PostgreSQL store {location} was set up by a newer watcher (schema {stored!r}; this one reads up to "
        f"{SCHEMA_VERSION}): upgrade watcher to use it; nothing was changed"
    )


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _stderr() -> Any:
    import sys

    return sys.stderr
