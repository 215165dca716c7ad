"""Shared fixtures: a scriptable local site and one Chromium per test session.

`site` (function scope): an HTTP server on 127.0.0.1, free port, background thread
(tests/support/site_server.py). Unknown paths answer 404.
    site.url(path="/", host=None) -> "http://127.0.0.1:PORT/path"  (host="localhost": same server, other host)
    site.page(path, html, status=200, headers=None, content_type="text/html; charset=utf-8", delay=0)
    site.bytes(path, data, content_type, status=200, headers=None)   # content_type=None: no header
    site.status(path, 500, 500, 200, headers=None, body="")          # statuses in order, the last repeats
    site.redirect(path, location, status=302)                        # Location sent verbatim (any scheme)
    site.hang(path)                                                  # never answers until shutdown
    site.set(path, Response(...), ...)                               # full control, in order, last repeats
    site.page_versions(path, {"v1": html1, "v2": html2}, current=None)
    site.serve_fixture(path, "en-daily/story") -> ["v1", "v2"]       # tests/fixtures/sites/<..>: v1.html + edits.toml
    site.set_version(path, "v2")                                     # simulate an edited article
    site.remove(path); site.hits(path) -> int; site.hit_times(path) -> [time.monotonic(), ...]
`Response` is importable: `from support.site_server import Response`.

`browser` (session scope): support.browser_thread.BrowserThread, a Chromium launched once on a
background event loop. Playwright objects are tied to that loop, so tests never touch them directly.

`fetcher` (function scope): a ThreadedFetcher with FAST settings (3s navigation, 6s deadline,
0.1s backoff, no per-host delay) and fresh per-host bookkeeping, sharing the session browser:
    fetcher.fetch_sync(url) -> Snapshot             # from plain test code
    await fetcher.fetch(url) -> Snapshot            # from inside any asyncio.run(...) of the test
    fetcher.render_png_sync(html, width, height=None) / await fetcher.render_png(...)
    fetcher.settings; `async with fetcher` and `await fetcher.close()` are harmless no-ops
It can be passed wherever a watcher.fetch.Fetcher is expected (monitor code run by asyncio.run).

`make_fetcher(**overrides)` (function scope): the same with FAST settings changed, e.g.
make_fetcher(max_bytes=2000, per_host_delay=0.5). `fast_settings(**overrides)` builds the FetchSettings.

`watcher` subprocesses launch their own Chromium (found by watcher.fetch.browser.find_browser).
"""

from __future__ import annotations

import compileall
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.browser_thread import BrowserThread, ThreadedFetcher, fast_settings
from support.closing import closing_fixture
from support.postgres import PostgresServer, find_bin_dir
from support.receiver import Receiver
from support.site_server import Site

import watcher
from watcher.fetch import addresses

# Every test server is on 127.0.0.1, which watcher refuses by default (a non-public address): the
# suite opts in, here and for every `watcher` subprocess it starts. Tests of the refusal turn it off.
os.environ["WATCHER_ALLOW_PRIVATE"] = "1"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-textual-snapshot writes its failure report to the current folder by default, which left
    # snapshot_report.html in the repo root; a report path given with --snapshot-report still wins.
    if config.getoption("--snapshot-report", None) == "snapshot_report.html":
        config.option.snapshot_report = os.path.join(tempfile.gettempdir(), "watcher-tests", "snapshot_report.html")
    if not hasattr(config, "workerinput"):  # once, in the process that starts the xdist workers
        # The suite starts `watcher` in hundreds of subprocesses. Where the environment turns off writing bytecode
        # (PYTHONDONTWRITEBYTECODE=1), each of them compiled the package from source again, a third of its start-up
        # (the fast part took 16% more CPU); compiled here once (skipped when up to date), they all read it, as they
        # would the files Python writes itself when bytecode is not turned off.
        compileall.compile_dir(Path(watcher.__file__).parent, quiet=2)


site = closing_fixture(Site, "A fresh local site for one test.")
browser = closing_fixture(BrowserThread, "One Chromium for the whole session.", scope="session")
receiver = closing_fixture(
    Receiver, "A webhook receiver on 127.0.0.1: /... records JSON posts, /fail answers 500, /hang never answers."
)


def _postgres_server() -> PostgresServer:
    # Without the server binaries the tests that need one are skipped, not errors: the rest still runs.
    if find_bin_dir() is None:
        pytest.skip("no PostgreSQL server installed (bash setup.sh none installs Debian's postgresql)")
    return PostgresServer()


postgres = closing_fixture(
    _postgres_server,
    "One throwaway PostgreSQL server for the session (started on first use, on 127.0.0.1).",
    scope="session",
)

# What a test needs, read from the fixtures it uses (directly or through others): `pytest -m "not browser and
# not postgres"` runs the fast part. Tests that start Chromium through a `watcher` subprocess name no
# fixture for it and carry the mark themselves (pytestmark in their module).
NEEDS = {
    "browser": {"browser"},
    "postgres": {"postgres"},
}


@pytest.fixture
def fetcher(browser: BrowserThread) -> ThreadedFetcher:
    """A fast-timeout fetcher on the session browser."""
    return browser.fetcher()


@pytest.fixture
def make_fetcher(browser: BrowserThread) -> Callable[..., ThreadedFetcher]:
    """Factory: make_fetcher(**FetchSettings overrides) -> ThreadedFetcher on the session browser."""
    return lambda **overrides: browser.fetcher(fast_settings(**overrides))


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, the dashboard's tests share one worker: their stores are served on fixed
    addresses (the SVG snapshots show them), which two workers cannot both bind. Tests are marked
    `browser` / `postgres` by the fixtures they use (NEEDS)."""
    for item in items:
        if "tests/dashboard/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("dashboard"))
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "store_factory" in callspec.params:
            used.add(str(callspec.params["store_factory"]))  # the contract's backend, chosen by parameter
        for mark, fixtures in NEEDS.items():
            if used & fixtures:
                item.add_marker(getattr(pytest.mark, mark))


@pytest.fixture
def public(monkeypatch) -> Iterator[Site]:
    """A site watcher treats as public (127.0.0.2), with the suite's opt-in turned off for this test: the
    private-address tests' outside world."""
    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    monkeypatch.setattr(addresses, "PRETEND_PUBLIC", {"127.0.0.2"})
    server = Site(host="127.0.0.2")
    try:
        yield server
    finally:
        server.close()
