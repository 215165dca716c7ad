"""Local stand-ins for servers watcher talks to: a newsroom that shows its story only to a signed-in reader,
and the Internet Archive's Save Page Now (SPN2) and archive.today, speaking their documented shapes."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from typing import Any

SESSION = "sess-5f1c0de-7a9e4b"  # the cookie's value: it must appear in no output
STORY = "The council's secret budget memo names four schools to close next year."


def _story_page(signed_in: bool) -> str:
    if signed_in:
        body = (
            "<p>The council met behind closed doors on Tuesday evening to talk about the budget.</p>" * 2
            + f"<p>{STORY}</p>"
        )
    else:
        body = "<p>Subscribe to read this story. Already a subscriber? Sign in to keep reading it here.</p>"
    return (
        "<html><head><title>Budget memo</title></head><body><article><h1>Budget memo</h1>"
        f"{body}</article></body></html>"
    )


def _lower(headers: Any) -> dict[str, str]:
    """Request headers by lower-case name (clients differ in how they spell them)."""
    return {key.lower(): value for key, value in headers.items()}


class _Server:
    """A threaded HTTP server on 127.0.0.1 whose handler is this object's `answer`."""

    def __init__(self) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner._handle(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner._handle(self, self.rfile.read(length))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handle(self, handler: Any, body: bytes) -> None:
        with self._lock:
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": _lower(handler.headers),
                    "body": body,
                    "at": time.monotonic(),
                }
            )
        status, headers, payload = self.answer(handler.command, handler.path, _lower(handler.headers), body)
        if status == 0:  # hang until closed
            self._stop.wait(60)
            return
        data = payload.encode() if isinstance(payload, str) else payload
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


class Newsroom(_Server):
    """/story shows the story only to a request carrying the session cookie (and renews it with Set-Cookie);
    any other path is a page too; /away redirects to `away`. `cookies_sent(path)` says what each request sent."""

    away = ""

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        if path == "/away":
            return 302, {"Location": self.away}, ""
        cookies = headers.get("cookie") or ""
        signed_in = f"session={SESSION}" in cookies
        out = {"Content-Type": "text/html; charset=utf-8"}
        if signed_in:
            out["Set-Cookie"] = f"session={SESSION}; Path=/; HttpOnly"
        return 200, out, _story_page(signed_in)

    def cookies_sent(self, path: str) -> list[str]:
        return [r["headers"].get("cookie") or "" for r in self.requests if r["path"] == path]


class Wayback(_Server):
    """Save Page Now 2: POST /save (form url=..., `Authorization: LOW key:secret`) answers {"url", "job_id"};
    GET /save/status/JOB answers "pending" once, then "success" with "timestamp" and "original_url".
    `mode`: "ok", "fail" (500), "limit" (429 with Retry-After) or "hang" (never answers)."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.saved: list[str] = []
        self._polls: dict[str, int] = {}
        super().__init__()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        js = {"Content-Type": "application/json"}
        if self.mode == "hang":
            return 0, {}, b""
        if self.mode == "fail":
            return 500, {"Content-Type": "text/plain"}, "Internal Server Error"
        if self.mode == "limit":
            return (
                429,
                {**js, "Retry-After": "1"},
                json.dumps({"status": "error", "status_ext": "error:too-many-daily-captures"}),
            )
        if method == "POST" and path == "/save":
            if not (headers.get("authorization") or "").startswith("LOW "):
                return 401, js, json.dumps({"message": "You need to be logged in to use Save Page Now."})
            url = urllib.parse.parse_qs(body.decode())["url"][0]
            job = f"spn2-{len(self.saved):04d}"
            self.saved.append(url)
            self._polls[job] = 0
            return 200, js, json.dumps({"url": url, "job_id": job})
        if method == "GET" and path.startswith("/save/status/"):
            job = path.rsplit("/", 1)[1]
            if job not in self._polls:
                return 200, js, json.dumps({"status": "error", "status_ext": "error:not-found", "message": "no job"})
            self._polls[job] += 1
            if self._polls[job] < 2:
                return 200, js, json.dumps({"status": "pending", "job_id": job, "resources": []})
            url = self.saved[int(job.rsplit("-", 1)[1])]
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
            return (
                200,
                js,
                json.dumps(
                    {"status": "success", "job_id": job, "original_url": url, "timestamp": stamp, "duration_sec": 1.2}
                ),
            )
        return 404, js, "{}"


class ArchiveToday(_Server):
    """archive.today: POST /submit/ (form url=...) answers a redirect to the archived copy (the first time) or a
        Refresh header naming it; /XXXXX is the copy. `mode`: "ok", "limit" (429 with Retry-After), "limit-once" (the
    first answer only), "captcha" (a CAPTCHA page)."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.saved: list[str] = []
        super().__init__()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if self.mode in ("limit", "limit-once"):
            if self.mode == "limit-once":
                self.mode = "ok"
            return 429, {**html, "Retry-After": "1"}, "<html><body>Too Many Requests</body></html>"
        if self.mode == "captcha":
            return (
                200,
                html,
                "<html><body><form id='captcha'>Please complete the security check (CAPTCHA)</form></body></html>",
            )
        if method == "POST" and path == "/submit/":
            url = urllib.parse.parse_qs(body.decode())["url"][0]
            self.saved.append(url)
            copy = f"{self.base}/a{len(self.saved):04d}"
            if len(self.saved) % 2:
                return 302, {**html, "Location": copy}, ""
            return 200, {**html, "Refresh": f"0;url={copy}"}, "<html><body>archiving</body></html>"
        return 200, html, "<html><body>an archived copy</body></html>"
