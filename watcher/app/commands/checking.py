"""Fetching pages: check, extract, reextract and the scheduler (run)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from watcher.app.commands import json_option, match_option, targets
from watcher.app.context import App, pass_app
from watcher.errors import BadInput, ExitStatus
from watcher.labels import copy_service, plural
from watcher.models import CheckResult, shown_edits


@click.command()
@click.argument("urls", nargs=-1)
@match_option
@click.option("--tag", "tags", multiple=True, help="Every article with this tag (repeatable: any of them).")
@json_option("One JSON object per article per line.")
@click.option("--all", "include_cosmetic", is_flag=True, help="Show cosmetic edits too.")
@click.option("-v", "--verbose", is_flag=True, help="A line for every article, unchanged ones too, and a table.")
@click.option("--no-notify", is_flag=True, help="Do not send the configured notifications for what this check finds.")
@pass_app
def check(
    app: App,
    urls: Sequence[str],
    match: str | None,
    tags: Sequence[str],
    as_json: bool,
    include_cosmetic: bool,
    verbose: bool,
    no_notify: bool,
) -> None:
    """Snapshot articles now, compare with the last version, store and print what changed.

    Prints changes and errors; unchanged articles are counted in one closing line (-v lists them).
    """
    chosen = targets(app, urls, match)
    if tags:
        tagged = [a.url for a in app.store().list_articles() if set(a.tags) & set(tags)]
        if not tagged:
            raise BadInput(f"no watched article is tagged {', '.join(tags)}")
        chosen += [u for u in tagged if u not in chosen]
    if not urls and match is None and not tags:
        chosen = [a.url for a in app.store().list_articles()]
    if not chosen:
        raise BadInput("nothing to check: watch an article first with `watcher add URL`")
    import asyncio  # here, not at the top: read-only commands start 50 ms faster without it

    results = asyncio.run(_check_all(app, chosen, as_json, include_cosmetic, verbose, notify=not no_notify))
    if not as_json:
        from watcher.render.edits import check_summary

        if verbose and len(results) > 1:
            from watcher.render.tables import summary_table

            app.env.out.print(summary_table(results))
        if len(results) > 1:  # one article's block already says what happened to it
            app.env.out.print(check_summary(results, include_cosmetic=include_cosmetic))
    if any(r.status == "error" for r in results):
        sys.exit(ExitStatus.CHECK_FAILED)


def _worth_showing(result: CheckResult, include_cosmetic: bool) -> bool:
    """Changes and errors are printed in full; an unchanged check (or one with hidden edits only) is counted."""
    if result.status == "unchanged":
        return bool(result.note)  # a change seen but not stored says why, in words
    if result.status == "changed" and not shown_edits(result.edits, include_cosmetic):
        return False
    return True


async def _check_all(
    app: App, urls: list[str], as_json: bool, include_cosmetic: bool, verbose: bool, notify: bool = True
) -> list[CheckResult]:
    import asyncio

    from rich.progress import Progress

    from watcher.errors import StoreError
    from watcher.monitor.check import check_article, failed
    from watcher.render.edits import render_check

    results: list[CheckResult] = []
    from watcher.notify.notifier import notify_result
    from watcher.untrusted import visible

    store = app.store(write=True)
    notifier = app.runtime.notifier(app.env.info) if notify else None
    machine = app.runtime.machine_summaries(app.env.info)
    copier = app.runtime.copier(app.env.info)

    def emit(result: CheckResult) -> None:
        results.append(result)
        if copier is not None:
            copier.submit(result)  # before notifying: a notification sent later can carry the copies
        notify_result(notifier, store, result)
        if machine is not None:
            machine.submit(result)
        if as_json:
            app.env.print_json(result.to_json())
        elif verbose or _worth_showing(result, include_cosmetic) or len(urls) == 1:
            app.env.out.print(render_check(result, include_cosmetic=include_cosmetic))

    async with app.fetcher() as fetcher:
        svc = app.services(fetcher)
        show = app.env.interactive and not as_json and len(urls) > 1
        # The bar is drawn on the console the results are printed to (shown only when that is a terminal):
        # rich then prints each result above the bar; on stderr the bar ran into the result lines.
        with Progress(console=app.env.out, disable=not show, transient=True) as progress:
            task = progress.add_task("checking", total=len(urls))
            limit = asyncio.Semaphore(max(1, app.config.fetch.concurrency))

            async def one(url: str) -> None:
                async with limit:
                    try:
                        result = await check_article(url, svc)
                    except StoreError:
                        raise  # the store cannot be written: no check can be kept, said in one line
                    except Exception as exc:  # one article's failure is its own: the others are still checked
                        result = await asyncio.to_thread(failed, svc, url, exc)
                progress.advance(task)
                emit(result)

            try:
                await asyncio.gather(*(one(u) for u in urls))
            finally:
                if notifier is not None:
                    # A one-off check waits for its deliveries (the webhook's own timeout bounds each one).
                    timeout = max(t.timeout * (t.retries + 1) for t in app.config.notify)
                    await asyncio.to_thread(notifier.close, timeout)
    if copier is not None:
        # The checks are done and printed; the copies made within [copies] wait follow them, the rest are
        # asked for again by the next check or run.
        for copy in await asyncio.to_thread(copier.close, app.config.copies.wait):
            if not as_json:
                service = copy_service(copy["service"])
                line = f"archived copy of v{copy['version']} {copy['page']} ({service}): {copy['url']}"
                app.env.out.print(visible(line), markup=False, highlight=False, soft_wrap=True)
    if machine is not None:
        # The checks are done and printed; the answers that come within the endpoint's timeout follow them.
        for entry in await asyncio.to_thread(machine.close, app.config.summary.llm_timeout):
            if not as_json:
                line = f"machine-written summary of v{entry.version} {entry.url} ({entry.model}): {entry.text}"
                app.env.out.print(visible(line), markup=False, highlight=False, soft_wrap=True)
    return results


@click.command()
@click.argument("url")
@json_option()
@click.option("--explain", is_flag=True, help="Where each field came from and why other candidates lost.")
@pass_app
def extract(app: App, url: str, as_json: bool, explain: bool) -> None:
    """Fetch a page once and print the article watcher would track (for writing site rules)."""
    from watcher.extract import extract as extract_article
    from watcher.urls import normalize_url

    target = normalize_url(url)

    async def go():
        async with app.fetcher() as fetcher:
            return await fetcher.fetch(target)

    import asyncio

    snapshot = asyncio.run(go())
    if not explain:
        article = extract_article(snapshot.html, snapshot.final_url, app.config.sites)
        if as_json:
            # Added field: the text a check leaves out of comparison (learned volatile, host chrome, ignore rules).
            app.env.print_json({**article.to_dict(), "volatile": _volatile_of(app, target, article)})
            return
        from watcher.render.tables import article_panel

        app.env.out.print(article_panel(article, when=app.long_time))
        return
    from watcher.app.explain import explain_page

    found, report = explain_page(snapshot.html, snapshot.final_url, app.config.sites)
    if as_json:
        app.env.print_json({**(found.to_dict() if found else {}), "explain": report.to_json()})
    else:
        if found is not None:
            from watcher.render.tables import article_panel

            app.env.out.print(article_panel(found, when=app.long_time))
        app.env.out.print(report.renderable())
    if report.error is not None:
        raise report.error


def _volatile_of(app: App, url: str, article) -> list[str]:
    """The paragraphs a check of this watched URL masks from comparison (none for an unwatched URL)."""
    from watcher.diff.volatile import apply_mask
    from watcher.errors import StoreError
    from watcher.monitor.masking import HostBodies, build_mask

    try:
        store = app.store()
        watched = store.get_article(url)
    except (StoreError, BadInput, KeyError):
        return []
    return apply_mask(article, build_mask(app.config, watched, article.body, HostBodies(), store))[1]


@click.command()
@click.argument("url", required=False)
@match_option
@pass_app
def reextract(app: App, url: str | None, match: str | None) -> None:
    """Rebuild an article's versions from its stored raw HTML with the current extraction rules."""
    from watcher.monitor.masking import HostBodies
    from watcher.monitor.reextract import rebuild_versions, stored_reader

    (target,) = targets(app, [url] if url else [], match, one=True)
    store = app.store(write=True)
    versions = store.list_versions(target)
    with_raw = sum(1 for v in versions if store.get_html(v) is not None)
    if not with_raw:
        raise BadInput(
            f"{target}: {'its one version has no' if len(versions) == 1 else f'none of its {len(versions)} versions has'}"
            " raw HTML left (pruned?); nothing to re-extract"
        )
    count = rebuild_versions(store, target, stored_reader(app.config, store.get_article(target), HostBodies(), store))
    app.env.info(
        f"re-extracted {target}: {with_raw} of {len(versions)} versions had raw HTML; {plural(count, 'version')} now"
        + ("" if with_raw == len(versions) else " (the others keep the text extracted when they were captured)")
    )


@click.command()
@click.option("--dashboard", is_flag=True, help="A live terminal dashboard instead of log lines.")
@json_option("Check results as JSON lines.")
@click.option(
    "--max-checks",
    type=click.IntRange(1),
    default=None,
    hidden=True,
    help="Stop after this many checks (benchmarks and tests).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every check, unchanged ones too.")
@pass_app
def run(app: App, dashboard: bool, as_json: bool, max_checks: int | None, verbose: bool) -> None:
    """Check articles on their schedule and poll followed feeds until stopped (Ctrl-C or SIGTERM)."""
    from watcher.app.live import run_monitor

    store = app.store()  # a missing folder is a typo: running it would wait forever on nothing
    with store.run_lock():
        if dashboard and app.env.interactive and not as_json:
            from watcher.app.dashboard import run_dashboard

            return run_dashboard(app, run_checks=True, max_checks=max_checks)
        run_monitor(
            app,
            dashboard=dashboard and app.env.interactive and not as_json,
            as_json=as_json,
            max_checks=max_checks,
            verbose=verbose,
        )


COMMANDS = [check, extract, reextract, run]
