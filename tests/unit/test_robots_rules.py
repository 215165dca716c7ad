"""robots.txt as watcher reads it, from a local server: rules, Crawl-delay, Sitemap lines, 4xx, 5xx, no answer."""

from __future__ import annotations

import socket

import pytest

from watcher.fetch.robots import RobotsCache, RobotsRefused

RULES = """# a newsroom's robots.txt
User-agent: *
Disallow: /private/
Crawl-delay: 2

User-agent: watcher
Disallow: /drafts/
Allow: /drafts/public-
Crawl-delay: 3

Sitemap: {base}/sitemap-index.xml
"""


def test_rules_for_watcher_beat_the_catch_all_group(site):
    site.bytes("/robots.txt", RULES.format(base=site.url("")).encode(), "text/plain")
    cache = RobotsCache()
    assert cache.rules(site.url("/news/a")).allows(site.url("/news/a"))
    # The `watcher` group replaces `*` for watcher: /private/ is not its rule, /drafts/ is.
    assert cache.rules(site.url("/private/x")).allows(site.url("/private/x"))
    with pytest.raises(RobotsRefused, match="robots.txt disallows it.*robots = false"):
        cache.check(site.url("/drafts/secret"))
    cache.check(site.url("/drafts/public-notice"))  # the longer Allow wins
    assert cache.crawl_delay(site.url("/")) == 3.0
    assert cache.rules(site.url("/")).sitemaps == [site.url("/sitemap-index.xml")]
    assert site.hits("/robots.txt") == 1  # cached per origin


def test_a_missing_robots_txt_allows_everything(site):
    cache = RobotsCache()
    cache.check(site.url("/any/story"))  # the test server answers 404
    assert cache.crawl_delay(site.url("/")) is None


def test_a_server_error_disallows_until_asked_again_and_keeps_earlier_rules(site):
    clock = [0.0]
    cache = RobotsCache(clock=lambda: clock[0])
    site.status("/robots.txt", 503)
    with pytest.raises(RobotsRefused, match="answered 503"):
        cache.check(site.url("/story"))
    site.bytes("/robots.txt", b"User-agent: *\nDisallow: /x/\n", "text/plain")
    clock[0] += 601  # a 5xx is asked again after ten minutes
    cache.check(site.url("/story"))
    site.status("/robots.txt", 500)
    clock[0] += 25 * 3600  # rules expire after a day; the 5xx then keeps the last rules read
    cache.check(site.url("/story"))
    with pytest.raises(RobotsRefused):
        cache.check(site.url("/x/hidden"))


def test_no_answer_at_all_is_treated_as_allowed():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    RobotsCache().check(f"http://127.0.0.1:{port}/story")


def test_a_long_robots_txt_is_parsed_for_its_first_500_kib(site):
    rules = b"User-agent: *\nDisallow: /news/\n" + b"# padding to make the file long\n" * 20_000  # ~640 KB
    site.bytes("/robots.txt", rules, "text/plain")
    with pytest.raises(RobotsRefused):
        RobotsCache().check(site.url("/news/story"))


def test_concurrent_checks_of_a_new_host_ask_for_its_robots_txt_once(site):
    from concurrent.futures import ThreadPoolExecutor

    from support.site_server import Response

    # Slow enough that every check below starts while the first request is still out.
    site.set("/robots.txt", Response(RULES.format(base=site.url("")).encode(), content_type="text/plain", delay=0.3))
    cache = RobotsCache()
    with ThreadPoolExecutor(4) as pool:
        delays = list(pool.map(lambda n: cache.crawl_delay(site.url(f"/news/{n}")), range(4)))
    assert delays == [3.0] * 4
    assert site.hits("/robots.txt") == 1
