"""The demo newsroom's web server: a threaded HTTP server on 127.0.0.1 whose stories follow the timeline."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from watcher.app.demo.newsroom import timeline as tl
from watcher.app.demo.newsroom.render import placeholder_svg, render_feed, render_front, render_story
from watcher.app.demo.newsroom.stories import STORIES, Story, StoryState


class Newsroom:
    """A local news site whose stories are edited on a script while it runs.

    The stories' text is a pure function of the time since start() (read from `clock`), so the edits land at
    step_times(duration); advance_to(step) switches to manual mode, where tests choose the step.
    """

    def __init__(
        self,
        duration: float = 60.0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        timeline: tuple[tl.Step, ...] = tl.TIMELINE,
    ) -> None:
        if duration <= 0:
            raise ValueError("duration must be positive")
        self.duration = float(duration)
        self.host = host
        self.port = port
        self._clock = clock
        self._timeline = timeline
        self._started_at: float | None = None
        self._manual_step: int | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.requests = 0  # pages served; lets a caller see that the watcher really came

    @property
    def timeline(self) -> tuple[tl.Step, ...]:
        """The scripted steps, in order."""
        return self._timeline

    @property
    def step_times(self) -> list[float]:
        """Seconds after start at which each step happens."""
        return tl.step_times(self.duration, len(self._timeline))

    @property
    def base_url(self) -> str:
        """http://host:port of the running server; RuntimeError before start()."""
        if self._server is None:
            raise RuntimeError("the newsroom is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def feed_url(self) -> str:
        """The RSS feed listing every story."""
        return f"{self.base_url}/feed.xml"

    def url_for(self, slug: str) -> str:
        """The full URL of one story."""
        return f"{self.base_url}/news/{slug}"

    def story_urls(self) -> list[str]:
        """The full URLs of every story, in front-page order."""
        return [f"{self.base_url}{story.path}" for story in STORIES]

    def expected_edits(self) -> list[tl.ExpectedEdit]:
        """The edits the script makes, with times for this duration and URLs once started."""
        edits = tl.expected_edits(self.duration, self._timeline)
        if self._server is None:
            return edits
        return [replace(e, url=self.url_for(e.slug)) for e in edits]

    def elapsed(self) -> float:
        """Seconds since start() by the newsroom's clock (0 before start)."""
        return 0.0 if self._started_at is None else self._clock() - self._started_at

    def current_step(self) -> int:
        """How many timeline steps the stories currently show."""
        with self._lock:
            if self._manual_step is not None:
                return self._manual_step
        return tl.steps_done(self.elapsed(), self.duration, self._timeline)

    def advance_to(self, step: int) -> None:
        """Show the stories as after `step` steps from now on, ignoring the clock (manual mode, for tests)."""
        if not 0 <= step <= len(self._timeline):
            raise ValueError(f"step must be between 0 and {len(self._timeline)}")
        with self._lock:
            self._manual_step = step

    def states(self) -> dict[str, StoryState]:
        """Every story's current text, by slug."""
        return tl.state_after(self.current_step(), self._timeline)

    def start(self) -> str:
        """Start serving in a background thread; returns the base URL."""
        if self._server is not None:
            return self.base_url
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._started_at = self._clock()
        self._thread = threading.Thread(target=self._server.serve_forever, name="newsroom", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Newsroom:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _pages(self) -> list[tuple[Story, StoryState]]:
        states = self.states()
        return [(story, states[story.slug]) for story in STORIES]

    def respond(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) for a request path; every page gets fresh chrome."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        seed = secrets.randbits(64)
        with self._lock:
            self.requests += 1
        if path in ("/", "/index.html"):
            return 200, "text/html; charset=utf-8", render_front(self._pages(), seed)
        if path == "/feed.xml":
            return 200, "application/rss+xml; charset=utf-8", render_feed(self._pages(), self.base_url)
        if path.startswith("/img/") and path.endswith(".svg"):
            return 200, "image/svg+xml", placeholder_svg(path)
        for story, state in self._pages():
            if path == story.path:
                return 200, "text/html; charset=utf-8", render_story(story, state, seed, base_url=self.base_url)
        return 404, "text/html; charset=utf-8", "<!DOCTYPE html><title>Not found</title><h1>Page not found</h1>"


def _handler_for(newsroom: Newsroom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newsroom/1"

        def do_GET(self) -> None:  # http.server's naming
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            status, content_type, text = newsroom.respond(self.path)
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            # A news site's pages change; the watcher must always see the current one.
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the browser gave up on this page; nothing to clean up

        def log_message(self, format: str, *args: object) -> None:
            pass  # the demo's terminal belongs to the dashboard

    return Handler
