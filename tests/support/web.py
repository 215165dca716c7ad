"""For the web view's tests: a store with edited stories (a hostile one, a Chinese one), and `watcher serve` run for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watcher.diff import diff_articles
from watcher.models import Article, CheckResult
from watcher.store import open_store
from watcher.store.docs import url_key

EN_URL = "https://news.example/world/bridge"
ZH_URL = "https://tw.news.example/society/typhoon"
HOSTILE_URL = "https://evil.example/a"
# Tags, a script, an event handler, a bidi override and an ESC: each must reach the page as inert text.
HOSTILE_HEADLINE = 'Mayor <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> \u202egnp.exe\x1b[31m'
TOKEN = "test-token-0123456789abcdef"


def _save(store, url: str, versions: list[Article], start: datetime, *, html: str | None = None) -> None:
    previous = None
    for n, article in enumerate(versions):
        diff = diff_articles(previous, article) if previous is not None else None
        store.save_version(url, article, html=html, diff=diff, captured_at=start + timedelta(hours=n))
        previous = article


def build_store(root: Path | str, now: datetime | None = None) -> Path | str:
    """A data folder with three watched stories, each edited: English (an edit inside a moved paragraph, a
    cosmetic edit), Traditional Chinese, and one whose headline and body are hostile."""
    now = now or datetime.now(UTC)
    store = open_store(root)
    store.add_article(EN_URL, tags=["politics"])
    store.add_article(ZH_URL, tags=["taiwan"])
    store.add_article(HOSTILE_URL, tags=["politics"])
    en1 = Article(
        headline="Council approves bridge repairs",
        lang="en",
        body=[
            "The council voted 7-2 on Tuesday to repair the river bridge.",
            "Work starts in May and will close one lane for six weeks.",
            "The mayor said the cost would be shared with the province.",
            "Residents had complained about potholes for years.",
        ],
    )
    en2 = replace(
        en1,
        headline="Council approves bridge repairs after heated debate",
        body=[
            "The mayor said the cost would be covered by the city alone.",  # moved to the top and edited
            "The council voted 7-2 on Tuesday to repair the river bridge.",
            "Work starts in June and will close one lane for six weeks.",
            "Residents had complained about potholes for years .",  # cosmetic only
        ],
    )
    _save(store, EN_URL, [en1, en2], now - timedelta(hours=3), html="<html><body><h1>Bridge</h1></body></html>")
    store.record_check(CheckResult(url=EN_URL, status="changed", checked_at=now - timedelta(hours=2), version=2))
    store.record_check(
        CheckResult(
            url=EN_URL, status="error", checked_at=now - timedelta(minutes=30), error="HTTP 503 Service Unavailable"
        )
    )
    zh1 = Article(
        headline="颱風逼近 全台停班停課",
        lang="zh-Hant",
        body=["中央氣象署表示，颱風預計明天清晨登陸。", "各縣市宣布停班停課。"],
    )
    zh2 = replace(zh1, body=["中央氣象署表示，颱風預計今天深夜登陸。", "各縣市宣布停班停課。"])
    _save(store, ZH_URL, [zh1, zh2], now - timedelta(hours=2))
    hostile_html = (
        "<html><head><script>parent.__pwned=3</script><link rel=stylesheet href=https://cdn.evil.example/x.css>"
        "</head><body><h1>raw page</h1><img src=https://evil.example/beacon.png></body></html>"
    )
    h1 = Article(headline=HOSTILE_HEADLINE, lang="en", body=["<b>bold</b> & <i>text</i>", "second paragraph"])
    h2 = replace(h1, body=['<script>alert("x")</script> changed', "second paragraph"])
    _save(store, HOSTILE_URL, [h1, h2], now - timedelta(hours=1), html=hostile_html)
    return root


def _where(location: Path | str) -> list[str]:
    text = str(location)
    return ["--store", text] if text.startswith("postgresql://") else ["--data-dir", text]


def article_id(url: str) -> str:
    return url_key(url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`watcher serve` in a subprocess on a free 127.0.0.1 port; `url` is what it printed."""

    def __init__(self, location: Path | str, *args: str, token: str | None = None, env: dict[str, str] | None = None):
        environ = {**os.environ, **(env or {})}
        environ.pop("WATCHER_SERVE_TOKEN", None)
        if token:
            environ["WATCHER_SERVE_TOKEN"] = token
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", *_where(location), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.proc.kill()
            raise AssertionError(
                f"watcher serve printed {line!r}; stderr: {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
        self.url = line.rstrip("/")
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url + "/static/web.css", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def get(self, path: str, **kw) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kw)

    def close(self) -> str:
        """Stop the server; its stderr."""
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
