"""The `watcher` commands, one module per kind of work, and the options they share; watcher.app.cli registers them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from watcher.app.context import App
from watcher.errors import UnknownArticle
from watcher.models import CLASSES, EVENTS, FLAGS, Version

F = TypeVar("F", bound=Callable[..., Any])

match_option = click.option(
    "--match",
    "match",
    default=None,
    metavar="TEXT",
    help="The watched article(s) whose headline contains TEXT.",
)

# The research filters (models.marked), one spelling for `list` and `report`: repeatable, any of them.
class_option = click.option(
    "--class",
    "classes",
    multiple=True,
    type=click.Choice(CLASSES),
    help="Only changes with an edit of this class (repeatable: any of them).",
)
flag_option = click.option(
    "--flag",
    "flags",
    multiple=True,
    type=click.Choice(list(dict.fromkeys([*FLAGS, *EVENTS]))),
    help="Only changes with this flag or event, e.g. correction_notice, stealth, removed (repeatable).",
)


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click decorators as one, in the order they would be stacked above a command."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def json_option(help: str = "Machine-readable output.") -> Callable[[F], F]:
    """--json, which every read command has (README, "JSON output"); the command gets it as `as_json`."""
    return click.option("--json", "as_json", is_flag=True, help=help)


# A file named on the command line: an existing folder is refused as the command line is read.
FILE = click.Path(dir_okay=False, path_type=Path)


def file_option(*names: str, help: str, multiple: bool = False) -> Callable[[F], F]:
    """An option naming a FILE the command reads or writes (None, or () with multiple, when not given)."""
    return click.option(*names, type=FILE, multiple=multiple, help=help)


def output_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    """-o/--output FILE: the file a command writes (an existing folder is refused as the command line is read)."""
    return click.option("-o", "--output", type=FILE, required=required, help=help)


# The languages of the labels a command writes: auto is each story's own (and the reader's browser's, on the web).
LANG_MODES = ("auto", "en", "zh-Hant")


def lang_option(default: str, help: str) -> Callable[[F], F]:
    """--lang: the language of the labels a command writes (a story's own text keeps its language)."""
    return click.option("--lang", type=click.Choice(LANG_MODES), default=default, show_default=True, help=help)


def seconds_option(name: str, low: float, high: float, default: float, help: str) -> Callable[[F], F]:
    """A duration in seconds, bounded so a typo (0, or minutes meant as hours) is refused as it is read."""
    return click.option(name, type=click.FloatRange(low, high), default=default, show_default=True, help=help)


def targets(app: App, refs: Sequence[str], match: str | None, *, one: bool = False) -> list[str]:
    """Stored URLs for what the user typed: URLs, ids from `watcher list`, unique prefixes, --match TEXT."""
    return app.resolver().targets(refs, match, one=one)


def stored_version(app: App, url: str, number: int | None) -> Version:
    """Version `number` of a watched article (None: its latest); a one-line error when it has none yet."""
    store = app.store()
    if number is None:
        latest = store.latest_version(url)
        if latest is None:
            raise UnknownArticle(f"{url} has no versions yet (run `watcher check {url}`)")
        return latest
    return store.get_version(url, number)
