"""The HTTP API under /api/: the read commands' JSON (list, history, checks, show, diff) and the write actions.

Each answer has the shape the CLI's --json prints for the same question (watcher.app.commands.reading and
watching build both). Writes take `Authorization: Bearer TOKEN` and nothing else (no cookie), so another
site cannot make a signed-in browser send one. docs/api.md documents every route.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from watcher.app.commands.reading import checks_json, diff_json, history_json, show_json
from watcher.app.commands.watching import list_json, set_paused
from watcher.app.web.site import Site
from watcher.app.web.views import PAGE_SIZE, Query, article_page, compare
from watcher.errors import BadInput, UnknownArticle
from watcher.untrusted import json_safe

MAX_PER_PAGE = 1000


class Forbidden(Exception):
    """A write without the token (or with writes off): 403."""


def site_of(request: Request) -> Site:
    return request.app.state.site


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # The CLI's JSON text: UTF-8, with DEL, C1 and bidi characters as \u escapes (the same value).
    body = json_safe(json.dumps(value, ensure_ascii=False, indent=2))
    return Response(body + "\n", status_code=status, media_type="application/json", headers=headers)


def _include_cosmetic(request: Request) -> bool:
    return request.query_params.get("all") in ("1", "true")


def list_articles(request: Request) -> Response:
    """`watcher list --json` for the articles matching the list page's filters; paged (?page, ?per_page), the
    total in X-Total-Count."""
    from watcher.monitor.precheck import host_modes

    site = site_of(request)
    query = Query.parse(request.query_params)
    try:
        per_page = int(request.query_params.get("per_page", "") or PAGE_SIZE)
    except ValueError:
        raise BadInput("per_page must be a number") from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadInput(f"per_page must be 1 to {MAX_PER_PAGE}")
    listing = site.index.latest()
    found = article_page(listing, query, site.marks, size=per_page)
    if found.page != query.page and found.total:
        found.articles = []  # past the last page: an empty page, not the last one again
    learned = host_modes(site.store.learned_modes())
    body = [list_json(site.parts.config, a, listing.keys.get(a.url, ""), learned) for a in found.articles]
    return json_response(body, headers={"X-Total-Count": str(found.total), "X-Page-Count": str(found.pages)})


def history(request: Request) -> Response:
    """`watcher history --json`."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    versions = site.store.list_versions(url)
    learned = set(site.store.get_article(url).volatile)
    machine = site.parts.machine_summaries(url)
    return json_response(history_json(versions, learned, _include_cosmetic(request), machine))


def checks(request: Request) -> Response:
    """`watcher history --checks --json`."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    return json_response(checks_json(site.store.recent_checks(url)))


def show(request: Request) -> Response:
    """`watcher show --json` (?version=N, default the latest)."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    number = _version_param(request, "version", site, url)
    return json_response(show_json(url, site.store.get_version(url, number)))


def diff(request: Request) -> Response:
    """`watcher diff --json` (?from=N&to=M, defaults as the CLI's: the latest and the one before)."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    new_n = _version_param(request, "to", site, url)
    old_n = _int_param(request, "from")
    if old_n is None:
        if new_n == 1:
            raise BadInput("this article has only one version; nothing to compare")
        old_n = new_n - 1
    found = compare(site.store, url, old_n, new_n)
    return json_response(diff_json(url, found.new, found.diff, _include_cosmetic(request)))


def _version_param(request: Request, name: str, site: Site, url: str) -> int:
    """The version number asked for, or the latest one, as the CLI defaults."""
    number = _int_param(request, name)
    if number is not None:
        return number
    latest = site.store.latest_version(url)
    if latest is None:
        raise UnknownArticle("this article has no versions yet")
    return latest.number


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(f"{name} must be a version number") from None


# ----- writes -----------------------------------------------------------------------------------


def _require_token(request: Request) -> Site:
    site = site_of(request)
    if site.read_only or not site.guard.bearer_ok(request.headers.get("authorization")):
        raise Forbidden()
    return site


async def _body(request: Request) -> dict[str, Any]:
    try:
        raw = await request.body()
        value = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body must be a JSON object") from None
    if not isinstance(value, dict):
        raise BadInput("the body must be a JSON object")
    return value


async def add(request: Request) -> Response:
    """POST /api/articles {"url": ..., "tags": [...]}: start watching (an existing URL gains the tags)."""
    site = _require_token(request)
    body = await _body(request)
    url, tags = body.get("url"), body.get("tags", [])
    if not isinstance(url, str) or not url.strip():
        raise BadInput('"url" must be a URL')
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise BadInput('"tags" must be a list of words')
    from starlette.concurrency import run_in_threadpool

    article, created = await run_in_threadpool(site.add, url, tags)
    return json_response(
        {**article.to_json(), "id": site.index.id_of(article.url), "created": created}, 201 if created else 200
    )


async def check_now(request: Request) -> Response:
    """POST /api/articles/ID/check: check now; the answer is `watcher check --json`'s object."""
    site = _require_token(request)
    url = site.index.url_of(request.path_params["article_id"])
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(site.parts.check_now, url)
    site.index.fresh()
    return json_response(result.to_json())


def _pause(request: Request, paused: bool) -> Response:
    site = _require_token(request)
    url = site.index.url_of(request.path_params["article_id"])
    changed = set_paused(site.store, url, paused)
    site.index.fresh()
    return json_response({"url": url, "paused": paused, "changed": changed})


def pause(request: Request) -> Response:
    """POST /api/articles/ID/pause."""
    return _pause(request, True)


def resume(request: Request) -> Response:
    """POST /api/articles/ID/resume."""
    return _pause(request, False)


def remove(request: Request) -> Response:
    """DELETE /api/articles/ID: stop watching and delete its versions."""
    site = _require_token(request)
    url = site.index.url_of(request.path_params["article_id"])
    removed = site.store.remove_article(url)
    site.index.fresh()
    return json_response({"url": removed.url, "removed": True})
