"""Shared bits of the benchmarks: result rows, the table, the machine description."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
BENCH = REPO / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
# The benchmarks serve their pages on 127.0.0.1, which watcher refuses unless allowed.
os.environ["WATCHER_ALLOW_PRIVATE"] = "1"


@dataclass
class Row:
    """One figure of the results table; ok is None when the figure has no target (context only)."""

    figure: str
    value: str
    target: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("pass" if self.ok else "MISS")


def ratio_row(
    figure: str,
    cpu: list[float],
    cpu_ratio: float,
    written: list[float],
    written_ratio: float,
    wall: list[float],
    *,
    written_label: str = "written",
    written_format: str = ".1f",
) -> Row:
    """A figure that should not grow with the store: CPU and wall ms, KB written, and the growth of both (<= 1.2x)."""
    return Row(
        figure,
        "CPU "
        + " / ".join(f"{c:.2f}" for c in cpu)
        + f" ms ({cpu_ratio:.2f}x); {written_label} "
        + " / ".join(format(w, written_format) for w in written)
        + f" KB ({written_ratio:.2f}x); wall "
        + " / ".join(f"{w:.1f}" for w in wall)
        + " ms",
        "<= 1.2x",
        cpu_ratio <= 1.2 and written_ratio <= 1.2,
    )


def table(rows: list[Row]) -> str:
    """Rows as a Markdown table (readable in a terminal too)."""
    head = ("figure", "value", "target", "pass/miss")
    cells = [head] + [(r.figure, r.value, r.target, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(4)) + " |" for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> str:
    """nproc, CPU model and RAM of this machine, in one line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}){ram}, Python {platform.python_version()}, {platform.system()}, {browser()}"


def browser() -> str:
    """The Chromium watcher drives here and its version: the figures depend on it more than on anything else."""
    import subprocess

    from watcher.errors import WatcherError
    from watcher.fetch.browser import find_browser

    try:
        path = find_browser().path
    except WatcherError:
        return "no browser"
    if path is None:
        return "Playwright's Chromium"
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = ""
    return f"{version or 'Chromium'} ({path})"


def env_int(name: str, default: int) -> int:
    """An integer from the environment (for quicker runs), else the default."""
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


def print_rows(rows: list[Row]) -> None:
    """Print rows as a table when a benchmark runs alone."""
    print()
    print(table(rows))
