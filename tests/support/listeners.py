"""Raw sockets on 127.0.0.1 that only count: TCP connections accepted, UDP datagrams received.

An "internal" service for the tests that prove the browser reaches nothing it was not allowed to: a
preconnect or a WebRTC TURN candidate opens a connection without sending any HTTP, and STUN is UDP, so
an HTTP server's hit count would not see them.
"""

from __future__ import annotations

import select
import socket
import threading


class Listeners:
    """One TCP and one UDP port on 127.0.0.1, counting what arrives until close()."""

    def __init__(self) -> None:
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", 0))
        self._tcp.listen(16)
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", 0))
        self.tcp_port: int = self._tcp.getsockname()[1]
        self.udp_port: int = self._udp.getsockname()[1]
        self._lock = threading.Lock()
        self._connections = 0
        self._datagrams = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listeners", daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        with self._lock:
            return self._connections

    @property
    def datagrams(self) -> int:
        """UDP datagrams received so far."""
        with self._lock:
            return self._datagrams

    def _run(self) -> None:
        while not self._stopping.is_set():
            ready, _, _ = select.select([self._tcp, self._udp], [], [], 0.05)
            for sock in ready:
                if sock is self._tcp:
                    connection, _ = self._tcp.accept()
                    connection.close()
                    with self._lock:
                        self._connections += 1
                else:
                    self._udp.recvfrom(4096)
                    with self._lock:
                        self._datagrams += 1

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._tcp.close()
        self._udp.close()
