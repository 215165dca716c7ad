"""The web view's pages: the article list, edits today / this week, an article's timeline, a diff, a version.

Server-rendered, no script: filters are a GET form, comparing two versions a GET form that lands on the
diff's permalink. Page text reaches the templates as plain strings (escaped there) or as fragments built
by the report's escaping functions (report/html.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from watcher.app.web import fragments
from watcher.app.web.security import RAW_CSP
from watcher.app.web.site import Site
from watcher.app.web.views import (
    CLASS_CHOICES,
    FLAG_CHOICES,
    SORTS,
    STATUS_CHOICES,
    Query,
    article_page,
    compare,
    recent_changes,
)
from watcher.app.web.words import edit_lang, words
from watcher.diff.summary import summarize
from watcher.errors import BadInput
from watcher.labels import story_class, story_event, story_flag, story_version, story_words
from watcher.models import top_class
from watcher.render.tables import watch_status
from watcher.render.timeline import version_summary
from watcher.report.html import change_html, link
from watcher.report.shots import shots_html
from watcher.times import utcnow
from watcher.urls import host_of

MAX_EDITS_SHOWN = 200  # version changes on one "edits" page


def site_of(request: Request) -> Site:
    return request.app.state.site


def articles(request: Request) -> Response:
    site = site_of(request)
    query = Query.parse(request.query_params)
    listing = site.index.latest()
    lang = site.lang(request)
    key = (tuple(sorted(request.query_params.multi_items())), lang, site.signed_in(request))
    body = site.cached(listing, key, lambda: _articles_html(request, site, query, listing, lang))
    return site.respond(request, body)


def _articles_html(request: Request, site: Site, query: Query, listing, lang: str) -> str:
    found = article_page(listing, query, site.marks)
    labels = edit_lang(lang, site.lang_mode, None)
    rows = [
        {
            "id": listing.keys.get(a.url) or site.index.id_of(a.url),
            "headline": a.headline or a.url,
            "host": host_of(a.url),
            "tags": a.tags,
            "status": watch_status(a),
            "versions": a.versions,
            "last_changed": site.short(a.last_changed),
            "last_checked": site.short(a.last_checked),
        }
        for a in found.articles
    ]

    def href(**changes: object) -> str:
        return "/?" + urlencode(query.params(**changes))

    feeds = [{"title": "watcher: all edits", "href": "/feeds/all.atom"}]
    if query.tag:
        feeds.append({"title": f"watcher: #{query.tag}", "href": f"/feeds/tag/{quote(query.tag, safe='')}.atom"})
    if query.host:
        feeds.append({"title": f"watcher: {query.host}", "href": f"/feeds/host/{quote(query.host, safe='')}.atom"})
    return site.html(
        request,
        "list.html",
        query=query,
        listing=listing,
        page=found,
        rows=rows,
        statuses=STATUS_CHOICES,
        classes=[{"value": c, "label": story_class(c, labels)} for c in CLASS_CHOICES],
        flags=[{"value": f, "label": story_flag(f, labels)} for f in FLAG_CHOICES],
        sorts=list(SORTS),
        prev_href=href(page=found.page - 1) if found.page > 1 else None,
        next_href=href(page=found.page + 1) if found.page < found.pages else None,
        feeds=feeds,
    )


def edits(request: Request) -> Response:
    """Every version change across the articles since midnight (today) or in the last seven days (week)."""
    site = site_of(request)
    window = request.query_params.get("window", "today")
    if window not in ("today", "week"):
        raise BadInput("window must be today or week")
    include_cosmetic = request.query_params.get("all") == "1"
    now = utcnow()
    local = now.astimezone(site.zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) if window == "today" else now - timedelta(days=7)
    changes = recent_changes(site.store, start, include_cosmetic=include_cosmetic)
    lang = site.lang(request)
    w_heading = "edits_today" if window == "today" else "edits_week"
    items = []
    for change in changes[:MAX_EDITS_SHOWN]:
        story_lang = change.entry.new.article.lang
        new = change.entry.new
        article_id = site.index.id_of(change.url)
        old_n = change.entry.old.number if change.entry.old is not None else new.number - 1
        items.append(
            {
                "headline": change.headline,
                "host": host_of(change.url),
                "lang": story_lang if story_lang and story_lang.replace("-", "").isalnum() else None,
                "article_href": f"/a/{article_id}",
                "permalink": f"/a/{article_id}/diff/{old_n}/{new.number}",
                "html": Markup(change_html(change, lang=edit_lang(lang, site.lang_mode, story_lang))),
            }
        )
    return site.render(
        request,
        "edits.html",
        heading=words(lang)[w_heading],
        window=window,
        include_cosmetic=include_cosmetic,
        items=items,
        more=max(0, len(changes) - MAX_EDITS_SHOWN),
    )


def _article_feeds(article_id: str, headline: str) -> list[dict[str, str]]:
    return [
        {"title": "watcher: all edits", "href": "/feeds/all.atom"},
        {"title": f"watcher: {headline}", "href": f"/a/{article_id}/feed.atom"},
    ]


def article(request: Request, message: str | None = None) -> Response:
    site = site_of(request)
    article_id = request.path_params["article_id"]
    url = site.index.url_of(article_id)
    store = site.store
    watched = store.get_article(url)
    versions = store.list_versions(url, full=False)
    latest = versions[-1] if versions else None
    story_lang = latest.article.lang if latest else None
    lang = site.lang(request)
    labels = edit_lang(lang, site.lang_mode, story_lang)
    timeline = []
    for n, v in enumerate(versions):
        cls = top_class(v.edits)
        marks = ([v.event] if v.event else []) + [f for f in v.flags if f != v.event]
        timeline.append(
            {
                "number": v.number,
                "iso": v.captured_at.isoformat(),
                "when": site.long(v.captured_at),
                "cls": cls,
                "cls_label": story_class(cls, labels) if cls else "",
                "flags": fragments.flags(marks, labels),
                # A listing's versions leave their text out: the first one is named, not counted.
                "summary": words(lang)["first_version"]
                if v.number == 1 and not v.event
                else version_summary(v, versions[:n]),
                "href": f"/a/{article_id}/diff/{v.number - 1}/{v.number}" if v.number > 1 else None,
            }
        )
    timeline.reverse()  # newest first, as a reader scans a history
    checks = [
        {
            "iso": c.checked_at.isoformat(),
            "when": site.long(c.checked_at),
            "status": c.status,
            "version": c.version,
            "http_status": c.http_status,
            "error": c.error,
        }
        for c in reversed(store.recent_checks(url))
    ]
    return site.render(
        request,
        "article.html",
        id=article_id,
        article=watched,
        status=watch_status(watched),
        url_link=Markup(link(url)),
        story_lang=_lang_attr(story_lang),
        versions=versions,
        timeline=timeline,
        checks=checks,
        message=message or _done(request.query_params.get("done")),
        feeds=_article_feeds(article_id, watched.headline or url),
    )


def _lang_attr(story_lang: str | None) -> str | None:
    """A story's language as an HTML lang attribute (picks CJK glyphs); only a well-formed tag."""
    import re

    return story_lang if story_lang and re.match(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", story_lang) else None


def compare_form(request: Request) -> Response:
    """The compare form's GET: on to the permalink of the chosen pair."""
    site = site_of(request)
    article_id = request.path_params["article_id"]
    site.index.url_of(article_id)
    try:
        old_n = int(request.query_params.get("from", ""))
        new_n = int(request.query_params.get("to", ""))
    except ValueError:
        raise BadInput("choose two versions") from None
    return RedirectResponse(f"/a/{article_id}/diff/{old_n}/{new_n}", status_code=303)


def diff(request: Request) -> Response:
    """A diff between any two versions at its permalink /a/ID/diff/OLD/NEW (?view=side, ?all=1 for cosmetic)."""
    site = site_of(request)
    article_id = request.path_params["article_id"]
    url = site.index.url_of(article_id)
    old_n, new_n = request.path_params["old"], request.path_params["new"]
    found = compare(site.store, url, old_n, new_n)
    side = request.query_params.get("view") == "side"
    include_cosmetic = request.query_params.get("all") == "1"
    lang = site.lang(request)
    story_lang = found.new.article.lang or found.old.article.lang
    labels = edit_lang(lang, site.lang_mode, story_lang)
    shown = found.diff.visible_edits(include_cosmetic)
    w = words(lang)
    edits_html = (
        fragments.side_by_side(shown, labels, w["before"], w["after"])
        if side
        else fragments.inline_edits(shown, labels)
    )
    base = f"/a/{article_id}/diff/{old_n}/{new_n}"
    # The permalink names the two versions' texts too, so a history rewritten later says so instead of differing.
    stamp = f"{found.old.content_hash[:8]}-{found.new.content_hash[:8]}"
    asked = request.query_params.get("h")

    def href(**params: str) -> str:
        values = {"view": "side" if side else "", "all": "1" if include_cosmetic else "", "h": asked or ""}
        values.update(params)
        kept = {k: v for k, v in values.items() if v}
        return base + ("?" + urlencode(kept) if kept else "")

    permalink_params = {"h": stamp}
    if side:
        permalink_params["view"] = "side"
    if include_cosmetic:
        permalink_params["all"] = "1"
    event = found.new.event if new_n > old_n else None
    # The pictures follow the diff's own sides (/diff/3/2 reads v3 -> v2): its edits' texts are outlined on them.
    shots = shots_html(found.old, found.new, shown, lambda v: screenshot_href(article_id, v.number), "shot")
    return site.render(
        request,
        "diff.html",
        id=article_id,
        headline=found.new.article.headline or found.old.article.headline or url,
        url_link=Markup(link(url)),
        story_lang=_lang_attr(story_lang),
        title=story_version(old_n, new_n, labels),
        old=found.old,
        new=found.new,
        old_iso=found.old.captured_at.isoformat(),
        new_iso=found.new.captured_at.isoformat(),
        old_when=site.long(found.old.captured_at),
        new_when=site.long(found.new.captured_at),
        flags=fragments.flags(found.diff.flags, labels),
        # What changed in words, as the timeline row that links here says it (edits stored before facts: none).
        summary=summarize(shown, labels) if any(e.facts is not None for e in shown) else "",
        recorded=found.recorded,
        rewritten=asked is not None and asked != stamp,
        permalink=f"{base}?{urlencode(permalink_params)}",
        side=side,
        include_cosmetic=include_cosmetic,
        inline_href=href(view=""),
        side_href=href(view="side"),
        cosmetic_href=href(all="" if include_cosmetic else "1"),
        event=(story_event(event, labels) if story_words(labels) else f"The article was {event} in this version.")
        if event
        else None,
        edits_html=edits_html if shown else None,
        shots=Markup(shots) if shots else None,
        feeds=_article_feeds(article_id, found.new.article.headline or url),
    )


def version(request: Request) -> Response:
    """One version's full text, and its raw HTML framed from the sandboxed /raw address when it is kept."""
    site = site_of(request)
    article_id = request.path_params["article_id"]
    url = site.index.url_of(article_id)
    v = site.store.get_version(url, request.path_params["number"])
    has_raw = bool(v.html_hash)
    return site.render(
        request,
        "version.html",
        framing=has_raw,
        id=article_id,
        version=v,
        a=v.article,
        headline=v.article.headline or url,
        story_lang=_lang_attr(v.article.lang),
        iso=v.captured_at.isoformat(),
        when=site.long(v.captured_at),
        has_raw=has_raw,
        screenshot=screenshot_href(article_id, v.number) if v.screenshot else None,
        feeds=_article_feeds(article_id, v.article.headline or url),
    )


def screenshot_href(article_id: str, number: int) -> str:
    """Where the web view serves a version's screenshot."""
    return f"/a/{quote(article_id)}/v/{number}/screenshot"


def screenshot(request: Request) -> Response:
    """A version's screenshot image, as stored (the page as rendered for it); 404 when pruned or never taken."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    v = site.store.get_version(url, request.path_params["number"])
    data = site.store.get_screenshot(v) if v.screenshot else None
    if v.screenshot is None or data is None:
        from watcher.errors import UnknownArticle

        raise UnknownArticle(f"v{v.number} has no screenshot (screenshots off, pruned, or never taken)")
    media = v.screenshot.media_type if v.screenshot.media_type in ("image/jpeg", "image/png") else "image/jpeg"
    # Content-addressed: the same URL always names the same bytes until the version is pruned.
    return Response(data, media_type=media, headers={"Cache-Control": "private, max-age=3600"})


def raw(request: Request) -> Response:
    """The stored raw HTML under a `sandbox` CSP: no script runs, nothing is loaded, a unique origin."""
    site = site_of(request)
    url = site.index.url_of(request.path_params["article_id"])
    v = site.store.get_version(url, request.path_params["number"])
    html = site.store.get_html(v)
    if html is None:
        from watcher.errors import UnknownArticle

        raise UnknownArticle(f"v{v.number} has no raw HTML left (pruned, or never kept)")
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": RAW_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )


# What a write form's redirect may say it did; any other text in ?done= (a link anyone can make) is not shown.
_DONE = re.compile(r"paused|resumed|checked: [a-z_]+")


def _done(said: str | None) -> str | None:
    return said if said and _DONE.fullmatch(said) else None
