"""The throwaway PostgreSQL server the PostgreSQL store's tests rely on starts, serves and restarts."""

from __future__ import annotations

import psycopg
import pytest


def test_throwaway_server_serves_and_survives_a_restart(postgres):
    with psycopg.connect(postgres.dsn) as conn:
        assert conn.execute("select current_setting('listen_addresses')").fetchone() == ("127.0.0.1",)
        conn.execute("create table if not exists probe (n int)")
        conn.execute("insert into probe values (7)")
    postgres.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres.dsn, connect_timeout=2)
    postgres.start()
    with psycopg.connect(postgres.dsn) as conn:
        assert conn.execute("select n from probe").fetchall() == [(7,)]
