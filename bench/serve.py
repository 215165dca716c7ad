"""Benchmark: `watcher serve` under many readers, beside a writer, at 10,000 (and 100,000) watched articles.

Per size, a data folder is built (each article added, one in fifty with two versions), then a real
`watcher serve` subprocess is started on 127.0.0.1 and measured:
- the first article-list page after start, and one load alone (the baseline);
- 50 concurrent loads of the article list (50 threads, one GET each over a plain socket, released
  together): errors, slowest, median, and the slowest as a ratio of the load alone; then 50 concurrent
  loads of 50 different list pages (paging, tag + host + search filters), so no rendering is shared;
- meanwhile this process writes to the store (a check recorded every 20 ms, as `watcher run` does) and
  samples /proc/locks: the server must never hold a lock on the store's files, and no write may wait.
Targets (issue 28): no errors, each of the 50 loads within 1 s at 10,000 articles; the first page
within 1 s at 100,000.

    python bench/serve.py     (env: BENCH_SERVE_SIZES=10000,100000  BENCH_SERVE_READERS=50)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from common import Row, env_int, machine, print_rows  # first: puts the repository on sys.path

from watcher.models import Article, CheckResult
from watcher.store import open_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def sizes() -> list[int]:
    raw = os.environ.get("BENCH_SERVE_SIZES", "10000,100000")
    return [int(s) for s in raw.split(",") if s.strip()]


def build(root: Path, count: int) -> list[str]:
    """A store of `count` articles on 50 hosts, 7 tags; one in fifty edited once. Fast (fsync off): not measured."""
    store = open_store(root, durable=False)
    urls = [f"https://news{i % 50}.example/section/{i % 40}/story-{i:06d}" for i in range(count)]
    with store.transaction():
        for i, url in enumerate(urls):
            store.add_article(url, now=T0, tags=[f"desk{i % 7}"])
    edited = urls[::50]
    with store.transaction():
        for n, url in enumerate(edited):
            first = Article(headline=f"Story {n}", body=["One paragraph.", "Another paragraph."])
            store.save_version(url, first, html=None, diff=None, captured_at=T0 + timedelta(minutes=n))
            second = Article(headline=f"Story {n}, updated", body=["One paragraph.", "Another paragraph, edited."])
            from watcher.diff import diff_articles

            store.save_version(
                url,
                second,
                html=None,
                diff=diff_articles(first, second),
                captured_at=T0 + timedelta(minutes=n, hours=1),
            )
    return edited


def start(root: Path) -> tuple[subprocess.Popen, str, float]:
    """`watcher serve` on a free port; its URL and the seconds from launch to the URL printed."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().rstrip("/")
    if not url.startswith("http://"):
        raise SystemExit(f"watcher serve did not start: {proc.stderr.read() if proc.stderr else ''}")
    return proc, url, time.perf_counter() - started


def raw_get(url: str) -> tuple[float, int]:
    """One page load over a plain socket (connect, GET, read to the end): the client costs next to nothing,
    so the time measured is the server's, not 50 HTTP client objects competing with it for the CPU."""
    parts = urlsplit(url)
    began = time.perf_counter()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    seconds = time.perf_counter() - began
    head = b"".join(chunks)[:12]
    return seconds, int(head[9:12]) if head.startswith(b"HTTP/1.1 ") else 0


def concurrent_loads(url: str, readers: int, paths: list[str] | None = None) -> tuple[list[float], int]:
    """`readers` loads at once (of the list, or of `paths`, one each): their times and how many failed."""
    gate = threading.Barrier(readers)
    times: list[float] = []
    failed = [0]
    lock = threading.Lock()

    def one(path: str) -> None:
        gate.wait()
        try:
            seconds, status = raw_get(url + path)
        except OSError:
            seconds, status = 30.0, 0
        with lock:
            times.append(seconds)
            if status != 200:
                failed[0] += 1

    chosen = paths or ["/"] * readers
    threads = [threading.Thread(target=one, args=(chosen[i % len(chosen)],)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, failed[0]


class Writer(threading.Thread):
    """Records a check every 20 ms (a `watcher run` at work); counts writes and the longest one."""

    def __init__(self, root: Path, urls: list[str]):
        super().__init__(daemon=True)
        self.store = open_store(root)
        self.urls = urls
        self.stop = threading.Event()
        self.writes = 0
        self.slowest = 0.0
        self.errors: list[str] = []

    def warm(self) -> None:
        self.store.record_check(CheckResult(url=self.urls[0], status="unchanged", checked_at=T0 + timedelta(days=1)))

    def run(self) -> None:
        moment = T0 + timedelta(days=2)
        while not self.stop.is_set():
            url = self.urls[self.writes % len(self.urls)]
            moment += timedelta(seconds=1)
            began = time.perf_counter()
            try:
                self.store.record_check(CheckResult(url=url, status="unchanged", checked_at=moment, version=2))
            except Exception as exc:  # a write that waited out the lock: what the server must never cause
                self.errors.append(str(exc))
            self.slowest = max(self.slowest, time.perf_counter() - began)
            self.writes += 1
            time.sleep(0.02)


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (from /proc/PID/stat): a figure machine load does not blur."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_locks(pid: int) -> int:
    """Locks the server process holds on any file (from /proc/locks); the store's would be flocks of its own."""
    held = 0
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4] == str(pid):
            held += 1
    return held


def measure(count: int, readers: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        root = Path(folder) / "data"
        edited = build(root, count)
        proc, url, ready = start(root)
        try:
            first, status = raw_get(url + "/")
            alone = min(raw_get(url + "/")[0] for _ in range(5))
            rows.append(
                Row(
                    f"{count:,} articles: first list page after start",
                    f"{first * 1000:.0f} ms (status {status}; started in {ready:.1f} s)",
                    "< 1000 ms",
                    status == 200 and first < 1.0,
                )
            )
            rows.append(Row(f"{count:,} articles: one list load alone (baseline)", f"{alone * 1000:.0f} ms"))
            writer = Writer(root, edited)
            writer.warm()  # its store loaded before the loads start: that load is this process's, not the server's
            writer.start()
            locks: list[int] = []
            sampler_stop = threading.Event()

            def sample() -> None:
                while not sampler_stop.is_set():
                    locks.append(server_locks(proc.pid))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            cpu_before = cpu_seconds(proc.pid)
            times, failed = concurrent_loads(url, readers)
            same_cpu = cpu_seconds(proc.pid) - cpu_before
            time.sleep(0.5)
            sampler_stop.set()
            writer.stop.set()
            writer.join()
            sampler.join()
            # Then 50 different pages at once (pages of the list, a tag, a host, a search): nothing rendered is shared.
            varied = [f"/?page={i + 1}" for i in range(readers // 2)] + [
                f"/?tag=desk{i % 7}&host=news{i % 50}.example&q=story-{i:03d}" for i in range(readers - readers // 2)
            ]
            cpu_before = cpu_seconds(proc.pid)
            varied_times, varied_failed = concurrent_loads(url, readers, varied)
            varied_cpu = cpu_seconds(proc.pid) - cpu_before
            slowest = max(times)
            rows.append(
                Row(
                    f"{count:,} articles: {readers} concurrent list loads",
                    f"{failed} errors; slowest {slowest * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms "
                    f"({slowest / alone:.1f}x one load alone); server CPU {same_cpu * 1000:.0f} ms for all {readers}",
                    "0 errors, each < 1000 ms",
                    failed == 0 and slowest < 1.0,
                )
            )
            rows.append(
                Row(
                    f"{count:,} articles: {readers} concurrent loads of {readers} different list pages",
                    f"{varied_failed} errors; slowest {max(varied_times) * 1000:.0f} ms, "
                    f"median {statistics.median(varied_times) * 1000:.0f} ms; server CPU {varied_cpu * 1000:.0f} ms for all {readers}",
                    "0 errors, each < 1000 ms",
                    varied_failed == 0 and max(varied_times) < 1.0,
                )
            )
            rows.append(
                Row(
                    f"{count:,} articles: store locks held by the server during the loads",
                    f"{max(locks, default=0)} (in {len(locks)} samples); beside it {writer.writes} writes, "
                    f"slowest {writer.slowest * 1000:.0f} ms, {len(writer.errors)} failed",
                    "0 held, 0 failed writes",
                    max(locks, default=0) == 0 and not writer.errors,
                )
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return rows


def main() -> None:
    print(f"machine: {machine()}")
    readers = env_int("BENCH_SERVE_READERS", 50)
    rows: list[Row] = []
    for count in sizes():
        rows.extend(measure(count, readers))
        print_rows(rows[-5:])
    print_rows(rows)


if __name__ == "__main__":
    main()
