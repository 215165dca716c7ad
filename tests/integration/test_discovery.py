"""`watcher follow https://site/` on a home page: the Atom feed it links and the sitemap index its robots.txt
lists are found and followed, and their articles watched; a JSON Feed is followed like RSS."""

from __future__ import annotations

import json

from support.cli import watcher

HOME = """<!doctype html><html><head><title>The Daily</title>
<link rel="alternate" type="application/atom+xml" title="Top stories" href="/feeds/top.atom">
<link rel="stylesheet" href="/site.css"></head>
<body><h1>The Daily</h1><a href="/news/one">One</a></body></html>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Top</title><id>urn:top</id><updated>2026-11-30T10:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><updated>2026-11-30T10:00:00Z</updated><link href="{base}/news/one"/></entry>
<entry><title>Two</title><id>urn:2</id><updated>2026-11-30T10:00:00Z</updated><link href="{base}/news/two"/></entry>
</feed>"""

INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemaps/news-1.xml</loc></sitemap></sitemapindex>"""

CHILD = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/news/three</loc></url><url><loc>{base}/news/four</loc></url></urlset>"""


def test_follow_a_home_page_finds_its_feed_and_the_sitemaps_robots_lists(site, tmp_path):
    base = site.url("").rstrip("/")
    site.page("/", HOME)
    site.bytes("/feeds/top.atom", ATOM.format(base=base).encode(), "application/atom+xml")
    site.bytes("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap-index.xml\n".encode(), "text/plain")
    site.bytes("/sitemap-index.xml", INDEX.format(base=base).encode(), "application/xml")
    site.bytes("/sitemaps/news-1.xml", CHILD.format(base=base).encode(), "application/xml")
    data = tmp_path / "data"
    followed = watcher(data, "follow", base + "/")
    assert followed.returncode == 0, followed.stderr
    said = followed.stderr
    assert "found 2 to follow" in said
    assert f"following {base}/feeds/top.atom (atom, 2 links now): watching 2 new articles" in said
    assert f"following {base}/sitemap-index.xml (sitemapindex, 1 child sitemaps now): watching 2 new" in said
    listed = json.loads(watcher(data, "list", "--json").stdout)
    assert sorted(a["url"].rsplit("/", 1)[1] for a in listed) == ["four", "one", "three", "two"]


def test_a_page_leading_nowhere_is_one_clear_line(site, tmp_path):
    site.page("/", "<html><head><title>Plain</title></head><body><p>No feeds here.</p></body></html>")
    result = watcher(tmp_path / "data", "follow", site.url("/"))
    assert result.returncode == 2
    assert "links no feed" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_json_feed_is_followed(site, tmp_path):
    base = site.url("").rstrip("/")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Daily",
        "items": [{"id": "1", "url": f"{base}/news/a"}, {"id": "2", "external_url": f"{base}/news/b"}, {"id": "3"}],
    }
    site.bytes("/feed.json", json.dumps(feed).encode(), "application/feed+json")
    result = watcher(tmp_path / "data", "follow", base + "/feed.json")
    assert result.returncode == 0, result.stderr
    assert "(jsonfeed, 2 links now): watching 2 new articles" in result.stderr
