"""The web view's shared state (parts, index, guard, templates) and what every page's template is given."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from watcher.app.web.parts import WebParts
from watcher.app.web.security import FRAMING_CSP, PAGE_CSP, SESSION_COOKIE, Guard
from watcher.app.web.views import ArticleIndex, ChangeMarks
from watcher.app.web.words import LANGS, ui_lang, words
from watcher.report.html import css_token, page
from watcher.times import display_time_in, short_time_in
from watcher.untrusted import isolated, without_controls

HERE = Path(__file__).parent
LANG_COOKIE = "watcher_lang"


def _finalize(value: Any) -> Any:
    # Every value a template prints: control characters (ESC...) become visible stand-ins before escaping.
    if isinstance(value, str) and not isinstance(value, Markup):
        return without_controls(value)
    return "" if value is None else value


def templates() -> Environment:
    """Jinja2 with autoescaping on for every template: page text can only ever be text."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Page text among watcher's own words, isolated in <bdi> so its bidi controls cannot reorder them.
    env.filters["page"] = lambda text: Markup(page(text))
    env.filters["css"] = css_token
    # A <title> is plain text (no <bdi>): its page text is isolated with FSI ... PDI instead. The block is escaped
    # already, and isolating adds only those two characters.
    env.filters["isolated"] = lambda text: Markup(isolated(str(text)))
    return env


@dataclass
class Site:
    """One running web view."""

    parts: WebParts
    guard: Guard
    lang_mode: str = "auto"  # serve --lang
    read_only: bool = False
    loopback_only: bool = False  # bound to this machine: requests must name it (security.host_allowed)
    zone: tzinfo = UTC
    index: ArticleIndex = field(init=False)
    marks: ChangeMarks = field(init=False)
    env: Environment = field(init=False)
    write_turn: threading.Lock = field(default_factory=threading.Lock)

    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _cache_of: object = None
    _cache: dict[tuple, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = ArticleIndex(self.parts.store)
        self.marks = ChangeMarks(self.parts.store)
        self.env = templates()

    @property
    def store(self):
        return self.parts.store

    def add(self, url: str, tags: list[str]) -> tuple[Any, bool]:
        """Start watching a URL (the store normalizes and checks it); the list shows it at once."""
        article, created = self.store.add_article(url, tags=[t.strip() for t in tags if t.strip()])
        self.index.fresh()
        return article, created

    def short(self, moment: datetime | None) -> str:
        return short_time_in(moment, self.zone) if moment else ""

    def long(self, moment: datetime | None) -> str:
        return display_time_in(moment, self.zone) if moment else ""

    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return ui_lang(self.lang_mode, asked, request.headers.get("accept-language", ""))

    def signed_in(self, request: Request) -> bool:
        return not self.read_only and self.guard.signed_in(request.cookies.get(SESSION_COOKIE))

    def render(
        self, request: Request, name: str, code: int = 200, *, framing: bool = False, **context: Any
    ) -> HTMLResponse:
        """A page from its template, with what every page shows (language, sign-in state, feeds)."""
        return self.respond(request, self.html(request, name, **context), code, framing=framing)

    def html(self, request: Request, name: str, **context: Any) -> str:
        lang = self.lang(request)
        other = LANGS[1] if lang == LANGS[0] else LANGS[0]
        params = dict(request.query_params)
        params["lang"] = other
        context.setdefault("feeds", [{"title": "watcher: all edits", "href": "/feeds/all.atom"}])
        return self.env.get_template(name).render(
            request=request,
            lang=lang,
            w=words(lang),
            other_lang=other,
            # Relative to the page itself: a path of the request's (//other.example) never becomes the link.
            lang_switch=f"?{urlencode(params)}",
            writable=self.guard.writable and not self.read_only,
            signed_in=self.signed_in(request),
            csrf=self.guard.csrf_value() if self.signed_in(request) else "",
            **context,
        )

    def respond(self, request: Request, body: str, code: int = 200, *, framing: bool = False) -> HTMLResponse:
        response = HTMLResponse(body, status_code=code)
        if framing:
            response.headers["Content-Security-Policy"] = FRAMING_CSP
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(LANG_COOKIE, request.query_params["lang"], samesite="strict", httponly=True)
        return response

    def cached(self, listing: object, key: tuple, make: Callable[[], str]) -> str:
        """A page of one read of the index made once for everyone asking the same (many readers of the list at
        once cost one rendering); the cache goes with that read."""
        with self._cache_lock:
            if self._cache_of is not listing:
                self._cache_of, self._cache = listing, {}
            body = self._cache.get(key)
            if body is None:
                body = make()
                if len(self._cache) < 256:
                    self._cache[key] = body
            return body


__all__ = ["PAGE_CSP", "Site", "templates"]
