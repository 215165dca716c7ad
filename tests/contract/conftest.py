"""`store_factory`: opens a store of one backend; every contract test runs once per backend.

A backend joins the contract by adding one param here: a function that, given a pytest tmp_path,
returns `open(**opts) -> Store`. Every call opens a new handle on the SAME store (as another process
would), so tests can check what a second reader sees. Options are those of open_store
(check_log_size); a backend ignores options it has no use for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from watcher.store import Store, open_store

StoreFactory = Callable[..., Store]


def _tiny(tmp_path: Path) -> StoreFactory:
    def make(**opts) -> Store:
        # fsync buys nothing in a throw-away folder; durability is tested in tests/unit/test_store.py
        return open_store(tmp_path / "data", durable=False, **opts)

    return make


def _postgres(tmp_path: Path, request: pytest.FixtureRequest) -> StoreFactory:
    # A schema of its own per test on the session's throwaway server (tests/support/postgres.py).
    server = request.getfixturevalue("postgres")
    dsn = server.fresh_dsn("t_")

    def make(**opts) -> Store:
        return open_store(dsn, **opts)

    return make


BACKENDS = {"tiny": lambda tmp_path, request: _tiny(tmp_path), "postgres": _postgres}


@pytest.fixture(params=sorted(BACKENDS))
def store_factory(request, tmp_path) -> StoreFactory:
    return BACKENDS[request.param](tmp_path, request)


@pytest.fixture
def store(store_factory) -> Store:
    return store_factory(check_log_size=5)
