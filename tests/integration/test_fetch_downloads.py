"""Downloads a page starts never cross the network: the page stays on its document and the check log counts them.

Each download is 5 MB, served by the local site, which records how many body bytes it wrote for each path
(`Site.sent`); a download refused by its URL never reaches the server, one found out by its headers has its
connection closed before the body is read.
"""

from __future__ import annotations

import pytest

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pier repairs</title>{head}</head>
<body><article><h1>Pier repairs start in spring</h1>
<p>Work on the old pier will begin in April, the council said.</p></article>{script}</body></html>"""
BIG = 5_000_000
# (Bodies are module constants, never test parameters: a parameter's bytes would become the test's id.)
# Past the kernel's socket buffers: what a client that stops reading after the headers can have been sent.
BUFFERED = 1_000_000
ZIP = b"PK\x03\x04" + b"\x00" * (BIG - 4)
PDF = b"%PDF-1.4\n" + b"0" * (BIG - 9)


def after_load(js: str) -> str:
    return f"<script>addEventListener('load', function () {{ setTimeout(function () {{ {js} }}, 10); }});</script>"


def story(site, head: str = "", script: str = "") -> str:
    site.page("/story", ARTICLE.format(head=head, script=script))
    return site.url("/story")


def assert_on_the_article(snap, site) -> None:
    assert "Work on the old pier will begin in April" in snap.html
    assert snap.final_url == site.url("/story")


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/files/report.zip", "application/zip"),
        ("/files/Annual%20Report.PDF", "application/pdf"),
        ("/files/setup.exe?v=2", "application/octet-stream"),
        ("/files/clip.mp4", "video/mp4"),
    ],
)
def test_a_script_navigation_to_a_file_is_refused_before_any_request(site, fetcher, path, content_type):
    site.bytes(path.split("?")[0], ZIP, content_type)
    snap = fetcher.fetch_sync(story(site, script=after_load(f"location = {path!r};")))
    assert_on_the_article(snap, site)
    assert site.hits(path.split("?")[0]) == 0
    assert snap.requests.get("download") == 1


def test_a_meta_refresh_to_a_pdf_is_refused_before_any_request(site, fetcher):
    site.bytes("/report.pdf", PDF, "application/pdf")
    snap = fetcher.fetch_sync(story(site, head='<meta http-equiv="refresh" content="0; url=/report.pdf">'))
    assert_on_the_article(snap, site)
    assert site.hits("/report.pdf") == 0 and snap.requests.get("download") == 1


@pytest.mark.parametrize(
    "content_type, headers",
    [
        ("application/octet-stream", {}),
        ("application/zip", {}),
        ("text/html; charset=utf-8", {"Content-Disposition": 'attachment; filename="story.html"'}),
    ],
)
def test_a_navigation_answered_as_a_download_is_closed_after_its_headers(site, fetcher, content_type, headers):
    site.bytes("/export", b"<html>" + b"x" * BIG, content_type, headers=headers)
    snap = fetcher.fetch_sync(story(site, script=after_load("location = '/export?id=7';")))
    assert_on_the_article(snap, site)
    assert site.hits("/export") == 1  # nothing in its URL says it is a file: it is asked for
    assert site.sent("/export") < BUFFERED, site.sent("/export")
    assert snap.requests.get("download") == 1


def test_a_redirect_to_a_file_is_refused_at_the_hop(site, fetcher):
    site.redirect("/latest", "/files/report.zip")
    site.bytes("/files/report.zip", ZIP, "application/zip")
    snap = fetcher.fetch_sync(story(site, script=after_load("location = '/latest';")))
    assert_on_the_article(snap, site)
    assert site.hits("/latest") == 1 and site.hits("/files/report.zip") == 0
    assert snap.requests.get("download") == 1


@pytest.mark.parametrize(
    "click",
    [
        "document.getElementById('link').click();",
        # The usual script way: an anchor made for the purpose, never put in the document.
        "var a = document.createElement('a'); a.href = '/files/data.csv'; a.download = 'x.csv'; a.click();",
        "document.getElementById('link').click(); document.getElementById('other').click();",  # two at once
    ],
)
def test_a_clicked_download_link_never_reaches_the_server(site, fetcher, click):
    site.bytes("/files/data.csv", ZIP, "text/csv")
    site.bytes("/data", ZIP, "application/zip")
    links = "<a id='link' download href='/files/data.csv'>data</a><a id='other' download href='/data'>data</a>"
    snap = fetcher.fetch_sync(story(site, script=links + after_load(click)))
    assert_on_the_article(snap, site)
    assert site.hits("/files/data.csv") == 0 and site.hits("/data") == 0


def test_a_popup_opened_on_a_download_never_reaches_the_server(site, fetcher):
    site.bytes("/files/report.zip", ZIP, "application/zip")
    site.bytes("/export", ZIP, "application/octet-stream")
    snap = fetcher.fetch_sync(
        story(site, script=after_load("window.open('/files/report.zip'); window.open('/export', '_blank');"))
    )
    assert_on_the_article(snap, site)
    assert site.hits("/files/report.zip") == 0 and site.hits("/export") == 0
    assert snap.requests.get("popup") == 2


def test_the_check_stores_the_article_and_its_log_counts_the_downloads(site, fetcher, tmp_path):
    import json

    from support.cli import checked, data_dir_with, ok

    from watcher.store import open_store

    site.bytes("/data", ZIP, "application/zip")
    site.bytes("/export", ZIP, "application/octet-stream")
    site.bytes("/files/report.zip", ZIP, "application/zip")
    link = "<a id='link' download href='/data'>data</a>"
    script = "document.getElementById('link').click(); window.open('/files/report.zip'); location = '/export';"
    url = story(site, script=link + after_load(script))
    data_dir = data_dir_with(tmp_path / "data")
    open_store(data_dir).add_article(url)
    [result] = checked(data_dir, fetcher, url)
    assert result.status == "new"
    assert "Work on the old pier will begin in April" in ok(data_dir, "show", url)
    [logged] = json.loads(ok(data_dir, "history", url, "--checks", "--json"))
    # The clicked link is refused by Chromium itself before it is a request: nothing to count.
    assert logged["status"] == "new" and logged["requests"] == {"download": 1, "popup": 1}
    assert site.hits("/data") == 0 and site.hits("/files/report.zip") == 0 and site.sent("/export") < BUFFERED
