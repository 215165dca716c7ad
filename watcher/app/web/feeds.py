"""The web view's Atom feeds, read live from the store: all edits, per tag, per host, per article (report/atom.py writes them)."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from watcher.app.web.site import Site
from watcher.app.web.views import recent_changes
from watcher.report.atom import render_atom
from watcher.report.entries import ReportOptions, group_changes
from watcher.times import utcnow

FEED_DAYS = 30  # the window of the all, tag and host feeds; an article's own feed has its whole history
FEED_ENTRIES = 100


def site_of(request: Request) -> Site:
    return request.app.state.site


def _atom(site: Site, title: str, *, days: int | None = FEED_DAYS, **narrow) -> Response:
    since = utcnow() - timedelta(days=days) if days else None
    changes = recent_changes(site.store, since, include_cosmetic=False, **narrow)[:FEED_ENTRIES]  # type: ignore[arg-type]
    window = f"the last {days} days" if days else ""
    body = render_atom(group_changes(changes), ReportOptions(generated_at=utcnow(), title=title, window=window))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def all_edits(request: Request) -> Response:
    return _atom(site_of(request), "watcher: all edits")


def by_tag(request: Request) -> Response:
    tag = request.path_params["tag"]
    return _atom(site_of(request), f"watcher: #{tag}", tags=[tag])


def by_host(request: Request) -> Response:
    host = request.path_params["host"].lower()
    return _atom(site_of(request), f"watcher: {host}", host=host)


def by_article(request: Request) -> Response:
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    headline = site.store.get_article(url).headline or url
    return _atom(site, f"watcher: {headline}", days=None, urls=[url])
