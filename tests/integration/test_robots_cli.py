"""robots.txt honoured by `watcher add` and `watcher check` (real Chromium): a disallowed URL is refused with a
reason, a site rule turns it off, and Crawl-delay spaces the loads of a host."""

from __future__ import annotations

import json

import pytest
from support.cli import data_dir_with, fast_config, watcher

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

CONFIG = fast_config(retries=0)

STORY = (
    "<html><head><title>{t}</title></head><body><article><h1>{t}</h1>"
    + "<p>The council met on Tuesday and voted on the budget for the coming year.</p>" * 4
    + "</article></body></html>"
)


def test_a_disallowed_url_is_refused_with_the_rule_and_a_site_rule_lifts_it(site, tmp_path):
    site.bytes("/robots.txt", b"User-agent: *\nDisallow: /members/\n", "text/plain")
    site.page("/members/story", STORY.format(t="Members only"))
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = site.url("/members/story")
    at_add = watcher(data, "add", url)
    assert at_add.returncode == 2 and "robots.txt disallows it" in at_add.stderr, at_add.stderr
    assert "Traceback" not in at_add.stderr and len(at_add.stderr.strip().splitlines()) <= 2
    # Added without looking (no network at add time): the check itself still refuses it.
    assert watcher(data, "add", "--no-probe", url).returncode == 0
    refused = watcher(data, "check", url, "--json")
    result = json.loads(refused.stdout.splitlines()[0])
    assert result["status"] == "error" and "robots.txt disallows it" in result["error"], refused.stdout
    assert site.hits("/members/story") == 0  # refused before any request for the page

    (data / "watcher.toml").write_text(CONFIG + '\n[[sites]]\ndomain = "127.0.0.1"\nrobots = false\n')
    allowed = watcher(data, "check", url, "--json")
    assert json.loads(allowed.stdout.splitlines()[0])["status"] == "new", allowed.stdout + allowed.stderr


def test_crawl_delay_spaces_the_loads_of_one_host(site, tmp_path):
    site.bytes("/robots.txt", b"User-agent: *\nCrawl-delay: 1.5\n", "text/plain")
    for i in range(3):
        site.page(f"/s{i}", STORY.format(t=f"Story {i}"))
    data = data_dir_with(tmp_path / "data", CONFIG)
    urls = [site.url(f"/s{i}") for i in range(3)]
    assert watcher(data, "add", *urls).returncode == 0
    before = {i: site.hits(f"/s{i}") for i in range(3)}  # `add` may look at each page once itself
    done = watcher(data, "check", *urls, "--json")
    assert done.returncode == 0, done.stderr
    loads = sorted(t for i in range(3) for t in site.hit_times(f"/s{i}")[before[i] :])
    assert len(loads) == 3
    assert min(b - a for a, b in zip(loads, loads[1:])) >= 1.4, loads
