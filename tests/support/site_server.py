"""A local newsroom for tests: a threaded HTTP server on 127.0.0.1 whose answers a test scripts."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from support.fixture_sites import fixture_versions

HTML = "text/html; charset=utf-8"
CHUNK = 65536  # bodies are written in pieces, each counted once written (Site.sent)


@dataclass
class Response:
    """One scripted answer: status, headers and body, optionally late or never."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False
    drip: float = 0.0  # seconds between body bytes: a slow-drip server, one byte at a time


@dataclass
class _Route:
    versions: dict[str, list[Response]]
    current: str
    served: int = 0  # answers given from the current version's sequence


def _encode(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


class Site:
    """Pages served from 127.0.0.1 on a free port; see tests/conftest.py for the API."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: dict[str, _Route] = {}
        self._hits: dict[str, list[float]] = {}
        self._agents: dict[str, list[str]] = {}
        self._sent: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((host, 0), _Handler)
        self._server.site = self
        self.host = host
        self.port = self._server.server_address[1]
        # A short poll interval keeps shutdown (once per test) from costing half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=f"site:{self.port}", daemon=True
        )
        self._thread.start()

    # -- addresses -------------------------------------------------------------------------------

    def url(self, path: str = "/", host: str | None = None) -> str:
        """The full URL of a path; host="localhost" gives a second host name for the same server."""
        return f"http://{host or self.host}:{self.port}{path}"

    # -- scripting answers -------------------------------------------------------------------------

    def set(self, path: str, *responses: Response) -> None:
        """Answer `path` with these responses in order; the last one repeats."""
        self.page_versions(path, {"v1": list(responses)})

    def page(
        self,
        path: str,
        html: str | bytes,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = HTML,
        delay: float = 0.0,
    ) -> None:
        """Serve an HTML page (or anything, given content_type) at `path`."""
        self.set(path, Response(_encode(html), status, content_type, dict(headers or {}), delay))

    def bytes(self, path: str, data: bytes, content_type: str | None, status: int = 200, headers=None) -> None:
        """Serve raw bytes with the given content type (None: no Content-Type header at all)."""
        self.set(path, Response(data, status, content_type, dict(headers or {})))

    def status(self, path: str, *statuses: int, headers: dict[str, str] | None = None, body: str = "") -> None:
        """Answer with these statuses in order (the last repeats), e.g. status(p, 500, 500, 200)."""
        body = body or "<html><body><p>status page</p></body></html>"
        self.set(path, *(Response(_encode(body), s, HTML, dict(headers or {})) for s in statuses))

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect `path` to `location` (sent as given, so it may be relative or any scheme)."""
        self.set(path, Response(b"", status, None, {"Location": location}))

    def drip(self, path: str, data: bytes, content_type: str | None = HTML, every: float = 0.05) -> None:
        """Serve `data` one byte every `every` seconds (a slow-drip server)."""
        self.set(path, Response(data, 200, content_type, drip=every))

    def hang(self, path: str) -> None:
        """Accept requests to `path` and never answer (until the server shuts down)."""
        self.set(path, Response(hang=True))

    def page_versions(
        self, path: str, versions: dict[str, str | bytes | list[Response]], current: str | None = None
    ) -> None:
        """Register named versions of a page; the first (or `current`) is served until set_version."""
        converted = {
            name: body if isinstance(body, list) else [Response(_encode(body))] for name, body in versions.items()
        }
        if not converted:
            raise ValueError("no versions given")
        with self._lock:
            self._routes[path] = _Route(converted, current or next(iter(converted)))

    def serve_fixture(self, path: str, fixture: str) -> list[str]:
        """Serve the versions of tests/fixtures/sites/<fixture> (support/fixture_sites.py) at `path`; returns
        their names."""
        versions = fixture_versions(fixture)
        self.page_versions(path, versions)
        return list(versions)

    def set_version(self, path: str, name: str) -> None:
        """Switch `path` to another registered version (how tests simulate an edited article)."""
        with self._lock:
            route = self._routes[path]
            if name not in route.versions:
                raise KeyError(f"{path} has no version {name!r}; it has {sorted(route.versions)}")
            route.current, route.served = name, 0

    def remove(self, path: str) -> None:
        """Forget `path`, so it answers 404 like any unknown path."""
        with self._lock:
            self._routes.pop(path, None)

    # -- what happened ---------------------------------------------------------------------------

    def hits(self, path: str) -> int:
        """How many requests reached `path` (query strings ignored)."""
        with self._lock:
            return len(self._hits.get(path, []))

    def user_agents(self, path: str) -> list[str]:
        """The User-Agent header of each request to `path`, in arrival order."""
        with self._lock:
            return list(self._agents.get(path, []))

    def sent(self, path: str) -> int:
        """Body bytes written to the connections of requests to `path` (what a client that closes early spared)."""
        with self._lock:
            return self._sent.get(path, 0)

    def hit_times(self, path: str) -> list[float]:
        """time.monotonic() of each request to `path`, in arrival order."""
        with self._lock:
            return list(self._hits.get(path, []))

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop serving; hanging and delayed handlers are released at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- used by the handler ---------------------------------------------------------------------

    def _answer(self, raw_path: str, agent: str = "") -> Response:
        path = urlsplit(raw_path).path or "/"
        with self._lock:
            self._hits.setdefault(path, []).append(time.monotonic())
            self._agents.setdefault(path, []).append(agent)
            route = self._routes.get(path)
            if route is None:
                return Response(b"<html><body><h1>Not found</h1></body></html>", 404)
            sequence = route.versions[route.current]
            answer = sequence[min(route.served, len(sequence) - 1)]
            route.served += 1
            return answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold up shutdown
    allow_reuse_address = True
    site: Site


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        # A small send buffer keeps what `Site.sent` counts close to what the client really took: the
        # kernel would otherwise accept megabytes for a client that stopped reading after the headers.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_POST(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        site = self.server.site
        answer = site._answer(self.path, self.headers.get("User-Agent", ""))
        if answer.hang:
            site._stopping.wait()
            return
        if answer.delay and site._stopping.wait(answer.delay):
            return
        etag = next((v for k, v in answer.headers.items() if k.lower() == "etag"), None)
        if etag is not None and self.headers.get("If-None-Match") == etag:
            # Like any server keeping validators: the copy the client holds is current, so no body.
            answer = Response(status=304, content_type=None, headers={"ETag": etag})
        try:
            self.send_response(answer.status)
            if answer.content_type is not None:
                self.send_header("Content-Type", answer.content_type)
            names = {k.lower() for k in answer.headers}
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body and answer.drip:
                for n in range(len(answer.body)):
                    if site._stopping.wait(answer.drip):
                        return
                    self.wfile.write(answer.body[n : n + 1])
                    self.wfile.flush()
            elif send_body:
                path = urlsplit(self.path).path or "/"
                for start in range(0, len(answer.body), CHUNK):
                    piece = answer.body[start : start + CHUNK]
                    self.wfile.write(piece)
                    with site._lock:
                        site._sent[path] = site._sent.get(path, 0) + len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser gave up (timeout, abort); nothing to tell it

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean
