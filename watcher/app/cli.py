"""The command line: parses arguments, wires the browser and the store, prints results.

This is the one composition root: only here are the Playwright fetcher and the TinyDB store chosen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from watcher.app.console import Environment
from watcher.config import Config, load_config, parse_duration
from watcher.errors import BadInput, ExitStatus, UnknownArticle, WatcherError
from watcher.models import CheckResult, iso, parse_iso, utcnow

DEFAULT_DATA_DIR = "snapshots"
CONFIG_NAME = "watcher.toml"


class App:
    """What every command needs: the environment, the data folder and the config, opened on demand."""

    def __init__(self, env: Environment, data_dir: Path, config_path: Path | None):
        self.env = env
        self.data_dir = data_dir
        self._config_path = config_path
        self._config: Config | None = None
        self._store = None

    @property
    def config(self) -> Config:
        if self._config is None:
            path = self._config_path
            if path is None and (self.data_dir / CONFIG_NAME).is_file():
                path = self.data_dir / CONFIG_NAME
            self._config = load_config(path)
        return self._config

    def store(self, *, write: bool = False):
        """The store; reads of a data folder that does not exist fail instead of creating it."""
        # A broken config is reported by every command, not only by those that read a setting from it.
        self.config  # noqa: B018
        if self._store is None:
            if not write and not self.data_dir.is_dir():
                raise BadInput(f"data folder {self.data_dir} does not exist (add an article first, or pass --data-dir)")
            from watcher.store import Store

            self._store = Store(self.data_dir)
        return self._store

    def services(self, fetcher) -> Any:
        from watcher.monitor.check import Services

        return Services(fetcher=fetcher, store=self.store(write=True), config=self.config)

    def fetcher(self):
        from watcher.fetch import Fetcher

        return Fetcher(self.config.fetch)


def _article_url(app: App, url: str) -> str:
    """The stored URL for what the user typed, or UnknownArticle."""
    from watcher.urls import normalize_url

    normalized = normalize_url(url)
    app.store().get_article(normalized)
    return normalized


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WATCHER_DATA_DIR",
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Folder holding the store.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"TOML config (default: DATA_DIR/{CONFIG_NAME} if present).",
)
@click.version_option(package_name="watcher")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, config_path: Path | None) -> None:
    """Track edits to news articles: snapshot with a real browser, extract the story, diff the versions."""
    env = ctx.obj if isinstance(ctx.obj, Environment) else Environment()
    ctx.obj = App(env, data_dir, config_path)


pass_app = click.pass_obj


# --- watching -----------------------------------------------------------------------------------


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--every", default=None, help="Fixed interval, e.g. 15m, 2h (default: age-based schedule).")
@click.option("--tag", "tags", multiple=True, help="Tag the articles (repeatable).")
@pass_app
def add(app: App, urls: Sequence[str], every: str | None, tags: Sequence[str]) -> None:
    """Start watching article URLs."""
    from watcher.urls import normalize_url

    seconds = parse_duration(every) if every else None
    normalized = [normalize_url(u) for u in urls]  # validate all before storing any
    store = app.store(write=True)
    for url in normalized:
        _, created = store.add_article(url, tags=list(tags), every=seconds)
        app.env.info(f"{'watching' if created else 'already watching'} {url}")


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@pass_app
def remove(app: App, urls: Sequence[str]) -> None:
    """Stop watching articles (their stored versions are deleted)."""
    targets = [_article_url(app, u) for u in urls]
    for url in targets:
        app.store(write=True).remove_article(url)
        app.env.info(f"removed {url}")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_(app: App, as_json: bool) -> None:
    """What is watched: versions, last and next check, last status, last edit."""
    if not (app.data_dir / "watcher.json").exists() and not app.data_dir.is_dir():
        raise BadInput(f"data folder {app.data_dir} does not exist (add an article first, or pass --data-dir)")
    store = app.store()
    articles = store.list_articles()
    feeds = store.list_feeds()
    if as_json:
        app.env.print_json(
            [
                {
                    "url": a.url,
                    "versions": a.versions,
                    "last_checked": iso(a.last_checked),
                    "next_check": iso(a.next_check),
                    "last_status": a.last_status,
                    "headline": a.headline,
                    "tags": a.tags,
                    "feed": a.feed,
                }
                for a in articles
            ]
        )
        return
    from watcher.render.tables import articles_table, feeds_table

    if not articles and not feeds:
        app.env.out.print("Nothing watched yet. Start with: watcher add URL", markup=False)
        return
    app.env.out.print(articles_table(articles))
    if feeds:
        app.env.out.print(feeds_table(feeds))


@cli.command()
@click.argument("feed_url")
@click.option("--every", default=None, help="Poll interval, e.g. 10m (default from config).")
@click.option("--tag", "tags", multiple=True, help="Tag every article found in the feed.")
@pass_app
def follow(app: App, feed_url: str, every: str | None, tags: Sequence[str]) -> None:
    """Watch every article a feed (RSS, Atom or sitemap) lists, now and as it grows."""
    from watcher.urls import normalize_url

    url = normalize_url(feed_url)
    seconds = parse_duration(every) if every else app.config.feeds.default_every
    # Read the feed once now, so a typo or an HTML page is refused here instead of failing every poll later.
    items = _read_feed(app, url)
    _, created = app.store(write=True).add_feed(url, every=seconds, tags=list(tags))
    found = f"{len(items.children)} child sitemaps" if items.kind == "sitemapindex" else f"{len(items.links)} links"
    app.env.info(
        f"{'following' if created else 'already following'} {url} ({items.kind}, {found} now; "
        f"new articles are added by `watcher run`)"
    )


def _read_feed(app: App, url: str):
    """The feed's current items; FeedError (exit 2) for a page that is not a feed, FetchError if unreachable."""
    from watcher import feeds

    return feeds.parse_feed(feeds.download(url, timeout=app.config.fetch.nav_timeout), url)


@cli.command()
@click.argument("feed_url")
@pass_app
def unfollow(app: App, feed_url: str) -> None:
    """Stop following a feed (articles already watched stay)."""
    from watcher.urls import normalize_url

    app.store().remove_feed(normalize_url(feed_url))
    app.env.info(f"unfollowed {feed_url}")


# --- checking -----------------------------------------------------------------------------------


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line.")
@click.option("--all", "include_cosmetic", is_flag=True, help="Show cosmetic edits too.")
@pass_app
def check(app: App, urls: Sequence[str], as_json: bool, include_cosmetic: bool) -> None:
    """Snapshot articles now, compare with the last version, store and print what changed."""
    targets = [_article_url(app, u) for u in urls] if urls else [a.url for a in app.store().list_articles()]
    if not targets:
        raise BadInput("nothing to check: watch an article first with `watcher add URL`")
    import asyncio  # here, not at the top: read-only commands start 50 ms faster without it

    results = asyncio.run(_check_all(app, targets, as_json, include_cosmetic))
    if not as_json and len(results) > 1:
        from watcher.render.tables import summary_table

        app.env.out.print(summary_table(results))
    if any(r.status == "error" for r in results):
        sys.exit(ExitStatus.CHECK_FAILED)


async def _check_all(app: App, urls: list[str], as_json: bool, include_cosmetic: bool) -> list[CheckResult]:
    import asyncio

    from rich.progress import Progress

    from watcher.monitor.check import check_article
    from watcher.render.edits import render_check

    results: list[CheckResult] = []

    def emit(result: CheckResult) -> None:
        results.append(result)
        if as_json:
            app.env.print_json(result.to_json())
        else:
            app.env.out.print(render_check(result, include_cosmetic=include_cosmetic))

    async with app.fetcher() as fetcher:
        svc = app.services(fetcher)
        show = app.env.interactive and not as_json and len(urls) > 1
        with Progress(console=app.env.err, disable=not show, transient=True) as progress:
            task = progress.add_task("checking", total=len(urls))
            limit = asyncio.Semaphore(max(1, app.config.fetch.concurrency))

            async def one(url: str) -> None:
                async with limit:
                    result = await check_article(url, svc)
                progress.advance(task)
                emit(result)

            await asyncio.gather(*(one(u) for u in urls))
    return results


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def extract(app: App, url: str, as_json: bool) -> None:
    """Fetch a page once and print the article watcher would track (for writing site rules)."""
    from watcher.extract import extract as extract_article
    from watcher.urls import normalize_url

    target = normalize_url(url)

    async def go():
        async with app.fetcher() as fetcher:
            return await fetcher.fetch(target)

    import asyncio

    snapshot = asyncio.run(go())
    article = extract_article(snapshot.html, snapshot.final_url, app.config.sites)
    if as_json:
        app.env.print_json(article.to_dict())
        return
    from watcher.render.tables import article_panel

    app.env.out.print(article_panel(article))


@cli.command()
@click.argument("url")
@pass_app
def reextract(app: App, url: str) -> None:
    """Rebuild an article's versions from its stored raw HTML with the current extraction rules."""
    from watcher.extract import extract as extract_article
    from watcher.monitor.reextract import rebuild_versions

    target = _article_url(app, url)
    count = rebuild_versions(
        app.store(write=True), target, lambda html, page_url: extract_article(html, page_url, app.config.sites)
    )
    app.env.info(f"re-extracted {url}: {count} versions")


# --- reading history ----------------------------------------------------------------------------


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def history(app: App, url: str, as_json: bool) -> None:
    """The versions of one article, with events (removed, redirected, restored, revert)."""
    target = _article_url(app, url)
    versions = app.store().list_versions(target)
    if as_json:
        app.env.print_json(
            [
                {
                    "version": v.number,
                    "captured_at": iso(v.captured_at),
                    "headline": v.article.headline,
                    "edits_count": len(v.edits),
                    "flags": list(v.flags),
                    "event": v.event,
                }
                for v in versions
            ]
        )
        return
    from watcher.render.tables import history_table

    app.env.out.print(history_table(versions))


@cli.command()
@click.argument("url")
@click.option("--from", "from_n", type=int, default=None, help="Older version (default: the one before --to).")
@click.option("--to", "to_n", type=int, default=None, help="Newer version (default: the latest).")
@click.option("--side-by-side", is_flag=True, help="Old and new in two columns.")
@click.option(
    "--context",
    "context",
    type=click.IntRange(0, 50),
    default=1,
    show_default=True,
    help="Unchanged paragraphs shown around each edit.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--all", "include_cosmetic", is_flag=True, help="Show cosmetic edits too.")
@pass_app
def diff(
    app: App,
    url: str,
    from_n: int | None,
    to_n: int | None,
    side_by_side: bool,
    context: int,
    as_json: bool,
    include_cosmetic: bool,
) -> None:
    """Show what changed between two versions of an article."""
    from watcher.diff import diff_articles

    target = _article_url(app, url)
    store = app.store()
    latest = store.latest_version(target)
    if latest is None:
        raise UnknownArticle(f"{target} has no versions yet (run `watcher check {target}`)")
    new = store.get_version(target, to_n if to_n is not None else latest.number)
    if from_n is None and new.number == 1:
        raise BadInput(f"{target} has only one version; nothing to compare")
    old = store.get_version(target, from_n if from_n is not None else new.number - 1)
    changes = diff_articles(old.article, new.article)
    if as_json:
        result = CheckResult(
            url=target,
            status="changed" if changes.edits else "unchanged",
            checked_at=new.captured_at,
            version=new.number,
            flags=changes.flags,
            edits=changes.visible_edits(include_cosmetic),
        )
        app.env.print_json(result.to_json())
        return
    from watcher.render.edits import render_diff

    app.env.out.print(
        render_diff(old, new, changes, context=context, side_by_side=side_by_side, include_cosmetic=include_cosmetic)
    )


# --- the scheduler --------------------------------------------------------------------------------


@cli.command()
@click.option("--dashboard", is_flag=True, help="A live terminal dashboard instead of log lines.")
@click.option("--json", "as_json", is_flag=True, help="Check results as JSON lines.")
@click.option(
    "--max-checks",
    type=click.IntRange(1),
    default=None,
    hidden=True,
    help="Stop after this many checks (benchmarks and tests).",
)
@pass_app
def run(app: App, dashboard: bool, as_json: bool, max_checks: int | None) -> None:
    """Check articles on their schedule and poll followed feeds until stopped (Ctrl-C or SIGTERM)."""
    from watcher.app.live import run_monitor

    store = app.store()  # a missing folder is a typo: running it would wait forever on nothing
    with store.run_lock():
        run_monitor(
            app, dashboard=dashboard and app.env.interactive and not as_json, as_json=as_json, max_checks=max_checks
        )


# --- sharing ------------------------------------------------------------------------------------


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--since", default=None, help="Window back from now, e.g. 7d (default 7d).")
@click.option("--from", "from_date", default=None, help="Window start (ISO date or time).")
@click.option("--to", "to_date", default=None, help="Window end (ISO date or time).")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json", "atom"]), default="html", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option("--all", "include_cosmetic", is_flag=True, help="Include cosmetic edits.")
@pass_app
def report(
    app: App,
    urls: Sequence[str],
    since: str | None,
    from_date: str | None,
    to_date: str | None,
    tags: Sequence[str],
    fmt: str,
    output: Path | None,
    include_cosmetic: bool,
) -> None:
    """Every edit in a time window, grouped by article: HTML, Markdown, JSON or Atom."""
    from watcher.report.collect import build_report

    if since and (from_date or to_date):
        raise BadInput("use either --since or --from/--to, not both")
    start, end, window = _window(since, from_date, to_date)
    targets = [_article_url(app, u) for u in urls]
    text = build_report(
        app.store(),
        urls=targets,
        tags=list(tags),
        start=start,
        end=end,
        window=window,
        fmt=fmt,
        include_cosmetic=include_cosmetic,
    )
    _write_output(app, text, output)


def _window(
    since: str | None, from_date: str | None, to_date: str | None
) -> tuple[datetime | None, datetime | None, str]:
    now = utcnow()
    if from_date or to_date:
        start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
        if end is not None and len(to_date.strip()) == 10:
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


@cli.command()
@click.argument("url")
@click.option("--version", "number", type=int, default=None, help="The version whose change to show (default: latest).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PNG file.")
@pass_app
def card(app: App, url: str, number: int | None, output: Path) -> None:
    """A PNG image of one version change, for posting."""
    from watcher.report.collect import render_card

    target = _article_url(app, url)
    if not output.parent.is_dir():  # say so before spending seconds on a browser
        raise BadInput(f"cannot write {output}: {output.parent} is not a folder")

    async def go() -> bytes:
        async with app.fetcher() as fetcher:
            return await render_card(app.store(), target, number, fetcher)

    import asyncio

    png = asyncio.run(go())
    try:
        output.write_bytes(png)
    except OSError as exc:
        raise BadInput(f"cannot write {output}: {exc.strerror}") from None
    app.env.info(f"wrote {output}")


@cli.command("notify-test")
@pass_app
def notify_test(app: App) -> None:
    """Send a sample notification to every configured target."""
    from watcher.notify import send_test

    if not app.config.notify:
        raise BadInput("no notification targets configured ([[notify]] in the config)")
    failed = 0
    for url, ok, error in send_test(app.config.notify):
        app.env.info(f"{'ok    ' if ok else 'FAILED'} {url}{'' if ok else ': ' + str(error)}")
        failed += not ok
    if failed:
        sys.exit(ExitStatus.CHECK_FAILED)


@cli.command()
@click.option(
    "--keep-raw",
    "keep_raw",
    type=click.IntRange(0),
    required=True,
    metavar="DAYS",
    help="Keep raw HTML this many days; extracted versions are always kept.",
)
@pass_app
def prune(app: App, keep_raw: int) -> None:
    """Drop raw HTML older than DAYS (every extracted version is kept)."""
    cutoff = utcnow() - timedelta(days=keep_raw)
    dropped = app.store().prune_raw(cutoff)
    app.env.info(f"dropped raw HTML of {dropped} versions older than {keep_raw} days")


@cli.command()
@click.option(
    "--duration", type=click.FloatRange(5, 3600), default=75.0, show_default=True, help="Seconds the demo runs."
)
@click.option("--no-dashboard", is_flag=True, help="Log lines instead of the live dashboard.")
@click.pass_context
def demo(ctx: click.Context, duration: float, no_dashboard: bool) -> None:
    """A local newsroom edits its stories while watcher watches them live (uses a temporary data folder)."""
    from watcher.app.demo import run_demo

    app: App = ctx.obj
    explicit = ctx.parent.get_parameter_source("data_dir") != click.core.ParameterSource.DEFAULT
    code = run_demo(
        app, duration=duration, keep_data_dir=app.data_dir if explicit else None, dashboard=not no_dashboard
    )
    sys.exit(code)


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Entry point: run the command, turning every known error into one line and an exit code."""
    env = env or Environment()
    try:
        cli.main(args=argv, obj=env, standalone_mode=False, prog_name="watcher")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        env.error(exc.format_message())
        sys.exit(ExitStatus.BAD_INPUT)
    except click.exceptions.Abort:
        env.error("aborted")
        sys.exit(130)
    except WatcherError as exc:
        env.error(str(exc))
        sys.exit(exc.exit_status)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        if os.environ.get("WATCHER_DEBUG"):
            raise
        env.error(f"internal error: {type(exc).__name__}: {exc} (set WATCHER_DEBUG=1 for details)")
        sys.exit(ExitStatus.CHECK_FAILED)
    sys.exit(ExitStatus.OK)
