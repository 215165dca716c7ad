"""Feed discovery from page markup and robots.txt, without a network."""

from __future__ import annotations

from watcher.feeds.discover import discover, linked_feeds
from watcher.feeds.links import FeedError, parse_feed

PAGE = """<html><head><base href="https://news.example/section/">
<link rel="alternate" type="application/rss+xml" href="rss.xml" title="Section">
<link rel="Alternate" type="application/feed+json; charset=utf-8" href="/feed.json">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
<link rel="alternate stylesheet" type="text/css" href="/x.css">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
</head><body></body></html>"""


def test_linked_feeds_are_resolved_typed_and_deduplicated():
    found = linked_feeds(PAGE, "https://news.example/section/page")
    assert [(f.url, f.kind, f.title) for f in found] == [
        ("https://news.example/section/rss.xml", "rss", "Section"),
        ("https://news.example/feed.json", "jsonfeed", ""),
    ]


def test_robots_sitemaps_come_after_page_feeds_and_replace_the_conventional_one():
    probed = []
    found = discover(
        "https://news.example/",
        PAGE,
        robots_sitemaps=lambda url: ["https://news.example/sitemap-news.xml"],
        exists=lambda url: probed.append(url) or True,
    )
    assert [f.source for f in found] == ["page", "page", "robots.txt"]
    assert probed == []  # robots.txt named the sitemaps: /sitemap.xml is not guessed
    bare = discover("https://news.example/", "<html></html>", robots_sitemaps=lambda u: [], exists=lambda u: True)
    assert [(f.url, f.source) for f in bare] == [("https://news.example/sitemap.xml", "sitemap.xml")]


def test_json_feed_links_and_refusals():
    items = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1", "items": [{"url": "/a"}, {"external_url": "https://x.example/b"}]}',
        "https://news.example/feed.json",
    )
    assert items.kind == "jsonfeed" and items.links == ["https://news.example/a", "https://x.example/b"]
    for bad in (b'{"items": []}', b"{not json"):
        try:
            parse_feed(bad, "https://news.example/feed.json")
        except FeedError as exc:
            assert "feed.json" in str(exc)
        else:
            raise AssertionError("accepted a JSON document that is not a JSON Feed")


def test_a_relative_sitemap_line_is_taken_from_the_site_root():
    found = discover(
        "https://news.example/section/",
        "<html></html>",
        robots_sitemaps=lambda url: ["/sitemap-news.xml", "https://news.example/sitemap-news.xml"],
        exists=lambda url: False,
    )
    assert [(f.url, f.source) for f in found] == [("https://news.example/sitemap-news.xml", "robots.txt")]
