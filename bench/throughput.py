"""Benchmark 1: snapshot throughput (checks per minute) at concurrency 1, 2, 4, 8.

Three ways of doing one check (load the page, extract the article), all against local servers:
  watcher  watcher.fetch.Fetcher (one browser, a fresh context per check) + extract
  naive    a new browser launched for every check, the same waits (load, then settle), + the same extract
  plain    urllib GET (no browser, no scripts) + the same extract
Targets: watcher >= 5x naive at the same concurrency; watcher within 2x of plain at concurrency 4.
Every server address (127.0.0.1, 127.0.0.2, ...) is its own host, so the Fetcher's one-page-per-host
rule does not serialize the run; per_host_delay is 0.

    python bench/throughput.py     (env: BENCH_WATCHER_CHECKS=40 BENCH_NAIVE_CHECKS=8 BENCH_PLAIN_CHECKS=80)
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common import Row, env_int, print_rows
from pages import PageServers

from watcher.config import BrowserSettings
from watcher.extract import extract
from watcher.fetch import Fetcher
from watcher.fetch.browser import LAUNCH_ARGS, find_browser
from watcher.fetch.settle import settle, watch_activity

LEVELS = (1, 2, 4, 8)


def settings(concurrency: int, **overrides: object) -> BrowserSettings:
    """The Fetcher's defaults, except no politeness delay (each host is ours) and the given concurrency."""
    return BrowserSettings(concurrency=concurrency, per_host_delay=0, **overrides)


async def _watcher(urls: list[str], concurrency: int, warm: str, **overrides: object) -> float:
    async with Fetcher(settings(concurrency, **overrides)) as fetcher:
        await fetcher.fetch(warm)  # starting Chromium once per process is not a per-check cost

        async def one(url: str) -> None:
            snap = await fetcher.fetch(url)
            await asyncio.to_thread(extract, snap.html, snap.final_url)

        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return time.perf_counter() - started


def watcher_rate(urls: list[str], concurrency: int, warm: str, **overrides: object) -> float:
    """Checks per minute with watcher's Fetcher + extract (FetchSettings fields may be overridden)."""
    return len(urls) / asyncio.run(_watcher(urls, concurrency, warm, **overrides)) * 60


async def _naive(urls: list[str], concurrency: int) -> float:
    from playwright.async_api import async_playwright

    path = find_browser().path
    settle_s = BrowserSettings().settle_ms / 1000
    gate = asyncio.Semaphore(concurrency)
    async with async_playwright() as pw:

        async def one(url: str) -> None:
            async with gate:
                browser = await pw.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
                try:
                    page = await browser.new_page()
                    in_flight = await watch_activity(page)
                    await page.goto(url, wait_until="domcontentloaded")
                    await page.wait_for_load_state("load")
                    await settle(page, in_flight, time.monotonic() + settle_s)
                    html = await page.content()
                finally:
                    await browser.close()
            await asyncio.to_thread(extract, html, url)

        started = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return time.perf_counter() - started


def naive_rate(urls: list[str], concurrency: int) -> float:
    """Checks per minute launching a new browser for every check."""
    return len(urls) / asyncio.run(_naive(urls, concurrency)) * 60


def plain_rate(urls: list[str], concurrency: int) -> float:
    """Checks per minute with urllib + extract (no browser)."""

    def one(url: str) -> None:
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode("utf-8", "replace")
        extract(html, url)

    one(urls[0])
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, urls))
    return len(urls) / (time.perf_counter() - started) * 60


def run() -> list[Row]:
    """Measure every level; rows for the table (figure 1)."""
    n_watch = env_int("BENCH_WATCHER_CHECKS", 40)
    n_naive = env_int("BENCH_NAIVE_CHECKS", 8)
    n_plain = env_int("BENCH_PLAIN_CHECKS", 80)
    rows: list[Row] = []
    with PageServers(hosts=max(LEVELS)) as servers:
        warm = servers.url(10_000)
        for level in LEVELS:
            w = watcher_rate(servers.urls(n_watch, start=level * 1000), level, warm)
            nv = naive_rate(servers.urls(max(level, n_naive), start=level * 1000 + 500), level)
            pl = plain_rate(servers.urls(n_plain, start=level * 1000), level)
            print(f"concurrency {level}: watcher {w:.0f}/min, naive {nv:.0f}/min, plain HTTP {pl:.0f}/min", flush=True)
            rows.append(
                Row(
                    f"throughput c={level}: watcher vs naive browser-per-check",
                    f"{w:.0f} vs {nv:.0f} checks/min = {w / nv:.1f}x",
                    ">= 5x",
                    w / nv >= 5,
                )
            )
            if level == 4:
                rows.append(
                    Row(
                        f"throughput c={level}: plain HTTP GET / watcher",
                        f"{pl:.0f} vs {w:.0f} checks/min = {pl / w:.1f}x",
                        "<= 2x",
                        pl / w <= 2,
                    )
                )
                # The settle after load (until the page is still, capped) is latency; this shows what is left of it.
                w0 = watcher_rate(servers.urls(n_watch, start=level * 1000 + 200), level, warm, settle_ms=0)
                print(f"concurrency {level}: watcher with settle_ms=0 {w0:.0f}/min", flush=True)
                rows.append(
                    Row(
                        f"throughput c={level}: plain HTTP GET / watcher with settle_ms=0",
                        f"{pl:.0f} vs {w0:.0f} checks/min = {pl / w0:.1f}x",
                    )
                )
            else:
                rows.append(
                    Row(
                        f"throughput c={level}: plain HTTP GET / watcher",
                        f"{pl:.0f} vs {w:.0f} checks/min = {pl / w:.1f}x",
                    )
                )
    return rows


if __name__ == "__main__":
    print_rows(run())
