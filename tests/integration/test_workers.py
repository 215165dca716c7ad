"""`watcher worker` processes sharing a real PostgreSQL store, checking pages of the local site with real Chromium.

Each test gets a schema of its own on the session's throwaway server, so its queue and store start empty.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.site_server import Response, Site

from watcher.store import open_store
from watcher.store.postgres.store import PostgresStore

WORKER_CONFIG = """
[fetch]
nav_timeout = 5
deadline = 12
retries = 1
backoff = 0.1
per_host_delay = {gap}
settle_ms = 100

[trust]
confirm_delay = 0.1
"""


def story(title: str, detail: str) -> str:
    body = "".join(
        f"<p>Paragraph {i} of the council report, long enough to be a paragraph of a story.</p>" for i in range(4)
    )
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
        f"<p>The vote was {detail}.</p></article></body></html>"
    )


class Cluster:
    """A store URL, a config file, and the worker processes started on them."""

    def __init__(self, dsn: str, folder: Path, gap: float = 0) -> None:
        self.dsn = dsn
        self.folder = folder
        self.config = folder / "watcher.toml"
        self.config.write_text(WORKER_CONFIG.format(gap=gap))
        self.env = {**os.environ, "WATCHER_STORE": dsn, "WATCHER_ALLOW_PRIVATE": "1"}
        self.workers: list[subprocess.Popen] = []
        self.store: PostgresStore = open_store(dsn)  # type: ignore[assignment]

    def watcher(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "watcher", "--config", str(self.config), *args]
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60, cwd=self.folder)

    def start_worker(self, *extra: str, quick: bool = True) -> subprocess.Popen:
        """A worker process; `quick` shortens its sweep and stalled-worker times far below the defaults."""
        cmd = [sys.executable, "-m", "watcher", "--config", str(self.config), "worker"]
        if quick:
            cmd += ["--sweep-every", "0.3", "--stalled-after", "2"]
        proc = subprocess.Popen(
            [*cmd, *extra],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.folder,
        )
        self.workers.append(proc)
        return proc

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = 45) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if condition():
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; workers said:\n{self.stop_all()}")

    def versions(self) -> dict[str, int]:
        return {a.url: a.versions for a in self.store.list_articles()}

    def make_due(self, url: str) -> None:
        article = self.store.get_article(url)
        article.next_check = article.last_checked
        self.store.update_article(article)

    def stop_all(self) -> str:
        said = []
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                out, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            said.append(f"[exit {proc.returncode}]\n{out}\n{err}")
        self.workers = []
        return "\n".join(said)


@pytest.fixture
def cluster(postgres, tmp_path) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(gap: float = 0) -> Cluster:
        made.append(Cluster(postgres.fresh_dsn("w_"), tmp_path, gap))
        return made[-1]

    yield make
    for c in made:
        c.stop_all()


def test_two_workers_check_every_article_once_and_store_each_edit_once(site, cluster):
    c = cluster()
    urls = []
    for i in range(6):
        site.page_versions(f"/s{i}", {"v1": story(f"Story {i}", "7 to 2"), "v2": story(f"Story {i}", "6 to 3")})
        urls.append(site.url(f"/s{i}"))
    added = c.watcher("add", *urls)
    assert added.returncode == 0, added.stderr
    c.start_worker()
    c.start_worker()
    c.wait_for(
        "a first version and a recorded check of every article",
        lambda: all(a.versions == 1 and a.checks_total >= 1 for a in c.store.list_articles()),
    )
    time.sleep(1.0)  # a second check of any of them would be recorded by now
    # Both workers swept and both could have taken each article: still one check each.
    assert [a.checks_total for a in c.store.list_articles()] == [1] * 6

    for i in (1, 4):
        site.set_version(f"/s{i}", "v2")
        c.make_due(urls[i])
    c.wait_for("the two edits", lambda: c.versions()[urls[1]] == 2 and c.versions()[urls[4]] == 2)
    time.sleep(1.0)  # a duplicate would be stored by now
    said = c.stop_all()
    assert c.versions() == {u: (2 if u in (urls[1], urls[4]) else 1) for u in urls}, said
    edited = c.store.get_version(urls[4], 2)
    assert "The vote was 6 to 3." in edited.article.body
    assert any(e.old and "7 to 2" in e.old and e.new and "6 to 3" in e.new for e in edited.edits)

    # The read commands read the shared store like the data folder; here named in the config file.
    c.env.pop("WATCHER_STORE")
    c.config.write_text(c.config.read_text() + f'\n[store]\nurl = "{c.dsn}"\n')
    listed = c.watcher("list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(json.loads(listed.stdout), key=lambda a: a["url"])[4]["versions"] == 2
    history = c.watcher("history", urls[4], "--json")
    assert history.returncode == 0, history.stderr
    assert [v["version"] for v in json.loads(history.stdout)] == [1, 2]
    diff = c.watcher("diff", urls[4])
    assert diff.returncode == 0 and "6" in diff.stdout and "3" in diff.stdout, diff.stdout + diff.stderr
    report = c.watcher("report", "--format", "json", "--since", "1d")
    assert report.returncode == 0, report.stderr
    assert {entry["url"] for entry in json.loads(report.stdout)} >= {urls[1], urls[4]}  # one per version change


def test_a_worker_killed_mid_check_leaves_nothing_half_done_and_another_takes_the_article(site, cluster):
    c = cluster()
    html = story("Slow story", "7 to 2")
    # The first load hangs: the worker taking it is killed while it waits.
    site.set("/slow", Response(html.encode(), delay=30), Response(html.encode()))
    url = site.url("/slow")
    assert c.watcher("add", url).returncode == 0
    doomed = c.start_worker()
    c.wait_for("the first worker to load the page", lambda: site.hits("/slow") >= 1)
    doomed.kill()
    doomed.wait()
    assert c.versions() == {url: 0}
    killed_at = time.monotonic()
    c.start_worker()
    c.wait_for("another worker to check the article", lambda: c.versions()[url] == 1, timeout=40)
    took = time.monotonic() - killed_at
    said = c.stop_all()
    # Bounded: the stalled-after time (2 s), a sweep, a Chromium start and the check itself.
    assert took < 25, said
    assert [v.number for v in c.store.list_versions(url)] == [1]


@pytest.fixture
def hosts() -> Iterator[list[Site]]:
    """Twenty sites, each on a loopback address of its own: a worker loads one host at a time."""
    sites = [Site(f"127.0.0.{11 + i}") for i in range(20)]
    yield sites
    for s in sites:
        s.close()


@pytest.mark.postgres
@pytest.mark.browser
def test_with_default_timings_every_check_a_killed_worker_held_is_done_by_another_within_a_minute(hosts, cluster):
    c = cluster()
    # Loads may take as long as the doomed worker needs to be killed holding them.
    c.config.write_text(
        c.config.read_text().replace("nav_timeout = 5", "nav_timeout = 60").replace("deadline = 12", "deadline = 90")
    )
    pages = [story(f"Held story {i}", "7 to 2").encode() for i in range(len(hosts))]
    for site, html in zip(hosts, pages):
        site.set("/h", Response(html, delay=40))  # the checks the doomed worker takes hang until it is killed
    urls = [site.url("/h") for site in hosts]
    assert c.watcher("add", "--no-probe", *urls).returncode == 0
    doomed = c.start_worker(quick=False)
    c.wait_for("the doomed worker to hold four checks", lambda: sum(site.hits("/h") for site in hosts) >= 4)
    # Past the doomed worker's next sweep, which finds the four it holds still due.
    time.sleep(12)
    held = [site.url("/h") for site in hosts if site.hits("/h")]
    doomed.kill()
    doomed.wait()
    killed_at = time.monotonic()
    for site, html in zip(hosts, pages):
        site.set("/h", Response(html))
    c.start_worker(quick=False)
    c.wait_for("a version of every article", lambda: all(v >= 1 for v in c.versions().values()), timeout=60)
    took = time.monotonic() - killed_at
    said = c.stop_all()
    assert len(held) == 4, said
    assert took < 60, said
    assert {u: [v.number for v in c.store.list_versions(u)] for u in urls} == {u: [1] for u in urls}, said


def test_a_hosts_minimum_gap_holds_across_workers(site, cluster):
    c = cluster(gap=1.0)
    # Warm both workers up on another host first: a browser's first page costs a second or more of
    # set-up between the slot and the request, which would blur the gaps measured below.
    warm = [site.url(f"/warm{i}", host="localhost") for i in range(4)]
    for i in range(4):
        site.page(f"/warm{i}", story(f"Warm {i}", "7 to 2"))
    assert c.watcher("add", *warm).returncode == 0
    c.start_worker()
    c.start_worker()
    c.wait_for("the warm-up", lambda: all(v == 1 for v in c.versions().values()), timeout=60)
    paths = [f"/g{i}" for i in range(6)]
    for p in paths:
        site.page(p, story(f"Gap {p}", "7 to 2"))
    for p in paths:  # straight into the store: `watcher add` would load each page once itself
        c.store.add_article(site.url(p))
    c.wait_for("every article checked", lambda: all(v == 1 for v in c.versions().values()), timeout=60)
    c.stop_all()
    loads = sorted(t for p in paths for t in site.hit_times(p))
    gaps = [b - a for a, b in zip(loads, loads[1:])]
    # Each worker alone would keep the gap only between its own loads: two workers would load the host
    # in pairs, six loads within about 2 s. The slots reserved in the store space all six out; a load
    # reaches the server a page set-up after its slot, so single gaps vary by that much.
    assert len(loads) == 6, gaps
    assert loads[-1] - loads[0] >= 5 * 1.0 * 0.9, gaps
    assert min(gaps) >= 0.4, gaps


def test_workers_wait_out_a_database_restart_and_resume(site, cluster, postgres):
    c = cluster()
    site.page_versions("/r", {"v1": story("Restart", "7 to 2"), "v2": story("Restart", "6 to 3")})
    url = site.url("/r")
    assert c.watcher("add", url).returncode == 0
    worker = c.start_worker()
    c.wait_for("the first version", lambda: c.versions()[url] == 1)
    postgres.stop()
    time.sleep(2.0)
    postgres.start()
    assert worker.poll() is None, "the worker ended when the database went away"
    site.set_version("/r", "v2")
    c.make_due(url)
    c.wait_for("the edit after the restart", lambda: c.versions()[url] == 2, timeout=60)
    said = c.stop_all()
    assert "waiting for the" in said and "Traceback" not in said, said


def test_two_workers_never_send_one_notification_and_a_dead_ones_are_taken_over(postgres):
    dsn = postgres.fresh_dsn("o_")
    first, second = open_store(dsn), open_store(dsn)
    (kept,) = first.outbox_put([("hook", {"url": "https://n.example/a"})])
    assert [e["id"] for e in first.outbox_pending()] == [kept]
    assert second.outbox_pending() == []  # the first process holds it, however long it takes to send
    first.close()  # its connections go, as when its process dies
    # The server lets go of a closed session's locks a moment later.
    deadline = time.monotonic() + 10
    taken: list = []
    while not taken and time.monotonic() < deadline:
        taken = [e["id"] for e in second.outbox_pending()]
        time.sleep(0.1)
    assert taken == [kept]
    second.outbox_done(kept)
    assert first.outbox_pending() == []


def test_worker_on_the_embedded_store_is_one_clear_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(tmp_path), "worker"],  # an existing folder
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WATCHER_STORE": ""},
    )
    assert done.returncode == 2 and "needs the PostgreSQL store" in done.stderr and "Traceback" not in done.stderr
