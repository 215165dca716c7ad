"""Which URLs a page's navigation is refused by name, and which answers are read past their headers."""

from __future__ import annotations

import httpx
import pytest

from watcher.fetch.routing import may_be_a_page, names_a_file


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/files/report.pdf",
        "https://news.example/files/Annual%20Report.PDF",
        "https://news.example/dl/setup.exe?v=2#top",
        "https://news.example/media/clip.mp4",
        "https://news.example/archive.tar.gz",
        "https://news.example/budget.xlsx",
    ],
)
def test_a_url_naming_a_file_is_one(url):
    assert names_a_file(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/2026/12/01/pier-repairs",
        "https://news.example/story.html",
        "https://news.example/article.php?id=7",
        "https://news.example/report.pdf/",  # a folder named like a file
        "https://news.example/search?q=report.pdf",  # the query is not the path
        "https://news.example/",
    ],
)
def test_a_page_url_is_not(url):
    assert not names_a_file(url)


@pytest.mark.parametrize(
    "status, headers, page",
    [
        (200, {"content-type": "text/html; charset=utf-8"}, True),
        (200, {"content-type": "application/xhtml+xml"}, True),
        (200, {}, True),  # untyped: read and sniffed
        (200, {"content-type": "application/octet-stream"}, False),
        (200, {"content-type": "text/html", "content-disposition": 'attachment; filename="a.html"'}, False),
        (200, {"content-type": "text/html", "content-disposition": "inline"}, True),
        (302, {"content-type": "application/zip", "location": "/x"}, True),  # a hop: followed, checked there
        (404, {"content-type": "text/plain"}, True),  # an error page, handled as before
    ],
)
def test_an_answer_is_read_past_its_headers_only_when_it_may_be_a_page(status, headers, page):
    assert may_be_a_page(status, httpx.Headers(headers)) is page
