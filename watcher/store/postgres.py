"""PostgresStore, the server backend of the Store protocol: one PostgreSQL database shared by any number
of `watcher worker` processes on any number of machines.

Tables (created on first open, see SCHEMA_SQL): articles, versions, checks, feeds, feed_links, blobs,
meta. Each article, version and feed keeps its fields as one JSONB document built by the same
converters as the embedded store (watcher.store.docs), so a field added to a model is stored by both
backends without a migration; the columns beside the documents are only what queries select or
order on (url, next_check, captured_at, number). Raw HTML and paragraph lists live in `blobs`,
content-addressed (sha256) and gzip-compressed, as in the data folder.

Concurrency: every write runs in a database transaction; writes that read-modify-write an article
lock its row (SELECT ... FOR UPDATE), so two workers saving a version of one article are serialized
and the second sees the first's version (no number is used twice: the primary key says so too).
A thread's `transaction()` groups its writes on that thread's own connection. The run lock is a
session-level advisory lock, released by the server when the holder's connection dies.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from watcher.errors import StoreError, StoreLocked, UnknownArticle
from watcher.models import (
    Article,
    CheckRecord,
    CheckResult,
    Edit,
    Feed,
    ServedPage,
    Version,
    VersionDiff,
    WatchedArticle,
)
from watcher.normalize import content_hash
from watcher.store.docs import (
    article_from_doc,
    article_to_doc,
    check_entry,
    check_record,
    feed_from_doc,
    feed_to_doc,
    later,
    saved_version_changes,
    served_from_bytes,
    served_to_bytes,
    ts,
    url_key,
    version_doc,
    version_from_doc,
)
from watcher.store.postgres_shared import WorkerCoordination
from watcher.store.postgres_shared import aware as _aware
from watcher.urls import normalize_url

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id bigserial PRIMARY KEY,
    url text NOT NULL UNIQUE,
    doc jsonb NOT NULL,
    next_check timestamptz,
    last_version_at timestamptz
);
CREATE INDEX IF NOT EXISTS articles_next_check ON articles (next_check);
CREATE TABLE IF NOT EXISTS versions (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number int NOT NULL,
    captured_at timestamptz NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (article_id, number)
);
CREATE INDEX IF NOT EXISTS versions_captured_at ON versions (captured_at);
CREATE TABLE IF NOT EXISTS checks (
    id bigserial PRIMARY KEY,
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    doc jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_article ON checks (article_id, id);
CREATE TABLE IF NOT EXISTS feeds (id bigserial PRIMARY KEY, url text NOT NULL UNIQUE, doc jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS feed_links (
    feed_id bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    link text NOT NULL,
    PRIMARY KEY (feed_id, link)
);
CREATE TABLE IF NOT EXISTS blobs (digest text PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE IF NOT EXISTS run_holder (id int PRIMARY KEY, holder text NOT NULL);
CREATE TABLE IF NOT EXISTS host_gate (host text PRIMARY KEY, next_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id bigserial PRIMARY KEY,
    target text NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 0,
    last_error text,
    claimed_by text,
    claimed_at timestamptz
);
"""
SCHEMA_VERSION = "1"
RUN_LOCK_KEY = 0x77617463  # "watc": the advisory lock id of `watcher run`/the scheduler
CONNECT_WAIT = 60.0  # seconds a store waits for its server to come back before giving up
OUTBOX_LOCKS = 0x776F  # advisory lock namespace: one lock per process that owns outbox entries
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


class PostgresStore(WorkerCoordination):
    """The Store protocol on a PostgreSQL database (psycopg 3)."""

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
        with self._cursor() as cur:
            # One creator at a time: two workers starting together must not race on CREATE TABLE.
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (RUN_LOCK_KEY + 1,))
            cur.execute(SCHEMA_SQL)
            cur.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', %s) ON CONFLICT (key) DO NOTHING", (SCHEMA_VERSION,)
            )

    @property
    def location(self) -> str:
        return redact_dsn(self.dsn)

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
            raise StoreError(f"the PostgreSQL store {self.location} failed: {_first_line(err)}") from None

    # ----- blobs ---------------------------------------------------------------------------

    def _put_blob(self, cur: Any, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        cur.execute(
            "INSERT INTO blobs (digest, data) VALUES (%s, %s) ON CONFLICT (digest) DO NOTHING",
            (digest, gzip.compress(data, compresslevel=6, mtime=0)),
        )
        return digest

    def _get_blob(self, cur: Any, digest: str | None) -> bytes | None:
        if not digest:
            return None
        cur.execute("SELECT data FROM blobs WHERE digest = %s", (digest,))
        row = cur.fetchone()
        return gzip.decompress(row[0]) if row else None

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
        return row[0], row[1]

    def _save_doc(self, cur: Any, article_id: int, doc: dict[str, Any]) -> None:
        cur.execute(
            "UPDATE articles SET doc = %s, next_check = %s, last_version_at = %s WHERE id = %s",
            (_json(doc), doc.get("next_check"), doc.get("last_version_at"), article_id),
        )

    def add_article(
        self,
        url: str,
        *,
        tags: Iterable[str] = (),
        every: int | None = None,
        now: datetime | None = None,
        feed: str | None = None,
    ) -> tuple[WatchedArticle, bool]:
        normal = normalize_url(url)
        tags = list(tags)
        now = now or datetime.now(UTC)
        art = WatchedArticle(
            url=normal, added_at=now, tags=list(dict.fromkeys(tags)), every=every, next_check=now, feed=feed
        )
        doc = {**article_to_doc(art), "last_version_at": None}
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO articles (url, doc, next_check) VALUES (%s, %s, %s) ON CONFLICT (url) DO NOTHING"
                " RETURNING id",
                (normal, _json(doc), doc["next_check"]),
            )
            if cur.fetchone() is not None:
                return art, True
            article_id, old = self._row(cur, normal, lock=True)
            merged = list(old.get("tags") or []) + [t for t in tags if t not in (old.get("tags") or [])]
            changed = dict(old)
            changed["tags"] = merged
            if every is not None:
                changed["every"] = every
            if changed != old:
                self._save_doc(cur, article_id, changed)
            return article_from_doc(changed), False

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

    def update_article(self, article: WatchedArticle) -> WatchedArticle:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, article.url, lock=True)
            new = article_to_doc(article)
            new["url"] = doc["url"]
            new["versions"] = doc.get("versions", 0)
            new["checks_total"] = doc.get("checks_total", 0)
            for name in ("last_checked", "last_changed"):
                new[name] = ts(later(_parse(doc.get(name)), getattr(article, name)))
            merged = {**doc, **new}
            self._save_doc(cur, article_id, merged)
            return article_from_doc(merged)

    # ----- the check log -------------------------------------------------------------------

    def record_check(self, result: CheckResult) -> WatchedArticle:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, result.url, lock=True)
            errors = (doc.get("consecutive_errors") or 0) + 1 if result.status == "error" else 0
            doc = {
                **doc,
                "last_checked": ts(later(_parse(doc.get("last_checked")), result.checked_at)),
                "last_status": result.status,
                "checks_total": (doc.get("checks_total") or 0) + 1,
                "consecutive_errors": errors,
            }
            self._save_doc(cur, article_id, doc)
            entry = check_entry(result)
            cur.execute("INSERT INTO checks (article_id, doc) VALUES (%s, %s)", (article_id, _json(entry)))
            cur.execute(
                "DELETE FROM checks WHERE article_id = %s AND id NOT IN"
                " (SELECT id FROM checks WHERE article_id = %s ORDER BY id DESC LIMIT %s)",
                (article_id, article_id, self.check_log_size),
            )
            return article_from_doc(doc)

    def recent_checks(self, url: str) -> list[CheckRecord]:
        with self._cursor() as cur:
            article_id, _ = self._row(cur, url)
            cur.execute("SELECT doc FROM checks WHERE article_id = %s ORDER BY id", (article_id,))
            return [check_record(e) for (e,) in cur.fetchall()]

    # ----- versions ------------------------------------------------------------------------

    def _version_doc(
        self,
        cur: Any,
        article: Article,
        *,
        html: str | None,
        html_hash: str | None,
        edits: list[Edit],
        flags: list[str],
        captured_at: datetime,
        event: str | None,
        number: int,
    ) -> dict[str, Any]:
        text = None
        if article.body or article.captions:
            payload = json.dumps({"body": list(article.body), "captions": list(article.captions)}, ensure_ascii=False)
            text = self._put_blob(cur, payload.encode("utf-8", "surrogatepass"))
        if html is not None:
            html_hash = self._put_blob(cur, html.encode("utf-8", "surrogatepass"))
        return version_doc(
            article,
            number=number,
            captured_at=captured_at,
            text=text,
            html_hash=html_hash,
            flags=flags,
            edits=edits,
            event=event,
        )

    def _version(self, cur: Any, url: str, doc: dict[str, Any], *, full: bool = True) -> Version:
        text: dict[str, Any] = {}
        if full and doc.get("text"):
            raw = self._get_blob(cur, doc["text"])
            text = json.loads(raw) if raw else {}
        edits = doc.get("edits") if full else []
        return version_from_doc(url, doc, text=text, edits=edits)

    def save_version(
        self,
        url: str,
        article: Article,
        *,
        html: str | None,
        diff: VersionDiff | None,
        captured_at: datetime,
        event: str | None = None,
        final_url: str | None = None,
        served: ServedPage | None = None,
    ) -> Version:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url, lock=True)
            cur.execute("SELECT coalesce(max(number), 0) FROM versions WHERE article_id = %s", (article_id,))
            number = cur.fetchone()[0] + 1
            # Under the article's row lock: two checks that saw the same edit at once store it once.
            cur.execute("SELECT doc FROM versions WHERE article_id = %s AND number = %s", (article_id, number - 1))
            newest = cur.fetchone()
            if (
                newest is not None
                and newest[0].get("hash") == content_hash(article)
                and newest[0].get("event") == event
            ):
                return self._version(cur, doc["url"], newest[0])
            edits = list(diff.edits) if diff else []
            flags = list(diff.flags) if diff else []
            vdoc = self._version_doc(
                cur,
                article,
                html=html,
                html_hash=None,
                edits=edits,
                flags=flags,
                captured_at=captured_at,
                event=event,
                number=number,
            )
            if final_url:
                vdoc["final_url"] = final_url
            if served is not None:
                vdoc["served"] = self._put_blob(cur, served_to_bytes(served))
            cur.execute(
                "INSERT INTO versions (article_id, number, captured_at, doc) VALUES (%s, %s, %s, %s)",
                (article_id, number, captured_at, _json(vdoc)),
            )
            doc = {**doc, **saved_version_changes(doc, article, diff, event, number, captured_at)}
            self._save_doc(cur, article_id, doc)
            return Version(
                url=doc["url"],
                number=number,
                captured_at=_parse(vdoc["at"]) or captured_at,
                content_hash=vdoc["hash"],
                article=article,
                html_hash=vdoc["html"],
                flags=flags,
                edits=edits,
                event=event,
                final_url=final_url,
                served_hash=vdoc.get("served"),
            )

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

    def replace_versions(self, url: str, versions: list[Version]) -> list[Version]:
        with self._cursor() as cur:
            article_id, doc = self._row(cur, url, lock=True)
            cur.execute("DELETE FROM versions WHERE article_id = %s", (article_id,))
            saved: list[Version] = []
            for number, version in enumerate(versions, start=1):
                vdoc = self._version_doc(
                    cur,
                    version.article,
                    html=None,
                    html_hash=version.html_hash,
                    edits=version.edits,
                    flags=version.flags,
                    captured_at=version.captured_at,
                    event=version.event,
                    number=number,
                )
                if version.served_hash:
                    vdoc["served"] = version.served_hash
                cur.execute(
                    "INSERT INTO versions (article_id, number, captured_at, doc) VALUES (%s, %s, %s, %s)",
                    (article_id, number, version.captured_at, _json(vdoc)),
                )
                saved.append(self._version(cur, doc["url"], vdoc))
            last = saved[-1] if saved else None
            doc = {
                **doc,
                "versions": len(saved),
                "headline": (last.article.headline if last else "") or doc.get("headline", ""),
                "last_version_at": ts(max((v.captured_at for v in saved), default=None)),
            }
            self._save_doc(cur, article_id, doc)
            return saved

    def get_html(self, version: Version) -> str | None:
        with self._cursor() as cur:
            raw = self._get_blob(cur, version.html_hash)
            return raw.decode("utf-8", "surrogatepass") if raw is not None else None

    def get_served(self, version: Version) -> ServedPage | None:
        if not version.served_hash:
            return None
        with self._cursor() as cur:
            return served_from_bytes(self._get_blob(cur, version.served_hash))

    # ----- feeds ---------------------------------------------------------------------------

    def _feed_row(self, cur: Any, url: str, *, lock: bool = False) -> tuple[int, dict[str, Any]]:
        for candidate in dict.fromkeys([url, _normal_or_same(url)]):
            cur.execute("SELECT id, doc FROM feeds WHERE url = %s" + (" FOR UPDATE" if lock else ""), (candidate,))
            row = cur.fetchone()
            if row is not None:
                return row[0], row[1]
        raise UnknownArticle(f"not following the feed {url}")

    def add_feed(
        self, url: str, *, every: int = 600, tags: Iterable[str] = (), now: datetime | None = None
    ) -> tuple[Feed, bool]:
        normal = normalize_url(url)
        now = now or datetime.now(UTC)
        feed = Feed(url=normal, added_at=now, every=every, tags=list(dict.fromkeys(tags)), next_poll=now)
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO feeds (url, doc) VALUES (%s, %s) ON CONFLICT (url) DO NOTHING RETURNING id",
                (normal, _json(feed_to_doc(feed))),
            )
            if cur.fetchone() is not None:
                return feed, True
            return feed_from_doc(self._feed_row(cur, normal)[1]), False

    def remove_feed(self, url: str) -> Feed:
        with self._cursor() as cur:
            feed_id, doc = self._feed_row(cur, url, lock=True)
            cur.execute("DELETE FROM feeds WHERE id = %s", (feed_id,))
            return feed_from_doc(doc)

    def list_feeds(self) -> list[Feed]:
        with self._cursor() as cur:
            cur.execute("SELECT doc FROM feeds ORDER BY id")
            return [feed_from_doc(r[0]) for r in cur.fetchall()]

    def update_feed(self, feed: Feed) -> Feed:
        with self._cursor() as cur:
            feed_id, doc = self._feed_row(cur, feed.url, lock=True)
            new = {**feed_to_doc(feed), "url": doc["url"]}
            cur.execute("UPDATE feeds SET doc = %s WHERE id = %s", (_json(new), feed_id))
            return feed_from_doc(new)

    def seen_feed_links(self, feed_url: str) -> set[str]:
        with self._cursor() as cur:
            feed_id, _ = self._feed_row(cur, feed_url)
            cur.execute("SELECT link FROM feed_links WHERE feed_id = %s", (feed_id,))
            return {r[0] for r in cur.fetchall()}

    def mark_feed_links(self, feed_url: str, links: Iterable[str]) -> None:
        with self._cursor() as cur:
            feed_id, _ = self._feed_row(cur, feed_url)
            fresh = list(dict.fromkeys(links))
            if fresh:
                cur.executemany(
                    "INSERT INTO feed_links (feed_id, link) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    [(feed_id, link) for link in fresh],
                )

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
                'UPDATE versions SET doc = doc || \'{"html": null, "served": null}\'::jsonb'
                " WHERE captured_at < %s AND (doc->>'html' IS NOT NULL OR doc->>'served' IS NOT NULL)",
                (cutoff,),
            )
            dropped = cur.rowcount
            cur.execute(
                "DELETE FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE"
                " v.doc->>'html' = b.digest OR v.doc->>'text' = b.digest OR v.doc->>'served' = b.digest)"
            )
            return dropped

    # ----- the notifications outbox -------------------------------------------------------------
    # Several workers share one outbox: a notification belongs to the process that put (or took) it for
    # as long as that process lives (it holds an advisory lock named after itself on its lock
    # connection, which the server drops with the process); one whose owner is gone is taken by the
    # next to look. So none is sent by two workers, however long it waits, and none is lost with one.

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
                    (target, _json(body), _aware(now) or datetime.now(UTC), self._claimant),
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


def _json(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def _parse(value: Any) -> datetime | None:
    from watcher.models import parse_iso

    return parse_iso(value) if isinstance(value, str) else value


def _normal_or_same(url: str) -> str:
    try:
        return normalize_url(url)
    except Exception:  # a spelling that cannot be normalized can only match as it is
        return url


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _stderr() -> Any:
    import sys

    return sys.stderr
