"""Reading what is stored: history, diff and show."""

from __future__ import annotations

import click

from watcher.app.commands import match_option, targets
from watcher.app.context import App, pass_app
from watcher.errors import BadInput, UnknownArticle
from watcher.models import CheckResult


def _one(app: App, url: str | None, match: str | None) -> str:
    (target,) = targets(app, [url] if url else [], match, one=True)
    return target


@click.command()
@click.argument("url", required=False)
@match_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def history(app: App, url: str | None, match: str | None, as_json: bool) -> None:
    """The versions of one article, with events (removed, redirected, restored, revert)."""
    target = _one(app, url, match)
    versions = app.store().list_versions(target)
    if as_json:
        app.env.print_json([v.to_json() for v in versions])
        return
    from watcher.render.tables import history_table

    app.env.out.print(history_table(versions))


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


COMMANDS = [history, diff]
