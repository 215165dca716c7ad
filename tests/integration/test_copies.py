"""Third-party copies: a real check (Chromium, local page) stores a version, local stand-ins of Save Page Now 2
and archive.today receive its URL in their documented shapes, and the copies' addresses appear in `watcher
check`, `history` (text and --json) and the reports; a service that fails (500), limits (429) or hangs never
fails or holds up the check, and is asked again by the next run; the key is never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from support.cli import data_dir_with, fast_config
from support.closing import closing_fixture
from support.standins import ArchiveToday, Wayback

from watcher.store import open_store

pytestmark = pytest.mark.browser

KEY = "accesskey42:s3cretpart99"
STORY = (
    "<html><head><title>Harbour bridge</title></head><body><article><h1>Harbour bridge to close</h1>"
    + "<p>The harbour bridge will close for repairs over the summer, the council said on Monday.</p>" * 3
    + "</article></body></html>"
)
EDITED = STORY.replace("over the summer", "for two years", 1)


def config(wayback: Wayback | None, today: ArchiveToday | None, **more: str) -> str:
    lines = ["[copies]", 'gap = "0s"', 'backoff = "2s"', 'timeout = "2s"', 'wait = "4s"', "attempts = 10"]
    if wayback is not None:
        lines += ["wayback = true", f'wayback_url = "{wayback.base}"']
    if today is not None:
        lines += ["archive_today = true", f'archive_today_url = "{today.base}"']
    lines += [f"{k} = {v}" for k, v in more.items()]
    return fast_config(retries=0, extra="\n".join(lines) + "\n")


def run(data, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WATCHER_WAYBACK_KEY": KEY}
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def ok(data, *args: str, said: list[str]) -> str:
    result = run(data, *args)
    said += [result.stdout, result.stderr]
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


wayback = closing_fixture(Wayback, "A stand-in for the Wayback Machine's Save Page Now on 127.0.0.1.")
today = closing_fixture(ArchiveToday, "A stand-in for archive.today's submit form on 127.0.0.1.")


def test_a_stored_version_is_copied_and_its_copies_shown_everywhere(site, wayback, today, tmp_path):
    site.page_versions("/bridge", {"v1": STORY, "v2": EDITED})
    url = site.url("/bridge")
    data = data_dir_with(tmp_path / "data", config(wayback, today))
    said: list[str] = []
    ok(data, "add", url, said=said)
    checked = ok(data, "check", url, said=said)

    assert wayback.saved == [url] and today.saved == [url]
    posts = [r for r in wayback.requests if r["method"] == "POST"]
    assert posts[0]["headers"]["authorization"] == f"LOW {KEY}"
    assert posts[0]["headers"]["accept"] == "application/json"
    assert any(r["path"].startswith("/save/status/spn2-") for r in wayback.requests)

    history = json.loads(ok(data, "history", url, "--json", said=said))
    copies = {c["service"]: c["url"] for c in history[0]["copies"]}
    assert copies["wayback"].startswith(f"{wayback.base}/web/") and copies["wayback"].endswith(f"/{url}")
    assert copies["archive_today"] == f"{today.base}/a0001"
    assert copies["wayback"] in checked and copies["archive_today"] in checked
    # `check` names the services as history and reports do, not by their config keys.
    assert f"(Internet Archive): {copies['wayback']}" in checked
    assert f"(archive.today): {copies['archive_today']}" in checked
    text = ok(data, "history", url, said=said)
    assert f"v1 archived copy (Internet Archive): {copies['wayback']}" in text.replace("\n", " ")

    # An edit: the new version is copied too, and the report of the change links its copies.
    site.set_version("/bridge", "v2")
    assert "changed v2" in ok(data, "check", url, said=said)
    assert wayback.saved == [url, url] and today.saved == [url, url]
    second = {c["service"]: c["url"] for c in json.loads(ok(data, "history", url, "--json", said=said))[1]["copies"]}
    assert second["archive_today"] == f"{today.base}/a0002"  # named by a Refresh header this time

    report = tmp_path / "report.html"
    ok(data, "report", "-o", str(report), said=said)
    html = report.read_text()
    assert f'href="{second["wayback"]}"' in html and f'href="{second["archive_today"]}"' in html
    markdown = ok(data, "report", "--format", "md", said=said)
    assert "Archived copies:" in markdown and "a0002" in markdown
    as_json = json.loads(ok(data, "report", "--format", "json", said=said))
    assert {c["service"]: c["url"] for c in as_json[0]["copies"]} == second

    secret = KEY.split(":")[1]
    assert not [s for s in said if secret in s or KEY.split(":")[0] in s]
    assert not open_store(data).outbox_pending()


@pytest.mark.parametrize(("wayback_mode", "today_mode"), [("fail", "limit"), ("hang", "captcha")])
def test_failing_limiting_or_hanging_services_never_fail_the_check_and_are_asked_again(
    site, tmp_path, wayback_mode, today_mode
):
    wayback, today = Wayback(wayback_mode), ArchiveToday(today_mode)
    try:
        site.page("/bridge", STORY)
        url = site.url("/bridge")
        data = data_dir_with(tmp_path / "data", config(wayback, today))
        said: list[str] = []
        ok(data, "add", url, said=said)
        checked = ok(data, "check", url, said=said)
        assert "new v1" in checked and "archived copy" not in checked

        store = open_store(data)
        assert store.get_version(url, 1).copies == []
        kept = {e["target"]: e for e in store.outbox_pending()}
        assert set(kept) == {"copy:wayback", "copy:archive_today"}
        assert all(e["body"]["version"] == 1 and e["attempts"] >= 1 for e in kept.values())
        assert wayback.requests and today.requests, "both services were asked"
        assert "not copied yet" in "".join(said)

        # The services are back: the next run (here a check that finds nothing new) asks again and records them.
        wayback.mode = today.mode = "ok"
        again = ok(data, "check", url, said=said)
        assert "unchanged" in again
        history = json.loads(ok(data, "history", url, "--json", said=said))
        copies = {c["service"]: c["url"] for c in history[0]["copies"]}
        assert copies["wayback"].startswith(f"{wayback.base}/web/") and copies["wayback"].endswith(url)
        assert copies["archive_today"] == f"{today.base}/a0001"
        assert not open_store(data).outbox_pending()
        assert not [s for s in said if KEY.split(":")[1] in s]
    finally:
        wayback.close()
        today.close()


def test_watcher_run_makes_the_copies_in_the_background(site, wayback, today, tmp_path):
    import signal

    site.page("/bridge", STORY)
    url = site.url("/bridge")
    data = data_dir_with(tmp_path / "data", config(wayback, today))
    open_store(data).add_article(url)
    env = {**os.environ, "WATCHER_WAYBACK_KEY": KEY}
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), "run", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert json.loads(proc.stdout.readline())["status"] == "new"  # printed before any copy is made
        deadline = time.monotonic() + 60
        copies: list = []
        while time.monotonic() < deadline and len(copies) < 2:
            time.sleep(0.5)
            copies = [c for c in open_store(data).get_version(url, 1).copies if c.get("url")]
        assert {c["service"] for c in copies} == {"wayback", "archive_today"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert KEY.split(":")[1] not in err


def test_submissions_to_one_service_keep_their_gap_and_a_limit_is_waited_out(today, tmp_path):
    from datetime import UTC, datetime

    from watcher.config import CopiesSettings
    from watcher.copies import Copier
    from watcher.models import Article, CheckResult

    store = open_store(tmp_path / "data")
    urls = [f"https://news.example/story-{n}" for n in range(3)]
    for url in urls:
        store.add_article(url)
        store.save_version(url, Article(headline=url, body=["p"]), html=None, diff=None, captured_at=datetime.now(UTC))
    settings = CopiesSettings(archive_today=True, archive_today_url=today.base, gap=1.0, backoff=0.2, timeout=5)
    lines: list[str] = []
    copier = Copier(settings, [], store, log=lines.append)
    today.mode = "limit-once"  # the first answer is a 429 with Retry-After: 1, then the service is back
    for url in urls:
        copier.submit(CheckResult(url=url, status="new", checked_at=datetime.now(UTC), version=1))
    made = copier.close(timeout=30)
    assert sorted(c["page"] for c in made) == urls
    posts = [r["at"] for r in today.requests if r["method"] == "POST"]
    assert len(posts) == 4  # one limited, then the three copies
    assert all(later - earlier >= 1.0 for earlier, later in zip(posts, posts[1:], strict=False)), [
        b - a for a, b in zip(posts, posts[1:], strict=False)
    ]
    assert any("slow down" in line for line in lines)
