"""The fetcher against real Chromium and the local site: pages, redirects, errors, limits, politeness."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.browser_thread import fast_settings
from support.site_server import Response, Site

from watcher import errors
from watcher.fetch import Fetcher, check_scheme, parse_retry_after
from watcher.fetch import browser as browser_module

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pier repairs</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>Pier repairs start in spring</h1>
<p>Work on the old pier will begin in April, the council said.</p></article></body></html>"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- pure helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<p>x</p>",
        "javascript:alert(1)",
        "chrome://settings",
        "about:blank",
        "ftp://example.com/a",
        "view-source:http://x/",
        "example.com/no-scheme",
    ],
)
def test_check_scheme_refuses_everything_but_http_and_https(url):
    with pytest.raises(errors.RefusedScheme):
        check_scheme(url)


def test_check_scheme_accepts_web_urls_in_any_case():
    assert check_scheme("HTTPS://Example.com/a") == "https"
    assert check_scheme("http://127.0.0.1:8000/") == "http"


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 25 Nov 2026 10:00:30 GMT", now) == 30.0
    assert parse_retry_after("Wed, 25 Nov 2026 09:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# -- successful fetches ---------------------------------------------------------------------------


def test_fetch_returns_rendered_html_including_script_inserted_article(site, fetcher):
    site.serve_fixture("/local/ferry", "js-inserted/story")
    snap = fetcher.fetch_sync(site.url("/local/ferry"))
    # Only in the script's data until it runs; the rendered DOM has it as a paragraph.
    assert "<p>Commuters who cross from Eastpoint" in snap.html
    assert "<h1>Harbour ferry timetable cut as fuel costs climb</h1>" in snap.html
    assert snap.status == 200
    assert snap.requested_url == snap.final_url == site.url("/local/ferry")
    assert snap.content_type.startswith("text/html")
    assert snap.redirects == []
    assert abs(snap.fetched_at - datetime.now(UTC)) < timedelta(seconds=30)
    assert set(snap.timings) >= {"total", "navigation"}
    assert 0 < snap.timings["navigation"] <= snap.timings["total"]


LATE_STORY = """<!DOCTYPE html><html><head><title>Late</title></head><body><article><h1>Ferry cuts</h1>
<div id="body"></div></article><script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var p = document.createElement("p");
    p.textContent = "Crossings fall to four a day from Monday.";
    document.getElementById("body").appendChild(p);
  }, %d);
});
</script></body></html>"""


def test_story_rendered_by_a_timer_after_load_is_waited_for(site, make_fetcher):
    # Longer after load than the DOM's quiet window: only the pending timer says "not done yet".
    site.page("/late", LATE_STORY % 400)
    snap = make_fetcher(settle_ms=3000).fetch_sync(site.url("/late"))
    # As an element: the sentence is also in the script's source.
    assert "<p>Crossings fall to four a day from Monday.</p>" in snap.html


def test_story_fetched_by_script_after_load_is_waited_for(site, make_fetcher):
    site.page("/data.txt", "Crossings fall to four a day from Monday.", content_type="text/plain", delay=0.5)
    site.page(
        "/fetched",
        """<html><body><article><h1>Ferry cuts</h1><p id="body"></p></article><script>
window.addEventListener("load", function () {
  fetch("/data.txt").then(function (r) { return r.text(); })
    .then(function (t) { document.getElementById("body").textContent = t; });
});</script></body></html>""",
    )
    snap = make_fetcher(settle_ms=3000).fetch_sync(site.url("/fetched"))
    assert '<p id="body">Crossings fall to four a day from Monday.</p>' in snap.html


def test_a_still_page_does_not_wait_out_the_settle_cap(site, make_fetcher):
    site.page("/still", ARTICLE)
    fetcher = make_fetcher(settle_ms=8000, deadline=20.0)
    started = time.monotonic()
    snap = fetcher.fetch_sync(site.url("/still"))
    assert "Pier repairs start in spring" in snap.html
    assert time.monotonic() - started < 4.0


def test_a_page_that_never_goes_still_is_read_at_the_settle_cap(site, make_fetcher):
    ticker = (
        "<html><body><article><h1>Pier repairs start in spring</h1><p>Work begins in April.</p></article>"
        "<div id='t'></div><script>var n = 0; setInterval(function () {"
        " document.getElementById('t').textContent = 'tick ' + (n++); }, 30);"
        " (function again() { setTimeout(again, 40); })();</script></body></html>"
    )
    site.page("/ticker", ticker)
    started = time.monotonic()
    snap = make_fetcher(settle_ms=1500, deadline=20.0).fetch_sync(site.url("/ticker"))
    elapsed = time.monotonic() - started
    assert "Work begins in April." in snap.html
    assert snap.timings["total"] - snap.timings["navigation"] >= 1.4  # the cap was waited out, after loading
    assert elapsed < 6.0


def test_the_page_cannot_tell_its_timers_are_watched(site, fetcher):
    site.page(
        "/probe",
        """<html><body><p id="out"></p><script>
var native = function (f) { return Function.prototype.toString.call(f).indexOf("[native code]") >= 0; };
document.getElementById("out").textContent = [
  native(setTimeout), native(clearTimeout), native(clearInterval), String(setTimeout).indexOf("[native code]") >= 0,
  setTimeout.name, setTimeout.length, clearTimeout.length, "prototype" in setTimeout,
  Object.getOwnPropertyNames(setTimeout).sort().join("+"),
  Object.getOwnPropertyNames(window).some(function (k) { return k.indexOf("watcher") >= 0; })].join(",");
</script></body></html>""",
    )
    snap = fetcher.fetch_sync(site.url("/probe"))
    assert '<p id="out">true,true,true,true,setTimeout,1,0,false,length+name,false</p>' in snap.html


def test_timer_set_while_parsing_that_falls_due_after_load_is_waited_for(site, make_fetcher):
    # The timer's delay is longer than settle_ms, but a slow script holds the load event back, so
    # the story is due only 500 ms after load: within the cap, and well past the DOM's quiet window.
    site.page("/slow.js", "window.slowLoaded = true;", content_type="application/javascript", delay=0.7)
    site.page(
        "/parse-timer",
        """<html><body><article><h1>Ferry cuts</h1><div id="body"></div></article>
<script>setTimeout(function () { document.getElementById("body").innerHTML = "<p>" + ["Crossings", "fall"].join(" ")
  + " to four a day.</p>"; }, 1200);</script><script src="/slow.js"></script></body></html>""",
    )
    snap = make_fetcher(settle_ms=1000).fetch_sync(site.url("/parse-timer"))
    assert "<p>Crossings fall to four a day.</p>" in snap.html


def test_string_timer_handlers_still_run_and_are_waited_for(site, make_fetcher):
    site.page(
        "/string-timer",
        """<html><body><article><h1>Ferry cuts</h1><div id="body"></div></article><script>
function show() { document.getElementById("body").innerHTML = "<p>" + ["Crossings", "fall"].join(" ") + " to four a day.</p>"; }
window.addEventListener("load", function () { setTimeout("show()", 400); });</script></body></html>""",
    )
    snap = make_fetcher(settle_ms=3000).fetch_sync(site.url("/string-timer"))
    assert "<p>Crossings fall to four a day.</p>" in snap.html


def test_fetch_page_without_article_is_not_an_error_for_the_fetcher(site, fetcher):
    site.serve_fixture("/local", "no-article/page")
    snap = fetcher.fetch_sync(site.url("/local"))
    assert "Market hall reopens after two-year refit" in snap.html
    assert snap.status == 200


@pytest.mark.parametrize("fixture, phrase", [("en-daily/story", "<figcaption"), ("zh-daily/story", "延伸閱讀")])
def test_fetch_news_fixture_pages(site, fetcher, fixture, phrase):
    site.serve_fixture("/story", fixture)
    snap = fetcher.fetch_sync(site.url("/story"))
    assert phrase in snap.html
    assert snap.status == 200


def test_switching_versions_between_fetches_serves_the_edited_page(site, fetcher):
    assert site.serve_fixture("/ferry", "js-inserted/story") == ["v1", "v2"]
    assert "every 40 minutes" in fetcher.fetch_sync(site.url("/ferry")).html
    site.set_version("/ferry", "v2")
    edited = fetcher.fetch_sync(site.url("/ferry")).html
    assert "every 45 minutes" in edited and "every 40 minutes" not in edited


def test_redirects_are_followed_and_recorded(site, fetcher):
    site.redirect("/old", "/middle", status=301)
    site.redirect("/middle", site.url("/story"), status=302)
    site.page("/story", ARTICLE)
    snap = fetcher.fetch_sync(site.url("/old"))
    assert snap.final_url == site.url("/story")
    assert snap.requested_url == site.url("/old")
    assert snap.redirects == [site.url("/old"), site.url("/middle")]
    assert "Pier repairs start in spring" in snap.html
    assert [site.hits(p) for p in ("/old", "/middle", "/story")] == [1, 1, 1]


def test_dialogs_are_dismissed_and_do_not_hang(site, fetcher):
    site.page(
        "/pop",
        "<html><body><script>alert('subscribe!'); confirm('cookies?'); prompt('name?');</script>"
        "<p>Text after the dialogs</p></body></html>",
    )
    started = time.monotonic()
    snap = fetcher.fetch_sync(site.url("/pop"))
    assert "Text after the dialogs" in snap.html
    assert time.monotonic() - started < 3


def test_blocked_resource_types_never_reach_the_server(site, fetcher):
    site.page(
        "/pics",
        '<html><body><p>Gallery</p><img src="/photo.jpg"><video src="/clip.mp4"></video>'
        '<link rel="stylesheet" href="/style.css"></body></html>',
    )
    site.bytes("/style.css", b"p { color: red }", "text/css")
    fetcher.fetch_sync(site.url("/pics"))
    assert site.hits("/photo.jpg") == 0
    assert site.hits("/clip.mp4") == 0
    assert site.hits("/style.css") == 1  # stylesheets are not blocked: layout scripts may need them


# -- HTTP errors and retries ----------------------------------------------------------------------


def test_404_is_a_typed_error_and_not_retried(site, fetcher):
    with pytest.raises(errors.HTTPStatusError) as info:
        fetcher.fetch_sync(site.url("/gone"))
    assert info.value.status == 404
    assert site.hits("/gone") == 1


def test_500_is_retried_then_reported(site, fetcher):
    site.status("/broken", 500)
    with pytest.raises(errors.HTTPStatusError) as info:
        fetcher.fetch_sync(site.url("/broken"))
    assert info.value.status == 500
    assert site.hits("/broken") == 1 + fetcher.settings.retries


def test_a_5xx_that_recovers_gives_the_page(site, fetcher):
    site.set("/flaky", Response(b"busy", 503), Response(ARTICLE.encode()))
    snap = fetcher.fetch_sync(site.url("/flaky"))
    assert "Pier repairs" in snap.html
    assert site.hits("/flaky") == 2


def test_429_waits_for_retry_after(site, fetcher):
    site.set("/limited", Response(b"slow down", 429, headers={"Retry-After": "1"}), Response(ARTICLE.encode()))
    snap = fetcher.fetch_sync(site.url("/limited"))
    assert snap.status == 200
    first, second = site.hit_times("/limited")
    assert second - first >= 0.95  # the 0.1s backoff alone would have retried sooner


def test_retry_after_beyond_the_deadline_gives_up_at_once(site, fetcher):
    site.status("/limited", 429, headers={"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(errors.HTTPStatusError) as info:
        fetcher.fetch_sync(site.url("/limited"))
    assert info.value.status == 429 and info.value.retry_after == 3600
    assert site.hits("/limited") == 1
    assert time.monotonic() - started < 2


def test_hanging_server_times_out_within_the_deadline(site, make_fetcher):
    fetcher = make_fetcher(nav_timeout=1.0, deadline=2.5)
    site.hang("/stuck")
    started = time.monotonic()
    with pytest.raises(errors.FetchTimeout):
        fetcher.fetch_sync(site.url("/stuck"))
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.5 + 1.5
    assert site.hits("/stuck") >= 1


def test_refused_connection_is_a_connect_error(fetcher):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(errors.ConnectError):
        fetcher.fetch_sync(f"http://127.0.0.1:{port}/")


def test_busy_script_cannot_hold_the_fetch_past_the_deadline(site, make_fetcher):
    fetcher = make_fetcher(nav_timeout=1.5, deadline=3.0, retries=0)
    site.page(
        "/spin", "<html><body><p>x</p><script>setTimeout(function(){ while (true) {} }, 10)</script></body></html>"
    )
    started = time.monotonic()
    with pytest.raises(errors.FetchTimeout):
        fetcher.fetch_sync(site.url("/spin"))
    assert time.monotonic() - started < 3.0 + 1.5


def test_script_redirect_after_load_is_followed(site, fetcher):
    site.page(
        "/short",
        "<html><body><p>Redirecting</p><script>"
        "setTimeout(function(){ location.replace('/story'); }, 20)</script></body></html>",
    )
    # Slower than the settle time: the fetcher must wait for the page it was sent to.
    site.page("/story", ARTICLE, delay=0.5)
    snap = fetcher.fetch_sync(site.url("/short"))
    assert snap.final_url == site.url("/story")
    assert "Pier repairs start in spring" in snap.html


def test_page_that_keeps_navigating_away_ends_within_the_deadline(site, make_fetcher):
    fetcher = make_fetcher(nav_timeout=1.5, deadline=3.0, retries=0, settle_ms=300)
    page = (
        "<html><body><p>{n}</p><script>setTimeout(function(){{ location.href = '{to}'; }}, 20)</script></body></html>"
    )
    site.page("/ping", page.format(n="ping", to="/pong"))
    site.page("/pong", page.format(n="pong", to="/ping"))
    started = time.monotonic()
    try:
        snap = fetcher.fetch_sync(site.url("/ping"))
    except errors.FetchError:
        pass
    else:
        assert "ping" in snap.html or "pong" in snap.html
    assert time.monotonic() - started < 3.0 + 1.5


# -- content checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "application/pdf"),
        (b'{"headline": "not a page"}', "application/json"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        (b"plain words, no markup", None),
    ],
)
def test_non_html_is_refused(site, fetcher, body, content_type):
    site.bytes("/thing", body, content_type)
    started = time.monotonic()
    with pytest.raises(errors.NotHTML):
        fetcher.fetch_sync(site.url("/thing"))
    assert time.monotonic() - started < 3  # a PDF must not become a download that hangs


def gzip_bomb() -> Response:
    """About 30 KB on the wire, 30 MB decoded: refused on its decoded size, before the browser sees it."""
    import gzip

    bomb = gzip.compress(b"<p>" + b"x" * 30_000_000, compresslevel=9)
    return Response(bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})


# Answers are made when the test runs (the bomb takes seconds to compress), not when tests are collected.
@pytest.mark.parametrize(
    ("max_bytes", "answer"),
    [
        pytest.param(
            5_000, lambda: Response(b"<html><body>" + b"<p>filler paragraph</p>" * 1000 + b"</body></html>"), id="huge"
        ),
        pytest.param(1_000_000, gzip_bomb, id="gzip-bomb"),
        pytest.param(
            5_000,
            lambda: Response(
                b"<html><body><div id=x></div><script>"
                b"document.getElementById('x').textContent = 'y'.repeat(20000);</script></body></html>"
            ),
            id="grows-after-rendering",
        ),
    ],
)
def test_a_page_over_the_size_cap_is_refused_and_the_next_page_still_loads(site, make_fetcher, max_bytes, answer):
    fetcher = make_fetcher(max_bytes=max_bytes)
    site.set("/big", answer())
    with pytest.raises(errors.TooLarge):
        fetcher.fetch_sync(site.url("/big"))
    site.page("/small", ARTICLE)
    assert "Pier repairs" in fetcher.fetch_sync(site.url("/small")).html


# -- schemes and redirects ------------------------------------------------------------------------

REFUSED_URLS = [
    "file:///etc/passwd",
    "data:text/html,<h1>hi</h1>",
    "javascript:alert(1)",
    "chrome://version",
    "about:blank",
    "ftp://127.0.0.1/file",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refused_schemes_are_refused_directly(fetcher, url):
    with pytest.raises(errors.RefusedScheme):
        fetcher.fetch_sync(url)


@pytest.mark.parametrize("location", REFUSED_URLS)
def test_refused_schemes_are_refused_via_redirect(site, fetcher, location):
    site.redirect("/sneaky", location)
    with pytest.raises(errors.RefusedScheme):
        fetcher.fetch_sync(site.url("/sneaky"))
    assert site.hits("/sneaky") == 1  # a refusal is not retried


def test_redirect_loop(site, fetcher):
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    with pytest.raises(errors.TooManyRedirects):
        fetcher.fetch_sync(site.url("/a"))
    assert site.hits("/a") == 1


def test_redirect_chain_longer_than_the_cap(site, make_fetcher):
    fetcher = make_fetcher(max_redirects=3)
    for n in range(5):
        site.redirect(f"/hop{n}", f"/hop{n + 1}")
    site.page("/hop5", ARTICLE)
    with pytest.raises(errors.TooManyRedirects):
        fetcher.fetch_sync(site.url("/hop0"))
    assert site.hits("/hop5") == 0
    assert len(fetcher.fetch_sync(site.url("/hop2")).redirects) == 3


# -- politeness and concurrency -------------------------------------------------------------------


def fetch_together(fetcher, *urls: str) -> list:
    """Snapshots of the URLs, all asked for at once (as the run loop's concurrent checks do)."""

    async def together():
        return await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    return asyncio.run(together())


def test_same_host_requests_start_at_least_the_delay_apart(site, make_fetcher):
    fetcher = make_fetcher(per_host_delay=0.8)
    site.page("/one", ARTICLE)
    site.page("/two", ARTICLE)
    fetch_together(fetcher, site.url("/one"), site.url("/two"))
    starts = sorted(site.hit_times("/one") + site.hit_times("/two"))
    assert starts[1] - starts[0] >= 0.75


def test_different_hosts_are_fetched_at_the_same_time(site, make_fetcher):
    fetcher = make_fetcher(per_host_delay=5.0)
    site.page("/slow-a", ARTICLE, delay=0.5)
    site.page("/slow-b", ARTICLE, delay=0.5)
    a, b = fetch_together(fetcher, site.url("/slow-a"), site.url("/slow-b", host="localhost"))
    assert b.final_url.startswith("http://localhost:")
    # Each host's delay is its own: the second request did not wait for the first host.
    assert abs(site.hit_times("/slow-a")[0] - site.hit_times("/slow-b")[0]) < 0.4


def test_concurrency_limit_holds_across_hosts(site, make_fetcher):
    fetcher = make_fetcher(concurrency=1)
    site.page("/slow-a", ARTICLE, delay=0.5)
    site.page("/slow-b", ARTICLE, delay=0.5)
    fetch_together(fetcher, site.url("/slow-a"), site.url("/slow-b", host="localhost"))
    assert abs(site.hit_times("/slow-a")[0] - site.hit_times("/slow-b")[0]) >= 0.45


# -- the browser itself ---------------------------------------------------------------------------


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_browser_is_relaunched_after_it_dies(site):
    site.page("/story", ARTICLE)

    async def go():
        async with Fetcher(fast_settings()) as fetcher:
            await fetcher.fetch(site.url("/story"))
            await fetcher._handle._browser.close()  # what a crashed Chromium looks like to Playwright
            return await fetcher.fetch(site.url("/story"))

    assert "Pier repairs" in asyncio.run(go()).html


def _driver_pids() -> set[int]:
    """Playwright driver processes started by this test process."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"run-driver" in command:
            found.add(int(entry))
    return found


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_a_killed_playwright_driver_is_replaced_at_once(site):
    site.page("/story", ARTICLE)
    before = _driver_pids()

    async def go():
        async with Fetcher(fast_settings()) as fetcher:
            await fetcher.fetch(site.url("/story"))
            ours = _driver_pids() - before
            assert len(ours) == 1
            os.kill(ours.pop(), signal.SIGKILL)  # what an out-of-memory kill of the Node driver looks like
            await asyncio.sleep(0.3)
            return [await fetcher.fetch(site.url("/story")) for _ in range(3)]

    # Every check after the crash succeeds: the first finds the driver dead and starts a new one.
    assert all("Pier repairs" in snap.html for snap in asyncio.run(go()))


KILL_THE_DRIVER = """
import asyncio, os, signal, sys
from pathlib import Path
from watcher.fetch import Fetcher
from watcher.config import BrowserSettings

def drivers():
    found = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid() and b"run-driver" in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.add(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return found

async def main(url):
    settings = BrowserSettings(nav_timeout=10, deadline=20, retries=2, backoff=0.1, per_host_delay=0, settle_ms=100)
    async with Fetcher(settings) as fetcher:
        await fetcher.fetch(url)
        for pid in drivers():
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        print("after", len((await fetcher.fetch(url)).html) > 0)

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.browser  # Chromium in a subprocess
def test_a_killed_driver_leaves_no_raw_asyncio_warning(site):
    import subprocess
    import sys

    site.page("/story", ARTICLE)
    child = subprocess.run(
        [sys.executable, "-c", KILL_THE_DRIVER, site.url("/story")], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0 and "after True" in child.stdout, child.stderr
    for raw in ("Future exception was never retrieved", "Task was destroyed", "was never awaited", "Traceback"):
        assert raw not in child.stderr, child.stderr


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_browser_and_driver_are_started_afresh_after_serving_their_share(site, monkeypatch):
    monkeypatch.setattr(browser_module, "RELAUNCH_AFTER", 3)
    for n in range(8):
        site.page(f"/story-{n}", ARTICLE)

    async def go():
        async with Fetcher(fast_settings(concurrency=3)) as fetcher:
            browsers: list = []

            async def one(n: int) -> str:
                snap = await fetcher.fetch(site.url(f"/story-{n}"))
                if not any(b is fetcher._handle._browser for b in browsers):
                    browsers.append(fetcher._handle._browser)
                return snap.html

            pages = await asyncio.gather(*(one(n) for n in range(8)))
            return pages, [b.is_connected() for b in browsers]

    pages, connected = asyncio.run(go())
    assert all("Pier repairs start in spring" in html for html in pages)
    # 8 checks, 3 per browser: at least three launches, and every browser but the newest closed.
    assert len(connected) >= 3
    assert connected[:-1] == [False] * (len(connected) - 1) and connected[-1]


def test_render_png_has_the_requested_width(fetcher):
    card = "<html><body style='margin:0'><div style='height:1500px'>Headline changed: 新聞</div></body></html>"
    width, height = png_size(fetcher.render_png_sync(card, 320))
    assert width == 320 and height >= 1500
    assert png_size(fetcher.render_png_sync(card, 400, 225)) == (400, 225)
    assert png_size(fetcher.render_png_sync(card, 200, 100, device_scale_factor=2)) == (400, 200)


# -- pages that abuse a render cannot stall it ------------------------------------------------------


def test_image_onerror_fallback_loops_do_not_stall_the_check(site, make_fetcher):
    # Images are blocked; each failure swaps in another image, which fails too, forever.
    fallback = "this.src='/fallback-' + Math.random() + '.jpg'"
    images = "".join(f'<img src="/photo-{n}.jpg" onerror="{fallback}">' for n in range(5))
    site.page("/gallery", ARTICLE.replace("</article>", images + "</article>"))
    site.page("/plain", ARTICLE)
    fetcher = make_fetcher(nav_timeout=3.0, deadline=6.0, settle_ms=500)
    started = time.monotonic()
    fetcher.fetch_sync(site.url("/plain"))
    plain = time.monotonic() - started
    started = time.monotonic()
    snap = fetcher.fetch_sync(site.url("/gallery"))
    looping = time.monotonic() - started
    assert "Work on the old pier will begin in April" in snap.html
    assert looping < plain + 1.0, (plain, looping)  # about the time the page takes without its images
    assert site.hits("/photo-0.jpg") == 0


def test_endless_in_page_redirects_end_with_the_page_read_as_it_stands(site, make_fetcher):
    fetcher = make_fetcher(nav_timeout=1.5, deadline=3.0, retries=0, settle_ms=300)
    page = "<html><body><article><h1>Pier {n}</h1><p>Work on the old pier will begin in April.</p></article>"
    script = "<script>setTimeout(function(){{ location.href = '{to}'; }}, 20)</script></body></html>"
    site.page("/ping", page.format(n="ping") + script.format(to="/pong"))
    site.page("/pong", page.format(n="pong") + script.format(to="/ping"))
    started = time.monotonic()
    snap = fetcher.fetch_sync(site.url("/ping"))
    assert time.monotonic() - started < 3.0 + 0.5
    assert "Work on the old pier will begin in April." in snap.html


def test_a_page_that_never_fires_load_is_read_as_it_stands_within_the_bound(site, make_fetcher):
    site.hang("/forever.js")
    site.page("/stuck", ARTICLE.replace("</body>", '<iframe src="/forever.js"></iframe></body>'))
    fetcher = make_fetcher(nav_timeout=1.5, deadline=4.0, retries=0, settle_ms=300)
    started = time.monotonic()
    snap = fetcher.fetch_sync(site.url("/stuck"))
    assert time.monotonic() - started < 4.0 + 0.5
    assert "Work on the old pier will begin in April" in snap.html


# -- what the snapshot records of the response and of the page's own requests ----------------------


def test_the_main_document_is_kept_as_the_server_sent_it(site, fetcher):
    site.page("/story", ARTICLE, headers={"X-Edition": "morning"})
    snap = fetcher.fetch_sync(site.url("/story"))
    assert snap.body == ARTICLE.encode() and snap.reason == "OK" and snap.http_version.startswith("HTTP/1")
    assert ("x-edition", "morning") in [(k.lower(), v) for k, v in snap.headers]


def test_popups_never_load_downloads_never_start_and_third_party_requests_are_counted(site, fetcher):
    site.bytes("/report.pdf", b"%PDF-1.4 ...", "application/pdf")
    site.page("/popup", "<p>popup</p>")
    other = Site(host="127.0.0.2")  # another site: its requests are third-party
    other.page("/style.css", "p {}", content_type="text/css")
    site.page(
        "/story",
        ARTICLE.replace(
            "</body>",
            f"<link rel='stylesheet' href='{other.url('/style.css')}'>"
            "<script>window.open('/popup'); window.addEventListener('load', function () {"
            " setTimeout(function () { location.href = '/report.pdf'; }, 10); });</script></body>",
        ),
    )
    try:
        snap = fetcher.fetch_sync(site.url("/story"))
    finally:
        other.close()
    assert "Pier repairs start in spring" in snap.html and snap.final_url == site.url("/story")
    assert site.hits("/popup") == 0 and snap.requests.get("popup") == 1
    # Counted as the page asks (Chromium's own local-network rules then stop this one, as the test
    # sites are all on loopback).
    assert snap.requests.get("third-party") == 1
    assert snap.requests.get("download") == 1 and site.hits("/report.pdf") == 0  # refused by its name, unasked


def test_the_check_log_counts_the_pages_third_party_and_refused_requests(site, fetcher, tmp_path):
    from support.cli import checked

    from watcher.store import open_store

    other = Site(host="127.0.0.2")
    site.page("/popup", "<p>popup</p>")
    site.page(
        "/story",
        ARTICLE.replace(
            "</body>", f"<script src='{other.url('/ads.js')}'></script><script>window.open('/popup')</script></body>"
        ),
    )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "watcher.toml").write_text("")
    try:
        open_store(data_dir).add_article(site.url("/story"))
        [result] = checked(data_dir, fetcher, site.url("/story"))
    finally:
        other.close()
    assert result.status == "new"
    [logged] = open_store(data_dir).recent_checks(site.url("/story"))
    assert logged.requests == {"third-party": 1, "popup": 1}


def test_a_cookie_set_by_a_redirect_reaches_the_page_it_leads_to(site, fetcher):
    site.set("/consent", Response(b"", 302, None, {"Location": "/story", "Set-Cookie": "consent=yes; Path=/"}))
    site.page(
        "/story",
        "<html><body><p id='c'></p><script>document.getElementById('c').textContent = "
        "'cookie: ' + document.cookie;</script></body></html>",
    )
    snap = fetcher.fetch_sync(site.url("/consent"))
    assert "cookie: consent=yes" in snap.html


@pytest.mark.browser
@pytest.mark.parametrize(
    "leave",
    [
        '<meta http-equiv="refresh" content="0; url=http://news-desk.invalid/story">',
        "<script>setTimeout(() => { location.href = 'http://news-desk.invalid/story'; }, 50)</script>",
        "<script>setTimeout(() => { location.href = 'http://127.0.0.1:PORT/story'; }, 50)</script>",
    ],
    ids=["refresh-to-unresolvable", "script-to-unresolvable", "nothing-listening"],
)
def test_a_page_that_moves_to_where_nothing_answers_is_read_as_it_stands(site, make_fetcher, leave):
    # Issue 31: the check read Chromium's error page ("no article found on chrome-error://chromewebdata/").
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    site.page("/story", ARTICLE.replace("</head>", leave.replace("PORT", str(port)) + "</head>"))
    snap = make_fetcher(settle_ms=400, nav_timeout=2, retries=0).fetch_sync(site.url("/story"))
    assert snap.final_url == site.url("/story")
    assert "Pier repairs" in snap.html
    assert snap.requests.get("failed navigation") == 1
