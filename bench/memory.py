"""Benchmark 2: memory over 1,000 consecutive checks (no leak).

Runs watcher's real check (monitor.check_article: fetch with the Fetcher, extract, compare, store)
over 50 local articles again and again, and samples the RSS of this process plus every browser
process under it after each check. Target: the mean of the last 100 checks within 10% of the
mean of checks 100-200 (the first 100 warm caches up and are left out).

    python bench/memory.py      (env: BENCH_MEMORY_CHECKS=1000, BENCH_MEMORY_CONCURRENCY=4)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from common import Row, env_int, print_rows
from pages import PageServers

from watcher.config import BrowserSettings, Config, TrustSettings
from watcher.fetch import Fetcher
from watcher.monitor.check import Services, check_article
from watcher.store import open_store

ARTICLES = 50


def rss_mb(proc: psutil.Process) -> float:
    """RSS of a process and all its descendants (Playwright's driver, Chromium and its renderers), in MB."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass  # a renderer that exited between listing and reading
    return total / 1e6


async def _run(checks: int, concurrency: int, data: Path) -> list[float]:
    me = psutil.Process()
    samples: list[float] = []
    store = open_store(data)
    fetch = BrowserSettings(concurrency=concurrency, per_host_delay=0)
    config = Config(fetch=fetch, trust=TrustSettings(confirm_delay=0))
    with PageServers(hosts=concurrency) as servers:
        urls = [store.add_article(u)[0].url for u in servers.urls(ARTICLES)]
        async with Fetcher(fetch) as fetcher:
            svc = Services(fetcher=fetcher, store=store, config=config)
            queue = [urls[i % ARTICLES] for i in range(checks)]
            gate = asyncio.Semaphore(concurrency)
            started = time.perf_counter()

            async def one(url: str) -> None:
                async with gate:
                    result = await check_article(url, svc)
                if result.status == "error":
                    raise RuntimeError(f"check failed: {result.error}")
                samples.append(rss_mb(me))
                if len(samples) % 100 == 0:
                    print(
                        f"  checks {len(samples) - 99:5d}-{len(samples)}: mean {statistics.mean(samples[-100:]):7.0f} MB "
                        f"({time.perf_counter() - started:.0f}s)",
                        flush=True,
                    )

            # Groups of 2x concurrency keep the check order consecutive without 1,000 waiting tasks.
            step = concurrency * 2
            for i in range(0, checks, step):
                await asyncio.gather(*(one(u) for u in queue[i : i + step]))
    return samples


def run() -> list[Row]:
    """Run the checks and judge the series (figure 2)."""
    checks = env_int("BENCH_MEMORY_CHECKS", 1000)
    concurrency = env_int("BENCH_MEMORY_CONCURRENCY", 4)
    print(f"memory: {checks} checks of {ARTICLES} articles at concurrency {concurrency}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        samples = asyncio.run(_run(checks, concurrency, Path(tmp) / "data"))
    if len(samples) < 300:
        base, last = statistics.mean(samples[: len(samples) // 3]), statistics.mean(samples[-len(samples) // 3 :])
        label = f"RSS, last third vs first third of {len(samples)} checks"
    else:
        base, last = statistics.mean(samples[100:200]), statistics.mean(samples[-100:])
        label = f"RSS, last 100 vs checks 100-200 of {len(samples)}"
    # Each entry is the mean of a block of 100 checks: single samples swing with renderers starting and exiting.
    series = " ".join(f"{statistics.mean(samples[i : i + 100]):.0f}" for i in range(0, len(samples) - 99, 100))
    growth = last / base - 1
    return [
        Row(label, f"{base:.0f} MB -> {last:.0f} MB ({growth:+.1%})", "within 10%", abs(growth) <= 0.10),
        Row("RSS series, MB, mean of each 100 checks", series or f"{statistics.mean(samples):.0f}"),
    ]


if __name__ == "__main__":
    print_rows(run())
