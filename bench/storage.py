"""Benchmark 3: storage growth and cost, by running bench/store_growth.py and reading its table.

store_growth.py (the store's own benchmark) builds 1,000 articles x 20 versions, grows one article
to 100, 1,000 and 10,000 versions and times an unchanged check and a changed check (save_version)
at each size. It runs as a subprocess because it instruments the store's write functions.

    python bench/storage.py      (env: BENCH_STORE_ARTICLES=1000, BENCH_STORE_REPEAT=40)
"""

from __future__ import annotations

import subprocess
import sys

from common import BENCH, Row, env_int, print_rows

SIZES = (100, 1000, 10000)


def parse(output: str) -> list[list[float]]:
    """The per-size rows of store_growth's table: history, check ms, ratio, save ms, ratio, latest ms, B/check, ..."""
    rows = []
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0].isdigit() and int(cells[0]) in SIZES:
            try:
                rows.append([float(c) for c in cells])
            except ValueError:
                continue
    return rows


def run() -> list[Row]:
    """Run store_growth.py and turn its table into rows (figure 3)."""
    articles = env_int("BENCH_STORE_ARTICLES", 1000)
    repeat = env_int("BENCH_STORE_REPEAT", 40)
    cmd = [sys.executable, str(BENCH / "store_growth.py"), "--articles", str(articles),
           "--sizes", ",".join(map(str, SIZES)), "--repeat", str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=BENCH.parent)
    print(done.stdout.rstrip(), flush=True)
    rows = parse(done.stdout)
    if len(rows) != len(SIZES):
        return [Row("storage (bench/store_growth.py)", f"could not read its output (exit {done.returncode}): "
                    f"{(done.stderr.strip().splitlines() or ['no error'])[-1]}", "runs", False)]
    checks = [r[1] for r in rows]
    saves = [r[3] for r in rows]
    grown = max(r[6] for r in rows)
    check_ratio = max(checks) / min(checks)
    save_ratio = max(saves) / min(saves)
    sizes = "/".join(f"{s:,}" for s in SIZES)
    return [
        Row(f"store: unchanged check at {sizes} versions ({articles} articles x 20 around it)",
            " / ".join(f"{c:.2f}" for c in checks) + f" ms, max/min {check_ratio:.2f}x", "<= 1.2x",
            check_ratio <= 1.2),
        Row(f"store: changed check (save_version) at {sizes} versions",
            " / ".join(f"{s:.2f}" for s in saves) + f" ms, max/min {save_ratio:.2f}x", "<= 1.2x", save_ratio <= 1.2),
        Row("store: bytes added per unchanged check", f"{grown:.0f} B", "< 1 KB", grown < 1024),
    ]


if __name__ == "__main__":
    print_rows(run())
