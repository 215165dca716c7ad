"""Feed and sitemap parsing, picking new links, and downloading from a local server."""

from __future__ import annotations

import gzip
import http.server
import re
import threading
import time
from contextlib import contextmanager

import pytest

from watcher.errors import BadInput, ConnectError, FetchTimeout, HTTPStatusError, RefusedScheme, TooLarge
from watcher.feeds import links as feeds
from watcher.feeds.links import FeedError, download, parse_feed, select_new

BASE = "https://news.test/feeds/world.xml"
NOT_HTML = f"{BASE} is an HTML page, not a feed"
NOT_FEED = f"{BASE}: not a valid RSS/Atom feed or sitemap"


def rss(items: str, version: str = "2.0") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="{version}"><channel><title>World</title>'
        f"<link>https://news.test/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def test_rss2_links_are_resolved_and_deduplicated_in_order():
    items = parse_feed(
        rss(
            "<item><title>A</title><link>https://news.test/a</link><description>x &lt;b&gt;</description></item>"
            "<item><title>B</title><link>/world/b</link></item>"
            "<item><title>C</title><link>c.html</link></item>"
            "<item><title>A again</title><link>https://news.test/a</link></item>"
        ),
        BASE,
    )
    assert items.kind == "rss"
    assert items.links == ["https://news.test/a", "https://news.test/world/b", "https://news.test/feeds/c.html"]
    assert items.children == []


def test_rss_guid_permalink_stands_in_for_a_missing_link():
    items = parse_feed(
        rss(
            '<item><title>A</title><guid isPermaLink="true">https://news.test/p/1</guid></item>'
            '<item><title>B</title><guid isPermaLink="false">id-42</guid></item>'
        ),
        BASE,
    )
    assert items.links == ["https://news.test/p/1"]


def test_rss_091_is_read():
    items = parse_feed(rss("<item><title>Old</title><link>https://news.test/old</link></item>", "0.91"), BASE)
    assert (items.kind, items.links) == ("rss", ["https://news.test/old"])


def test_rss_10_rdf_is_read():
    content = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://news.test/"><title>T</title><link>https://news.test/</link>
    <items><rdf:Seq><rdf:li resource="https://news.test/r1"/></rdf:Seq></items></channel>
  <item rdf:about="https://news.test/r1"><title>One</title><link>https://news.test/r1</link></item>
  <item rdf:about="https://news.test/r2"><title>Two</title><link>https://news.test/r2</link></item>
</rdf:RDF>"""
    items = parse_feed(content, BASE)
    assert (items.kind, items.links) == ("rss", ["https://news.test/r1", "https://news.test/r2"])


def test_atom_takes_the_alternate_link_resolved_against_xml_base():
    content = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.test/asia/">
  <title>亞洲</title><id>tag:news.test,2026:asia</id><updated>2026-11-25T10:00:00Z</updated>
  <entry><title>颱風</title><id>tag:news.test,2026:1</id><updated>2026-11-25T10:00:00Z</updated>
    <link rel="edit" href="/api/1"/><link rel="alternate" type="text/html" href="typhoon-1"/>
    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content></entry>
  <entry><title>Two</title><id>tag:news.test,2026:2</id><updated>2026-11-25T10:00:00Z</updated>
    <link href="https://news.test/asia/two"/></entry>
</feed>""".encode()
    items = parse_feed(content, BASE)
    assert items.kind == "atom"
    assert items.links == ["https://news.test/asia/typhoon-1", "https://news.test/asia/two"]


def test_empty_but_valid_feed_has_no_links():
    assert parse_feed(rss(""), BASE).links == []


def test_non_http_links_are_dropped():
    items = parse_feed(
        rss(
            "<item><link>javascript:alert(1)</link></item><item><link>mailto:a@b.c</link></item>"
            "<item><link>https://news.test/ok</link></item>"
        ),
        BASE,
    )
    assert items.links == ["https://news.test/ok"]


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://news.test/2026/11/25/flood</loc>
    <news:news><news:publication><news:name>News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-25</news:publication_date><news:title>Flood</news:title></news:news>
    <image:image><image:loc>https://img.news.test/flood.jpg</image:loc></image:image></url>
  <url><loc> https://news.test/2026/11/25/vote </loc><lastmod>2026-11-25</lastmod></url>
  <url><loc>https://news.test/2026/11/25/flood</loc></url>
</urlset>"""


def test_news_sitemap_lists_page_locations_only():
    items = parse_feed(SITEMAP, "https://news.test/sitemap-news.xml")
    assert items.kind == "sitemap"
    assert items.links == ["https://news.test/2026/11/25/flood", "https://news.test/2026/11/25/vote"]


def test_sitemap_index_lists_children():
    content = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.test/sitemap-1.xml</loc><lastmod>2026-11-25</lastmod></sitemap>
<sitemap><loc>/sitemap-2.xml.gz</loc></sitemap></sitemapindex>"""
    items = parse_feed(content, "https://news.test/sitemap.xml")
    assert items.kind == "sitemapindex"
    assert items.children == ["https://news.test/sitemap-1.xml", "https://news.test/sitemap-2.xml.gz"]
    assert items.links == []


def test_gzipped_sitemap_is_inflated():
    items = parse_feed(gzip.compress(SITEMAP), "https://news.test/sitemap.xml.gz")
    assert len(items.links) == 2


def test_gzip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_GUNZIPPED", 10_000)
    with pytest.raises(FeedError, match="inflates past"):
        parse_feed(gzip.compress(b"<urlset>" + b" " * 100_000 + b"</urlset>"), "https://news.test/s.xml.gz")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "https://news.test/feeds/world.xml: empty response, not a feed"),
        (b"  \n ", "https://news.test/feeds/world.xml: empty response, not a feed"),
        (b"<!DOCTYPE html><html><head><title>World</title></head><body><p>news<br></body></html>", NOT_HTML),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body/></html>', NOT_HTML),
        (b"\xef\xbb\xbf\n  <HTML><BODY>Moved</BODY></HTML>", NOT_HTML),
        (b"just some text", NOT_FEED),
        # A JSON Feed is a feed now (test_discover.py); other JSON is not.
        (
            b'{"title": "World"}',
            "https://news.test/feeds/world.xml: JSON, but not a JSON Feed (no jsonfeed.org version)",
        ),
        (b"<catalog><book/></catalog>", NOT_FEED),
        (b"\x00\x01\x02binary", NOT_FEED),
    ],
)
def test_what_is_not_a_feed_gets_one_clear_line(content, message):
    with pytest.raises(FeedError) as caught:
        parse_feed(content, BASE)
    assert str(caught.value) == message


def test_a_feed_cut_off_before_any_link_is_refused_with_where_it_broke():
    with pytest.raises(FeedError, match=r"^" + re.escape(NOT_FEED) + r" \(line"):
        parse_feed(b'<rss version="2.0"><channel><title>x</title><item><link', BASE)


def test_a_malformed_feed_still_yields_the_links_before_the_damage():
    items = parse_feed(
        b'<rss version="2.0"><channel><item><link>https://news.test/a</link></item>'
        b"<item><link>https://news.test/b</item></channel>",
        BASE,
    )
    assert items.links[0] == "https://news.test/a"


def test_feed_error_is_bad_input():
    assert issubclass(FeedError, BadInput)


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><item><link>https://news.test/a?q=&x;</link></item></channel></rss>'
    ).encode()
    items = parse_feed(content, BASE)
    assert "TOPSECRET" not in " ".join(items.links)


def test_entity_expansion_bomb_does_not_explode():
    content = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><item><link>https://news.test/a</link><title>&lol9;</title></item></channel></rss>"""
    started = time.process_time()
    try:
        items = parse_feed(content, BASE)
    except FeedError:
        pass
    else:
        assert items.links == ["https://news.test/a"]
    assert time.process_time() - started < 2


def test_ten_thousand_items_parse_quickly():
    body = "".join(
        f"<item><title>Story {i}</title><link>https://news.test/story/{i}?utm_source=rss</link>"
        f"<description>Summary {i} &lt;b&gt;bold&lt;/b&gt;</description><guid>https://news.test/story/{i}</guid>"
        f"<pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><category>World</category></item>"
        for i in range(10_000)
    )
    content = rss(body)
    # CPU time, not wall time: the suite shares two cores with other jobs, and it is our work that must be small.
    started = time.process_time()
    items = parse_feed(content, BASE)
    elapsed = time.process_time() - started
    assert len(items.links) == 10_000 and items.truncated == 0
    assert items.links[9_999] == "https://news.test/story/9999?utm_source=rss"
    assert elapsed < 2, f"10,000 items took {elapsed:.2f} s"


def test_ten_thousand_url_sitemap_parses_quickly():
    body = "".join(f"<url><loc>https://news.test/s/{i}</loc></url>" for i in range(10_000))
    started = time.process_time()
    items = parse_feed(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode(), BASE)
    assert len(items.links) == 10_000
    assert time.process_time() - started < 2


def test_entries_past_the_cap_are_counted_not_read(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_ENTRIES", 3)
    items = parse_feed(rss("".join(f"<item><link>https://news.test/{i}</link></item>" for i in range(5))), BASE)
    assert items.links == [f"https://news.test/{i}" for i in range(3)]
    assert items.truncated == 2


# --- select_new -----------------------------------------------------------------------------------


def test_select_new_skips_seen_and_duplicates_keeping_order():
    links = ["https://news.test/c", "https://NEWS.test/a#comments", "https://news.test/a", "https://news.test/b"]
    assert select_new(links, {"https://news.test/b"}, 10) == ["https://news.test/c", "https://news.test/a"]


def test_select_new_stops_at_the_limit():
    links = [f"https://news.test/{i}" for i in range(100)]
    assert select_new(links, set(), 5) == links[:5]
    assert select_new(links, set(links[:5]), 5) == links[5:10]


def test_select_new_skips_junk_links():
    assert select_new(["ftp://news.test/x", "not a url", "https://news.test/ok"], set(), 10) == ["https://news.test/ok"]


# --- download --------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # http.server's naming
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404, "Not Found")
            return
        route(self)

    def log_message(self, *args):
        pass


@contextmanager
def serve(routes):
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _reply(status=200, body=b"", headers=(), length=True):
    def handle(h):
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return handle


def _stream(total):
    def handle(h):
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(total // 65536 + 1):
            h.wfile.write(b"x" * 65536)

    return handle


def _hang(h):
    time.sleep(3)


def test_download_returns_the_body_and_it_parses():
    with serve({"/feed.xml": _reply(body=rss("<item><link>/a</link></item>"))}) as base:
        content = download(f"{base}/feed.xml")
        assert parse_feed(content, f"{base}/feed.xml").links == [f"{base}/a"]


def test_download_follows_http_redirects():
    with serve({"/old": _reply(301, headers=[("Location", "/new")]), "/new": _reply(body=b"<rss/>")}) as base:
        assert download(f"{base}/old") == b"<rss/>"


def test_download_http_error_keeps_the_status():
    with serve({"/busy": _reply(503, b"busy", headers=[("Retry-After", "30")])}) as base:
        with pytest.raises(HTTPStatusError) as caught:
            download(f"{base}/busy")
        assert caught.value.status == 503 and caught.value.retry_after == 30 and caught.value.retryable
        with pytest.raises(HTTPStatusError, match="HTTP 404") as caught:
            download(f"{base}/missing")
        assert caught.value.status == 404 and not caught.value.retryable


def test_download_refuses_too_large_by_header_and_by_stream():
    with serve({"/big": _reply(body=b"x" * 5000), "/stream": _stream(300_000)}) as base:
        with pytest.raises(TooLarge):
            download(f"{base}/big", max_bytes=1000)
        with pytest.raises(TooLarge):
            download(f"{base}/stream", max_bytes=100_000)


def test_download_times_out():
    with serve({"/slow": _hang}) as base:
        started = time.monotonic()
        with pytest.raises(FetchTimeout):
            download(f"{base}/slow", timeout=0.3)
        assert time.monotonic() - started < 2


def test_download_refused_connection_is_a_connect_error():
    with serve({}) as base:
        port = int(base.rsplit(":", 1)[1])
    with pytest.raises(ConnectError):
        download(f"http://127.0.0.1:{port}/feed.xml", timeout=2)


def test_download_refuses_other_schemes_and_redirects_to_them(tmp_path):
    with pytest.raises(RefusedScheme):
        download(f"file://{tmp_path}/feed.xml")
    with serve({"/ftp": _reply(302, headers=[("Location", "ftp://127.0.0.1/feed.xml")])}) as base:
        with pytest.raises(RefusedScheme):
            download(f"{base}/ftp")


def test_select_new_watches_a_story_listed_with_tracking_parameters_once():
    links = [
        "https://news.test/a?utm_source=rss&utm_medium=feed",
        "https://news.test/a",
        "https://news.test/a?fbclid=1",
    ]
    assert select_new(links, set(), 10) == ["https://news.test/a"]
    assert select_new(links, {"https://news.test/a"}, 10) == []


def _drip(h):
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    for _ in range(1000):
        try:
            h.wfile.write(b"x")
            h.wfile.flush()
        except OSError:
            return
        time.sleep(0.05)


def test_a_feed_dripping_one_byte_at_a_time_is_cut_off_at_the_total_deadline():
    # Each byte arrives well within the 0.5 s read timeout; only a total deadline can end this.
    with serve({"/drip.xml": _drip}) as base:
        started = time.monotonic()
        with pytest.raises(FetchTimeout):
            download(f"{base}/drip.xml", timeout=0.5)
        assert time.monotonic() - started < 1.2  # the timeout bounds the whole download


def test_a_gzip_bomb_is_capped_on_its_decoded_size():
    import gzip

    bomb = gzip.compress(b"<" * 5_000_000)  # about 5 KB on the wire
    with serve({"/bomb.xml": _reply(body=bomb, headers=[("Content-Encoding", "gzip")])}) as base:
        with pytest.raises(TooLarge):
            download(f"{base}/bomb.xml", max_bytes=1_000_000)
