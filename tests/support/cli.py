"""Running watcher from tests: the real CLI in a subprocess, or a check in-process on the session browser."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from watcher.config import load_config
from watcher.models import CheckResult
from watcher.monitor.check import check_article
from watcher.runtime import Runtime


def fast_config(
    *,
    nav_timeout: float = 5,
    retries: int = 1,
    deadline: float = 12,
    settle_ms: int | None = 100,
    confirm_delay: float = 0.1,
    fetch: str = "",
    extra: str = "",
) -> str:
    """A watcher.toml for tests: short timeouts, no gap between loads of a host, a quick confirm. `fetch` adds
    lines to [fetch], `extra` whole sections after [trust]; settle_ms=None leaves watcher's default."""
    settle = "" if settle_ms is None else f"settle_ms = {settle_ms}\n"
    more_fetch = fetch.strip() + "\n" if fetch.strip() else ""
    return (
        f"[fetch]\nnav_timeout = {nav_timeout}\ndeadline = {deadline}\nretries = {retries}\nbackoff = 0.1\nper_host_delay = 0\n"
        f"{settle}{more_fetch}\n[trust]\nconfirm_delay = {confirm_delay}\n\n{extra}"
    )


FAST_CONFIG = fast_config()


def data_dir_with(folder: Path, config: str = FAST_CONFIG) -> Path:
    """`folder` made as a data folder holding `config` as its watcher.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "watcher.toml").write_text(config)
    return folder


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
    svc = Runtime(load_config(data_dir / "watcher.toml"), data_dir=data_dir).services(fetcher)

    async def check_all() -> list[CheckResult]:
        return list(await asyncio.gather(*(check_article(url, svc) for url in urls)))

    return asyncio.run(check_all())


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The one line of a command that failed on bad input (exit 2), no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
