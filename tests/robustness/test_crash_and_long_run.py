"""`watcher run` as a process: SIGKILLed at random moments while pages are being edited, and a long
run of thousands of checks watched from outside for leaking descriptors, browsers and memory."""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from support.cli import data_dir_with, fast_config
from support.site_server import Site

from watcher.store import open_store

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

# Only for iterating locally; the suite's promise is the default.
KILLS = int(os.environ.get("WATCHER_ROBUST_KILLS", "50"))
LONG_CHECKS = int(os.environ.get("WATCHER_ROBUST_CHECKS", "2000"))

SCHEDULE = '[schedule]\ntiers = [{ until = "1d", every = "1s" }]\njitter = 0.1\n'
STORED = ("new", "changed", "revert", "restored", "removed", "redirected")


def story(path: str, version: int) -> str:
    paras = [f"The {path.strip('/')} story, paragraph {i}, as filed by the desk this morning." for i in range(4)]
    paras[1] = f"Officials counted {100 + version * 7} people at the scene in revision {version}."
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{path}</title></head><body><article>"
        f"<h1>Story {path} update {version}</h1>{body}</article></body></html>"
    )


STARTED: list[subprocess.Popen] = []


def watcher(data: Path, *args: str, **kw) -> subprocess.Popen:
    """`watcher ...` in its own process group, so a kill takes its Chromium with it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kw,
    )
    STARTED.append(proc)
    return proc


@pytest.fixture(autouse=True)
def _no_leftover_processes():
    """A failed or timed-out test must not leave a `watcher run` and its browser behind."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)


def json_lines(out: str) -> list[dict]:
    lines = []
    for line in out.splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # only a line cut by the kill can be partial
    return lines


def setup_articles(sites: list[Site], data: Path, paths: list[str], settle: int) -> list[tuple[Site, str]]:
    data_dir_with(
        data, fast_config(deadline=10, settle_ms=settle, confirm_delay=0, fetch="concurrency = 4", extra=SCHEDULE)
    )
    pages = []
    for site in sites:
        for path in paths:
            site.page_versions(path, {f"v{n}": story(path, n) for n in range(6)})
            pages.append((site, path))
    urls = [site.url(path) for site, path in pages]
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), "add", *urls],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return pages


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_during_a_run(tmp_path):
    data = tmp_path / "data"
    rng = random.Random(10)
    with Site() as one, Site("127.0.0.2") as two:
        pages = setup_articles([one, two], data, ["/a", "/b"], settle=50)

        # The first run measures how long start-up takes here, so kills can land while checks are
        # running (0.3-1.5 s into the checking), not all during Python and Chromium start-up.
        warm = watcher(data, "run", "--json")
        started = time.monotonic()
        first = warm.stdout.readline()
        startup = time.monotonic() - started
        assert first, warm.stderr.read()
        os.killpg(warm.pid, signal.SIGKILL)
        reported: dict[tuple[str, int], str] = {}
        for result in json_lines(first + warm.communicate(timeout=30)[0]):
            if result["status"] in STORED:
                reported[(result["url"], result["version"])] = result.get("headline")

        kills, checks_seen, started_all = 1, 0, time.monotonic()
        for i in range(KILLS - 1):
            for site, path in pages:  # edits happen between kills...
                site.set_version(path, f"v{rng.randrange(6)}")
            proc = watcher(data, "run", "--json")
            moment = startup * 0.8 + rng.uniform(0.3, 1.5)
            if i % 3 == 0:  # ...and during runs
                site, path = rng.choice(pages)
                timer = threading.Timer(moment / 2, site.set_version, (path, f"v{rng.randrange(6)}"))
                timer.start()
            time.sleep(moment)
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL, err
            assert "Traceback" not in err, err
            kills += 1
            results = json_lines(out)
            checks_seen += len(results)
            for result in results:
                if result["status"] in STORED:
                    reported[(result["url"], result["version"])] = result.get("headline")

            store = open_store(data)  # loads after every kill
            for site, path in pages:
                versions = store.list_versions(site.url(path))
                assert [v.number for v in versions] == list(range(1, len(versions) + 1)), f"kill {kills}"
            for (url, number), headline in reported.items():
                version = store.get_version(url, number)  # UnknownArticle if a reported version is gone
                assert headline is None or version.article.headline == headline
        elapsed = time.monotonic() - started_all
        print(
            f"{kills} kills in {elapsed:.0f}s (start-up {startup:.1f}s), {checks_seen} checks reported, "
            f"{len(reported)} versions reported stored"
        )
        assert kills == KILLS
        assert len(reported) >= len(pages)  # the runs did real work between kills

        # The next run continues from the same store: it checks, stores, exits cleanly.
        for site, path in pages:
            site.set_version(path, "v5")
        final = watcher(data, "run", "--json", "--max-checks", str(2 * len(pages)))
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0 and "Traceback" not in err, err
        results = json_lines(out)
        assert len(results) == 2 * len(pages) and all(r["status"] != "error" for r in results), results
        store = open_store(data)
        for url, number in reported:
            store.get_version(url, number)


def _tree(pid: int) -> tuple[int, int, float]:
    """(open fds of the watcher process, Chromium processes under it, RSS of the whole tree in MB)."""
    proc = psutil.Process(pid)
    children = proc.children(recursive=True)
    browsers = 0
    rss = proc.memory_info().rss
    for child in children:
        try:
            if "chrom" in child.name().lower():
                browsers += 1
            rss += child.memory_info().rss
        except psutil.Error:
            pass  # a renderer that exited between listing and reading
    return proc.num_fds(), browsers, rss / 1e6


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_long_run_does_not_leak(tmp_path):
    """LONG_CHECKS checks in one `watcher run` over several hosts: descriptors, browser processes
    and memory measured from outside stay flat (memory as in bench/memory.py: the late mean within
    10% of the early mean, after a warm-up)."""
    data = tmp_path / "data"
    hosts = [Site(), Site("127.0.0.2"), Site("127.0.0.3"), Site("127.0.0.4")]
    try:
        paths = [f"/s{i}" for i in range(6)]
        setup_articles(hosts, data, paths, settle=0)
        # Many more articles than can be checked per second, all due every second: no idle waits.
        started = time.monotonic()
        proc = watcher(data, "run", "--json", "--max-checks", str(LONG_CHECKS))
        samples: list[tuple[int, int, int, float]] = []  # (checks so far, fds, browsers, rss)
        results: list[dict] = []

        def pump() -> None:
            for line in proc.stdout:
                results.append(json.loads(line))

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        while proc.poll() is None:
            try:
                samples.append((len(results), *_tree(proc.pid)))
            except psutil.Error:
                break
            time.sleep(0.25)
        proc.wait(timeout=600)
        reader.join(timeout=10)
        took = time.monotonic() - started
        err = proc.stderr.read()
        assert proc.returncode == 0 and "Traceback" not in err, err
        assert len(results) == LONG_CHECKS
        errors = [r["error"] for r in results if r["status"] == "error"]
        # Timeouts happen on a loaded machine; the subject here is resources, not speed.
        assert len(errors) <= LONG_CHECKS // 10, errors[:5]

        def window(lo: float, hi: float) -> list[tuple[int, int, int, float]]:
            picked = [s for s in samples if lo * LONG_CHECKS <= s[0] < hi * LONG_CHECKS]
            assert len(picked) >= 3, (lo, hi, len(samples))
            return picked

        early, late = window(0.1, 0.2), window(0.8, 1.0)
        fds_early, fds_late = max(s[1] for s in early), max(s[1] for s in late)
        browsers_early, browsers_late = max(s[2] for s in early), max(s[2] for s in late)
        rss_early, rss_late = statistics.mean(s[3] for s in early), statistics.mean(s[3] for s in late)
        print(
            f"{LONG_CHECKS} checks in {took:.0f}s: fds {fds_early}->{fds_late}, chromium processes {browsers_early}->"
            f"{browsers_late}, RSS {rss_early:.0f}->{rss_late:.0f} MB, {len(samples)} samples, {len(errors)} errors: {errors[:3]}"
        )
        assert fds_late <= fds_early + 8
        assert browsers_late <= browsers_early + 4  # renderers come and go with the 4 concurrent contexts
        assert rss_late <= rss_early * 1.10 + 20
    finally:
        for site in hosts:
            site.close()
