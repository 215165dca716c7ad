"""Benchmark: fast checks (issue 18): auto mode against browser-only and against a plain HTTP GET.

A workload of generated news pages (bench/pages.py) checked round after round, where about 95% of checks
find nothing changed. The articles are of four kinds: static pages, static pages behind a conditional GET
(ETag, 304), pages whose story only a script writes ("needs browser"), and static pages whose later edit
only a script makes (the raw HTML stays the same). The same workload, edits at the same rounds, runs in
one process three ways at concurrency 4:
  plain    HTTP GET + extract (no store, no comparison: the floor a check cannot go under)
  browser  watcher's real check with [fetch] mode = "browser" (every check a Chromium render)
  auto     watcher's real check with [fetch] mode = "auto" (pre-check, render when it matters)
The first round (every article new) is not timed: it is the same renders in both watcher modes.
Targets: auto >= 5x browser, auto >= 0.5x plain in checks/min; auto stores exactly the versions browser
stores (no edit missed). A script-only edit is made at least audit_every rounds before the end, the bound
in which auto mode promises to find it.

    python bench/fastpath.py   (env: BENCH_FAST_ARTICLES=40 BENCH_FAST_ROUNDS=14)
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import Row, env_int, print_rows
from pages import article_page

from watcher.config import BrowserSettings, Config, TrustSettings
from watcher.extract import extract
from watcher.fetch import Fetcher
from watcher.fetch.http_pages import HTTPFetcher
from watcher.monitor.check import Services, check_article
from watcher.store import open_store

CONCURRENCY = 4
HOSTS = 4
AUDIT_EVERY = env_int("BENCH_FAST_AUDIT", 6)  # [fetch] audit_every; 6 is the default
KINDS = ["static"] * 5 + ["etag"] * 2 + ["browser"] * 2 + ["script"]  # one article in ten of each last kind
BODY_OPEN = '<div class="article-body">'


class Workload:
    """Which article is edited at which round, and the page each article serves at the current round."""

    def __init__(self, articles: int, rounds: int, seed: int = 18) -> None:
        rng = random.Random(seed)
        self.kinds = [KINDS[n % len(KINDS)] for n in range(articles)]
        self.edits: dict[int, int] = {n: 0 for n in range(articles)}  # edits applied so far
        self.plan: dict[int, list[int]] = {}  # round -> articles edited before it
        checks = articles * (rounds - 1)
        wanted = max(1, round(checks * 0.05 / 2))  # an edit costs two changed-looking checks at most
        script_articles = [n for n, k in enumerate(self.kinds) if k == "script"]
        for n in script_articles:  # one script-only edit each, early enough for the audit to find it
            self.plan.setdefault(rng.randint(1, max(1, rounds - AUDIT_EVERY - 1)), []).append(n)
        others = [n for n, k in enumerate(self.kinds) if k != "script"]
        for _ in range(max(0, wanted - len(script_articles))):
            self.plan.setdefault(rng.randint(1, rounds - 1), []).append(rng.choice(others))
        self.lock = threading.Lock()

    def start_round(self, number: int) -> None:
        with self.lock:
            for n in self.plan.get(number, []):
                self.edits[n] += 1

    def reset(self) -> None:
        with self.lock:
            self.edits = {n: 0 for n in self.edits}

    def page(self, n: int) -> bytes:
        kind, edits = self.kinds[n], self.edits[n]
        html = article_page(n).decode("utf-8")
        if edits and kind != "script":
            html = html.replace(BODY_OPEN + "<p>", f"{BODY_OPEN}<p>Correction {edits}: the figures were revised. ", 1)
        if kind == "browser":
            start = html.index(BODY_OPEN) + len(BODY_OPEN)
            end = html.index("</div></article>", start)
            story = html[start:end].replace("</script>", "<\\/script>")
            inject = f"<script>document.getElementById('ab').innerHTML={_js_string(story)};</script>"
            html = html[: start - 1] + ' id="ab">' + html[end:].replace("</article>", "</article>" + inject, 1)
        if kind == "script":
            html = html.replace("</body>", f'<script src="/script/{n}.js"></script></body>', 1)
        return html.encode("utf-8")

    def script(self, n: int) -> bytes:
        if not self.edits[n]:
            return b"void 0;"
        return (
            b"var p=document.querySelector('.article-body p');"
            b"p.textContent='Correction: the figures were revised. '+p.textContent;"
        )


def _js_string(text: str) -> str:
    import json

    return json.dumps(text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        work = self.server.work
        parts = self.path.strip("/").split("/")
        ctype, extra = "text/html; charset=utf-8", {}
        if len(parts) == 2 and parts[0] == "article" and parts[1].isdigit():
            n = int(parts[1])
            with work.lock:
                body = work.page(n)
            if work.kinds[n] == "etag":
                tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                extra["ETag"] = tag
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            status = 200
        elif len(parts) == 2 and parts[0] == "script":
            with work.lock:
                body = work.script(int(parts[1].split(".")[0]))
            status, ctype = 200, "text/javascript"
        else:
            body, status, ctype = b"not found", 404, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    work: Workload


class Servers:
    def __init__(self, work: Workload) -> None:
        self.servers = []
        for i in range(1, HOSTS + 1):
            server = _Server((f"127.0.0.{i}", 0), _Handler)
            server.work = work
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self.servers.append(server)

    def url(self, n: int) -> str:
        host, port = self.servers[n % HOSTS].server_address[:2]
        return f"http://{host}:{port}/article/{n}"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def plain_rate(urls: list[str], rounds: int, work: Workload) -> float:
    def one(url: str) -> None:
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode("utf-8", "replace")
        extract(html, url)

    work.reset()
    elapsed = 0.0
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for number in range(rounds):
            work.start_round(number)
            started = time.perf_counter()
            list(pool.map(one, urls))
            if number:
                elapsed += time.perf_counter() - started
    return len(urls) * (rounds - 1) / elapsed * 60


async def _watcher(mode: str, urls: list[str], rounds: int, work: Workload, data: Path) -> tuple[float, dict, dict]:
    work.reset()
    store = open_store(data)
    fetch = BrowserSettings(concurrency=CONCURRENCY, per_host_delay=0, mode=mode, audit_every=AUDIT_EVERY)
    config = Config(fetch=fetch, trust=TrustSettings(confirm_delay=0))
    for url in urls:
        store.add_article(url)
    renders = 0
    async with Fetcher(fetch) as fetcher:
        http = HTTPFetcher(fetch) if mode != "browser" else None
        svc = Services(fetcher=fetcher, store=store, config=config, http=http)
        await fetcher.fetch(urls[0])  # starting Chromium once per process is not a per-check cost
        gate = asyncio.Semaphore(CONCURRENCY)
        statuses: dict[str, int] = {}

        async def one(url: str) -> None:
            async with gate:
                result = await check_article(url, svc)
            statuses[result.status] = statuses.get(result.status, 0) + 1

        elapsed = 0.0
        for number in range(rounds):
            work.start_round(number)
            started = time.perf_counter()
            await asyncio.gather(*(one(u) for u in urls))
            if number:
                elapsed += time.perf_counter() - started
                # A render sets checks_since_render back to 0 (browser mode keeps no count: all are renders).
                renders += sum(store.get_article(u).checks_since_render == 0 for u in urls)
    versions = {u: [v.content_hash for v in store.list_versions(u)] for u in urls}
    statuses["rendered checks"] = renders if mode != "browser" else len(urls) * (rounds - 1)
    return len(urls) * (rounds - 1) / elapsed * 60, versions, statuses


def watcher_rate(mode: str, urls: list[str], rounds: int, work: Workload) -> tuple[float, dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_watcher(mode, urls, rounds, work, Path(tmp) / "data"))


def idle_run_rss(url: str, wait: float = 30.0) -> tuple[float, float]:
    """RSS (MB, process and children) of `watcher run` while it renders its one due article, and once it has
    had nothing to render for longer than [fetch] browser_idle (2 s here)."""
    import os
    import subprocess
    import sys

    import psutil
    from memory import rss_mb

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        (data / "watcher.toml").write_text(
            "[fetch]\nbrowser_idle = 2\nper_host_delay = 0\n[trust]\nconfirm_delay = 0\n"
        )
        env = {**os.environ, "WATCHER_ALLOW_PRIVATE": "1"}
        base = [sys.executable, "-m", "watcher", "--data-dir", str(data)]
        subprocess.run([*base, "add", "--no-probe", url], check=True, capture_output=True, env=env)
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            me = psutil.Process(proc.pid)
            peak, started = 0.0, time.monotonic()
            while time.monotonic() - started < wait:
                peak = max(peak, rss_mb(me))
                time.sleep(0.25)
            return peak, rss_mb(me)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run() -> list[Row]:
    articles = env_int("BENCH_FAST_ARTICLES", 40)
    rounds = env_int("BENCH_FAST_ROUNDS", 14)
    work = Workload(articles, rounds)
    servers = Servers(work)
    try:
        urls = [servers.url(n) for n in range(articles)]
        edits = sum(len(v) for v in work.plan.values())
        print(f"fastpath: {articles} articles x {rounds} rounds, {edits} edits, concurrency {CONCURRENCY}", flush=True)
        plain = plain_rate(urls, rounds, work)
        print(f"  plain HTTP GET + extract: {plain:.0f}/min", flush=True)
        browser, browser_versions, browser_statuses = watcher_rate("browser", urls, rounds, work)
        print(f"  browser-only: {browser:.0f}/min {browser_statuses}", flush=True)
        auto, auto_versions, auto_statuses = watcher_rate("auto", urls, rounds, work)
        print(f"  auto: {auto:.0f}/min {auto_statuses}", flush=True)
        peak, idle = idle_run_rss(urls[0])
        print(f"  watcher run: {peak:.0f} MB while rendering, {idle:.0f} MB once idle", flush=True)
    finally:
        servers.close()
    missed = [u for u in urls if auto_versions[u] != browser_versions[u]]
    stored = sum(len(v) - 1 for v in browser_versions.values())
    timed = len(urls) * (rounds - 1)
    unchanged = 1 - stored / timed
    share = auto_statuses["rendered checks"] / timed
    return [
        Row(
            "watcher run RSS with nothing to render (browser closed after browser_idle)",
            f"{idle:.0f} MB (while rendering: {peak:.0f} MB)",
            "< 150 MB",
            idle < 150,
        ),
        Row(
            f"fast checks c={CONCURRENCY}: auto vs browser-only ({unchanged:.0%} of checks unchanged, "
            f"auto rendered {share:.0%}, audit_every={AUDIT_EVERY})",
            f"{auto:.0f} vs {browser:.0f} checks/min = {auto / browser:.1f}x",
            ">= 5x",
            auto / browser >= 5,
        ),
        Row(
            f"fast checks c={CONCURRENCY}: auto vs plain HTTP GET + extract",
            f"{auto:.0f} vs {plain:.0f} checks/min = {auto / plain:.2f}x",
            ">= 0.5x",
            auto / plain >= 0.5,
        ),
        Row(
            "fast checks: versions auto stored that browser-only did not, or missed",
            f"{len(missed)} of {len(urls)} articles differ ({stored} edits stored by browser-only)",
            "0",
            not missed,
        ),
    ]


if __name__ == "__main__":
    print_rows(run())
