"""A webhook receiver on 127.0.0.1 for notification tests."""

from __future__ import annotations

import http.server
import json
import threading


class Receiver:
    """A local webhook receiver: /ok records posts, /fail answers 500, /hang never answers until released."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.failures = 0
        self.release = threading.Event()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.startswith("/hang"):
                    receiver.release.wait(30)
                    return
                if self.path.startswith("/fail"):
                    with receiver.arrived:
                        receiver.failures += 1
                        receiver.arrived.notify_all()
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with receiver.arrived:
                    receiver.posts.append((self.path, json.loads(body)))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def wait_for(self, predicate, timeout=5.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(predicate, timeout)

    def got(self, path: str) -> list[dict]:
        """Bodies posted to `path`."""
        with self.arrived:
            return [body for p, body in self.posts if p == path]

    def close(self) -> None:
        """Stop serving; posts waiting on /hang are released."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
