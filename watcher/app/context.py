"""What every command needs: the environment, the data folder and the config, opened on demand."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from watcher.app.console import Environment
from watcher.config import Config, load_config
from watcher.errors import BadInput

if TYPE_CHECKING:
    from watcher.app.articles import Resolver
    from watcher.fetch.robots import RobotsGuard
    from watcher.monitor.check import Services
    from watcher.store import Store

DEFAULT_DATA_DIR = "snapshots"
CONFIG_NAME = "watcher.toml"


class App:
    """The composition root's state: only here are the Playwright fetcher and the store chosen."""

    def __init__(self, env: Environment, data_dir: Path, config_path: Path | None, *, store_url: str | None = None):
        self.env = env
        self.data_dir = data_dir
        self.store_url = store_url or None  # a shared store (postgresql://...) instead of the data folder
        self._config_path = config_path
        self._config: Config | None = None
        self._store: Store | None = None
        self._robots: RobotsGuard | None = None
        self.tz: tzinfo | None = None  # the zone times are shown in to people; None: this machine's local zone

    @property
    def config(self) -> Config:
        if self._config is None:
            path = self._config_path
            if path is None and (self.data_dir / CONFIG_NAME).is_file():
                path = self.data_dir / CONFIG_NAME
            self._config = load_config(path)
        return self._config

    def store(self, *, write: bool = False) -> Store:
        """The store; reads of a data folder that does not exist fail instead of creating it."""
        # A broken config is reported by every command, not only by those that read a setting from it.
        self.config  # noqa: B018
        shared = self.store_url or self.config.store.url
        if self._store is None and shared:
            from watcher.store import open_store

            self._store = open_store(shared, check_log_size=self.config.trust.check_log_size)
        if self._store is None:
            if not write and not self.data_dir.is_dir():
                raise BadInput(f"data folder {self.data_dir} does not exist (add an article first, or pass --data-dir)")
            from watcher.store import open_store

            self._store = open_store(self.data_dir)
        return self._store

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
        """Where [archive] warc keeps the rolling WARC files, None when it is off."""
        archive = self.config.archive
        if not archive.warc:
            return None
        return Path(archive.folder).expanduser() if archive.folder else self.data_dir / "warc"

    def services(self, fetcher) -> Services:
        from watcher.monitor.check import Services

        return Services(
            fetcher=fetcher,
            store=self.store(write=True),
            config=self.config,
            archive_dir=self.archive_dir(),
            http=self.http_fetcher(fetcher) if fetcher is not None else None,
        )

    def http_fetcher(self, browser):
        """The raw-HTML fetcher beside the browser (fast checks, [fetch] mode): its robots.txt and per-host
        turns are the browser's, so a pre-check and the render after it keep the host's delay between them."""
        if self.config.fetch.mode == "browser" and not any(site.mode for site in self.config.sites):
            return None
        from watcher.fetch.http_pages import HTTPFetcher

        http = HTTPFetcher(self.config.fetch)
        http.robots = getattr(browser, "robots", http.robots)
        hosts = getattr(browser, "_hosts", None)
        if isinstance(hosts, dict):
            http._hosts = hosts
        return http

    def fetcher(self):
        from watcher.fetch import Fetcher

        fetcher = Fetcher(self.config.fetch)
        fetcher._handle.idle_after = self.config.fetch.browser_idle  # started on the first render, closed when idle
        if fetcher.robots is not None:
            fetcher.robots = self.robots()
        return fetcher

    def robots(self) -> RobotsGuard | None:
        """robots.txt as this process honours it ([fetch] robots, [[sites]] robots = false); None when off."""
        if not self.config.fetch.robots:
            return None
        if self._robots is None:
            from watcher.fetch.robots import RobotsGuard

            exempt = {site.domain for site in self.config.sites if not site.robots}
            self._robots = RobotsGuard(exempt, settings=self.config.fetch)
        return self._robots


pass_app = click.pass_obj
