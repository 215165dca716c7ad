"""The User-Agent sites see names watcher and the user's contact: the browser's page loads (its own agent with
watcher's token appended), feed polls, and `[fetch] user_agent` replacing it everywhere."""

from __future__ import annotations

import pytest
from support.cli import data_dir_with, fast_config, watcher

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

CONTACT = 'contact = "https://newsroom.example/watcher-contact"\n'

STORY = "<html><head><title>T</title></head><body><article><h1>T</h1>" + "<p>A paragraph of the story told.</p>" * 5
RSS = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
    "<item><title>a</title><link>{base}/story</link></item></channel></rss>"
)


def test_page_loads_and_feed_polls_name_watcher_and_the_contact(site, tmp_path):
    base = site.url("").rstrip("/")
    site.page("/story", STORY + "</article></body></html>")
    site.bytes("/rss.xml", RSS.format(base=base).encode(), "application/rss+xml")
    data = data_dir_with(tmp_path / "data", fast_config(retries=0, fetch=CONTACT))
    assert watcher(data, "follow", base + "/rss.xml").returncode == 0
    checked = watcher(data, "check", base + "/story")
    assert checked.returncode == 0, checked.stderr
    token = "watcher/0.1.0 (+https://newsroom.example/watcher-contact)"
    page_agent = site.user_agents("/story")[-1]
    feed_agent = site.user_agents("/rss.xml")[0]
    # The same agent as the browser's, from our HTTP client (the feed poll): the browser's own, then ours.
    assert feed_agent.startswith("Mozilla/5.0") and "Chrome/" in feed_agent and feed_agent.endswith(token)
    assert feed_agent.split(" watcher/")[0] == page_agent.split(" watcher/")[0]
    # The browser's own agent first (sites tell browsers apart by it), then watcher's token.
    assert page_agent.startswith("Mozilla/5.0") and "Chrome/" in page_agent and page_agent.endswith(token)


def test_a_configured_user_agent_replaces_it(site, tmp_path):
    site.page("/story", STORY + "</article></body></html>")
    agent = 'user_agent = "NewsroomBot/2 (+mailto:desk@example.org)"'
    data = data_dir_with(tmp_path / "data", fast_config(retries=0, fetch=CONTACT + agent))
    assert watcher(data, "add", site.url("/story")).returncode == 0  # its probe is one request
    # The check's GET of the raw HTML is another, and the browser's a third (five short lines are too little story
    # to be stored from the raw HTML): every one with the configured agent.
    assert watcher(data, "check", site.url("/story")).returncode == 0
    agents = site.user_agents("/story")
    assert len(agents) == 3 and set(agents) == {"NewsroomBot/2 (+mailto:desk@example.org)"}


def _agent_in_a_new_process(environ: dict[str, str]) -> str:
    """The User-Agent a fresh `watcher` process would send without a browser running."""
    import subprocess
    import sys

    code = "from watcher.fetch.base import user_agent; from watcher.config import FetchSettings; print(user_agent(FetchSettings()))"
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_browser_is_asked_its_version_once_per_installed_build(tmp_path):
    import os

    from watcher.fetch.browser import find_browser

    real = find_browser().path
    assert real is not None
    asked = tmp_path / "asked.log"
    # A browser that writes down each time it is started, then is the real one.
    wrapper = tmp_path / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {asked}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    environ = os.environ | {"WATCHER_BROWSER": str(wrapper), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    first = _agent_in_a_new_process(environ)
    assert "HeadlessChrome/" in first and asked.read_text().splitlines() == ["--version"]
    # Later processes read what the first one recorded: no browser started, the same agent sent.
    assert _agent_in_a_new_process(environ) == first
    assert _agent_in_a_new_process(environ) == first
    assert asked.read_text().splitlines() == ["--version"]
    assert (tmp_path / "cache" / "watcher" / "browser-version.json").is_file()

    # An upgraded browser (its file replaced: another modification time) is asked again.
    stamp = wrapper.stat().st_mtime_ns + 5_000_000_000
    os.utime(wrapper, ns=(stamp, stamp))
    assert _agent_in_a_new_process(environ) == first
    assert asked.read_text().splitlines() == ["--version", "--version"]
