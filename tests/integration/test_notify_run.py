"""Notifications from `watcher run`: edits found by the run loop reach a local webhook receiver as the JSON
contract, filters hold back what they should, and failing or hanging receivers never stop the monitor."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from support.cli import data_dir_with, fast_config
from support.receiver import Receiver

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.app.live import run_with
from watcher.config import load_config
from watcher.monitor.check import Services
from watcher.store import open_store

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

BASE_CONFIG = fast_config(
    retries=0,
    deadline=10,
    confirm_delay=0.2,
    extra='[schedule]\ntiers = [{ until = "1d", every = "1s" }]\njitter = 0\n',
)

BODY = [
    "The river rose three metres overnight and the mayor ordered the lower town cleared before dawn on Tuesday.",
    "Rescue crews worked through the night to move more than four hundred residents to the school gymnasium.",
    "Officials said the water was expected to fall again by the weekend if the rain stopped as forecast.",
]


def article_html(headline: str, body: list[str]) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(headline)}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{escape(headline)}</h1>{paras}</article>"
        f"</body></html>"
    )


# A: the headline and a number change (substantive, headline_changed). B: one typo fixed, nothing else.
A_V1 = article_html("Flood forces evacuation of lower town", BODY)
A_V2 = article_html("Flood forces evacuation of whole town", [BODY[0].replace("three", "five"), *BODY[1:]])
B_V1 = article_html("Cup final goes to extra time", [BODY[0], BODY[1].replace("gymnasium", "gymnasuim"), BODY[2]])
B_V2 = article_html("Cup final goes to extra time", BODY)


def notify_config(receiver: Receiver) -> str:
    targets = [
        ("/everything", 'min_class = "cosmetic"'),
        ("/substantive", ""),  # the default minimum class
        ("/headline", 'min_class = "cosmetic"\nflags = ["headline_changed"]'),
        ("/sports", 'min_class = "cosmetic"\ntags = ["sports"]'),
        ("/fail", 'min_class = "cosmetic"\nretries = 1'),
        ("/hang", 'min_class = "cosmetic"\nretries = 0\ntimeout = 1'),
    ]
    return "".join(f'\n[[notify]]\nurl = "{receiver.url}{path}"\n{extra}\n' for path, extra in targets)


def watcher(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), *args], Environment(stdout=out, stderr=err, width=200))
    return exited.value.code, out.getvalue(), err.getvalue()


def test_edits_found_by_the_run_reach_the_webhook_filtered_and_bad_receivers_do_not_stop_it(
    site, fetcher, receiver, tmp_path
):
    data_dir = data_dir_with(tmp_path / "data", BASE_CONFIG + notify_config(receiver))
    site.page_versions("/politics/flood", {"v1": A_V1, "v2": A_V2})
    site.page_versions("/sports/final", {"v1": B_V1, "v2": B_V2})
    a_url = site.url("/politics/flood")
    b_url = site.url("/sports/final", host="localhost")  # another host, so both are checked side by side
    assert watcher(data_dir, "add", a_url, "--tag", "politics")[0] == 0
    assert watcher(data_dir, "add", b_url, "--tag", "sports")[0] == 0

    store = open_store(data_dir)
    svc = Services(fetcher=fetcher, store=store, config=load_config(data_dir / "watcher.toml"))
    out, err = StringIO(), StringIO()
    env = Environment(stdout=out, stderr=err, width=300)
    state = {"edited": False, "deadline": time.monotonic() + 40}

    def versions(url: str) -> int:
        latest = store.latest_version(url)
        return latest.number if latest else 0

    def until() -> bool:
        # Both stories are captured, then both are edited mid-run; the run ends once every receiver had
        # its chance and both bad receivers have been given up on.
        if time.monotonic() > state["deadline"]:
            return True
        if not state["edited"]:
            if versions(a_url) == 1 and versions(b_url) == 1:
                site.set_version("/politics/flood", "v2")
                site.set_version("/sports/final", "v2")
                state["edited"] = True
            return False
        log = err.getvalue()
        return (
            len(receiver.got("/everything")) == 2
            and receiver.got("/sports")
            and receiver.failures >= 2
            and "HTTP 500" in log
            and "no answer within 1 s" in log
        )

    stats = asyncio.run(run_with(svc, env, dashboard=False, as_json=True, until=until))
    stopped = time.monotonic()
    assert stopped < state["deadline"], (receiver.posts, err.getvalue())

    everything = {body["url"]: body for body in receiver.got("/everything")}
    assert sorted(everything) == sorted([a_url, b_url])
    a = everything[a_url]
    # The `check --json` contract, plus the headline and tags.
    assert {"url", "status", "version", "checked_at", "error", "flags", "edits"} <= set(a)
    assert a["status"] == "changed" and a["version"] == 2 and a["error"] is None
    assert a["checked_at"].endswith("Z") and a["tags"] == ["politics"]
    assert a["headline"] == "Flood forces evacuation of whole town"
    assert "headline_changed" in a["flags"]
    headline_edit = next(e for e in a["edits"] if e["field"] == "headline")
    assert headline_edit["old"] == "Flood forces evacuation of lower town" and headline_edit["class"] == "substantive"
    assert ["-", "lower"] in headline_edit["inline"] and ["+", "whole"] in headline_edit["inline"]
    body_edit = next(e for e in a["edits"] if e["field"] == "body")
    assert "five metres" in body_edit["new"] and body_edit["op"] == "replace"
    b = everything[b_url]
    assert b["version"] == 2 and [e["class"] for e in b["edits"]] == ["typo"] and b["tags"] == ["sports"]

    # Filters: a typo is below "substantive"; only A changed its headline; only B is tagged sports.
    assert [body["url"] for body in receiver.got("/substantive")] == [a_url]
    assert [body["url"] for body in receiver.got("/headline")] == [a_url]
    assert [body["url"] for body in receiver.got("/sports")] == [b_url]

    # The 500 was retried, then kept for the next run and logged; the hanging receiver timed out and was logged.
    log = err.getvalue()
    assert (
        receiver.failures >= 2 and "not delivered after 2 attempts: HTTP 500" in log and "kept for the next run" in log
    )
    assert "no answer within 1 s" in log
    assert f"{receiver.url}/fail" not in log  # target URLs are redacted in logs (they often carry tokens)

    # The monitor went on checking after the failed deliveries and ended cleanly.
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    last_change = max(i for i, r in enumerate(results) if r["status"] == "changed")
    assert len(results) > last_change + 1
    assert stats.errors == 0 and stats.edits == 2


def test_watcher_run_subprocess_notifies_the_edit_of_a_followed_story(site, receiver, tmp_path):
    hooks = f'\n[[notify]]\nurl = "{receiver.url}/hook"\n\n[[notify]]\nurl = "{receiver.url}/fail"\n'
    data_dir = data_dir_with(tmp_path / "data", BASE_CONFIG + hooks)
    site.page_versions("/politics/flood", {"v1": A_V1, "v2": A_V2})
    story = site.url("/politics/flood")
    site.bytes(
        "/feed.xml",
        (
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><link>{story}</link>"
            f"<description>d</description><item><title>Flood</title><link>{story}?utm_source=rss"
            f"</link></item></channel></rss>"
        ).encode(),
        "application/rss+xml",
    )
    cli = [sys.executable, "-m", "watcher", "--data-dir", str(data_dir)]
    follow = subprocess.run(
        [*cli, "follow", site.url("/feed.xml"), "--every", "1s", "--tag", "politics"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert follow.returncode == 0, follow.stderr

    proc = subprocess.Popen(
        [*cli, "run", "--json", "--max-checks", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[dict] = []
    guard = threading.Timer(90, proc.kill)  # a run that never ends fails the test instead of hanging it
    guard.start()
    try:
        for line in proc.stdout:
            lines.append(json.loads(line))
            if lines[-1]["status"] == "new":
                site.set_version("/politics/flood", "v2")  # edited while the run is going
        rc = proc.wait(timeout=30)
    finally:
        guard.cancel()
        proc.kill()
        stderr = proc.stderr.read()
        proc.stderr.close()
    assert rc == 0, stderr
    assert [r["status"] for r in lines][:1] == ["new"] and len(lines) == 4
    assert [r["url"] for r in lines] == [story] * 4  # the tracking parameter was dropped
    assert "changed" in [r["status"] for r in lines] and lines[-1]["status"] == "unchanged"
    posts = receiver.got("/hook")
    assert len(posts) == 1, stderr
    assert posts[0]["url"] == story and posts[0]["status"] == "changed" and posts[0]["version"] == 2
    assert posts[0]["tags"] == ["politics"] and posts[0]["edits"]
    assert receiver.failures >= 1 and "notify:" in stderr and "Traceback" not in stderr
    assert "kept for the next `watcher run`" in stderr  # the failing target's notification is not lost


def test_notify_test_sends_a_sample_to_every_target(receiver, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = tmp_path / "notify.toml"
    config.write_text(f'[[notify]]\nurl = "{receiver.url}/hook"\n')
    code, _, err = watcher(data_dir, "--config", str(config), "notify-test")
    assert code == 0 and err.startswith("ok ")
    (sample,) = receiver.got("/hook")
    assert sample["status"] == "changed" and sample["edits"][0]["field"] == "headline"
    assert sample["tags"] == ["watcher-test"] and sample["version"] == 2

    config.write_text(
        f'[[notify]]\nurl = "{receiver.url}/hook"\n\n[[notify]]\nurl = "{receiver.url}/fail"\nretries = 0\n'
    )
    code, _, err = watcher(data_dir, "--config", str(config), "notify-test")
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 2
    assert lines[0].startswith("ok ") and lines[1].startswith("FAILED") and "HTTP 500" in lines[1]
    assert len(receiver.got("/hook")) == 2

    config.write_text("[feeds]\nmax_new_per_poll = 5\n")
    code, _, err = watcher(data_dir, "--config", str(config), "notify-test")
    assert code == 2 and "no notification targets configured" in err


def test_notifications_not_delivered_survive_a_crash_and_an_exit_and_are_delivered_once(site, tmp_path):
    # The webhook's port is chosen now and nothing listens on it until the third run.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = f"http://127.0.0.1:{port}/hook"
    data_dir = data_dir_with(
        tmp_path / "data", BASE_CONFIG + f'\n[[notify]]\nurl = "{hook}"\nretries = 0\ntimeout = 2\n'
    )
    site.page_versions("/flood", {"v1": A_V1, "v2": A_V2})
    url = site.url("/flood")
    open_store(data_dir).add_article(url)
    cli = [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "run", "--json"]

    # 1: the edit is found, its notification fails (connection refused), then the run is SIGKILLed.
    proc = subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stdout:
            status = json.loads(line)["status"]
            if status == "new":
                site.set_version("/flood", "v2")
            if status == "changed":
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    assert [e["body"]["version"] for e in open_store(data_dir).outbox_pending()] == [2]

    # 2: the receiver is still down: tried again, kept again, said so at exit.
    second = subprocess.run([*cli, "--max-checks", "1"], capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "kept from an earlier run" in second.stderr and "kept for the next run" in second.stderr, second.stderr
    assert len(open_store(data_dir).outbox_pending()) == 1

    # 3: the receiver is up: delivered exactly once, and nothing is left to send again.
    receiver = Receiver(port=port)
    try:
        third = subprocess.run([*cli, "--max-checks", "1"], capture_output=True, text=True, timeout=60)
        assert third.returncode == 0, third.stderr
        posts = receiver.got("/hook")
    finally:
        receiver.close()
    assert [(p["url"], p["status"], p["version"]) for p in posts] == [(url, "changed", 2)], third.stderr
    assert open_store(data_dir).outbox_pending() == []
    assert "Traceback" not in second.stderr + third.stderr
