"""One pool of HTTP clients per process: connections to a host are kept and reused, and reuse changes none
of the rules (the private-address rule per connection, each request's own deadline, no cookies kept)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.browser_thread import fast_settings

from watcher import errors
from watcher.config import Config
from watcher.fetch import http
from watcher.fetch.http_pages import HTTPFetcher
from watcher.runtime import Runtime

STORY = b"<!DOCTYPE html><html><head><title>Pier</title></head><body><article><h1>Pier</h1><p>Work begins.</p></article></body></html>"


class _KeepAliveServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accepted = 0  # TCP connections accepted
        self.cookies: list[str | None] = []  # the Cookie header of each request

    def get_request(self):
        got = super().get_request()
        self.accepted += 1
        return got


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as most servers speak
    disable_nagle_algorithm = True  # as real servers do: no 40 ms wait for a delayed ACK on a kept connection
    server: _KeepAliveServer

    def do_GET(self) -> None:
        self.server.cookies.append(self.headers.get("Cookie"))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path == "/slow":
            self.send_header("Content-Length", str(len(STORY)))
            self.end_headers()
            for n in range(len(STORY)):  # a byte every 50 ms: 6 s for the whole page
                time.sleep(0.05)
                try:
                    self.wfile.write(STORY[n : n + 1])
                    self.wfile.flush()
                except OSError:
                    return
            return
        if self.path == "/cookie":
            self.send_header("Set-Cookie", "meter=1; Path=/")
        self.send_header("Content-Length", str(len(STORY)))
        self.end_headers()
        self.wfile.write(STORY)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def kept() -> Iterator[_KeepAliveServer]:
    server = _KeepAliveServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: _KeepAliveServer, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}{path}"


def test_many_gets_to_one_host_share_one_connection(kept):
    async def go() -> list[str]:
        # robots.txt off: its one request a day is made by another client
        async with HTTPFetcher(fast_settings(per_host_delay=0), robots=None) as fetcher:
            return [(await fetcher.fetch(_url(kept, f"/story/{n}"))).html for n in range(30)]

    pages = asyncio.run(go())
    assert len(pages) == 30 and all("Work begins" in page for page in pages)
    assert kept.accepted == 1  # one client per request would open 30


def test_the_runtime_shares_one_pool_and_closes_it_with_its_fetcher(kept, tmp_path):
    config = Config()
    config.fetch.robots = False  # its one request a day is made by another client
    config.fetch.per_host_delay = 0
    runtime = Runtime(config, data_dir=tmp_path)

    async def go() -> tuple[int, int]:
        async with runtime.fetcher() as browser:  # no page is rendered: Chromium never starts
            pages = runtime.http_fetcher(browser) or HTTPFetcher(fast_settings(), beside=browser)
            assert pages.pool is browser.pool is runtime.http_pool()
            for n in range(5):
                await pages.fetch(_url(kept, f"/story/{n}"))
            open_clients = len(runtime.http_pool()._clients)
        return open_clients, len(runtime.http_pool()._clients)

    while_running, after = asyncio.run(go())
    assert (while_running, after) == (1, 0)
    assert kept.accepted == 1


def test_a_connection_made_while_private_addresses_were_allowed_serves_no_request_that_is_not(kept, monkeypatch):
    pool = http.Pool()
    allowed = http.Limits(timeout=5, allow_private=True)
    refused = http.Limits(timeout=5, allow_private=False)
    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    url = _url(kept, "/story", host="localhost")  # a name: only the connection's address says it is loopback

    async def go() -> None:
        first = await http.fetch_one(url, allowed, time.monotonic() + 5, pool=pool)
        assert first.status == 200
        with pytest.raises(errors.PrivateAddress):
            await http.fetch_one(url, refused, time.monotonic() + 5, pool=pool)
        await pool.aclose()

    asyncio.run(go())
    assert kept.accepted == 1  # the refused request never connected (nor took the kept connection)


def test_a_kept_connection_holds_each_request_to_its_own_deadline(kept):
    pool = http.Pool()
    limits = http.Limits(timeout=5, allow_private=True)

    async def go() -> float:
        await http.fetch_one(_url(kept, "/story"), limits, time.monotonic() + 30, pool=pool)
        started = time.monotonic()
        with pytest.raises(errors.FetchTimeout):
            await http.fetch_one(_url(kept, "/slow"), limits, time.monotonic() + 1.0, pool=pool)
        took = time.monotonic() - started
        await pool.aclose()
        return took

    took = asyncio.run(go())
    assert kept.accepted == 1  # the slow page came over the kept connection
    assert took < 3  # its own 1 s deadline, not the 30 s of the request that opened the connection


def test_no_cookie_is_kept_between_requests(kept):
    async def go() -> None:
        async with HTTPFetcher(fast_settings(per_host_delay=0), robots=None) as fetcher:
            await fetcher.fetch(_url(kept, "/cookie"))
            await fetcher.fetch(_url(kept, "/story"))

    asyncio.run(go())
    assert kept.cookies == [None, None] and kept.accepted == 1


@pytest.mark.browser
def test_the_browsers_main_documents_come_over_one_kept_connection(kept):
    from watcher.fetch.chromium import ChromiumFetcher

    async def go() -> list[str]:
        async with ChromiumFetcher(fast_settings(per_host_delay=0), robots=None) as fetcher:
            return [(await fetcher.fetch(_url(kept, f"/story/{n}"))).html for n in range(4)]

    pages = asyncio.run(go())
    assert all("Work begins" in page for page in pages)
    assert kept.accepted == 1  # the documents our client fetched for Chromium, four pages over one connection
