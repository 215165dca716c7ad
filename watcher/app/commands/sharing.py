"""Sharing and upkeep: report, card, notify-test, prune, demo."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from watcher.app.commands import (
    class_option,
    flag_option,
    lang_option,
    match_option,
    output_option,
    seconds_option,
    stored_version,
    targets,
)
from watcher.app.context import App, pass_app
from watcher.config import parse_duration
from watcher.errors import BadInput, ExitStatus
from watcher.labels import plural
from watcher.times import parse_iso, utcnow


@click.command()
@click.argument("urls", nargs=-1)
@match_option
@click.option("--since", default=None, help="Window back from now, e.g. 7d (default 7d).")
@click.option("--from", "from_date", default=None, help="Window start (ISO date or time).")
@click.option("--to", "to_date", default=None, help="Window end (ISO date or time).")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag.")
@class_option
@flag_option
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json", "atom"]), default="html", show_default=True)
@output_option("Write to FILE instead of stdout.")
@click.option("--all", "include_cosmetic", is_flag=True, help="Include cosmetic edits.")
@click.option("--title", default="watcher report", show_default=True, help="The report's title.")
@lang_option("en", "Language of the HTML and Markdown labels (fields, classes, flags, events); auto: each story's own.")
@click.option(
    "--screenshots/--no-screenshots",
    default=True,
    show_default=True,
    help="HTML: show each version's screenshot, when one was kept, beside its diff.",
)
@pass_app
def report(
    app: App,
    urls: Sequence[str],
    match: str | None,
    since: str | None,
    from_date: str | None,
    to_date: str | None,
    tags: Sequence[str],
    classes: Sequence[str],
    flags: Sequence[str],
    fmt: str,
    output: Path | None,
    include_cosmetic: bool,
    title: str,
    lang: str,
    screenshots: bool,
) -> None:
    """Every edit in a time window, grouped by article: HTML, Markdown, JSON or Atom."""
    from watcher.report.collect import build_report

    if since and (from_date or to_date):
        raise BadInput("use either --since or --from/--to, not both")
    start, end, window = _window(since, from_date, to_date)
    text = build_report(
        app.store(),
        urls=targets(app, urls, match),
        tags=list(tags),
        start=start,
        end=end,
        window=window,
        fmt=fmt,
        include_cosmetic=include_cosmetic,
        title=title.strip() or "watcher report",
        lang=lang,
        tz=app.zone,
        archive_dir=app.archive_dir(),
        classes=list(classes),
        flags=list(flags),
        screenshots=screenshots,
    )
    _write_output(app, text, output)


def _window(
    since: str | None, from_date: str | None, to_date: str | None
) -> tuple[datetime | None, datetime | None, str]:
    now = utcnow()
    if from_date or to_date:
        start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
        if end is not None and len((to_date or "").strip()) == 10:
            end += timedelta(days=1, seconds=-1)  # a bare date means through that day: --from D --to D is day D
        if start and end and start > end:
            raise BadInput(f"--from {from_date} is after --to {to_date}")
        return start, end, f"{from_date or 'start'} to {to_date or 'now'}"
    seconds = parse_duration(since or "7d")
    return now - timedelta(seconds=seconds), None, f"last {since or '7d'}"


def _parse_date(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        raise BadInput(f"{option}: not a date: {text!r} (use e.g. 2026-11-01 or 2026-11-01T12:00)") from None


def _write_output(app: App, text: str, output: Path | None) -> None:
    if output is None:
        app.env.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror}") from None
    app.env.info(f"wrote {output}")


@click.command()
@click.argument("url", required=False)
@match_option
@click.option("--version", "number", type=int, default=None, help="The version whose change to show (default: latest).")
@output_option("PNG file.", required=True)
@click.option(
    "--screenshot/--no-screenshot",
    default=True,
    show_default=True,
    help="Show the version's screenshot, when one was kept, as a thumbnail with the edits outlined.",
)
@pass_app
def card(app: App, url: str | None, match: str | None, number: int | None, output: Path, screenshot: bool) -> None:
    """A PNG image of one version change, for posting."""
    from watcher.report.collect import render_card

    (target,) = targets(app, [url] if url else [], match, one=True)
    if not output.parent.is_dir():  # say so before spending seconds on a browser
        raise BadInput(f"cannot write {output}: {output.parent} is not a folder")

    async def go() -> bytes:
        async with app.fetcher() as fetcher:
            return await render_card(app.store(), target, number, fetcher, tz=app.zone, screenshot=screenshot)

    import asyncio

    png = asyncio.run(go())
    try:
        output.write_bytes(png)
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror}") from None
    app.env.info(f"wrote {output}")


@click.command("notify-test")
@click.option(
    "--explain",
    "article",
    metavar="ARTICLE",
    default=None,
    help="Send nothing: say which targets a stored version of ARTICLE would reach, and why.",
)
@click.option("--version", "number", type=int, default=None, help="With --explain: this version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="With --explain: machine-readable output.")
@pass_app
def notify_test(app: App, article: str | None, number: int | None, as_json: bool) -> None:
    """Send a sample notification to every configured target (--explain ARTICLE: only say who a version would reach)."""
    if not app.config.notify:
        raise BadInput("no notification targets configured ([[notify]] in the config)")
    if article is not None:
        _explain_targets(app, article, number, as_json)
        return
    if number is not None or as_json:
        raise BadInput("--version and --json go with --explain ARTICLE")
    from watcher.notify.notifier import send_test

    failed = 0
    for url, ok, error in send_test(app.config.notify):
        app.env.info(f"{'ok    ' if ok else 'FAILED'} {url}{'' if ok else ': ' + str(error)}")
        failed += not ok
    if failed:
        sys.exit(ExitStatus.CHECK_FAILED)


def _explain_targets(app: App, article: str, number: int | None, as_json: bool) -> None:
    """Which configured targets one stored version would reach, each with its reasons (nothing is sent)."""
    from watcher.diff.summary import summarize
    from watcher.models import CheckResult
    from watcher.notify.redact import redact
    from watcher.notify.rules import verdict
    from watcher.untrusted import visible

    (url,) = targets(app, [article], None, one=True)
    version = stored_version(app, url, number)
    watched = app.store().get_article(url)
    summary = summarize(version.edits, version.article.lang)
    result = CheckResult(
        url=url,
        status=version.status if version.number > 1 or version.event else "new",
        checked_at=version.captured_at,
        version=version.number,
        flags=list(version.flags),
        edits=list(version.edits),
        headline=version.article.headline,
        summary=summary,
    )
    rows = [(target, verdict(target, result, watched.tags)) for target in app.config.notify]
    if as_json:
        app.env.print_json(
            {
                "url": url,
                "version": version.number,
                "summary": summary,
                "targets": [
                    {"index": i, "target": redact(t.url), "fires": v.fires, "reasons": v.reasons}
                    for i, (t, v) in enumerate(rows, 1)
                ],
            }
        )
        return
    lines = [f"v{version.number} of {url}" + (f": {summary}" if summary else "")]
    lines += [
        f"{'fires ' if v.fires else 'silent'} [[notify]] #{i} {redact(t.url)}: {'; '.join(v.reasons)}"
        for i, (t, v) in enumerate(rows, 1)
    ]
    for line in lines:
        app.env.out.print(visible(line), markup=False, highlight=False, soft_wrap=True)


@click.command()
@click.option(
    "--keep-raw",
    "keep_raw",
    type=click.IntRange(0, 3660),  # ten years; far more days would overflow the cutoff date
    required=True,
    metavar="DAYS",
    help="Keep raw HTML this many days; extracted versions are always kept.",
)
@pass_app
def prune(app: App, keep_raw: int) -> None:
    """Drop raw HTML older than DAYS (every extracted version is kept)."""
    # Not utcnow(): captures are stored to the second (floored), so a cutoff floored too would keep, as not
    # older than "now", the raw HTML of a version captured earlier in the very second the prune runs.
    cutoff = datetime.now(UTC) - timedelta(days=keep_raw)
    dropped = app.store().prune_raw(cutoff)
    app.env.info(f"dropped raw HTML of {plural(dropped, 'version')} older than {plural(keep_raw, 'day')}")


@click.command()
@seconds_option("--duration", 5, 3600, 75.0, "Seconds the demo runs.")
@click.option("--no-dashboard", is_flag=True, help="Log lines instead of the live dashboard.")
@click.pass_context
def demo(ctx: click.Context, duration: float, no_dashboard: bool) -> None:
    """A local newsroom edits its stories while watcher watches them live (uses a temporary data folder)."""
    from watcher.app.demo.watch import run_demo

    app: App = ctx.obj
    explicit = ctx.parent is not None and (
        ctx.parent.get_parameter_source("data_dir") != click.core.ParameterSource.DEFAULT
    )
    code = run_demo(
        app, duration=duration, keep_data_dir=app.data_dir if explicit else None, dashboard=not no_dashboard
    )
    sys.exit(code)


COMMANDS = [report, card, notify_test, prune, demo]
