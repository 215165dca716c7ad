"""The composition root: the running parts (store, fetchers, robots.txt, WARC archive, notifier) built from a Config and a store location, the same way for every front end.

The command line (app/context.py), the Python API (watcher/api.py), the demo, `watcher worker`, the
dashboard, the web view and the tests all build a check's parts here, so "check as `watcher check`
does" holds everywhere::

    runtime = Runtime(load_config(path), data_dir=Path("snapshots"))
    async with runtime.fetcher() as browser:
        result = await check_article(url, runtime.services(browser))

Nothing here runs a check or starts a browser by itself; it only chooses and connects the parts.
The process's HTTP clients (one pool, connections kept alive between requests) are made here and handed
to the fetchers; the browser fetcher closes them when its `async with` ends, which is where a front
end's work ends, and every fetcher beside it shares them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.config import Config
from watcher.errors import BadInput

if TYPE_CHECKING:
    from watcher.copies import Copier
    from watcher.fetch.http import Pool
    from watcher.fetch.logins import LoginStates
    from watcher.fetch.polite import Polite
    from watcher.fetch.robots import RobotsGuard
    from watcher.machine_summary import MachineSummaries
    from watcher.monitor.services import Services
    from watcher.notify.notifier import Notifier
    from watcher.store import Store


class Runtime:
    """The parts a running watcher is made of, each built once on first use from one Config and one store."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        data_dir: Path | None = None,
        store_url: str | None = None,
        store: Store | None = None,
    ) -> None:
        """`data_dir`: the data folder (the embedded store, and the WARC folder's default home); `store_url`:
        a shared store (postgresql://...) used instead, else the config's [store] url; `store`: one already open."""
        self.config = config or Config()
        self.data_dir = data_dir
        self.store_url = store_url or None
        self._store = store
        self._robots: RobotsGuard | None = None
        self._logins: LoginStates | None = None
        self._http_pool: Pool | None = None

    def store(self, *, write: bool = False) -> Store:
        """The store; reads of a data folder that does not exist fail instead of creating it."""
        if self._store is not None:
            return self._store
        from watcher.store import open_store

        shared = self.store_url or self.config.store.url
        if shared:
            self._store = open_store(shared, check_log_size=self.config.trust.check_log_size)
            return self._store
        if self.data_dir is None:
            raise BadInput("no store: pass a data folder or a store URL")
        if not write and not self.data_dir.is_dir():
            raise BadInput(f"data folder {self.data_dir} does not exist (add an article first, or pass --data-dir)")
        self._store = open_store(self.data_dir)
        return self._store

    def robots(self) -> RobotsGuard | None:
        """robots.txt as this process honours it ([fetch] robots, [[sites]] robots = false); None when off."""
        if not self.config.fetch.robots:
            return None
        if self._robots is None:
            from watcher.fetch.robots import RobotsGuard

            exempt = {site.domain for site in self.config.sites if not site.robots}
            self._robots = RobotsGuard(exempt, settings=self.config.fetch)
        return self._robots

    def fetcher(self) -> Polite:
        """The page fetcher (Chromium): started on the first render, closed after [fetch] browser_idle; use
        it with `async with`."""
        from watcher.fetch.registry import make_fetcher
        from watcher.fetch.screenshot import ScreenshotPolicy

        return make_fetcher(
            "browser",
            self.config.fetch,
            robots=self.robots(),
            idle_after=self.config.fetch.browser_idle,
            logins=self.logins(),
            screenshots=ScreenshotPolicy.from_config(self.config),
            pool=self.http_pool(),
        )

    def logins(self) -> LoginStates | None:
        """The per-site login states saved in the data folder (`watcher login`); None without a data folder."""
        if self.data_dir is None:
            return None
        if self._logins is None:
            from watcher.fetch.logins import FOLDER, LoginStates

            self._logins = LoginStates(self.data_dir / FOLDER)
        return self._logins

    def http_pool(self) -> Pool:
        """The process's HTTP clients: page GETs and the browser's main documents reuse their connections.
        Closed with the fetcher from `fetcher()` (and made afresh if a later one needs them)."""
        if self._http_pool is None:
            from watcher.fetch.http import Pool

            self._http_pool = Pool()
        return self._http_pool

    def http_fetcher(self, browser: Any) -> Polite | None:
        """The raw-HTML fetcher beside the browser (fast checks, [fetch] mode), or None when no article can
        use it: its robots.txt and per-host turns are the browser's, so a pre-check and the render after it
        keep the host's delay between them."""
        if self.config.fetch.mode == "browser" and not any(site.mode for site in self.config.sites):
            return None
        from watcher.fetch.polite import Polite
        from watcher.fetch.registry import make_fetcher

        if isinstance(browser, Polite):
            return make_fetcher("http", self.config.fetch, beside=browser, logins=self.logins())
        # A fetcher of the caller's own (a test's, a library user's): its robots.txt guard if it has one.
        return make_fetcher(
            "http", self.config.fetch, robots=getattr(browser, "robots", self.robots()), logins=self.logins()
        )

    @property
    def archive_dir(self) -> Path | None:
        """Where [archive] warc appends every new version (None: off, or no folder to put it in)."""
        archive = self.config.archive
        if not archive.warc:
            return None
        if archive.folder:
            return Path(archive.folder).expanduser()
        return self.data_dir / "warc" if self.data_dir is not None else None

    def services(self, fetcher: Any, **parts: Any) -> Services:
        """A check's parts around `fetcher` (None: for work that fetches no page, such as following a feed's
        links); `parts` replaces any of the others (a test's clock, the dashboard's tracking fetcher)."""
        from watcher.monitor.services import Services

        built: dict[str, Any] = {
            "fetcher": fetcher,
            "store": self.store(write=True),
            "config": self.config,
            "archive_dir": self.archive_dir,
            "http": self.http_fetcher(fetcher) if fetcher is not None else None,
        }
        return Services(**(built | parts))

    def notifier(self, say: Callable[[str], None]) -> Notifier | None:
        """The notifier for the configured targets (None without any), its outbox in this store."""
        from watcher.notify.notifier import notifier_for

        return notifier_for(self.config, self.store(write=True), say)

    def copier(self, say: Callable[[str], None]) -> Copier | None:
        """The background submitter of third-party copies when [copies] turns a service on (None: off, the
        default); what it cannot finish waits in the store's outbox for the next run."""
        from watcher.copies import copier_for

        return copier_for(self.config, self.store(write=True), say)

    def machine_summaries(self, say: Callable[[str], None]) -> MachineSummaries | None:
        """The background summariser when [summary] names an endpoint (None: off, the default); its answers
        are cached in the data folder."""
        from watcher.machine_summary import summaries_for

        if self.data_dir is None:
            return None
        return summaries_for(self.config.summary, self.data_dir, say)
