"""The gate: every connection Chromium opens by itself goes through watcher, to allowed addresses only.

The route handler (fetch/routing.py) sees the requests a page makes, but Chromium also opens connections
no route ever sees: speculation-rules prefetches (inline, script-inserted, document rules or a
`Speculation-Rules:` header), prefetch-ahead-of-prerender, preconnects, WebRTC's TCP candidates, a
service worker's own fetches. None of these can be switched off by a flag in Chromium 156 (measured:
prefetch has no feature switch left, DevTools interception never sees it, and a holdback is overridden
whenever DevTools is attached, as Playwright always is). What they all share is the network context of
the browser context that makes them, and that context's proxy.

So each browser context gets a lane: a SOCKS5 proxy on a port of its own on 127.0.0.1, served here.
Chromium hands the proxy the host name (remote DNS), the lane resolves it and connects only to an
address the lane's rule allows (public ones, unless the check allows private addresses), and to the
very address it checked, so a name re-resolving elsewhere between check and connect gains nothing.
A refused connection is counted on the lane, for the check log. Side effects that follow from the proxy:
Chromium does not prefetch cross-site at all while a proxy is set (it would bypass it); UDP is off for
WebRTC (browser.py launches with disable_non_proxied_udp); same-site prefetches go through the lane.

The lanes are served by an event loop on a thread of its own, so a busy check loop never stalls a page's
downloads, and a lane's port is known before the context that uses it exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from typing import Any

from watcher import errors
from watcher.fetch import addresses

HANDSHAKE_TIMEOUT = 10.0  # seconds Chromium has to say where it wants to go
CONNECT_TIMEOUT = 10.0  # seconds to reach one address of the target
RESOLVED_FOR = 10.0  # seconds a name's allowed addresses are reused (a page opens many connections to one host)

# SOCKS5 (RFC 1928) replies.
_SUCCEEDED, _NOT_ALLOWED, _HOST_UNREACHABLE, _REFUSED, _NOT_SUPPORTED = 0, 2, 4, 5, 7


class Lane:
    """One browser context's way out: a SOCKS5 port whose connections all follow one rule."""

    def __init__(self, gate: Gate, sock: socket.socket) -> None:
        self.port: int = sock.getsockname()[1]
        self.allow_private = False  # set by the check that takes the context; refused until then
        self.refused: list[str] = []  # host:port of each connection refused for its address
        self._gate = gate
        self._sock = sock
        self._server: asyncio.AbstractServer | None = None
        self._streams: set[asyncio.StreamWriter | asyncio.BaseTransport] = set()
        self._closed = False

    @property
    def proxy(self) -> dict[str, str]:
        """The lane as Playwright's `proxy` context option."""
        return {"server": f"socks5://127.0.0.1:{self.port}"}

    def close(self) -> None:
        """Stop listening and cut the connections still open (the context using it is closed)."""
        self._gate._shut(self)


class Gate:
    """The lanes of one browser, served on a thread of their own."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._lanes: set[Lane] = set()
        self._resolved: dict[tuple[str, int, bool], tuple[float, list[str]]] = {}

    def lane(self) -> Lane:
        """A new lane, listening already (Chromium may connect before the gate's loop gets to it)."""
        loop = self._running()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        sock.setblocking(False)
        lane = Lane(self, sock)
        self._lanes.add(lane)
        asyncio.run_coroutine_threadsafe(self._serve(lane), loop)
        return lane

    def close(self) -> None:
        """Close every lane and stop the thread (a lane asked for later starts a new one)."""
        for lane in list(self._lanes):
            lane.close()
        with self._start:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):  # the loop died with its thread: nothing left to wind down
            asyncio.run_coroutine_threadsafe(_wind_down(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="watcher-gate", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def _shut(self, lane: Lane) -> None:
        self._lanes.discard(lane)
        loop = self._loop
        if loop is None or loop.is_closed():
            lane._sock.close()
            return
        with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
            loop.call_soon_threadsafe(self._shut_now, lane)

    @staticmethod
    def _shut_now(lane: Lane) -> None:
        lane._closed = True
        if lane._server is not None:
            lane._server.close()
        lane._sock.close()
        for writer in list(lane._streams):
            writer.close()

    async def _serve(self, lane: Lane) -> None:
        if lane._closed:
            return
        lane._server = await asyncio.start_server(
            lambda reader, writer: self._client(lane, reader, writer), sock=lane._sock
        )
        if lane._closed:  # closed while it started
            lane._server.close()

    async def _client(self, lane: Lane, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lane._streams.add(writer)
        target: asyncio.BaseTransport | None = None
        try:
            asked = await asyncio.wait_for(_handshake(reader, writer), HANDSHAKE_TIMEOUT)
            if asked is None:
                return
            host, port = asked
            try:
                allowed = await self._resolve(host, port, lane.allow_private)
            except errors.PrivateAddress:
                lane.refused.append(f"{host}:{port}")
                await _reply(writer, _NOT_ALLOWED)
                return
            except errors.FetchError:
                await _reply(writer, _HOST_UNREACHABLE)
                return
            client = writer.transport
            finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            target = await _connect(allowed, port, _Half(client, finished))
            if target is None:
                await _reply(writer, _REFUSED)
                return
            lane._streams.add(target)
            # From here the two transports hand their bytes straight to each other (asyncio streams cost a copy
            # and a task switch a chunk). Swapped before the reply is written, so nothing Chromium sends after
            # the reply can land in the stream's buffer.
            client.set_protocol(_Half(target, finished))
            client.write(bytes([5, _SUCCEEDED, 0, 1]) + bytes(6))
            target.resume_reading()  # type: ignore[attr-defined]
            await finished
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            pass  # Chromium went away or spoke nonsense: nothing to tell it
        finally:
            lane._streams.discard(writer)
            writer.close()
            if target is not None:
                lane._streams.discard(target)
                target.close()

    async def _resolve(self, host: str, port: int, allow: bool) -> list[str]:
        key = (host, port, allow)
        now = time.monotonic()
        known = self._resolved.get(key)
        if known is not None and known[0] > now:
            return known[1]
        found = await asyncio.to_thread(addresses.resolve, f"{host}:{port}", host, port, allow)
        if len(self._resolved) > 1000:
            self._resolved.clear()
        self._resolved[key] = (now + RESOLVED_FOR, found)
        return found


async def _wind_down() -> None:
    """Cancel and wait out everything the gate's loop still runs (lanes starting, connections piping)."""
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int] | None:
    """Read a SOCKS5 greeting and CONNECT request: the (host, port) asked for, or None (answered already)."""
    version, methods = await reader.readexactly(2)
    if version != 5:
        return None
    offered = await reader.readexactly(methods)
    if 0 not in offered:  # Chromium never authenticates to a SOCKS proxy
        writer.write(b"\x05\xff")
        await writer.drain()
        return None
    writer.write(b"\x05\x00")
    await writer.drain()
    version, command, _, kind = await reader.readexactly(4)
    if kind == 1:
        host = socket.inet_ntop(socket.AF_INET, await reader.readexactly(4))
    elif kind == 4:
        host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
    elif kind == 3:
        length = (await reader.readexactly(1))[0]
        host = (await reader.readexactly(length)).decode("ascii")  # Chromium sends names in IDNA form
    else:
        await _reply(writer, _NOT_SUPPORTED)
        return None
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    if version != 5 or command != 1:  # CONNECT only: no BIND, no UDP
        await _reply(writer, _NOT_SUPPORTED)
        return None
    return host, port


async def _reply(writer: asyncio.StreamWriter, code: int) -> None:
    writer.write(bytes([5, code, 0, 1]) + bytes(6))
    await writer.drain()


async def _connect(candidates: list[str], port: int, half: _Half) -> asyncio.BaseTransport | None:
    """A connection to the first address that answers, its reading paused until the client is told."""
    loop = asyncio.get_running_loop()
    for address in candidates:
        try:
            transport, _ = await asyncio.wait_for(loop.create_connection(lambda: half, address, port), CONNECT_TIMEOUT)
        except (OSError, TimeoutError):
            continue
        return transport
    return None


class _Half(asyncio.Protocol):
    """One direction of a tunnel: what its transport receives is written straight to the other side."""

    def __init__(self, sink: asyncio.BaseTransport, finished: asyncio.Future[None]) -> None:
        self.sink: Any = sink
        self.finished = finished

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.pause_reading()  # type: ignore[attr-defined]  # the target waits until the client is told

    def data_received(self, data: bytes) -> None:
        self.sink.write(data)

    def eof_received(self) -> bool:
        if self.sink.can_write_eof():
            self.sink.write_eof()
        return True  # the other direction may still be talking

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.finished.done():
            self.finished.set_result(None)

    # This protocol's own transport cannot take more: stop reading the side that writes into it.
    def pause_writing(self) -> None:
        self.sink.pause_reading()

    def resume_writing(self) -> None:
        self.sink.resume_reading()


def launch_args(lane: Lane) -> list[str]:
    """Chromium switches that send what no context proxy of its own covers through `lane` (loopback too:
    Chromium would otherwise connect to it directly)."""
    return [f"--proxy-server={lane.proxy['server']}", "--proxy-bypass-list=<-loopback>"]
