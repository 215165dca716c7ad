"""The composition root (watcher/runtime.py): every front end gets the same parts from one Config and one store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from watcher.config import Config, SiteRule
from watcher.errors import BadInput
from watcher.fetch import ChromiumFetcher, Fetcher, HTTPFetcher
from watcher.fetch.registry import FETCHERS, make_fetcher
from watcher.runtime import Runtime
from watcher.store import open_store


def test_the_parts_a_check_gets_are_wired_as_the_command_line_wires_them(tmp_path: Path) -> None:
    config = Config(sites=[SiteRule(domain="example.org", robots=False)])
    config = replace(config, archive=replace(config.archive, warc=True))
    runtime = Runtime(config, data_dir=tmp_path / "data")
    browser = runtime.fetcher()  # nothing is started until the first render
    svc = runtime.services(browser)
    assert isinstance(browser, ChromiumFetcher)
    assert svc.fetcher is browser and svc.config is config
    assert svc.store is runtime.store() and svc.store.location == str(tmp_path / "data")
    assert svc.archive_dir == tmp_path / "data" / "warc"
    # The fast path's HTTP fetcher reads robots.txt through the browser's guard, which knows the exemptions.
    assert isinstance(svc.http, HTTPFetcher)
    assert svc.http.robots is browser.robots is runtime.robots()
    assert browser.robots is not None and browser.robots.exempt_domains == {"example.org"}


def test_the_python_api_and_the_dashboard_wire_an_open_store_the_same_way(tmp_path: Path) -> None:
    store = open_store(tmp_path / "data")
    runtime = Runtime(Config(), store=store)
    svc = runtime.services(runtime.fetcher(), clock=lambda: None)
    assert svc.store is store
    assert svc.http is not None  # [fetch] mode = "auto": pre-checks before rendering, as `watcher check`
    assert svc.clock() is None  # a part handed in replaces the built one


def test_browser_only_mode_has_no_http_fetcher_and_robots_off_has_no_guard(tmp_path: Path) -> None:
    config = Config()
    config = replace(config, fetch=replace(config.fetch, mode="browser", robots=False))
    runtime = Runtime(config, data_dir=tmp_path)
    assert runtime.http_fetcher(runtime.fetcher()) is None
    assert runtime.robots() is None and runtime.fetcher().robots is None


def test_reading_a_data_folder_that_is_not_there_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        Runtime(Config(), data_dir=tmp_path / "missing").store()
    assert not (tmp_path / "missing").exists()


def test_fetchers_are_found_by_mode_and_the_old_name_still_works() -> None:
    assert sorted(FETCHERS) == ["browser", "http"]
    assert isinstance(make_fetcher("http", Config().fetch), HTTPFetcher)
    assert Fetcher is ChromiumFetcher
    with pytest.raises(BadInput, match="no fetcher for mode 'carrier-pigeon'"):
        make_fetcher("carrier-pigeon", Config().fetch)
