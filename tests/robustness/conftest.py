"""Helpers for the robustness suite: the CLI run in-process, a prepared store, a folder's exact state,
and a small streaming server for pages too big or too random for the scripted site."""

from __future__ import annotations

import io
import random
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.closing import closing_fixture

from watcher.app import cli
from watcher.app.console import Environment
from watcher.diff import diff_articles
from watcher.models import Article
from watcher.store import open_store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WATCHED = "https://news.example/story"
V1 = Article(headline="Council votes on flood barrier", body=["The council met on Monday.", "60 residents came."])
V2 = Article(headline="Council votes on flood barrier", body=["The council met on Monday.", "80 residents came."])


@dataclass
class Outcome:
    """What one in-process `watcher` invocation did."""

    code: int
    out: str
    err: str


def run_cli(*argv: str) -> Outcome:
    """cli.main in this process with captured stdout/stderr; the exit code from SystemExit."""
    out, err = io.StringIO(), io.StringIO()
    try:
        cli.main(list(argv), Environment(stdout=out, stderr=err, width=200))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:  # pragma: no cover - main always exits
        code = 0
    return Outcome(code, out.getvalue(), err.getvalue())


def folder_state(root: Path) -> dict[str, bytes] | None:
    """Every file under `root` with its bytes (lock files excluded: taking a lock is not writing data)."""
    if not root.exists():
        return None
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def populate(data_dir: Path) -> None:
    """A store with one article at two versions, written through the real store API."""
    store = open_store(data_dir)
    store.add_article(WATCHED, now=T0)
    store.save_version(WATCHED, V1, html="<p>v1</p>", diff=None, captured_at=T0)
    store.save_version(WATCHED, V2, html="<p>v2</p>", diff=diff_articles(V1, V2), captured_at=T0 + timedelta(hours=1))


@pytest.fixture(scope="session")
def populated_template(tmp_path_factory) -> Path:
    """One populated store per session; tests get copies (fsync-heavy writes are slow on a busy disk)."""
    folder = tmp_path_factory.mktemp("template") / "data"
    populate(folder)
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, populated_template: Path) -> Path:
    """A populated data folder of this test's own."""
    folder = tmp_path / "data"
    shutil.copytree(populated_template, folder)
    return folder


# --- a streaming server ------------------------------------------------------------------------------

ARTICLE_HEAD = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Big</title></head><body>"
    b"<article><h1>A very long story</h1>"
)


class StreamServer:
    """Pages generated while they are sent: /huge?cl=1 (60 MB, Content-Length known), /huge (60 MB,
    no Content-Length, connection closed at the end), /random (a new random id on every load)."""

    SIZE = 60 * 1024 * 1024

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _StreamHandler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


class _StreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner: StreamServer = self.server.owner  # type: ignore[attr-defined]
        path, _, query = self.path.partition("?")
        try:
            if path == "/random":
                self._random()
            elif path == "/huge":
                self._huge(owner, with_length="cl=1" in query)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _random(self) -> None:
        token = f"{random.getrandbits(64):016x}"
        paras = "".join(
            f"<p>Paragraph {i} of the story about the harbour, told at some length for the reader.</p>"
            for i in range(6)
        )
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>Live</title></head><body><article>"
            f"<h1>Harbour story</h1>{paras}<p>Request id {token} served for this load only.</p>"
            f"</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _huge(self, owner: StreamServer, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            self.send_header("Content-Length", str(StreamServer.SIZE))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"lorem ipsum dolor " * 3600 + b"</p>\n"  # ~64 KB
        sent = 0
        self.wfile.write(ARTICLE_HEAD)
        sent += len(ARTICLE_HEAD)
        key = self.path
        while sent < StreamServer.SIZE:
            piece = chunk[: StreamServer.SIZE - sent]
            self.wfile.write(piece)
            sent += len(piece)
            owner.sent[key] = sent

    def log_message(self, format: str, *args: object) -> None:
        pass


stream_server = closing_fixture(StreamServer, "A StreamServer for one test.")
