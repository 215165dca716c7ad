"""The web view as an ASGI app (Starlette): its routes, the headers every answer carries, sign-in and the write forms."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from watcher.app.web import api, feeds, pages
from watcher.app.web.security import COMMON_HEADERS, PAGE_CSP, SESSION_COOKIE, host_allowed, same_origin
from watcher.app.web.site import HERE, Site
from watcher.errors import BadInput, StoreError, UnknownArticle, WatcherError
from watcher.report.css import REPORT_CSS
from watcher.untrusted import one_line, without_controls

_CSS = REPORT_CSS + (HERE / "static" / "web.css").read_text(encoding="utf-8")


def stylesheet(request: Request) -> Response:
    # The report's own styles (diff marks, flags, colours) first, so the web view marks edits as reports do.
    return Response(_CSS, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=300"})


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form post (small, so read whole: no multipart parser needed)."""
    from urllib.parse import parse_qsl

    body = await request.body()
    if len(body) > 64_000:
        raise BadInput("form too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def signin_page(request: Request) -> Response:
    site: Site = request.app.state.site
    if not site.guard.writable or site.read_only:
        return _refused(request)
    return site.render(request, "signin.html")


async def signin(request: Request) -> Response:
    site: Site = request.app.state.site
    if not site.guard.writable or site.read_only:
        return _refused(request)
    if not same_origin(request.headers.get("origin"), request.headers.get("host")):
        return _refused(request)
    form = await _form(request)
    if not site.guard.token_ok(form.get("token", "")):
        from watcher.app.web.words import words

        return site.render(request, "signin.html", code=403, message=words(site.lang(request))["forbidden"])
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, site.guard.session_value(), httponly=True, samesite="strict", path="/")
    return response


async def signout(request: Request) -> Response:
    await _checked_form(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _checked_form(request: Request) -> dict[str, str]:
    """A write form: signed in, with this session's CSRF value, from our own origin; else Forbidden."""
    site: Site = request.app.state.site
    form = await _form(request)
    ok = not site.read_only and site.guard.csrf_ok(
        request.cookies.get(SESSION_COOKIE),
        form.get("csrf"),
        request.headers.get("origin"),
        request.headers.get("host"),
    )
    if not ok:
        raise api.Forbidden()
    return form


async def ui_add(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    site: Site = request.app.state.site
    form = await _checked_form(request)
    article, _ = await run_in_threadpool(site.add, form.get("url", ""), form.get("tag", "").split(","))
    return RedirectResponse(f"/a/{site.index.id_of(article.url)}", status_code=303)


async def ui_action(request: Request) -> Response:
    """The article page's buttons: check now, pause, resume, remove."""
    from starlette.concurrency import run_in_threadpool

    from watcher.app.commands.watching import set_paused

    site: Site = request.app.state.site
    await _checked_form(request)
    article_id = request.path_params["article_id"]
    action = request.path_params["action"]
    url = site.index.url_of(article_id)
    if action == "remove":
        await run_in_threadpool(site.store.remove_article, url)
        site.index.fresh()
        return RedirectResponse("/", status_code=303)
    if action == "check":
        result = await run_in_threadpool(site.parts.check_now, url)
        done = f"checked: {result.status}"  # its error, if any, is in the check log on the page
    elif action in ("pause", "resume"):
        await run_in_threadpool(set_paused, site.store, url, action == "pause")
        done = "paused" if action == "pause" else "resumed"
    else:
        raise UnknownArticle("no such action")
    site.index.fresh()
    from urllib.parse import urlencode

    return RedirectResponse(f"/a/{article_id}?{urlencode({'done': done})}", status_code=303)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    message = without_controls(one_line(message))
    if _is_api(request) or request.url.path.endswith(".atom"):
        return api.json_response({"error": message}, status)
    site: Site = request.app.state.site
    return site.render(request, "error.html", code=status, status=status, message=message)


def _refused(request: Request, exc: Exception | None = None) -> Response:
    site: Site = request.app.state.site
    if not site.guard.writable or site.read_only:
        why = "this view is read-only (no token is configured)"
    else:
        why = "this needs the token (Authorization: Bearer for the API; sign in for the pages)"
    return _error(request, 403, why)


def _not_found(request: Request, exc: Exception) -> Response:
    # Never echo the path or id back: the message is ours alone.
    return _error(request, 404, "not found")


def _bad_input(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


def _store_error(request: Request, exc: Exception) -> Response:
    return _error(request, 503, f"the store cannot be read now: {exc}")


def _other_error(request: Request, exc: Exception) -> Response:
    # The type only: a message from deep inside may name files or settings a reader has no business seeing.
    return _error(request, 500, f"internal error ({type(exc).__name__})")


def build_app(site: Site) -> SecurityHeaders:
    """The ASGI app serving one Site."""
    a = "/a/{article_id}"
    routes = [
        Route("/", pages.articles),
        Route("/edits", pages.edits),
        Route(a, pages.article),
        Route(a + "/compare", pages.compare_form),
        Route(a + "/diff/{old:int}/{new:int}", pages.diff),
        Route(a + "/v/{number:int}", pages.version),
        Route(a + "/v/{number:int}/raw", pages.raw),
        Route(a + "/v/{number:int}/screenshot", pages.screenshot),
        Route(a + "/feed.atom", feeds.by_article),
        Route(a + "/{action}", ui_action, methods=["POST"]),
        Route("/ui/add", ui_add, methods=["POST"]),
        Route("/feeds/all.atom", feeds.all_edits),
        Route("/feeds/tag/{tag:path}.atom", feeds.by_tag),
        Route("/feeds/host/{host}.atom", feeds.by_host),
        Route("/static/web.css", stylesheet),
        Route("/signin", signin_page),
        Route("/signin", signin, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/api/articles", api.list_articles),
        Route("/api/articles", api.add, methods=["POST"]),
        Route("/api/articles/{article_id}", api.remove, methods=["DELETE"]),
        Route("/api/articles/{article_id}/history", api.history),
        Route("/api/articles/{article_id}/checks", api.checks),
        Route("/api/articles/{article_id}/show", api.show),
        Route("/api/articles/{article_id}/diff", api.diff),
        Route("/api/articles/{article_id}/check", api.check_now, methods=["POST"]),
        Route("/api/articles/{article_id}/pause", api.pause, methods=["POST"]),
        Route("/api/articles/{article_id}/resume", api.resume, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            404: _not_found,
            405: lambda request, exc: _error(request, 405, "method not allowed"),
            api.Forbidden: _refused,
            UnknownArticle: _not_found,
            BadInput: _bad_input,
            StoreError: _store_error,
            WatcherError: _bad_input,
            Exception: _other_error,
        },
    )
    app.state.site = site
    return SecurityHeaders(app)


class SecurityHeaders:
    """ASGI middleware outside everything (error pages too): the CSP and the other headers on every answer."""

    def __init__(self, app: Starlette):
        self.app = app
        self.state = app.state

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"host"), None)
        if not host_allowed(host, loopback_only=self.state.site.loopback_only):
            # Before any route: nothing of the store reaches a page that reached us under another site's name.
            refused = PlainTextResponse("unknown host name: open the address watcher serve printed\n", status_code=400)
            await refused(scope, receive, send_with_headers(send))
            return
        await self.app(scope, receive, send_with_headers(send))


def send_with_headers(send):  # type: ignore[no-untyped-def]
    """`send` adding the CSP and the other common headers an answer does not set itself."""

    async def sending(message):  # type: ignore[no-untyped-def]
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            defaults = {
                **COMMON_HEADERS,
                "Content-Security-Policy": PAGE_CSP,
                "X-Frame-Options": "DENY",
                "Cache-Control": "no-store",
            }
            for name, value in defaults.items():
                if name.lower().encode() not in present:
                    headers.append((name.lower().encode(), value.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending
