"""What every command needs: the environment, the data folder and the config, opened on demand."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from watcher.app.console import Environment
from watcher.config import Config, load_config

if TYPE_CHECKING:
    from watcher.app.articles import Resolver
    from watcher.fetch.polite import Polite
    from watcher.fetch.robots import RobotsGuard
    from watcher.monitor.services import Services
    from watcher.runtime import Runtime
    from watcher.store import Store

DEFAULT_DATA_DIR = "snapshots"
CONFIG_NAME = "watcher.toml"


class App:
    """What a command is given: the environment, where the data lives, and the running parts, built on first
    use by the one composition root (watcher/runtime.py) so every front end wires them the same way."""

    def __init__(self, env: Environment, data_dir: Path, config_path: Path | None, *, store_url: str | None = None):
        self.env = env
        self.data_dir = data_dir
        self.store_url = store_url or None  # a shared store (postgresql://...) instead of the data folder
        self._config_path = config_path
        self._runtime: Runtime | None = None
        self.tz: tzinfo | None = None  # the zone times are shown in to people; None: this machine's local zone

    @property
    def runtime(self) -> Runtime:
        """The running parts, from the config (--config, else the data folder's watcher.toml) and the store."""
        if self._runtime is None:
            from watcher.runtime import Runtime

            path = self._config_path
            if path is None and (self.data_dir / CONFIG_NAME).is_file():
                path = self.data_dir / CONFIG_NAME
            self._runtime = Runtime(load_config(path), data_dir=self.data_dir, store_url=self.store_url)
        return self._runtime

    @property
    def config(self) -> Config:
        return self.runtime.config

    def store(self, *, write: bool = False) -> Store:
        """The store; reads of a data folder that does not exist fail instead of creating it."""
        # A broken config is reported by every command, not only by those that read a setting from it.
        return self.runtime.store(write=write)

    @property
    def zone(self) -> tzinfo:
        """Where times shown to people are: --tz, else the config's display.tz, else local (TZ)."""
        if self.tz is None:
            from watcher.times import zone

            self.tz = zone(getattr(getattr(self.config, "display", None), "tz", None))
        return self.tz

    def short_time(self, moment: datetime | None) -> str:
        """A table cell: month, day and minute in the display zone, with the year when it is not this year."""
        from watcher.times import short_time_in

        return short_time_in(moment, self.zone)

    def long_time(self, moment: datetime | None) -> str:
        """A moment in full for people, with its zone."""
        from watcher.times import display_time_in

        return display_time_in(moment, self.zone)

    def resolver(self) -> Resolver:
        """Names of watched articles (ids, prefixes, headline matches), from the store as it is now."""
        from watcher.app.articles import Resolver

        return Resolver(self.store().list_articles())

    def archive_dir(self) -> Path | None:
        """Where [archive] warc keeps the rolling WARC files, None when it is off (the composition root's)."""
        return self.runtime.archive_dir

    def services(self, fetcher: Any) -> Services:
        """A check's parts around `fetcher`, as the composition root builds them."""
        return self.runtime.services(fetcher)

    def fetcher(self) -> Polite:
        """The page fetcher, as the composition root builds it."""
        return self.runtime.fetcher()

    def robots(self) -> RobotsGuard | None:
        """robots.txt as this process honours it ([fetch] robots, [[sites]] robots = false); None when off."""
        return self.runtime.robots()


pass_app = click.pass_obj
