"""The commands of `watcher`, one module per kind of work; watcher.app.cli registers them on the group."""

from __future__ import annotations

from collections.abc import Sequence

import click

from watcher.app.context import App

match_option = click.option(
    "--match",
    "match",
    default=None,
    metavar="TEXT",
    help="The watched article(s) whose headline contains TEXT.",
)


def targets(app: App, refs: Sequence[str], match: str | None, *, one: bool = False) -> list[str]:
    """Stored URLs for what the user typed: URLs, ids from `watcher list`, unique prefixes, --match TEXT."""
    return app.resolver().targets(refs, match, one=one)
