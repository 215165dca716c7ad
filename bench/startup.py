"""Benchmark 5: start-up of `watcher list` on a store of 1,000 articles.

Times `.venv/bin/watcher --data-dir X list` as a fresh process (median of several runs) against
`python -c pass` in the same run, and checks with `python -X importtime` that Playwright is not
imported. Target: under 0.3 s.

    python bench/startup.py      (env: BENCH_STARTUP_ARTICLES=1000, BENCH_STARTUP_RUNS=7)
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import Row, env_int, print_rows

from watcher.models import Article
from watcher.store import open_store

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def build(data: Path, articles: int) -> None:
    """A store of `articles` watched articles with two versions each."""
    store = open_store(data, durable=False)  # fsync buys nothing for a throw-away store
    with store.transaction():
        for i in range(articles):
            url = f"https://news.example/{i // 100}/story-{i}"
            store.add_article(url, now=T0)
            for v in (1, 2):
                art = Article(
                    headline=f"Story {i} v{v}",
                    byline="By A. Writer",
                    body=[f"Paragraph {p} of story {i}, version {v}." for p in range(8)],
                )
                store.save_version(url, art, html=None, diff=None, captured_at=T0 + timedelta(hours=v))


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Best wall time and median CPU time (user+sys) of running `cmd` to completion, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    # The fastest run is the start-up cost itself; slower ones waited for other work on the machine.
    return min(walls), statistics.median(cpus)


def heavy_imports(data: Path) -> list[str]:
    """Top-level packages among playwright/trafilatura/lxml that `watcher list` imports."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "watcher", "--data-dir", str(data), "list"],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.splitlines() if "|" in line}
    return sorted(names & {"playwright", "trafilatura", "lxml", "diff_match_patch", "apprise", "feedparser"})


def run() -> list[Row]:
    """Time list vs an empty interpreter (figure 5)."""
    articles = env_int("BENCH_STARTUP_ARTICLES", 1000)
    runs = env_int("BENCH_STARTUP_RUNS", 7)
    exe = Path(sys.executable).with_name("watcher")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        build(data, articles)
        list_cmd = (
            [str(exe), "--data-dir", str(data), "list"]
            if exe.exists()
            else [sys.executable, "-m", "watcher", "--data-dir", str(data), "list"]
        )
        timed(list_cmd, 1)  # warm the page cache
        bare, bare_cpu = timed([sys.executable, "-c", "pass"], runs)
        listing, listing_cpu = timed(list_cmd, runs)
        heavy = heavy_imports(data)
    print(
        f"startup: watcher list {listing * 1000:.0f} ms (CPU {listing_cpu * 1000:.0f} ms), python -c pass "
        f"{bare * 1000:.0f} ms (CPU {bare_cpu * 1000:.0f} ms); heavy imports: {heavy or 'none'}",
        flush=True,
    )
    return [
        Row(
            f"start-up: `watcher list`, {articles} articles, wall",
            f"{listing:.2f} s ({listing / bare:.1f}x `python -c pass` = {bare:.3f} s)",
            "< 0.3 s",
            listing < 0.3,
        ),
        Row(
            f"start-up: `watcher list`, {articles} articles, CPU",
            f"{listing_cpu:.2f} s ({listing_cpu / max(bare_cpu, 1e-3):.1f}x `python -c pass` = {bare_cpu:.3f} s)",
        ),
        Row(
            "start-up: Playwright imported by `watcher list`",
            "yes" if "playwright" in heavy else "no",
            "no",
            "playwright" not in heavy,
        ),
        Row("start-up: other heavy imports by `watcher list`", ", ".join(heavy) or "none"),
    ]


if __name__ == "__main__":
    print_rows(run())
