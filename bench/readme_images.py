"""Draws README's report and card images from a real run (not a benchmark; it lives with the dev tools).

    python bench/readme_images.py   # runs `watcher demo` in a temporary folder, then report and card

The demo's newsroom edits its three stories while watcher watches them with the real browser; the report
and the card are then made by the CLI like a user would, and the report is drawn by the same Chromium.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from watcher.fetch import Fetcher

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ZONE = "America/New_York"


def watcher(data: Path, *args: str) -> str:
    command = [sys.executable, "-m", "watcher", "--data-dir", str(data), "--tz", ZONE, *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


async def draw(html: str, width: int, height: int) -> bytes:
    async with Fetcher() as fetcher:
        return await fetcher.render_png(html, width, height)


def main() -> None:
    os.environ.setdefault("WATCHER_ALLOW_PRIVATE", "1")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        watcher(data, "demo", "--no-dashboard", "--duration", "45")
        report = Path(folder) / "report.html"
        watcher(data, "report", "--since", "1d", "--lang", "auto", "--title", "Edits this week", "-o", str(report))
        (DOCS / "report.png").write_bytes(asyncio.run(draw(report.read_text(encoding="utf-8"), 1280, 1500)))
        watcher(data, "card", "--match", "Alder Falls", "--version", "4", "-o", str(DOCS / "card.png"))
    print(f"wrote {DOCS / 'report.png'} and {DOCS / 'card.png'}")


if __name__ == "__main__":
    main()
