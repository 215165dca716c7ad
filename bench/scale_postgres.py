"""The PostgreSQL side of the scale benchmark (bench/scale.py runs it beside the embedded store's).

1. Store cost of a no-change check (record_check + update_article in one transaction, as the monitor
   does) with 1,000 / 10,000 / 100,000 watched articles: client CPU, wall time, and bytes of WAL the
   server wrote (what a check costs the database's disk), each the median of its runs.
2. Adding 10,000 articles in one transaction, as `watcher add --from-file` does.
3. `watcher worker` processes (1, 2, 4) sharing one store, checking generated newsroom pages served on
   127.0.0.x: no-change checks per minute, as ratios to one worker.

A throwaway server is started for the run (tests/support/postgres.py), on 127.0.0.1.

    python bench/scale_postgres.py   (env: BENCH_PG_SIZES=1000,10000,100000 BENCH_PG_WORKER_ARTICLES=48)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import REPO, Row, env_int, print_rows, ratio_row
from pages import PageServers

sys.path.insert(0, str(REPO / "tests"))
from support.postgres import PostgresServer  # noqa: E402 - the tests' throwaway server, after the path

from watcher.models import CheckResult, WatchedArticle  # noqa: E402
from watcher.store import open_store  # noqa: E402
from watcher.store.docs import article_to_doc  # noqa: E402
from watcher.store.postgres.store import PostgresStore  # noqa: E402

SIZES = tuple(int(x) for x in os.environ.get("BENCH_PG_SIZES", "1000,10000,100000").split(","))
CHECKS_PER_SIZE = 200
WORKER_LEVELS = (1, 2, 4)


def _schema(server: PostgresServer) -> str:
    import psycopg

    name = "b_" + uuid.uuid4().hex[:10]
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{server.dsn}?options=-csearch_path%3D{name}"


def _fill(store: PostgresStore, count: int) -> list[str]:
    """`count` watched articles, inserted in bulk (the figure measured is the check, not the filling)."""
    import psycopg
    from psycopg.types.json import Jsonb

    now = datetime.now(UTC)
    urls = [f"https://news{i % 22}.example/story/{i}" for i in range(count)]
    with psycopg.connect(store.dsn, autocommit=True) as conn, conn.cursor() as cur:
        with cur.copy("COPY articles (url, doc, next_check) FROM STDIN") as copy:
            for url in urls:
                art = WatchedArticle(url=url, added_at=now, next_check=now + timedelta(hours=1), versions=1)
                copy.write_row((url, Jsonb({**article_to_doc(art), "last_version_at": None}), art.next_check))
        cur.execute("ANALYZE articles")
    return urls


def _wal_bytes(store: PostgresStore) -> int:
    import psycopg

    with psycopg.connect(store.dsn, autocommit=True) as conn:
        return int(conn.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()[0])


def _check_cost(store: PostgresStore, urls: list[str]) -> tuple[float, float, float]:
    """Median client CPU ms, wall ms and WAL bytes of one no-change check on random articles."""
    import random

    rng = random.Random(7)
    cpu, wall, wal = [], [], []
    for _ in range(CHECKS_PER_SIZE):
        url = rng.choice(urls)
        before_wal = _wal_bytes(store)
        c0, w0 = time.process_time(), time.perf_counter()
        with store.transaction():
            article = store.record_check(CheckResult(url=url, status="unchanged", checked_at=datetime.now(UTC)))
            article.next_check = datetime.now(UTC) + timedelta(hours=1)
            store.update_article(article)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        wal.append(_wal_bytes(store) - before_wal)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000, statistics.median(wal)


def store_rows(server: PostgresServer) -> list[Row]:
    figures = []
    for size in SIZES:
        store = open_store(_schema(server))
        assert isinstance(store, PostgresStore)
        urls = _fill(store, size)
        figures.append((size, *_check_cost(store, urls)))
        store.close()
    base = figures[0]
    worst_cpu = max(f[1] for f in figures) / base[1]
    worst_wal = max(f[3] for f in figures) / max(base[3], 1)
    sizes = "/".join(f"{s // 1000}k" for s, *_ in figures)
    rows = [
        ratio_row(
            f"PostgreSQL store: no-change check at {sizes} articles",
            [f[1] for f in figures],
            worst_cpu,
            [f[3] / 1024 for f in figures],
            worst_wal,
            [f[2] for f in figures],
            written_label="WAL",
        )
    ]
    store = open_store(_schema(server))
    started = time.perf_counter()
    with store.transaction():  # as `watcher add --from-file` does: one transaction for the lot
        for i in range(10_000):
            store.add_article(f"https://news.example/add/{i}")
    took = time.perf_counter() - started
    rows.append(Row("PostgreSQL store: add 10,000 articles (one transaction)", f"{took:.1f} s", "< 10 s", took < 10))
    return rows


def size_rows(server: PostgresServer) -> list[Row]:
    """Database bytes per stored version of a generated news page, with and without its raw HTML."""
    import psycopg
    from pages import article_page

    from watcher.extract import extract

    def relations_size(dsn: str) -> int:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM")
            row = conn.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            ).fetchone()
            return int(row[0] or 0)

    count = 200
    pages = [article_page(n).decode() for n in range(count)]
    articles = [extract(html, f"https://news.example/s/{n}") for n, html in enumerate(pages)]
    out = {}
    for keep_raw in (True, False):
        dsn = _schema(server)
        store = open_store(dsn)
        empty = relations_size(dsn)
        for n, (html, article) in enumerate(zip(pages, articles)):
            url = f"https://news.example/s/{n}"
            store.add_article(url)
            store.save_version(url, article, html=html if keep_raw else None, diff=None, captured_at=datetime.now(UTC))
        out[keep_raw] = (relations_size(dsn) - empty) / count
    return [
        Row(
            "PostgreSQL store: database size per million versions (generated pages, gzip)",
            f"{out[True] * 1e6 / 1e9:.1f} GB with raw HTML, {out[False] * 1e6 / 1e9:.1f} GB without "
            f"({out[True] / 1024:.1f} / {out[False] / 1024:.1f} KB per version)",
        )
    ]


def _workers(dsn: str, count: int, config: str) -> list[subprocess.Popen]:
    env = {**os.environ, "WATCHER_STORE": dsn, "WATCHER_ALLOW_PRIVATE": "1"}
    cmd = [sys.executable, "-m", "watcher", "--config", config, "worker", "--sweep-every", "0.5", "-c", "4"]
    return [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        for _ in range(count)
    ]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def _wait(store: PostgresStore, done, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if done(store.list_articles()):
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"workers did not finish within {timeout:.0f} s")


def worker_rows(server: PostgresServer, tmp: str) -> list[Row]:
    articles = env_int("BENCH_PG_WORKER_ARTICLES", 48)
    config = os.path.join(tmp, "watcher.toml")
    with open(config, "w") as f:
        f.write("[fetch]\nper_host_delay = 0\nsettle_ms = 200\n[trust]\nconfirm_delay = 0.2\n")
    rates = {}
    with PageServers(hosts=8) as pages:
        for level in WORKER_LEVELS:
            dsn = _schema(server)
            store = open_store(dsn)
            assert isinstance(store, PostgresStore)
            for url in pages.urls(articles):
                store.add_article(url)
            procs = _workers(dsn, level, config)
            try:
                # First checks (new versions) warm every worker's browser; then all are made due again.
                _wait(store, lambda arts: all(a.versions >= 1 for a in arts), 600)
                now = datetime.now(UTC)
                for art in store.list_articles():
                    art.next_check = now
                    store.update_article(art)
                took = _wait(store, lambda arts: all(a.checks_total >= 2 for a in arts), 600)
            finally:
                _stop(procs)
            rates[level] = articles / took * 60
            store.close()
    one = rates[WORKER_LEVELS[0]]
    return [
        Row(
            f"PostgreSQL workers: no-change checks/min with {level} worker{'s' if level > 1 else ''}",
            f"{rates[level]:.0f} checks/min = {rates[level] / one:.2f}x one worker",
        )
        for level in WORKER_LEVELS
    ]


def run() -> list[Row]:
    import tempfile

    server = PostgresServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return store_rows(server) + size_rows(server) + worker_rows(server, tmp)
    finally:
        server.close()


if __name__ == "__main__":
    print_rows(run())
