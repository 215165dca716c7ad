"""A forwarding HTTP proxy on 127.0.0.1 for proxy tests: plain-HTTP requests in absolute form, Basic
proxy authentication, and a log of what went through it."""

from __future__ import annotations

import base64
import http.client
import http.server
import threading
from urllib.parse import urlsplit


class Proxy:
    """`url` is the proxy with its credentials; `seen` lists (path, user-agent) of every forwarded request."""

    def __init__(self, user: str = "reporter", password: str = "s3cret-proxy-pw") -> None:
        self.seen: list[tuple[str, str]] = []
        self.refused = 0
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # http.server's naming
                if self.headers.get("Proxy-Authorization") != expected:
                    proxy.refused += 1
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = urlsplit(self.path)
                proxy.seen.append((target.path, self.headers.get("User-Agent", "")))
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("proxy-authorization", "proxy-connection")
                }
                upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
                reply = upstream.getresponse()
                body = reply.read()
                self.send_response(reply.status, reply.reason)
                for key, value in reply.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                upstream.close()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = self.server.server_address[1]
        self.url = f"http://{user}:{password}@127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for path, _ in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
