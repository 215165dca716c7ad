"""Benchmark: does the store stay fast and small as history grows?

Builds a store of ARTICLES articles x 20 versions, plus one "live" article whose own history is
grown to 100, 1,000 and 10,000 versions. At each size it times an unchanged check
(record_check) and a save_version on the live article, and measures the bytes an unchanged
check adds once the check log is full. Targets: times flat within 1.2x of the smallest size,
and under 1 KB added per unchanged check. Times are lower quartiles of --repeat runs.

    .venv/bin/python bench/store_growth.py [--articles 1000] [--sizes 100,1000,10000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from watcher.models import Article, CheckResult, Edit, VersionDiff  # noqa: E402
from watcher.store import Store, blobs, storage  # noqa: E402

WRITTEN = [0]  # bytes handed to atomic writes: a measure of work that machine load cannot blur


def _counting(write):
    def wrapper(path, data, **kw):
        WRITTEN[0] += len(data)
        return write(path, data, **kw)
    return wrapper


storage.atomic_write = _counting(storage.atomic_write)
blobs.atomic_write = _counting(blobs.atomic_write)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
LIVE = "https://news.example/live-blog"


def article(i: int) -> Article:
    return Article(headline=f"Headline {i}", dek="A dek", byline="By Someone",
                   body=[f"Paragraph {p} of version {i}. " * 6 for p in range(12)], captions=[f"Caption {i}"])


def diff(i: int) -> VersionDiff:
    return VersionDiff(edits=[Edit("headline", "replace", f"Headline {i - 1}", f"Headline {i}", "substantive",
                                   [("=", "Headline "), ("-", str(i - 1)), ("+", str(i))])])


def store_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def best_ms(samples: list[float]) -> float:
    # The lower quartile: the cost of the operation itself, less the noise of other work on the machine.
    return statistics.quantiles(samples, n=4)[0] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        root = Path(tmp) / "data"
        store = Store(root, check_log_size=50)
        started = time.perf_counter()
        with store.transaction():  # building in one transaction writes each file once
            store.add_article(LIVE, now=T0)
            for a in range(args.articles):
                url = f"https://news.example/story/{a:05d}"
                store.add_article(url, now=T0)
                for v in range(1, 21):
                    store.save_version(url, article(v), html=f"<html>{a}/{v}</html>", diff=diff(v) if v > 1 else None,
                                       captured_at=T0 + timedelta(hours=v))
        print(f"built {args.articles} articles x 20 versions in {time.perf_counter() - started:.1f}s; "
              f"hot file {store.path.stat().st_size / 1024:.0f} KB")

        rows = []
        history = 0
        moment = T0
        for size in sizes:
            with store.transaction():
                while history < size:
                    history += 1
                    moment += timedelta(minutes=1)
                    store.save_version(LIVE, article(history), html=f"<html>{history}</html>",
                                       diff=diff(history), captured_at=moment)
            # fill the check log so growth measured below is the steady state
            for _ in range(50):
                moment += timedelta(seconds=1)
                store.record_check(CheckResult(url=LIVE, status="unchanged", checked_at=moment, version=history,
                                               http_status=200, duration=0.8))
            before = store_bytes(root)
            check_times = []
            written = WRITTEN[0]
            for _ in range(args.repeat):
                moment += timedelta(seconds=1)
                t = time.perf_counter()
                store.record_check(CheckResult(url=LIVE, status="unchanged", checked_at=moment, version=history,
                                               http_status=200, duration=0.8))
                check_times.append(time.perf_counter() - t)
            grown = (store_bytes(root) - before) / args.repeat
            check_written = (WRITTEN[0] - written) / args.repeat
            save_times = []
            written = WRITTEN[0]
            for _ in range(args.repeat):
                history += 1
                moment += timedelta(seconds=1)
                t = time.perf_counter()
                store.save_version(LIVE, article(history), html=f"<html>{history}</html>", diff=diff(history),
                                   captured_at=moment)
                save_times.append(time.perf_counter() - t)
            save_written = (WRITTEN[0] - written) / args.repeat
            t = time.perf_counter()
            latest = store.latest_version(LIVE)
            latest_ms = (time.perf_counter() - t) * 1000
            assert latest is not None and latest.number == history
            rows.append((size, best_ms(check_times), best_ms(save_times), latest_ms, grown,
                         check_written, save_written))

        base_check, base_save = rows[0][1], rows[0][2]
        print(f"\n{'history':>8} {'check ms':>9} {'ratio':>6} {'save ms':>8} {'ratio':>6} {'latest ms':>9} "
              f"{'B grown/check':>13} {'KB written/check':>16} {'KB written/save':>15}")
        ok = True
        for size, check_ms, save_ms, latest_ms, grown, check_written, save_written in rows:
            rc, rs = check_ms / base_check, save_ms / base_save
            ok &= rc <= 1.2 and rs <= 1.2 and grown < 1024
            print(f"{size:>8} {check_ms:>9.2f} {rc:>6.2f} {save_ms:>8.2f} {rs:>6.2f} {latest_ms:>9.2f} "
                  f"{grown:>13.0f} {check_written / 1024:>16.1f} {save_written / 1024:>15.1f}")
        print("\ntarget: ratios <= 1.2, < 1024 bytes per unchanged check:", "met" if ok else "NOT met")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
