"""`watcher dashboard`: the interactive dashboard over the store, read-only, refreshing as others write."""

from __future__ import annotations

import click

from watcher.app.context import App, pass_app
from watcher.errors import BadInput


@click.command()
@pass_app
def dashboard(app: App) -> None:
    """An interactive terminal dashboard over the store (`watcher run --dashboard` also runs the checks)."""
    from watcher.app.dashboard import run_dashboard

    if not app.env.interactive:
        raise BadInput("the dashboard needs a terminal; use `watcher list` or `watcher report` in scripts")
    run_dashboard(app, run_checks=False)


COMMANDS = [dashboard]
