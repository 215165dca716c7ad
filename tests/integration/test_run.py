"""`watcher run` as a user runs it: a subprocess on a schedule, an edit mid-run, SIGTERM, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RUN_CONFIG = """
[fetch]
nav_timeout = 5
deadline = 12
retries = 1
backoff = 0.1
per_host_delay = 0.1

[schedule]
tiers = [{ until = "1d", every = "1s" }]
jitter = 0.1

[trust]
confirm_delay = 0.2
"""


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_finds_an_edit_and_stops_cleanly_on_sigterm(site, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "watcher.toml").write_text(RUN_CONFIG)
    site.serve_fixture("/en", "en-daily/story")
    site.serve_fixture("/zh", "zh-daily/story")
    for path in ("/en", "/zh"):
        assert _cli(data_dir, "add", site.url(path)).returncode == 0

    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "run", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[dict] = []

        def statuses() -> list[dict]:
            return lines

        import threading

        def pump() -> None:
            for line in proc.stdout:
                if line.strip():
                    lines.append(json.loads(line))

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        assert _wait_for(lambda: sum(r["status"] == "new" for r in lines) == 2, 40), lines
        second = _cli(data_dir, "run")
        assert second.returncode == 2 and "watcher run" in second.stderr  # one runner at a time

        site.set_version("/en", "v2")
        assert _wait_for(lambda: any(r["status"] == "changed" for r in lines), 40), lines
        changed = next(r for r in lines if r["status"] == "changed")
        assert changed["version"] == 2 and changed["edits"]

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
        reader.join(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in proc.stderr.read()

    history = json.loads(_cli(data_dir, "history", site.url("/en"), "--json").stdout)
    assert [v["version"] for v in history] == [1, 2]
    listed = {a["url"]: a for a in json.loads(_cli(data_dir, "list", "--json").stdout)}
    assert listed[site.url("/zh")]["versions"] == 1
    assert listed[site.url("/en")]["last_status"] in ("changed", "unchanged")
    # the next run continues from the same store
    again = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "run", "--json", "--max-checks", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert again.returncode == 0, again.stderr
    assert {json.loads(line)["status"] for line in again.stdout.splitlines() if line.strip()} <= {"unchanged"}
