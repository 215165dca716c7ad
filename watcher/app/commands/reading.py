"""Reading what is stored: history, diff and show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from watcher.app.commands import match_option, stored_version, targets
from watcher.app.context import App, pass_app
from watcher.errors import BadInput, UnknownArticle
from watcher.models import CheckRecord, CheckResult, Version, VersionDiff

if TYPE_CHECKING:
    from watcher.machine_summary import MachineSummary

# The JSON of the read commands, one function each, so the web view's API answers in the same shapes.


def checks_json(records: Sequence[CheckRecord]) -> list[dict[str, Any]]:
    """`history --checks --json`: the check log, oldest first."""
    from watcher.times import iso

    return [
        {
            "checked_at": iso(r.checked_at),
            "status": r.status,
            "version": r.version,
            "http_status": r.http_status,
            "duration": r.duration,
            "error": r.error,
            "flags": list(r.flags),
            # Added field: the pages' own requests by kind (third-party; refused: popup, download...).
            "requests": dict(r.requests),
        }
        for r in records
    ]


def history_json(
    versions: Sequence[Version],
    learned: set[str],
    include_cosmetic: bool,
    machine: Mapping[int, MachineSummary] | None = None,
) -> list[dict[str, Any]]:
    """`history --json`: one Version.to_json() per version plus what history adds; `learned` are the article's
    volatile block keys, `machine` its machine-written summaries by version."""
    from watcher.diff.volatile import volatile_key
    from watcher.models import top_class
    from watcher.render.timeline import redirect_target, reverted_to, version_summary

    out = []
    for n, v in enumerate(versions):
        entry = v.to_json()
        entry["class"] = top_class(v.edits)
        entry["summary"] = version_summary(v, versions[:n], include_cosmetic)
        entry["reverted_to"] = reverted_to(v, versions[:n]) if v.event == "revert" else None
        entry["redirected_to"] = redirect_target(v) if v.event == "redirected" else None
        # Added field: this version's blocks that comparison leaves out (learned to change on every load).
        entry["volatile"] = [p for p in v.article.body if volatile_key(p) in learned]
        # Added fields: the edits' intents, and a language model's summary when one was asked for.
        entry["intents"] = sorted({e.intent for e in v.edits if e.intent})
        if machine and v.number in machine:
            entry["machine_summary"] = machine[v.number].to_json()
        out.append(entry)
    return out


def show_json(url: str, version: Version) -> dict[str, Any]:
    """`show --json`: one stored version in full."""
    from watcher.times import iso

    return {
        "url": url,
        "version": version.number,
        "captured_at": iso(version.captured_at),
        "event": version.event,
        "flags": list(version.flags),
        "article": version.article.to_dict(),
        "source": version.source_name,  # added field: "http" (read from the raw HTML) or "browser"
    }


def diff_json(url: str, new: Version, changes: VersionDiff, include_cosmetic: bool) -> dict[str, Any]:
    """`diff --json`: the check contract for the two versions compared."""
    result = CheckResult(
        url=url,
        status="changed" if changes.edits else "unchanged",
        checked_at=new.captured_at,
        version=new.number,
        flags=changes.flags,
        edits=changes.visible_edits(include_cosmetic),
        source=new.source_name,  # the newer version's, as report JSON gives it
    )
    return result.to_json()


def _one(app: App, url: str | None, match: str | None) -> str:
    (target,) = targets(app, [url] if url else [], match, one=True)
    return target


@click.command()
@click.argument("url", required=False)
@match_option
@click.option("--checks", is_flag=True, help="The check log instead: every recent check, with its errors.")
@click.option("--all", "include_cosmetic", is_flag=True, help="Count cosmetic edits in the summaries too.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def history(app: App, url: str | None, match: str | None, checks: bool, include_cosmetic: bool, as_json: bool) -> None:
    """The versions of one article as a timeline: class, flags and what each changed (--checks: the check log)."""
    from watcher.render.timeline import checks_table, history_timeline

    target = _one(app, url, match)
    store = app.store()
    if checks:
        records = store.recent_checks(target)
        if as_json:
            app.env.print_json(checks_json(records))
            return
        if not records:
            app.env.info(f"{target} has not been checked yet")
            return
        app.env.out.print(checks_table(records, app.short_time))
        return
    versions = store.list_versions(target)
    learned = set(store.get_article(target).volatile)
    from watcher.machine_summary import SummaryCache

    machine = SummaryCache(app.data_dir).for_article(target)
    if as_json:
        app.env.print_json(history_json(versions, learned, include_cosmetic, machine))
        return
    if not versions:
        app.env.info(f"{target} has no versions yet (run `watcher check {app.resolver().id_of(target)}`)")
        return
    app.env.out.print(history_timeline(versions, app.short_time, include_cosmetic))
    from watcher.labels import copy_line
    from watcher.render.text import safe_text

    for version in versions:
        for copy in version.copies:
            app.env.out.print(safe_text(f"v{version.number} {copy_line(copy)}"), soft_wrap=True)
    for number, written in sorted(machine.items()):
        from watcher.render.text import safe_text

        app.env.out.print(safe_text(f"v{number} machine-written summary ({written.model}): {written.text}"))
    if learned:
        from watcher.render.text import safe_text

        app.env.out.print(
            safe_text("volatile (changes on every load, left out of comparison): " + "; ".join(sorted(learned)))
        )
    from watcher.monitor.precheck import describe

    app.env.out.print(describe(app.config, store.get_article(target)))


@click.command()
@click.argument("url", required=False)
@match_option
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
    url: str | None,
    match: str | None,
    from_n: int | None,
    to_n: int | None,
    side_by_side: bool,
    context: int,
    as_json: bool,
    include_cosmetic: bool,
) -> None:
    """Show what changed between two versions of an article."""
    from dataclasses import replace

    from watcher.diff import diff_articles

    target = _one(app, url, match)
    store = app.store()
    latest = store.latest_version(target)
    if latest is None:
        raise UnknownArticle(f"{target} has no versions yet (run `watcher check {target}`)")
    new = store.get_version(target, to_n if to_n is not None else latest.number)
    if from_n is None and new.number == 1:
        raise BadInput(f"{target} has only one version; nothing to compare")
    old = store.get_version(target, from_n if from_n is not None else new.number - 1)
    damaged = [v for v in (old, new) if v.damage]
    for v in damaged:
        app.env.info(f"warning: v{v.number} of {target}: {v.damage}; see `watcher doctor`")
    if any(not v.article.body and not v.article.captions for v in damaged):
        # Lost text is not deleted text: compare headline, dek, byline and dates only.
        old = replace(old, article=replace(old.article, body=[], captions=[]))
        new = replace(new, article=replace(new.article, body=[], captions=[]))
    # Compared as a check compares them: text learned volatile since the older version was stored stays out.
    from watcher.diff.volatile import apply_mask
    from watcher.monitor.masking import HostBodies, build_mask

    mask = build_mask(app.config, store.get_article(target), new.article.body, HostBodies(), store)
    old = replace(old, article=apply_mask(old.article, mask)[0])
    new = replace(new, article=apply_mask(new.article, mask)[0])
    changes = diff_articles(old.article, new.article)
    if as_json:
        app.env.print_json(diff_json(target, new, changes, include_cosmetic))
        return
    from watcher.render.edits import render_diff

    app.env.out.print(
        render_diff(
            old,
            new,
            changes,
            context=context,
            side_by_side=side_by_side,
            include_cosmetic=include_cosmetic,
            when=app.long_time,
        )
    )


@click.command()
@click.argument("url", required=False)
@match_option
@click.option("--version", "number", type=int, default=None, help="Version number (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="The stored article as JSON.")
@click.option("--raw", is_flag=True, help="The page's raw HTML as captured, when it is still kept.")
@pass_app
def show(app: App, url: str | None, match: str | None, number: int | None, as_json: bool, raw: bool) -> None:
    """Print one stored version in full: headline, byline, dates, every paragraph and caption."""
    target = _one(app, url, match)
    store = app.store()
    version = stored_version(app, target, number)
    if raw:
        html = store.get_html(version)
        if html is None:
            raise BadInput(f"v{version.number} of {target} has no raw HTML left (pruned, or never kept)")
        if app.env.interactive:  # a terminal would act on escape sequences in the page; a file or pipe gets it as kept
            from watcher.untrusted import without_controls

            html = without_controls(html)
        app.env.stdout.write(html if html.endswith("\n") else html + "\n")
        return
    if as_json:
        app.env.print_json(show_json(target, version))
        return
    from rich.text import Text

    from watcher.labels import SOURCE_WORDS
    from watcher.render.tables import article_panel

    when = f"v{version.number} · {SOURCE_WORDS[version.source_name]} · captured {app.long_time(version.captured_at)}"
    if version.event:
        when += f" · {version.event}"
    app.env.out.print(Text(when, style="diff.label"))
    app.env.out.print(article_panel(version.article, when=app.long_time))


COMMANDS = [history, diff, show]
