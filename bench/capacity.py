"""Benchmark: how many articles one machine keeps on the default schedule, from per-check costs measured here.

Measured on this machine, in one run:
1. What one check of each kind costs in CPU seconds, watcher's process and its browser apart (the process is
   held to one core by Python's lock; Chromium's processes use any core), on bench/pages.py's generated news
   pages served from another process on 127.0.0.x, through the real check (monitor.check_article) and an
   embedded store:
     http    a static article found unchanged by the HTTP pre-check (auto mode, no audit due)
     edit    a static article whose story changed: found, confirmed and stored as a version
     render  an unchanged check rendered in Chromium (an article learned "needs browser")
     audit   an unchanged static article's audit (auto mode, the audit due: pre-check and render)
     first   a new article's first check (its raw HTML carries the story: stored from a GET, learned static)
2. What the store adds per check as it grows: the embedded store's no-change check (record_check and
   update_article, as bench/scale.py times them, its compactions spread over the checks) and its
   `articles_due` (the run loop asks it before starting checks) at 1,000 and at BENCH_CAP_ARTICLES (50,000)
   articles; PostgreSQL's no-change check at that size, client and server CPU (a throwaway server on
   127.0.0.1, tests/support/postgres.py, fsync off as in the tests; skipped when no server binaries).
3. `watcher run`'s memory (RSS of the process and its browser) while it renders and once idle.
4. The costs against real `watcher run` processes (concurrency 4, the run loop and its log included), each
   pass a run of 48 checks on 48 articles less one of 12 on 12 (start-up drops out), every check of a run of
   the pass's kind (else the bench stops): first checks, the first renders the loop does in its idle slots
   (against the audit's cost: the same render), unchanged checks answered by the pre-check (median of 5
   runs). CPU from the processes' own accounting (getrusage of the children, this process the reaper of
   their orphaned browser processes).

Then the model. The default schedule ([schedule] tiers: every 10 min for 3 h, hourly to 2 days, every 6 h to a
week, daily to 30 days, then no more checks) is walked for one article's life; audits follow [fetch]
audit_max_age (default 1 day) and one after each version stored from plain HTTP (issue 27). The mix of ages is
that of a watch list fed at a steady rate (new articles every day from followed feeds, each watched its 30
days): in steady state the ages are spread evenly over the schedule's life, so most articles are in the daily
tier and most checks come from the young ones. Each edit sends its article back to the first tier (age counts
from the last change). A static article's first check is a GET and its first render comes later, in a free
slot of the run loop (counted as an audit); an article that needs the browser renders at its first check (a
render). Assumed, and parameters (see --help): 5% of articles need the browser (bench/fastpath.py's mix), 0.5
edits per article, made 2 h after publication; a machine kept at most 75% busy. Capacity = the check rate the
CPU allows (all cores for browsers and the database; one core per watcher process for watcher's own part),
turned into articles by the schedule's checks per article.

The per-kind costs can be saved (--save-costs FILE) and the model rerun from them with other shares
(--costs FILE), e.g. after the fast path changes what an edit or an audit costs.

    python bench/capacity.py                       (env: BENCH_CAP_ARTICLES=50000 BENCH_CAP_SAMPLES=12)
    python bench/capacity.py --costs costs.json --audit-every 6 --no-audit-after-edit --no-edits-from-http  # the design before issue 27
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from common import REPO, Row, env_int, machine, print_rows
from memory import rss_mb
from pages import PageHandler, PageServers, article_page

from watcher.config import BrowserSettings, Config, ScheduleSettings, TrustSettings
from watcher.fetch import Fetcher
from watcher.fetch.http_pages import HTTPFetcher
from watcher.monitor.check import Services, check_article
from watcher.monitor.loop import DUE_READ_SPACING
from watcher.store import open_store
from watcher.times import parse_duration

KINDS = ("http", "edit", "render", "audit", "first")
ARTICLES = env_int("BENCH_CAP_ARTICLES", 50_000)
SAMPLES = env_int("BENCH_CAP_SAMPLES", 12)  # checks timed per kind
SMALL = 1_000  # the store size the growth is measured from
TARGET = 50_000  # articles one 2-core machine should keep on the embedded store (issue 27)
BODY_OPEN = '<div class="article-body">'


# -- 1. per-check costs by kind ---------------------------------------------------------------------------


class _Handler(PageHandler):
    """article_page(n), with `edits[n]` corrections written into its first paragraph; odd-numbered articles
    carry a token of their own on every load (a CSP nonce, as most dynamic sites' pages do), so their bytes
    never repeat and only extracting the raw HTML tells that the story is unchanged."""

    def do_GET(self) -> None:  # http.server's naming
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "article" or not parts[1].isdigit():
            self.send_page(b"not found", 404, "text/plain")
            return
        n = int(parts[1])
        html = article_page(n).decode("utf-8")
        edits = self.server.edits[n]  # type: ignore[attr-defined]
        if edits:
            html = html.replace(BODY_OPEN + "<p>", f"{BODY_OPEN}<p>Correction {edits}: the figures were revised. ", 1)
        if n % 2:
            token = os.urandom(12).hex()
            html = html.replace("</head>", f'<script nonce="{token}">window.__request="{token}";</script></head>', 1)
        self.send_page(html.encode("utf-8"), 200, "text/html; charset=utf-8")


def _serve(edits: Any, ready: Any) -> None:
    servers = PageServers(4, _Handler, edits=edits)
    ready.send([server.server_address[:2] for server in servers.servers])
    while True:
        time.sleep(3600)


@dataclass
class Cost:
    """One check's cost: CPU seconds of watcher's process and of its browser, and wall seconds."""

    own: float
    browser: float
    wall: float

    @property
    def cpu(self) -> float:
        return self.own + self.browser


class CPUMeter:
    """CPU seconds of this process and of everything under it but the page server (its own process)."""

    def __init__(self, excluded: int) -> None:
        self.me = psutil.Process()
        self.excluded = excluded

    def read(self) -> tuple[float, float]:
        times = self.me.cpu_times()
        own = times.user + times.system
        # Reaped children (Chromium's renderers) count in their parent's children_* times.
        others = times.children_user + times.children_system
        for child in self.me.children(recursive=True):
            if child.pid == self.excluded:
                continue
            try:
                t = child.cpu_times()
                others += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass  # gone between listing and reading: its time is in its parent's children_* from now on
        return own, others


async def _kinds(addresses: list[tuple[str, int]], edits: Any, meter: CPUMeter, data: Path) -> dict[str, Cost]:
    count = SAMPLES
    urls = [
        f"http://{addresses[n % len(addresses)][0]}:{addresses[n % len(addresses)][1]}/article/{n}"
        for n in range(count + 1)
    ]
    fetch = BrowserSettings(concurrency=1, per_host_delay=0, mode="auto")
    no_audit = BrowserSettings(concurrency=1, per_host_delay=0, mode="auto", audit_max_age=float(1 << 30))
    audit = BrowserSettings(concurrency=1, per_host_delay=0, mode="auto", audit_max_age=1e-9)  # always due
    browser = BrowserSettings(concurrency=1, per_host_delay=0, mode="browser")
    store = open_store(data)
    for url in urls:
        store.add_article(url)
    costs: dict[str, Cost] = {}
    async with Fetcher(fetch) as fetcher:
        await fetcher.fetch(urls[-1])  # starting Chromium once per process is not a per-check cost
        http = HTTPFetcher(fetch, beside=fetcher)

        async def timed(
            kind: str, settings: BrowserSettings, before=None, expect: set[str] | None = None, renders: bool = False
        ) -> None:
            config = Config(fetch=settings, trust=TrustSettings(confirm_delay=0))
            svc = Services(fetcher=fetcher, store=store, config=config, http=http if settings.mode == "auto" else None)
            own0, other0 = meter.read()
            wall0 = time.perf_counter()
            statuses: Counter[str] = Counter()
            for n, url in enumerate(urls[:count]):
                if before is not None:
                    before(n)
                rendered = store.get_article(url).rendered_at
                statuses[(await check_article(url, svc)).status] += 1
                if settings.mode == "browser" or store.get_article(url).rendered_at != rendered:
                    statuses["rendered"] += 1
            wall = time.perf_counter() - wall0
            own1, other1 = meter.read()
            costs[kind] = Cost((own1 - own0) / count, (other1 - other0) / count, wall / count)
            if expect is not None and set(statuses) - expect - {"rendered"}:
                raise SystemExit(f"capacity: the {kind} checks ended {dict(statuses)}, expected only {expect}")
            if renders and statuses["rendered"] != count:
                raise SystemExit(f"capacity: the {kind} checks ended {dict(statuses)}, expected a render each")
            print(f"  {kind:6} {costs[kind].cpu * 1000:6.0f} ms CPU per check {dict(statuses)}", flush=True)

        def edit(n: int) -> None:
            edits[n] += 1

        await timed("first", fetch)
        await timed("http", no_audit, expect={"unchanged"})
        # The check's clock keeps whole seconds: a first check and an audit within one second are no span apart, so
        # the audit would not be due and the kind would time unchanged checks without a render.
        await asyncio.sleep(1.1)
        await timed("audit", audit, expect={"unchanged"}, renders=True)
        await timed("render", browser, expect={"unchanged"})
        await timed("edit", no_audit, before=edit)
    return costs


def kind_costs() -> dict[str, Cost]:
    """Each kind's mean cost over SAMPLES checks, one at a time (CPU adds up whatever the concurrency)."""
    context = multiprocessing.get_context("fork")
    edits = context.Array("i", SAMPLES + 1, lock=False)
    receive, send = context.Pipe(duplex=False)
    server = context.Process(target=_serve, args=(edits, send), daemon=True)
    server.start()
    try:
        addresses = receive.recv()
        with tempfile.TemporaryDirectory() as tmp:
            return asyncio.run(_kinds(addresses, edits, CPUMeter(server.pid or 0), Path(tmp) / "data"))
    finally:
        server.terminate()
        server.join(timeout=10)


# -- 2. what the store adds as it grows -------------------------------------------------------------------


def _due_cost(root: Path, calls: int = 20) -> float:
    """Mean CPU seconds of `articles_due` (nothing due: the cost of asking) on the store at `root`."""
    store = open_store(root)
    store.article_keys()  # loaded first, as a running `watcher run` has it
    now = datetime(2025, 12, 31, tzinfo=UTC)  # the day before bench/scale.py's stores make them due: none is
    started = time.process_time()
    for _ in range(calls):
        store.articles_due(now)
    return (time.process_time() - started) / calls


def _in_child(target, *args):
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(target(*args)))
    child.start()
    got = receive.recv()
    child.join()
    return got


def embedded_store_costs() -> dict[int, dict[str, float]]:
    """CPU seconds the embedded store adds per check at SMALL and at ARTICLES articles: a no-change check's
    writes with its share of compactions ("check"), and one `articles_due` ("due": the run loop asks it each
    time a check ends)."""
    import scale
    from scale import COMPACT_RATIO, build, checks, compaction

    scale.LIVE = 20
    per_size: dict[int, dict[str, float]] = {}
    for size in (SMALL, ARTICLES):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "store"
            started = time.perf_counter()
            live = build(root, size)
            cpu_ms, _, _, grown = _in_child(checks, root, live, 200)
            compact_ms, _, snapshot = _in_child(compaction, root)
            due = _in_child(_due_cost, root)
            spread = compact_ms * grown / max(COMPACT_RATIO * snapshot, 1)  # compaction's share of one check
            per_size[size] = {"check": (cpu_ms + spread) / 1000, "due": due}
            print(
                f"  embedded store, {size:,} articles: check {cpu_ms:.2f} ms + compaction {spread:.2f} ms"
                f" + articles_due {due * 1000:.2f} ms (built in {time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    return per_size


def postgres_costs() -> tuple[float, float] | None:
    """Client and server CPU seconds of a no-change check on PostgreSQL holding ARTICLES articles; None
    without server binaries."""
    sys.path.insert(0, str(REPO / "tests"))
    from scale_postgres import _fill, _schema
    from support.postgres import PostgresServer, find_bin_dir

    from watcher.models import CheckResult

    if find_bin_dir() is None:
        print("  PostgreSQL: no server binaries (bash setup.sh installs them): skipped", flush=True)
        return None
    server = PostgresServer()
    try:
        store = open_store(_schema(server))
        urls = _fill(store, ARTICLES)
        postmaster = psutil.Process(int((server.data / "postmaster.pid").read_text().split()[0]))

        def server_cpu() -> float:
            total = 0.0
            for p in [postmaster, *postmaster.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
            return total

        import random

        rng = random.Random(27)
        count = 400
        with store.transaction():  # connect and warm up outside the timing
            store.get_article(urls[0])
        s0, c0 = server_cpu(), time.process_time()
        for _ in range(count):
            url = rng.choice(urls)
            with store.transaction():
                article = store.record_check(CheckResult(url=url, status="unchanged", checked_at=datetime.now(UTC)))
                article.next_check = datetime.now(UTC) + timedelta(hours=1)
                store.update_article(article)
        client, served = (time.process_time() - c0) / count, (server_cpu() - s0) / count
        store.close()
        print(
            f"  PostgreSQL, {ARTICLES:,} articles: check {client * 1000:.2f} ms client + {served * 1000:.2f} ms server",
            flush=True,
        )
        return client, served
    finally:
        server.close()


# -- 3. watcher run's memory -------------------------------------------------------------------------------


def run_rss(articles: int = 12, idle_after: float = 5.0) -> tuple[float, float]:
    """Peak RSS (MB, `watcher run` and its browser) while it renders `articles` new articles, and RSS once it
    has rendered nothing for longer than [fetch] browser_idle (5 s here; 300 s by default)."""
    with PageServers(4) as pages, tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        (data / "watcher.toml").write_text(
            f"[fetch]\nbrowser_idle = {idle_after}\nper_host_delay = 0\n[trust]\nconfirm_delay = 0\n"
        )
        env = {**os.environ, "WATCHER_ALLOW_PRIVATE": "1"}
        base = [sys.executable, "-m", "watcher", "--data-dir", str(data)]
        subprocess.run([*base, "add", "--no-probe", *pages.urls(articles)], check=True, capture_output=True, env=env)
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            me = psutil.Process(proc.pid)
            peak, started, seen = 0.0, time.monotonic(), False
            while time.monotonic() - started < 180:
                peak = max(peak, rss_mb(me))
                browsing = any("chrom" in _name(p) for p in me.children(recursive=True))
                seen = seen or browsing
                if seen and not browsing:
                    break  # every article rendered and the browser closed after browser_idle: idle
                time.sleep(0.25)
            if not seen:
                raise SystemExit("capacity: `watcher run` never started its browser")
            samples = []
            for _ in range(8):
                samples.append(rss_mb(me))
                time.sleep(0.25)
            return peak, statistics.median(samples)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _name(process: psutil.Process) -> str:
    try:
        return process.name().lower()
    except psutil.Error:
        return ""


# -- 4. the costs against a real watcher run ---------------------------------------------------------------


def _run_cpu(base: list[str], env: dict[str, str], *args: str) -> tuple[float, Counter[str]]:
    """CPU seconds of one `watcher` command and everything it started, and what its checks were: "status/source"
    of each result line it printed (`watcher run --json`). This process is made the reaper of the command's
    orphans (Linux), so a browser process left running when its parent exits is waited for and counted too."""
    import ctypes
    import resource

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER; fails harmlessly elsewhere
    mine = {child.pid for child in psutil.Process().children()}  # the page server: not the command's
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([*base, *args], check=True, capture_output=True, env=env, timeout=300, text=True)
    for orphan in psutil.Process().children():
        if orphan.pid not in mine:
            try:
                orphan.wait(timeout=30)
            except psutil.Error:
                pass
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seen: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        try:
            result = json.loads(line)
        except ValueError:
            continue
        if isinstance(result, dict) and "status" in result:
            seen[f"{result['status']}/{result.get('source')}"] += 1
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), seen


def _all_due(data: Path) -> None:
    """Every article due again at once: a schedule checking each one every second (a run's start replans every
    article from its last check), then each checked once per run (the ones checked longest ago go first)."""
    (data / "watcher.toml").write_text(
        '[fetch]\nper_host_delay = 0\n[trust]\nconfirm_delay = 0\n[schedule]\ntiers = [{ until = "30d", every = "1s" }]\n'
    )


# What each pass of real_run must do, and the model's kind it is compared with.
HTTP_ROUNDS = 5  # runs of each size for the http checks
REAL_PASSES = {
    "first": ("new/http", "first"),  # first checks: the raw HTML carries the story, stored from it
    "first render": ("unchanged/browser", "audit"),  # their first renders, in the run loop's idle slots
    "http": ("unchanged/http", "http"),  # unchanged checks answered by the pre-check
}


def real_run(few: int = 12, many: int = 48) -> dict[str, float]:
    """CPU seconds per check of real `watcher run --max-checks N` processes (concurrency 4, the run loop, its
    log and its store as a user has them) on the same pages, in three passes: first checks (all GETs: the pages
    carry their story in their raw HTML), the first renders the run loop then does in its idle slots (nothing
    else is due for 10 minutes), and unchanged checks answered by the pre-check (every article due once more).
    Each pass is the difference between a run of `many` checks on `many` articles and one of `few` on `few`
    (a data folder each: every check of a run is of a different article, all of one kind), over the checks
    between, so starting the process and the browser, which both pay, drops out. A run whose checks were not
    all of its pass's kind stops the bench: the difference would not be the cost of that kind."""
    context = multiprocessing.get_context("fork")
    edits = context.Array("i", many, lock=False)
    receive, send = context.Pipe(duplex=False)
    server = context.Process(target=_serve, args=(edits, send), daemon=True)
    server.start()
    env = {**os.environ, "WATCHER_ALLOW_PRIVATE": "1"}
    try:
        addresses = receive.recv()
        urls = [
            f"http://{addresses[n % len(addresses)][0]}:{addresses[n % len(addresses)][1]}/article/{n}"
            for n in range(many)
        ]
        with tempfile.TemporaryDirectory() as tmp:
            spent: dict[str, dict[int, list[float]]] = {name: {few: [], many: []} for name in REAL_PASSES}

            def measured(name: str, count: int) -> None:
                base = [sys.executable, "-m", "watcher", "--data-dir", str(Path(tmp) / f"data{count}")]
                cpu, seen = _run_cpu(base, env, "run", "--json", "--max-checks", str(count))
                expected = REAL_PASSES[name][0]
                if seen != Counter({expected: count}):
                    raise SystemExit(f"capacity: a real run's {name} checks were {dict(seen)}, not {count} {expected}")
                spent[name][count].append(cpu)

            for count in (few, many):
                data = Path(tmp) / f"data{count}"
                data.mkdir()
                (data / "watcher.toml").write_text("[fetch]\nper_host_delay = 0\n[trust]\nconfirm_delay = 0\n")
                base = [sys.executable, "-m", "watcher", "--data-dir", str(data)]
                subprocess.run([*base, "add", "--no-probe", *urls[:count]], check=True, capture_output=True, env=env)
                measured("first", count)
                measured("first render", count)
                _all_due(data)
            # An http check costs a few ms, the runs' start-up most of a second: the difference is taken over
            # several runs of each size, interleaved, so one run slowed by other load moves it less.
            for _ in range(HTTP_ROUNDS):
                for count in (few, many):
                    time.sleep(1.1)  # the every-second schedule brings each article due again
                    measured("http", count)
        per_check = {
            name: (statistics.median(by[many]) - statistics.median(by[few])) / (many - few)
            for name, by in spent.items()
        }
        for name, cpu in per_check.items():
            print(f"  {name:12} {cpu * 1000:6.0f} ms CPU per check", flush=True)
        return per_check
    finally:
        server.terminate()
        server.join(timeout=10)


# -- the model ----------------------------------------------------------------------------------------------


@dataclass
class Assumptions:
    """What the capacity figure assumes beyond the measured costs (command-line options)."""

    browser_share: float = 0.05  # articles learned "needs browser": every check a render
    edits: float = 0.5  # edits per article in its life
    edit_age: float = 2 * 3600  # seconds after it is added that an article is edited (each edit as late again)
    audit_every: int = 0  # an audit at least every Nth check (0: none; the count rule went with issue 27)
    audit_span: float = 86400.0  # [fetch] audit_max_age: and at least this often (seconds)
    audit_after_edit: bool = True  # an audit soon after each version stored from HTTP (issue 27's design)
    edit_renders: bool = False  # an edit's check renders (before issue 27 the confirming load was a render)
    utilization: float = 0.75  # the share of each core the watch may keep busy (head-room for bursts)
    cores: int = 2
    concurrency: int = 4  # [fetch] concurrency: checks in flight per process


def life(assume: Assumptions, edits: int, browser: bool, schedule: ScheduleSettings) -> tuple[Counter[str], float]:
    """The checks of one article's life on the schedule (by kind) and how long it is watched (seconds)."""
    tiers = sorted(schedule.tiers, key=lambda tier: tier.until)
    edit_times = [assume.edit_age * (k + 1) for k in range(edits)]
    counts: Counter[str] = Counter(first=1)
    # The first check reads the raw HTML (the measured "first" kind); the render comes on top: at once where the
    # raw HTML lacks the story, else in a slot of the run loop's left free by due checks (an audit's render).
    if browser:
        counts["render"] += 1
    elif not assume.edit_renders:
        counts["audit"] += 1
    t = since = last_render = 0.0
    since_render = 0
    after_edit = False
    while True:
        age = t - since
        interval = next((tier.every for tier in tiers if age < tier.until), None)
        if interval is None:
            return counts, t
        t += interval
        if edit_times and edit_times[0] <= t:
            edit_times.pop(0)
            counts["edit"] += 1
            since = t
            if assume.edit_renders or browser:
                last_render, since_render = t, 0
            else:
                since_render += 1
            after_edit = True
            continue
        if browser:
            counts["render"] += 1
        elif (
            (assume.audit_after_edit and after_edit)
            or (assume.audit_every and since_render + 1 >= assume.audit_every)
            or t - last_render >= assume.audit_span
        ):
            counts["audit"] += 1
            last_render, since_render = t, 0
        else:
            counts["http"] += 1
            since_render += 1
        after_edit = False


def mix(assume: Assumptions, schedule: ScheduleSettings | None = None) -> tuple[dict[str, float], float]:
    """Checks per article's life by kind (the browser share and fractional edits averaged in), and the life."""
    schedule = schedule or ScheduleSettings()
    whole = int(assume.edits)
    part = assume.edits - whole
    checks: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    span = 0.0
    for browser, b_weight in ((False, 1 - assume.browser_share), (True, assume.browser_share)):
        for edits, e_weight in ((whole, 1 - part), (whole + 1, part)):
            counts, seconds = life(assume, edits, browser, schedule)
            for kind in KINDS:
                checks[kind] += b_weight * e_weight * counts[kind]
            span += b_weight * e_weight * seconds
    return checks, span


def capacity(
    costs: dict[str, Cost],
    assume: Assumptions,
    processes: int,
    store_own: Callable[[float, float], float],
    store_server: float = 0.0,
) -> tuple[float, float, float, str]:
    """Articles kept on the schedule; the mean CPU seconds of a check then (all of it, and watcher's own part);
    the limit that binds.

    `store_own(n, rate)`: what the store costs watcher's process per check with n articles watched and `rate`
    checks a second (on top of the
    kinds' measured costs); `store_server`: a database server's CPU per check. The largest n whose checks fit:
    n articles ask n * checks-per-life / life checks a second, each costing its CPU, all of it within
    cores * utilization, watcher's own part within processes * utilization (one core each at most), and
    no more checks in flight than processes * concurrency (a check's wall time, measured one at a time on
    this machine, is how long it holds its slot)."""
    checks, span = mix(assume)
    per_life = sum(checks.values())
    own_kinds = sum(checks[k] * costs[k].own for k in KINDS) / per_life
    total_kinds = sum(checks[k] * costs[k].cpu for k in KINDS) / per_life
    wall = sum(checks[k] * costs[k].wall for k in KINDS) / per_life

    def over(n: float) -> str | None:
        """The limit n articles exceed, if any."""
        rate = n * per_life / span  # checks a second
        if rate * (total_kinds + store_own(n, rate) + store_server) > assume.cores * assume.utilization:
            return "CPU"
        if rate * (own_kinds + store_own(n, rate)) > processes * assume.utilization:
            return "watcher's process"
        if rate * wall > processes * assume.concurrency:
            return "concurrency"
        return None

    low, high = 0.0, 1e9
    while high - low > 1:
        middle = (low + high) / 2
        low, high = (middle, high) if over(middle) is None else (low, middle)
    store = store_own(low, low * per_life / span)
    return low, total_kinds + store + store_server, own_kinds + store, over(high) or ""


def due_read(cost: float, rate: float) -> float:
    """What reading the due articles adds to each check at `rate` checks a second, one read costing `cost`: the run
    loop reads again when a check ends, but only once DUE_READ_SPACING times the last read's CPU has passed."""
    return min(cost, 1 / (DUE_READ_SPACING * rate)) if rate > 0 else cost


def linear(at: dict[int, float]) -> Callable[[float], float]:
    """The straight line through two measured sizes' costs (never below the smaller one's)."""
    (a, ya), (b, yb) = sorted(at.items())
    slope = max((yb - ya) / (b - a), 0.0)
    return lambda n: ya + slope * (n - a) if n > a else ya


# -- the run ------------------------------------------------------------------------------------------------


def _options(argv: list[str] | None) -> argparse.Namespace:
    a = Assumptions()
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--costs", type=Path, help="per-kind costs saved by --save-costs: measure nothing, model only")
    p.add_argument("--save-costs", type=Path, help="write the measured costs (JSON) for a later --costs")
    p.add_argument("--browser-share", type=float, default=a.browser_share, help="articles that need the browser")
    p.add_argument("--edits", type=float, default=a.edits, help="edits per article in its life")
    p.add_argument("--edit-age", default="2h", help="when an article is edited after it is added (2h)")
    p.add_argument("--audit-every", type=int, default=a.audit_every, help="[fetch] audit_every (0: no count rule)")
    p.add_argument("--audit-span", default="1d", help="[fetch] audit_max_age: a render at least this often")
    p.add_argument(
        "--audit-after-edit",
        action=argparse.BooleanOptionalAction,
        default=a.audit_after_edit,
        help="an audit after each HTTP-stored version (issue 27's design: on)",
    )
    p.add_argument(
        "--edits-from-http",
        action=argparse.BooleanOptionalAction,
        default=not a.edit_renders,
        help="an edit's check does not render (issue 27's design: on)",
    )
    p.add_argument("--utilization", type=float, default=a.utilization, help="share of each core kept busy at most")
    p.add_argument("--cores", type=int, default=a.cores)
    p.add_argument("--concurrency", type=int, default=a.concurrency, help="[fetch] concurrency of each process")
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> list[Row]:
    opts = _options(argv)
    assume = Assumptions(
        browser_share=opts.browser_share,
        edits=opts.edits,
        edit_age=parse_duration(opts.edit_age),
        audit_every=opts.audit_every,
        audit_span=parse_duration(opts.audit_span),
        audit_after_edit=opts.audit_after_edit,
        edit_renders=not opts.edits_from_http,
        utilization=opts.utilization,
        cores=opts.cores,
        concurrency=opts.concurrency,
    )
    print(f"capacity: {machine()}", flush=True)
    if opts.costs:
        saved = json.loads(opts.costs.read_text())
        costs = {k: Cost(**v) for k, v in saved["kinds"].items()}
        embedded = {int(k): v for k, v in saved["embedded"].items()}
        postgres = tuple(saved["postgres"]) if saved["postgres"] else None
        rss = tuple(saved["rss"])
        real = saved.get("real") or {}
    else:
        print(f"per-check costs ({SAMPLES} checks each):", flush=True)
        costs = kind_costs()
        print("store costs:", flush=True)
        embedded = embedded_store_costs()
        postgres = postgres_costs()
        print("watcher run memory:", flush=True)
        rss = run_rss()
        print("real watcher run:", flush=True)
        real = real_run()
    if opts.save_costs:
        opts.save_costs.write_text(
            json.dumps(
                {
                    "kinds": {k: vars(c) for k, c in costs.items()},
                    "embedded": embedded,
                    "postgres": postgres,
                    "rss": rss,
                    "real": real,
                },
                indent=1,
            )
        )
    checks, span = mix(assume)
    per_life = sum(checks.values())
    sizes = sorted(embedded)
    small, big = sizes[0], sizes[-1]
    check_at = linear({n: embedded[n]["check"] for n in sizes})
    due_at = linear({n: embedded[n]["due"] for n in sizes})
    # The kinds were measured on a small embedded store: its check's own cost is in them already.
    in_kinds = embedded[small]["check"]
    rows = [
        Row(
            f"check cost, {kind}",
            f"{c.cpu * 1000:.0f} ms CPU ({c.own * 1000:.0f} watcher + {c.browser * 1000:.0f} browser), "
            f"{c.wall * 1000:.0f} ms wall; {c.cpu / costs['http'].cpu:.1f}x an http check",
        )
        for kind, c in costs.items()
    ]
    rows.append(
        Row(
            "schedule: one article's life",
            f"{per_life:.1f} checks in {span / 86400:.1f} days ("
            + ", ".join(f"{checks[k]:.1f} {k}" for k in KINDS)
            + f"); {per_life / (span / 86400):.2f} checks a day on average",
        )
    )
    for part, label in (("check", "a no-change check's writes"), ("due", "articles_due, one read")):
        low, high = embedded[small][part], embedded[big][part]
        rows.append(
            Row(
                f"embedded store, {label}, {small:,} -> {big:,} articles",
                f"{low * 1000:.2f} -> {high * 1000:.2f} ms CPU ({high / low:.2f}x)",
            )
        )
    embedded_n, total, own, limit = capacity(
        costs, assume, 1, lambda n, rate: check_at(n) + due_read(due_at(n), rate) - in_kinds
    )
    rows.append(
        Row(
            "articles kept, embedded store (watcher run)",
            f"{embedded_n:,.0f}, bound by {limit} (a check then {total * 1000:.0f} ms CPU, {own * 1000:.0f} ms in "
            "watcher's process)",
            f">= {TARGET:,}",
            embedded_n >= TARGET,
        )
    )
    if postgres is not None:
        client, served = postgres
        for workers in (1, 2):
            n, total, own, limit = capacity(costs, assume, workers, lambda n, rate: client - in_kinds, served)
            rows.append(
                Row(
                    f"articles kept, PostgreSQL, {workers} worker{'s' if workers > 1 else ''}",
                    f"{n:,.0f}, bound by {limit} (a check {total * 1000:.0f} ms CPU, {own * 1000:.0f} ms in a worker)",
                )
            )
    for name, spent in real.items():
        kind = REAL_PASSES[name][1] if name in REAL_PASSES else name
        rows.append(
            Row(
                f"real `watcher run`, {name} checks: CPU per check against the model's {kind}",
                f"{spent * 1000:.0f} vs {costs[kind].cpu * 1000:.0f} ms = {spent / costs[kind].cpu:.2f}x",
            )
        )
    rows.append(Row("watcher run RSS", f"{rss[0]:.0f} MB while rendering, {rss[1]:.0f} MB idle (browser closed)"))
    return rows


if __name__ == "__main__":
    print_rows(run(sys.argv[1:]))
