"""The HTTP fetcher against the local site: raw HTML, the same rules and politeness as the browser."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest
from support.browser_thread import fast_settings
from support.site_server import Response

from watcher import errors
from watcher.fetch.charset import decode_html
from watcher.fetch.http_pages import HTTPFetcher

STORY = "<!DOCTYPE html><html><head><title>Pier</title></head><body><article><h1>Pier repairs</h1><p>Work begins in April.</p></article></body></html>"


def fetch(url: str, **overrides):
    async def go():
        async with HTTPFetcher(fast_settings(**overrides)) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def test_the_raw_html_and_the_response_as_sent(site):
    site.page("/story", STORY, headers={"X-Edition": "morning"})
    snap = fetch(site.url("/story"))
    assert snap.html == STORY and snap.status == 200 and snap.reason == "OK"
    assert snap.final_url == site.url("/story") and snap.redirects == []
    assert snap.body == STORY.encode() and snap.http_version == "HTTP/1.0"  # the test server speaks 1.0
    assert ("X-Edition", "morning") in snap.headers or ("x-edition", "morning") in snap.headers


def test_script_is_not_run(site):
    site.page("/js", "<html><body><p id=x>raw</p><script>document.getElementById('x').textContent='rendered'</script>")
    assert "<p id=x>raw</p>" in fetch(site.url("/js")).html


def test_redirects_are_followed_recorded_and_capped(site):
    site.redirect("/old", "/middle", status=301)
    site.redirect("/middle", site.url("/story"))
    site.page("/story", STORY)
    snap = fetch(site.url("/old"))
    assert snap.final_url == site.url("/story") and snap.redirects == [site.url("/old"), site.url("/middle")]
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(errors.TooManyRedirects):
        fetch(site.url("/a"))
    site.redirect("/ftp", "ftp://127.0.0.1/story")
    with pytest.raises(errors.RefusedScheme):
        fetch(site.url("/ftp"))


def test_status_codes_are_typed_and_5xx_retried(site):
    with pytest.raises(errors.HTTPStatusError) as caught:
        fetch(site.url("/missing"))
    assert caught.value.status == 404 and site.hits("/missing") == 1
    site.set("/flaky", Response(b"busy", 503, headers={"Retry-After": "0"}), Response(STORY.encode()))
    assert "Pier repairs" in fetch(site.url("/flaky")).html and site.hits("/flaky") == 2


def test_big5_declared_only_in_a_meta_tag(site):
    text = "<html><head><meta charset='big5'></head><body><article><h1>颱風來襲</h1><p>臺北市停班停課。</p></article></body></html>"
    site.bytes("/zh", text.encode("big5"), "text/html")
    snap = fetch(site.url("/zh"))
    assert "臺北市停班停課。" in snap.html and "颱風來襲" in snap.html


def test_charsets_in_header_bom_and_undeclared():
    assert decode_html("<p>café</p>".encode("cp1252"), "text/html; charset=iso-8859-1") == "<p>café</p>"
    assert decode_html("\ufeff<p>naïve</p>".encode("utf-8")) == "<p>naïve</p>"
    assert decode_html("<p>新聞</p>".encode()) == "<p>新聞</p>"
    assert (
        decode_html('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>新闻</p>'.encode("gbk"))[
            -9:
        ]
        == "<p>新闻</p>"
    )


def test_gzip_is_decoded_and_capped_on_the_decoded_size(site):
    site.bytes("/gz", gzip.compress(STORY.encode()), "text/html", headers={"Content-Encoding": "gzip"})
    assert fetch(site.url("/gz")).html == STORY
    site.bytes("/bomb", gzip.compress(b"<p>" + b"x" * 5_000_000), "text/html", headers={"Content-Encoding": "gzip"})
    with pytest.raises(errors.TooLarge):
        fetch(site.url("/bomb"), max_bytes=100_000)


def test_non_html_is_refused(site):
    site.bytes("/doc.pdf", b"%PDF-1.4 ...", "application/pdf")
    with pytest.raises(errors.NotHTML):
        fetch(site.url("/doc.pdf"))


def test_a_slow_drip_body_ends_within_the_deadline(site):
    site.drip("/drip", STORY.encode() * 10, every=0.05)
    started = time.monotonic()
    with pytest.raises(errors.FetchTimeout):
        fetch(site.url("/drip"), nav_timeout=0.8, deadline=1.5, retries=0)
    assert time.monotonic() - started < 2.5


def test_same_politeness_as_the_browser(site):
    site.page("/one", STORY)
    site.page("/two", STORY)

    async def both():
        async with HTTPFetcher(fast_settings(per_host_delay=0.5)) as fetcher:
            await asyncio.gather(fetcher.fetch(site.url("/one")), fetcher.fetch(site.url("/two")))

    asyncio.run(both())
    starts = sorted(site.hit_times("/one") + site.hit_times("/two"))
    assert starts[1] - starts[0] >= 0.45


def test_private_addresses_are_refused_without_the_opt_in(site, monkeypatch):
    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    site.page("/story", STORY)
    with pytest.raises(errors.PrivateAddress, match="only public addresses unless allowed"):
        fetch(site.url("/story"))
    assert site.hits("/story") == 0
    assert "Pier repairs" in fetch(site.url("/story"), allow_private=True).html
