"""The PostgreSQL store's tables (created on first open by PostgresStore), its advisory lock keys, and the
JSONB adapter its documents go in by."""

from __future__ import annotations

from typing import Any

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
OUTBOX_LOCKS = 0x776F  # advisory lock namespace: one lock per process that owns outbox entries


def jsonb(value: Any) -> Any:
    """A document as a JSONB query parameter."""
    from psycopg.types.json import Jsonb  # imported here: the embedded store's commands never pay for it

    return Jsonb(value)
