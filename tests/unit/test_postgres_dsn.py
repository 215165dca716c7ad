"""The PostgreSQL store names itself in messages without its password, however the password is given."""

from __future__ import annotations

import pytest

from watcher.store.postgres.store import redact_dsn


@pytest.mark.parametrize(
    "dsn, shown",
    [
        ("postgresql://watcher:hunter2@db.example:5432/watcher", "postgresql://watcher@db.example:5432/watcher"),
        ("postgresql://db.example/w?password=hunter2&sslmode=require", "postgresql://db.example/w?sslmode=require"),
        ("postgres://:hunter2@db.example/w", "postgres://db.example/w"),
        ("host=db.example user=w password=hunter2 dbname=w", "host=db.example user=w password=*** dbname=w"),
        ("host=db.example passfile='/home/w/.pgpass x'", "host=db.example passfile=***"),
    ],
)
def test_no_password_survives(dsn, shown):
    assert redact_dsn(dsn) == shown and "hunter2" not in redact_dsn(dsn)
