"""Benchmark 3: storage growth and cost as history grows.

A store of 1,000 articles x 20 versions, plus one live article grown to 100, 1,000 and 10,000
versions. At each size it times, on a durable store (fsync on), what the monitor does on a
no-change check (record_check + update_article, in one transaction) and on a changed check (save_version), and the
bytes an unchanged check adds once the check log is full. Building the store is set-up, so it runs
with fsync off; the measured operations run with the store as users get it.
Targets: cost flat within 1.2x across sizes; under 1 KB per unchanged check. Costs are the fastest
of the repeats (the operation itself, least blurred by other work on the machine); the
pass/miss is judged on CPU time and bytes written per operation, which machine load and fsync
latency do not blur (wall times are printed too).

    python bench/storage.py      (env: BENCH_STORE_ARTICLES=1000, BENCH_STORE_REPEAT=20)
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import Row, env_int, print_rows, ratio_row  # first: puts the repository on sys.path

from watcher.models import Article, CheckResult, Edit, VersionDiff
from watcher.store import open_store
from watcher.store.tiny import blobs, journal, jsonfile

SIZES = (100, 1000, 10000)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
LIVE = "https://news.example/live-blog"
WRITTEN = [0]  # bytes handed to the store's atomic writes: a measure of work that machine load cannot blur


def _counting(write):
    def wrapper(path, data, **kw):
        WRITTEN[0] += len(data)
        return write(path, data, **kw)

    return wrapper


jsonfile.atomic_write = _counting(jsonfile.atomic_write)
blobs.atomic_write = _counting(blobs.atomic_write)
journal.atomic_write = _counting(journal.atomic_write)
_append = journal.Journaled._append


def _counting_append(self, data: bytes) -> None:
    WRITTEN[0] += len(data)
    _append(self, data)


journal.Journaled._append = _counting_append  # the watch list's journal: appended, not replaced


def article(i: int, story: str = "") -> Article:
    """Version i of a 12-paragraph story (`story` tells stories apart: their texts are different blobs)."""
    return Article(
        headline=f"Headline {story}{i}",
        dek="A dek",
        byline="By Someone",
        body=[f"Paragraph {p} of {story}version {i}. " * 6 for p in range(12)],
        captions=[f"Caption {story}{i}"],
    )


def diff(i: int) -> VersionDiff:
    """The edit from version i - 1 to version i."""
    return VersionDiff(
        edits=[
            Edit(
                "headline",
                "replace",
                f"Headline {i - 1}",
                f"Headline {i}",
                "substantive",
                [("=", "Headline "), ("-", str(i - 1)), ("+", str(i))],
            )
        ]
    )


def store_bytes(root: Path) -> int:
    """Bytes the store takes on disk (lock files aside)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def best_ms(samples: list[float]) -> float:
    """The fastest of the timings, in ms: the operation's own cost, least blurred by other work."""
    return min(samples) * 1000


def measure_each(op, repeat: int) -> dict[int, tuple[float, float, float]]:
    """Per size: wall ms, CPU ms (fastest run) and KB handed to atomic writes (mean) of op(size), sizes in turn."""
    walls: dict[int, list[float]] = {size: [] for size in SIZES}
    cpus: dict[int, list[float]] = {size: [] for size in SIZES}
    written = dict.fromkeys(SIZES, 0)
    for round_ in range(repeat):
        # Rotate which size goes first: an operation right after another's fsyncs runs slower.
        for size in SIZES[round_ % len(SIZES) :] + SIZES[: round_ % len(SIZES)]:
            before = WRITTEN[0]
            w, c = time.perf_counter(), time.process_time()
            op(size)
            cpus[size].append(time.process_time() - c)
            walls[size].append(time.perf_counter() - w)
            written[size] += WRITTEN[0] - before
    return {size: (best_ms(walls[size]), best_ms(cpus[size]), written[size] / repeat / 1024) for size in SIZES}


def build(root: Path, articles: int) -> None:
    """The background store: `articles` articles x 20 versions."""
    store = open_store(root, durable=False)
    with store.transaction():
        for a in range(articles):
            url = f"https://news.example/story/{a:05d}"
            store.add_article(url, now=T0)
            for v in range(1, 21):
                store.save_version(
                    url,
                    article(v),
                    html=f"<html>{a}/{v}</html>",
                    diff=diff(v) if v > 1 else None,
                    captured_at=T0 + timedelta(hours=v),
                )


def run() -> list[Row]:
    """Measure every size (figure 3)."""
    articles = env_int("BENCH_STORE_ARTICLES", 1000)
    repeat = env_int("BENCH_STORE_REPEAT", 20)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        started = time.perf_counter()
        build(root, articles)
        print(f"storage: built {articles} articles x 20 versions in {time.perf_counter() - started:.0f}s", flush=True)
        fast, store = open_store(root, durable=False), open_store(root)
        # One live article per size, measured in turn, so load that comes and goes hits every size alike.
        live = {size: f"{LIVE}-{size}" for size in SIZES}
        history = dict.fromkeys(SIZES, 0)
        moment = T0
        with fast.transaction():
            for size, url in live.items():
                fast.add_article(url, now=T0)
                while history[size] < size:
                    history[size] += 1
                    moment += timedelta(seconds=1)
                    fast.save_version(
                        url,
                        article(history[size], f"{size}-"),
                        html=f"<html>{size}-{history[size]}</html>",
                        diff=diff(history[size]),
                        captured_at=moment,
                    )

        def check(size: int) -> None:
            nonlocal moment
            moment += timedelta(seconds=1)
            with store.transaction():  # as monitor.check_article does: one hot-file write per check
                store.record_check(
                    CheckResult(
                        url=live[size],
                        status="unchanged",
                        checked_at=moment,
                        version=history[size],
                        http_status=200,
                        duration=0.8,
                    )
                )
                watched = store.get_article(live[size])
                watched.next_check = moment + timedelta(minutes=10)
                store.update_article(watched)

        def save(size: int) -> None:
            nonlocal moment
            history[size] += 1
            moment += timedelta(seconds=1)
            # Each size's story of its own: with one text for all, the smaller sizes' saves found their
            # blobs already written by the 10,000-version history and skipped half the writes.
            store.save_version(
                live[size],
                article(history[size], f"{size}-"),
                html=f"<html>{size}-{history[size]}</html>",
                diff=diff(history[size]),
                captured_at=moment,
            )

        for size in SIZES:
            for _ in range(store.check_log_size):  # a full check log: what follows is the steady state
                check(size)
            save(size)  # the first durable save opens its chunk; not the steady state
        before = store_bytes(root)
        check_costs = measure_each(check, repeat)
        grown = (store_bytes(root) - before) / repeat / len(SIZES)
        save_costs = measure_each(save, repeat)
        for size in SIZES:
            c, v = check_costs[size], save_costs[size]
            results.append((size, c, v, grown))
            print(
                f"  {size:>6} versions: no-change check {c[0]:.1f} ms wall, {c[1]:.2f} ms CPU, {c[2]:.1f} KB "
                f"written; changed check {v[0]:.1f} ms wall, {v[1]:.2f} ms CPU, {v[2]:.1f} KB written",
                flush=True,
            )
        print(f"  {grown:.0f} B added per no-change check", flush=True)
    sizes = "/".join(f"{s:,}" for s in SIZES)
    rows = []
    for index, label in ((1, "no-change check (record_check + update_article)"), (2, "changed check (save_version)")):
        costs = [r[index] for r in results]
        cpu_ratio = max(c[1] for c in costs) / min(c[1] for c in costs)
        written_ratio = max(c[2] for c in costs) / max(min(c[2] for c in costs), 1e-9)
        rows.append(
            ratio_row(
                f"store: {label} at {sizes} versions ({articles} articles x 20 beside)",
                [c[1] for c in costs],
                cpu_ratio,
                [c[2] for c in costs],
                written_ratio,
                [c[0] for c in costs],
                written_format=".0f",
            )
        )
    grown = max(r[3] for r in results)
    rows.append(Row("store: bytes added per unchanged check", f"{grown:.0f} B", "< 1 KB", grown < 1024))
    return rows


if __name__ == "__main__":
    print_rows(run())
