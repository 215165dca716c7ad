"""Run every benchmark and print one table: figure, value, target, pass/miss.

    python bench/run.py                  # everything (under 10 minutes on 2 cores)
    python bench/run.py throughput memory   # some of them: throughput memory storage diff startup

Each benchmark also runs alone (python bench/throughput.py, ...). Every figure is a ratio against
a baseline measured in the same run, so a busy machine moves both sides. The table and the machine
are written to bench/results/latest.md.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import diffs
import memory
import startup
import storage
import throughput
from common import BENCH, Row, machine, table

BENCHMARKS = {
    "throughput": throughput.run,
    "memory": memory.run,
    "storage": storage.run,
    "diff": diffs.run,
    "startup": startup.run,
}


def main(names: list[str]) -> int:
    """Run the named benchmarks (all by default), print and save the table; 1 if a target was missed."""
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    started = time.perf_counter()
    for name in names or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        t = time.perf_counter()
        try:
            rows += BENCHMARKS[name]()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            rows.append(
                Row(
                    name, f"failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", "runs", False
                )
            )
        print(f"   ({time.perf_counter() - t:.0f}s)", flush=True)
    elapsed = time.perf_counter() - started
    text = table(rows)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = f"{text}\n\nMachine: {machine()}. Run {stamp}, {elapsed / 60:.1f} min.\n"
    print()
    print(report)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(report, encoding="utf-8")
    return 1 if any(r.ok is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
