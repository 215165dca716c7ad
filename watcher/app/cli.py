"""The command line: the `watcher` group, its global options, and the entry point that maps errors to exit codes.

The commands live in watcher.app.commands (one module per kind of work); the state they share (environment,
data folder, config, store, browser) is watcher.app.context.App, the one composition root.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from watcher.app.commands import (
    archiving,
    checking,
    doctor,
    evidence,
    file_option,
    logins,
    reading,
    scaling,
    serving,
    sharing,
    watching,
)
from watcher.app.console import Environment
from watcher.app.context import CONFIG_NAME, DEFAULT_DATA_DIR, App, pass_app
from watcher.app.dashboard import command as dashboard_command
from watcher.errors import ExitStatus, WatcherError

__all__ = ["App", "cli", "main", "pass_app"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WATCHER_DATA_DIR",
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Folder holding the store.",
)
@click.option(
    "--store",
    "store_url",
    envvar="WATCHER_STORE",
    default=None,
    metavar="URL",
    help="A shared store instead of the data folder: postgresql://user:password@host/db (README, Scaling out).",
)
@file_option(
    "--config",
    "config_path",
    help=f"TOML config (default: DATA_DIR/{CONFIG_NAME} if present).",
)
@click.option(
    "--tz",
    "tz_name",
    default=None,
    metavar="ZONE",
    help="Time zone for times shown to people, e.g. Asia/Taipei or UTC (default: config, then TZ, then local). "
    "JSON is always UTC.",
)
@click.version_option(package_name="watcher")
@click.pass_context
def cli(
    ctx: click.Context, data_dir: Path, store_url: str | None, config_path: Path | None, tz_name: str | None
) -> None:
    """Track edits to news articles: snapshot with a real browser, extract the story, diff the versions."""
    env = ctx.obj if isinstance(ctx.obj, Environment) else Environment()
    ctx.obj = App(env, data_dir, config_path, store_url=store_url)
    if tz_name is not None:
        from watcher.times import zone

        ctx.obj.tz = zone(tz_name)
    if ctx.invoked_subcommand is None:
        # Bare `watcher` is a request for help, not a mistake.
        env.out.print(ctx.get_help(), markup=False, highlight=False)
        ctx.exit(0)


for _module in (
    watching,
    checking,
    reading,
    sharing,
    scaling,
    dashboard_command,
    doctor,
    archiving,
    serving,
    evidence,
    logins,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


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
    except Exception as exc:  # the promise is one line, never a traceback
        if os.environ.get("WATCHER_DEBUG"):
            raise
        env.error(f"internal error: {type(exc).__name__}: {exc} (set WATCHER_DEBUG=1 for details)")
        sys.exit(ExitStatus.CHECK_FAILED)
    sys.exit(ExitStatus.OK)
