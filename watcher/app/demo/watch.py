"""`watcher demo`: a local newsroom edits its stories on a timeline while watcher watches it for real."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from watcher.app.demo.newsroom import Newsroom
from watcher.app.demo.newsroom.timeline import ExpectedEdit
from watcher.config import BrowserSettings, Config, ScheduleSettings, Tier, TrustSettings
from watcher.models import Edit, Version
from watcher.render.text import safe_text

CHECK_EVERY = 2  # seconds: the demo's schedule, far faster than a real newsroom needs
SETTLE_AFTER = 0.15  # share of the duration left after the last edit for the last checks


def demo_config() -> Config:
    """Settings for a one-minute demo: frequent checks, short politeness delay, quick confirmation."""
    return Config(
        # The demo's newsroom is served on 127.0.0.1, which watcher refuses unless allowed.
        fetch=BrowserSettings(
            nav_timeout=10.0, deadline=20.0, per_host_delay=0.2, concurrency=4, settle_ms=100, allow_private=True
        ),
        schedule=ScheduleSettings(
            tiers=[Tier(until=10**9, every=CHECK_EVERY)], jitter=0.1, error_backoff=2, max_error_backoff=4
        ),
        trust=TrustSettings(confirm_delay=0.5),
    )


class HeldClock:
    """A clock that stands at zero until released, so the newsroom's script waits for the first snapshots."""

    def __init__(self) -> None:
        self._released_at: float | None = None

    def __call__(self) -> float:
        return 0.0 if self._released_at is None else time.monotonic() - self._released_at

    def release(self) -> None:
        self._released_at = time.monotonic()


@dataclass
class Match:
    """A scripted edit and the stored edit that shows it, if any."""

    expected: ExpectedEdit
    found: Edit | None = None
    version: int | None = None


@dataclass
class DemoOutcome:
    """What the demo saw, judged against the newsroom's script."""

    matches: list[Match] = field(default_factory=list)
    unexpected: list[tuple[str, int, Edit]] = field(default_factory=list)  # (url, version, edit)
    data_dir: Path | None = None
    report: Path | None = None
    checks: int = 0
    errors: int = 0

    @property
    def ok(self) -> bool:
        return all(m.found for m in self.matches) and not self.unexpected


def _contains(text: str | None, phrase: str | None) -> bool:
    return phrase is None or (text is not None and phrase in text)


def _fits(expected: ExpectedEdit, edit: Edit, version: Version) -> bool:
    return (
        edit.field == expected.field
        and edit.op == expected.op
        and (expected.cls is None or edit.cls == expected.cls)
        and _contains(edit.old, expected.old_contains)
        and _contains(edit.new, expected.new_contains)
        and set(expected.flags) <= set(version.flags)
    )


def judge(expected: list[ExpectedEdit], versions_by_url: dict[str, list[Version]]) -> DemoOutcome:
    """Pair every scripted edit with a stored edit; any stored edit left over is a false alarm."""
    outcome = DemoOutcome()
    used: set[tuple[str, int, int]] = set()
    for exp in expected:
        match = Match(exp)
        for version in versions_by_url.get(exp.url or "", []):
            for index, edit in enumerate(version.edits):
                key = (version.url, version.number, index)
                if key not in used and _fits(exp, edit, version):
                    match.found, match.version = edit, version.number
                    used.add(key)
                    break
            if match.found:
                break
        outcome.matches.append(match)
    for url, versions in versions_by_url.items():
        for version in versions:
            for index, edit in enumerate(version.edits):
                if (url, version.number, index) not in used:
                    outcome.unexpected.append((url, version.number, edit))
    return outcome


async def watch_newsroom(
    env: Any,
    data_dir: Path,
    *,
    duration: float,
    dashboard: bool,
    fetcher_factory: Any = None,
    write_report: bool = True,
) -> DemoOutcome:
    """Start the newsroom, watch its stories until the script has played out, and judge what was found."""
    from watcher.app.live import run_with
    from watcher.monitor.check import check_article
    from watcher.runtime import Runtime

    runtime = Runtime(demo_config(), data_dir=data_dir)
    store = runtime.store(write=True)
    clock = HeldClock()
    with Newsroom(duration=duration, clock=clock) as newsroom:
        for url in newsroom.story_urls():
            store.add_article(url, tags=["demo"])
        make_fetcher = fetcher_factory or runtime.fetcher
        async with make_fetcher() as fetcher:
            svc = runtime.services(fetcher)
            # First snapshots before the first edit: starting a browser can take longer than the
            # script's first step, and an edit made before the first snapshot can never be seen.
            for url in newsroom.story_urls():
                await check_article(url, svc)
            clock.release()
            stats = await run_with(
                svc, env, dashboard=dashboard, as_json=False, until=lambda: newsroom.elapsed() >= duration
            )
        expected = newsroom.expected_edits()
        urls = newsroom.story_urls()
    outcome = judge(expected, {url: store.list_versions(url) for url in urls})
    outcome.data_dir, outcome.checks, outcome.errors = data_dir, stats.checks, stats.errors
    if write_report:
        from watcher.report.collect import build_report

        outcome.report = data_dir / "demo-report.html"
        outcome.report.write_text(
            build_report(
                store, urls=urls, tags=[], start=None, end=None, window="the demo", fmt="html", include_cosmetic=False
            ),
            encoding="utf-8",
        )
    return outcome


def outcome_table(outcome: DemoOutcome) -> Table:
    """Every scripted edit, whether watcher found it, in which version and class."""
    table = Table(title="Scripted edits and what watcher found", expand=True)
    table.add_column("Scripted edit", ratio=3)
    table.add_column("Found", width=6)
    table.add_column("Field/op", width=14)
    table.add_column("Class", width=11)
    table.add_column("Ver", width=4, justify="right")
    for match in outcome.matches:
        found = match.found
        table.add_row(
            safe_text(match.expected.description or match.expected.slug),
            Text("yes", style="status.new") if found else Text("MISSED", style="status.error"),
            f"{match.expected.field}/{match.expected.op}",
            Text(found.cls, style=f"class.{found.cls}") if found else Text("—"),
            str(match.version or "—"),
        )
    return table


def run_demo(app: Any, *, duration: float, keep_data_dir: Path | None, dashboard: bool) -> int:
    """The `watcher demo` command; returns the exit status."""
    env = app.env
    data_dir = keep_data_dir or Path(tempfile.mkdtemp(prefix="watcher-demo-"))
    env.info(
        f"demo: a local newsroom edits 3 stories over {duration:.0f}s; watcher checks them every "
        f"{CHECK_EVERY}s with a real browser (data in {data_dir})"
    )
    outcome = asyncio.run(watch_newsroom(env, data_dir, duration=duration, dashboard=dashboard and env.interactive))
    env.out.print(outcome_table(outcome))
    found = sum(1 for m in outcome.matches if m.found)
    env.out.print(
        Text(
            f"{found} of {len(outcome.matches)} scripted edits found; "
            f"{len(outcome.unexpected)} false edits from the pages' changing chrome; "
            f"{outcome.checks} checks, {outcome.errors} errors."
        )
    )
    for url, number, edit in outcome.unexpected:
        env.out.print(
            Text("unexpected: ").append_text(
                safe_text(f"{url} v{number} {edit.field}/{edit.op}: {edit.old!r} -> {edit.new!r}")
            )
        )
    if outcome.report:
        env.out.print(Text(f"HTML report: {outcome.report}"))
    return 0 if outcome.ok else 1
