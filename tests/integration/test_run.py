"""`watcher run` as a user runs it: a subprocess on a schedule, an edit mid-run, SIGTERM, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from support.cli import data_dir_with, watcher

from watcher.errors import StoreLocked
from watcher.store import open_store
from watcher.times import utcnow

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

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


def test_run_finds_an_edit_and_stops_cleanly_on_sigterm(site, tmp_path):
    data_dir = data_dir_with(tmp_path / "data", RUN_CONFIG)
    site.serve_fixture("/en", "en-daily/story")
    site.serve_fixture("/zh", "zh-daily/story")
    for path in ("/en", "/zh"):
        assert watcher(data_dir, "add", site.url(path)).returncode == 0

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
        second = watcher(data_dir, "run")
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

    history = json.loads(watcher(data_dir, "history", site.url("/en"), "--json").stdout)
    assert [v["version"] for v in history] == [1, 2]
    listed = {a["url"]: a for a in json.loads(watcher(data_dir, "list", "--json").stdout)}
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


# --- stopping: a closed pipe, Ctrl-C, SIGTERM while everything hangs ----------------------------------

FAST = RUN_CONFIG.replace("per_host_delay = 0.1", "per_host_delay = 0")


def _store_with(site, tmp_path: Path, pages: dict[str, str], config: str = FAST) -> Path:
    data_dir = data_dir_with(tmp_path / "data", config)
    store = open_store(data_dir)
    for path, html in pages.items():
        site.page(path, html)
        store.add_article(site.url(path))
    return data_dir


def _page(title: str) -> str:
    paras = "".join(
        f"<p>{title}: paragraph {i} of the story, told at some length for the reader.</p>" for i in range(4)
    )
    return f"<!doctype html><html><body><article><h1>{title}</h1>{paras}</article></body></html>"


def _run(data_dir: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "run", *args],
        stdout=kw.pop("stdout", subprocess.PIPE),
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
        **kw,
    )


def _run_lock_free(data_dir: Path) -> bool:
    try:
        with open_store(data_dir).run_lock():
            return True
    except StoreLocked:
        return False


def test_run_json_into_head_ends_quietly_when_the_pipe_closes(site, tmp_path):
    data_dir = _store_with(site, tmp_path, {f"/s{i}": _page(f"Story {i}") for i in range(3)})
    proc = _run(data_dir, "--json")
    try:
        first = proc.stdout.readline()  # what `head -1` reads, then it exits
        assert json.loads(first)["status"] == "new"
        proc.stdout.close()
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert _run_lock_free(data_dir)


def test_ctrl_c_abandons_the_check_in_flight_without_an_error_or_a_traceback(site, tmp_path):
    data_dir = _store_with(site, tmp_path, {"/slow": _page("Slow")})
    site.page("/slow", _page("Slow"), delay=30)  # in flight when Ctrl-C comes
    proc = _run(data_dir)
    try:
        assert _wait_for(lambda: site.hits("/slow") >= 1, 30)
        time.sleep(0.5)
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # the terminal sends Ctrl-C to the whole process group
        code = proc.wait(timeout=15)
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert code == 0, err
    assert "Traceback" not in err and "never retrieved" not in err and "Error" not in err, err
    article = open_store(data_dir).get_article(site.url("/slow"))
    assert article.last_status is None and article.consecutive_errors == 0 and article.checks_total == 0
    assert _run_lock_free(data_dir)


def test_sigterm_ends_the_run_within_ten_seconds_while_feeds_and_a_page_hang(site, tmp_path):
    config = FAST.replace("nav_timeout = 5", "nav_timeout = 60").replace("deadline = 12", "deadline = 90")
    data_dir = _store_with(site, tmp_path, {"/slow": _page("Slow")}, config)
    site.page("/slow", _page("Slow"), delay=60)
    store = open_store(data_dir)
    for n in range(6):
        site.hang(f"/feed{n}.xml")
        store.add_feed(site.url(f"/feed{n}.xml", host="localhost"), every=1)
    proc = _run(data_dir)
    try:
        assert _wait_for(lambda: site.hits("/slow") >= 1 and site.hits("/feed5.xml") >= 1, 30)
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert code == 0 and took < 10, (took, err)
    assert "Traceback" not in err, err
    assert _run_lock_free(data_dir)


def test_run_says_what_it_watches_and_with_v_every_check(site, tmp_path):
    data_dir = _store_with(site, tmp_path, {"/a": _page("Story A"), "/b": _page("Story B")})
    open_store(data_dir).add_feed(site.url("/feed.xml"), every=3600)
    done = watcher(data_dir, "run", "-v", "--max-checks", "4")
    assert done.returncode == 0, done.stderr
    start = done.stderr.splitlines()[0]
    assert start.startswith("watcher run: 2 articles, 1 feed; next check now; store ") and str(data_dir) in start
    assert "; browser " in start
    lines = done.stdout.splitlines()
    assert sum(" new " in f" {line} " for line in lines) == 2 and sum(" unchanged " in line for line in lines) == 2


def test_schedule_changes_in_the_config_reach_articles_already_scheduled(site, tmp_path):
    data_dir = _store_with(site, tmp_path, {"/a": _page("Story A")})
    # As a run with hourly checks left it: checked a moment ago, next check in an hour.
    store = open_store(data_dir)
    article = store.get_article(site.url("/a"))
    article.last_checked, article.next_check = utcnow(), utcnow() + timedelta(hours=1)
    store.update_article(article)
    # watcher.toml says every second (FAST): the next run checks it now, not in an hour.
    done = watcher(data_dir, "run", "--json", "--max-checks", "1")
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "new", done.stderr
