"""Running watcher from tests: the real CLI in a subprocess, or a check in-process on the session browser."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from watcher.config import load_config
from watcher.models import CheckResult
from watcher.monitor.check import Services, check_article
from watcher.store import open_store


def watcher(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the installed CLI the way a user does."""
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(data_dir: Path, *args: str) -> str:
    """stdout of a command that must succeed."""
    result = watcher(data_dir, *args)
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


def checked(data_dir: Path, fetcher, *urls: str) -> list[CheckResult]:
    """What `watcher check URL...` does, run in-process on the session's Chromium (a subprocess would
    launch its own, seconds each); `watcher check` itself is covered by test_cli_walk.py."""
    svc = Services(fetcher=fetcher, store=open_store(data_dir), config=load_config(data_dir / "watcher.toml"))

    async def check_all() -> list[CheckResult]:
        return list(await asyncio.gather(*(check_article(url, svc) for url in urls)))

    return asyncio.run(check_all())
