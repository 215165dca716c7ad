"""The store across processes: SIGKILL at random moments, concurrent writers, long runs of
unchanged checks, the run lock, a hand-corrupted file, a full disk and a read-only folder."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.tmpfs import tmpfs

from watcher.errors import StoreCorrupt, StoreError
from watcher.models import Article, CheckResult
from watcher.store import open_store

REPO = Path(__file__).resolve().parents[2]
URL = "https://news.example/live"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# Saves versions forever; after each completed save prints "stored <number> <token>" where the
# token is the headline it saved, so the test can check the content of every reported version.
WRITER = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from watcher.models import Article, CheckResult, Edit, VersionDiff
    from watcher.store import open_store

    store = open_store(Path(sys.argv[1]), check_log_size=5)
    url = sys.argv[2]
    store.add_article(url)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        token = f"p{os.getpid()}-{i}"
        now = datetime.now(timezone.utc)
        article = Article(headline=token, body=[f"body of {token}", "a paragraph that stays"], captions=[token])
        diff = VersionDiff(edits=[Edit("headline", "replace", "old", token, "substantive")])
        version = store.save_version(url, article, html=f"<html><h1>{token}</h1></html>", diff=diff, captured_at=now)
        print(f"stored {version.number} {token}", flush=True)
        store.record_check(CheckResult(url=url, status="changed", checked_at=now, version=version.number))
    """
)

ADDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from watcher.store import open_store
    store = open_store(Path(sys.argv[1]))
    print("ready", flush=True)
    while not Path(sys.argv[3]).exists():  # start together
        time.sleep(0.001)
    for i in range(200):
        store.add_article(f"https://news.example/{sys.argv[2]}/{i}")
    print("done", flush=True)
    """
)

RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from watcher.errors import StoreError
    from watcher.store import open_store
    try:
        with open_store(Path(sys.argv[1])).run_lock():
            print("acquired")
    except StoreError as err:
        print(err, file=sys.stderr)
        sys.exit(2)
    """
)


def python(code: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw
    )


def test_sigkill_at_random_moments_loses_no_reported_version(tmp_path):
    data = tmp_path / "data"
    rng = random.Random(4)
    reported: dict[int, str] = {}
    kills = 0
    deadline = time.monotonic() + 25
    while kills < 30 and time.monotonic() < deadline:
        proc = python(WRITER, str(data), URL)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        first = proc.stdout.readline()  # kill only once it is saving, at a random moment after
        assert first.startswith("stored "), proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.1))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        out = first + out
        assert proc.returncode == -signal.SIGKILL, err
        kills += 1
        for line in out.splitlines():
            if line.startswith("stored "):
                _, number, token = line.split()
                reported[int(number)] = token
        store = open_store(data)  # a fresh process's view: must load after every kill
        versions = store.list_versions(URL)
        by_number = {v.number: v for v in versions}
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        for number, token in reported.items():
            version = by_number.get(number)
            assert version is not None, f"version {number} was reported stored but is missing after kill {kills}"
            assert version.article.headline == token and version.article.body[0] == f"body of {token}"
            assert store.get_html(version) == f"<html><h1>{token}</h1></html>"
        assert store.get_article(URL).versions >= max(reported, default=0)
        assert len(store.recent_checks(URL)) <= 5
    assert kills >= 5 and len(reported) >= kills  # 30 unless the machine is very loaded; progress each time
    leftovers = [p for p in data.rglob("*.tmp")]
    open_store(data).add_article("https://news.example/after")  # the next writer sweeps the root's temp files
    assert not any(p.parent == data and p.exists() for p in leftovers)


def test_two_processes_adding_at_once_lose_nothing(tmp_path):
    data, go = tmp_path / "data", tmp_path / "go"
    procs = [python(ADDER, str(data), name, str(go)) for name in ("left", "right")]
    for proc in procs:  # both started and waiting: then they begin together
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "done", err
    urls = {a.url for a in open_store(data).list_articles()}
    assert len(urls) == 400
    assert urls == {f"https://news.example/{side}/{i}" for side in ("left", "right") for i in range(200)}


def _store_bytes(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    return sum(p.stat().st_size for p in files), len(files)


def test_unchanged_checks_do_not_grow_the_store(tmp_path):
    data = tmp_path / "data"
    # fsync changes no size and would make this test wait on a shared disk; durability is the kill test's job
    store = open_store(data, check_log_size=10, durable=False)
    urls = [f"https://news.example/story/{i:03d}" for i in range(100)]
    with store.transaction():
        for url in urls:
            store.add_article(url, now=T0)
            store.save_version(url, Article(headline=url, body=["text"]), html="<p>text</p>", diff=None, captured_at=T0)
    moment = T0

    def checks(rounds: int) -> None:
        nonlocal moment
        for _ in range(rounds):
            moment += timedelta(minutes=10)
            # one transaction per round, as `watcher check` of 100 articles may group its writes;
            # the files written are the same as with one transaction per check, only fewer times
            with store.transaction():
                for url in urls:
                    store.record_check(
                        CheckResult(
                            url=url, status="unchanged", checked_at=moment, version=1, http_status=200, duration=1.25
                        )
                    )

    checks(10)  # 1,000 checks: every log is now full
    full_size, full_files = _store_bytes(data)
    checks(40)  # 4,000 more: 5,000 in all
    size, files = _store_bytes(data)
    assert files == full_files
    assert size - full_size < 200, (full_size, size)  # counters may gain a digit; nothing per check
    article = store.get_article(urls[0])
    assert article.checks_total == 50 and article.versions == 1
    assert len(store.recent_checks(urls[0])) == 10


def test_second_run_lock_in_another_process_is_refused(tmp_path):
    store = open_store(tmp_path / "data")
    with store.run_lock():
        proc = python(RUNNER, str(tmp_path / "data"))
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 2 and out == ""
        assert err.strip() == f"another `watcher run` (pid {os.getpid()}) is using {tmp_path / 'data'}"
    proc = python(RUNNER, str(tmp_path / "data"))
    assert proc.communicate(timeout=30)[0].strip() == "acquired"


def test_hand_corrupted_file_reported_with_recovery_command(tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    store.add_article(URL, now=T0)
    store.save_version(URL, Article(headline="kept", body=["x"]), html=None, diff=None, captured_at=T0)
    text = (data / "watcher.json").read_text()
    (data / "watcher.json").write_text(text.replace('"articles":', '"articles"', 1))
    proc = python(
        "import sys; from watcher.store import open_store; open_store(sys.argv[1]).list_articles()", str(data)
    )
    err = proc.communicate(timeout=30)[1]
    last = err.strip().splitlines()[-1]
    assert "StoreCorrupt" in last and str(data / "watcher.json") in last
    assert f"cp {data / 'watcher.json.bak'} {data / 'watcher.json'}" in last
    with pytest.raises(StoreCorrupt):
        open_store(data).record_check(CheckResult(url=URL, status="unchanged", checked_at=T0))
    (data / "watcher.json.bak").replace(data / "watcher.json")
    restored = open_store(data)
    assert restored.get_article(URL).url == URL and restored.get_version(URL, 1).article.headline == "kept"


def test_disk_full_on_a_real_small_filesystem_keeps_the_previous_store(tmp_path):
    with tmpfs(tmp_path / "small", "256k") as mount:
        data = mount / "data"
        store = open_store(data)
        store.add_article(URL, now=T0)
        store.save_version(URL, Article(headline="before", body=["x"]), html="<p>x</p>", diff=None, captured_at=T0)
        before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
        noise = os.urandom(300_000).hex()  # incompressible: cannot fit once gzipped
        with pytest.raises(StoreError) as info:
            store.save_version(
                URL, Article(headline="after", body=[noise]), html=noise, diff=None, captured_at=T0 + timedelta(hours=1)
            )
        assert "disk is full" in str(info.value)
        after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
        assert after == before
        reopened = open_store(data)
        assert reopened.get_article(URL).versions == 1
        assert reopened.latest_version(URL).article.headline == "before"
        reopened.record_check(CheckResult(url=URL, status="unchanged", checked_at=T0))  # small writes still work
        assert reopened.get_article(URL).checks_total == 1


def test_read_only_folder_is_one_line_error_and_reads_still_work(tmp_path):
    with tmpfs(tmp_path / "ro", "1m") as mount:
        data = mount / "data"
        open_store(data).add_article(URL, now=T0)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        store = open_store(data)
        assert [a.url for a in store.list_articles()] == [URL]
        with pytest.raises(StoreError) as info:
            store.add_article("https://news.example/other")
        assert "read-only" in str(info.value) and "\n" not in str(info.value)


# --- two writers of one article at once (issue 17 item 11) ----------------------------------------

# Reads the latest version, waits for the go file, then saves the same new text: what two `watcher check`
# processes do when both saw the article before either stored the edit.
SAVER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from watcher.models import Article, Edit, VersionDiff
    from watcher.store import open_store
    store = open_store(Path(sys.argv[1]))
    url = sys.argv[2]
    base = store.latest_version(url)
    print("read", base.number, flush=True)
    while not Path(sys.argv[3]).exists():
        time.sleep(0.001)
    article = Article(headline="Turnout was 80%", body=["Turnout was 80%."])
    diff = VersionDiff(edits=[Edit("headline", "replace", "Turnout was 60%", "Turnout was 80%", "substantive")])
    version = store.save_version(url, article, html="<h1>80</h1>", diff=diff, captured_at=datetime.now(timezone.utc))
    print("saved", version.number, flush=True)
    """
)

# Writes back to back until told to stop (or for at most a while): a busy store (an `add` of many URLs, a prune)
# beside a check.
HOGGER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from watcher.store import open_store
    store = open_store(Path(sys.argv[1]), durable=False)
    print("ready", flush=True)
    end = time.monotonic() + float(sys.argv[2])
    stop = Path(sys.argv[3])
    i = 0
    while time.monotonic() < end and not stop.exists():
        i += 1
        with store.transaction():
            store.add_article(f"https://news.example/busy/{i}")
            time.sleep(0.02)
    print("done", i, flush=True)
    """
)


def test_two_processes_saving_the_same_edit_store_it_once(tmp_path):
    data, go = tmp_path / "data", tmp_path / "go"
    store = open_store(data, durable=False)
    store.add_article(URL, now=T0)
    store.save_version(
        URL, Article(headline="Turnout was 60%", body=["Turnout was 60%."]), html=None, diff=None, captured_at=T0
    )
    procs = [python(SAVER, str(data), URL, str(go)) for _ in range(3)]
    for proc in procs:
        assert proc.stdout.readline().split() == ["read", "1"], proc.stderr.read()
    go.touch()
    numbers = []
    for proc in procs:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        numbers.append(int(out.split()[-1]))
    versions = open_store(data).list_versions(URL)
    assert [v.article.headline for v in versions] == ["Turnout was 60%", "Turnout was 80%"]
    assert numbers == [2, 2, 2]  # each saver is told the version that holds its text
    assert open_store(data).get_article(URL).versions == 2


def test_a_writer_waiting_on_a_busy_store_gets_its_turn(tmp_path):
    data = tmp_path / "data"
    store = open_store(data, durable=False, lock_timeout=2.0)
    store.add_article(URL, now=T0)
    stop = tmp_path / "stop"
    hog = python(HOGGER, str(data), "60", str(stop))
    assert hog.stdout.readline().strip() == "ready", hog.stderr.read()
    time.sleep(0.3)
    for i in range(10):  # each must get in within its 2 s bound although the other process never pauses
        store.record_check(CheckResult(url=URL, status="unchanged", checked_at=T0 + timedelta(minutes=i)))
    assert hog.poll() is None  # the store was busy all along
    stop.touch()  # done: no need to wait out the hog's time
    out, err = hog.communicate(timeout=30)
    assert hog.returncode == 0, err
    assert store.get_article(URL).checks_total == 10


# --- many articles (issue 19 item 1) ----------------------------------------------------------------


def watcher_cli(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_add_from_a_file_in_one_write_and_list_the_first_few(tmp_path):
    data = tmp_path / "data"
    urls = [f"https://news.example/story/{i:05d}" for i in range(3000)]
    listing = tmp_path / "urls.txt"
    listing.write_text("# from the sitemap\n" + "\n".join(urls[:2000]) + "\n\n" + urls[0] + "\n")
    started = time.process_time()
    added = watcher_cli(data, "add", "--no-probe", "--from-file", str(listing), urls[2000])
    assert added.returncode == 0, added.stderr
    assert added.stderr.count("watching https://") == 2001 and "Traceback" not in added.stderr
    more = watcher_cli(data, "add", "--no-probe", "--from-file", "-", stdin="\n".join(urls[2001:]) + "\n")
    assert more.returncode == 0, more.stderr
    listed = json.loads(watcher_cli(data, "list", "--json").stdout)
    assert [a["url"] for a in listed] == [urls[2000], *urls[:2000], *urls[2001:]]  # named ones first
    first = json.loads(watcher_cli(data, "list", "--json", "--limit", "2").stdout)
    assert first == listed[:2]
    assert time.process_time() - started < 5  # the test's own CPU; the CLI's is in bench/scale.py
    nothing = watcher_cli(data, "add")
    assert (
        nothing.returncode == 2
        and nothing.stderr.strip() == "watcher: error: name the URLs to add, or --from-file FILE"
    )


# --- a damaged store, seen from the command line (issue 17 item 13) ------------------------------------

STORY = (
    "<html><head><title>Storm</title></head><body><article><h1>Storm closes the harbour</h1>"
    "<p>The harbour closed at noon as the storm arrived from the west, the port authority said.</p>"
    "<p>Ferries to the islands were cancelled until Thursday, the operator said on Monday.</p>"
    "</article></body></html>"
)


def test_a_lost_text_blob_is_a_warning_and_doctor_repairs_it(tmp_path):
    from watcher.store.docs import url_key

    data = tmp_path / "data"
    store = open_store(data, durable=False)
    store.add_article(URL, now=T0)
    body = ["The harbour closed at noon as the storm arrived from the west, the port authority said.", "Ferries."]
    store.save_version(URL, Article(headline="Storm", body=body), html=STORY, diff=None, captured_at=T0)
    store.save_version(
        URL,
        Article(headline="Storm!", body=[body[0], "No ferries."]),
        html=None,
        diff=None,
        captured_at=T0 + timedelta(hours=1),
    )
    chunk = json.loads(next(data.rglob(f"*{url_key(URL)}/v00000.json")).read_text())
    store.blobs.path(chunk["versions"]["1"]["text"]).unlink()

    diffed = watcher_cli(data, "diff", URL, "--json")
    assert diffed.returncode == 0, diffed.stderr
    assert [e["field"] for e in json.loads(diffed.stdout)["edits"]] == ["headline"]  # no "paragraphs removed"
    [warning] = diffed.stderr.splitlines()
    assert warning.startswith("warning: v1 of ") and "its text is missing" in warning and "watcher doctor" in warning
    assert watcher_cli(data, "history", URL, "--json").returncode == 0

    checked = watcher_cli(data, "doctor")
    assert checked.returncode == 1 and f"{URL} v1: its text is missing" in checked.stdout
    assert "--repair would: rebuilt from its raw HTML" in checked.stdout and "watcher doctor --repair" in checked.stderr
    repaired = watcher_cli(data, "doctor", "--repair")
    assert repaired.returncode == 0 and "repaired: rebuilt from its raw HTML" in repaired.stdout, repaired
    assert "the store is consistent" in repaired.stderr
    again = watcher_cli(data, "doctor")
    assert again.returncode == 0 and again.stdout == "" and "is intact" in again.stderr
    clean = watcher_cli(data, "diff", URL, "--json")
    assert clean.stderr == "" and "headline" in [e["field"] for e in json.loads(clean.stdout)["edits"]]
