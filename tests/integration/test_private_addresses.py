"""Nobody can turn watcher against its own network: with the opt-in off, every way a page or feed can
point at a non-public address is refused, by the rule's name, and the internal server never hears of it.

A "public" site stands on 127.0.0.2 (declared public from Python for these tests only); the
"internal" one is the usual site on 127.0.0.1, a loopback address watcher must not reach.
"""

from __future__ import annotations

import json
import time

import pytest
from support.site_server import Site

from watcher import errors
from watcher.feeds import links as feeds

STORY = "<html><body><article><h1>Harbour ferry cut</h1><p>Crossings fall to four a day.</p></article></body></html>"
RULE = "watcher fetches only public addresses unless allowed"


@pytest.fixture
def internal(site) -> Site:
    site.page("/secret", "<html><body><p>token=hunter2</p></body></html>")
    return site


def test_a_public_page_still_loads(public, fetcher):
    public.page("/story", STORY)
    assert "Crossings fall to four a day." in fetcher.fetch_sync(public.url("/story")).html


@pytest.mark.parametrize("spelling", ["127.0.0.1", "localhost", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1"])
def test_a_url_on_a_loopback_address_is_refused_in_every_spelling(public, internal, fetcher, spelling):
    with pytest.raises(errors.PrivateAddress, match=RULE) as caught:
        fetcher.fetch_sync(f"http://{spelling}:{internal.port}/secret")
    assert "loopback" in str(caught.value) and "allow_private" in str(caught.value)
    assert internal.hits("/secret") == 0


def test_a_redirect_to_127_0_0_1_is_refused(public, internal, fetcher):
    public.redirect("/story", internal.url("/secret"))
    with pytest.raises(errors.PrivateAddress, match=RULE):
        fetcher.fetch_sync(public.url("/story"))
    assert public.hits("/story") == 1 and internal.hits("/secret") == 0  # refused, not retried


def test_a_meta_refresh_to_a_private_address_is_refused(public, internal, fetcher):
    public.page("/story", f'<html><head><meta http-equiv="refresh" content="0; url={internal.url("/secret")}">{STORY}')
    with pytest.raises(errors.PrivateAddress, match=RULE):
        fetcher.fetch_sync(public.url("/story"))
    assert internal.hits("/secret") == 0


def test_a_script_navigation_to_a_private_address_is_refused(public, internal, fetcher):
    public.page(
        "/story", STORY + f"<script>setTimeout(() => {{ location.href = '{internal.url('/secret')}'; }}, 20)</script>"
    )
    with pytest.raises(errors.PrivateAddress, match=RULE):
        fetcher.fetch_sync(public.url("/story"))
    assert internal.hits("/secret") == 0


def test_a_page_script_cannot_read_a_private_address(public, internal, fetcher):
    public.page(
        "/story",
        STORY + f"<p id='leak'></p><script>fetch('{internal.url('/secret')}').then(r => r.text())"
        ".then(t => { document.getElementById('leak').textContent = t; }).catch(() => {});</script>",
    )
    snap = fetcher.fetch_sync(public.url("/story"))
    assert "Crossings fall" in snap.html and "hunter2" not in snap.html
    assert internal.hits("/secret") == 0


def test_a_feed_on_a_private_address_is_refused(public, internal):
    internal.bytes("/feed.xml", b"<rss version='2.0'><channel></channel></rss>", "application/rss+xml")
    with pytest.raises(errors.PrivateAddress, match=RULE):
        feeds.download(internal.url("/feed.xml"), timeout=2)
    assert internal.hits("/feed.xml") == 0
    assert feeds.download(internal.url("/feed.xml"), timeout=2, allow_private=True).startswith(b"<rss")


def test_a_feed_auto_watches_only_links_on_its_own_site(public):
    feed = public.url("/feed.xml")
    links = [
        public.url("/news/1"),
        "http://127.0.0.1:8080/admin",  # the machine watcher runs on
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://elsewhere.example/story",  # another site
        public.url("/news/2"),
        "https://cdn.partner.example/story",
    ]
    assert feeds.select_new(links, set(), 10, site=feed) == [public.url("/news/1"), public.url("/news/2")]
    chosen = feeds.select_new(links, set(), 10, site=feed, allow_hosts=["partner.example"])
    assert chosen == [public.url("/news/1"), public.url("/news/2"), "https://cdn.partner.example/story"]
    # A feed on one host of a site may list another host of the same site.
    assert feeds.select_new(["https://www.example.co.uk/a"], set(), 10, site="https://feeds.example.co.uk/rss") == [
        "https://www.example.co.uk/a"
    ]


def test_refusal_is_quick(public, internal, fetcher):
    public.redirect("/story", internal.url("/secret"))
    started = time.monotonic()
    with pytest.raises(errors.PrivateAddress):
        fetcher.fetch_sync(public.url("/story"))
    assert time.monotonic() - started < 2


def test_an_article_added_with_allow_private_may_be_on_a_private_address(public, internal, fetcher, tmp_path):
    from support.cli import checked, watcher

    internal.page("/intranet/story", STORY)
    internal.page("/other/story", STORY)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "watcher.toml").write_text("")
    allowed, refused = internal.url("/intranet/story"), internal.url("/other/story")
    added = watcher(data_dir, "add", "--allow-private", allowed)
    assert added.returncode == 0, added.stderr
    added = watcher(data_dir, "add", refused)
    assert added.returncode == 0 and RULE in added.stderr  # watched, with a warning that names the rule
    first, second = checked(data_dir, fetcher, allowed, refused)
    assert first.status == "new", first
    assert second.status == "error" and RULE in (second.error or "") and "--allow-private" in second.error
    assert internal.hits("/other/story") == 0


def test_following_a_feed_watches_only_its_own_sites_links(site, tmp_path):
    from support.cli import watcher

    own, elsewhere = site.url("/news/1"), site.url("/news/2", host="localhost")
    items = "".join(
        f"<item><title>t</title><link>{link}</link></item>"
        for link in (own, elsewhere, "http://169.254.169.254/latest/meta-data/", "https://other.example/story")
    )
    site.bytes(
        "/feed.xml",
        f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode(),
        "application/rss+xml",
    )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    followed = watcher(data_dir, "follow", site.url("/feed.xml"), "--every", "1h")
    assert followed.returncode == 0, followed.stderr
    listed = watcher(data_dir, "list", "--json")
    assert [a["url"] for a in json.loads(listed.stdout) if "url" in a and "/news/" in a["url"]] == [own]
    assert "169.254.169.254" not in listed.stdout and "other.example" not in listed.stdout
