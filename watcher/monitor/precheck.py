"""Fast checks: ask the server before rendering, learn per article whether its raw HTML tells the story, and
for an article whose raw HTML does ("static"), take its versions from plain HTTP.

Most checks find nothing changed, and a Chromium render costs ten times a plain GET. So in auto mode a
check of a static article first asks the server: a conditional GET (If-None-Match / If-Modified-Since from the
last response) answered 304, raw HTML byte for byte the same as a page already found to carry the stored story
(what a 304 would have said, checked here: no extraction either), or raw HTML whose extracted article equals
the raw-HTML extraction recorded with the stored version, is an unchanged check with no browser work. Raw HTML
whose story differs goes to the full check (monitor/check.py) with the HTTP fetcher as its page source: the
same comparison, confirmation (by a second GET), volatility, reverts and A/B rules as a render, and a version
stored from the raw HTML (its source "http").

Renders are kept for where they add something: a new article's first check (to learn; one whose raw HTML
already carries a complete story is stored from it and rendered later, at low priority), an article learned
"needs-browser" (its story only the rendered page shows), and audits. The audit renders a static article at
least once every `audit_max_age`, and at its next check after a version stored from its raw HTML; an audit
whose render disagrees with the stored text stores the browser's version and relearns the article (and its
host's static articles) as needing the browser. What an audit bounds: an edit only scripts make on a page
whose raw HTML carries the story, the one edit the raw HTML cannot show.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.config import Config
from watcher.diff.volatile import apply_mask
from watcher.errors import NoArticle, WatcherError
from watcher.extract import extract
from watcher.extract.completeness import complete_story
from watcher.extract.unread import read_digest
from watcher.fetch.charset import declared, decode_html
from watcher.fetch.http_pages import CONDITIONAL
from watcher.models import GONE_EVENTS, Article, CheckResult, Snapshot, Version, WatchedArticle
from watcher.monitor.masking import build_mask
from watcher.normalize import content_hash
from watcher.urls import host_of, hostname_of, on_domain, redirected_away

if TYPE_CHECKING:
    from watcher.fetch.screenshot import ScreenshotPolicy
    from watcher.monitor.services import Services

STATIC = "static"
NEEDS_BROWSER = "needs-browser"
HTTP = "http"  # a version's source (models.Version.source): raw HTML from a plain GET
BROWSER = "browser"  # ... or a Chromium render
# Outcomes after which the stored version is the page as rendered; after any other (an unconfirmed
# change, an A/B headline, an error, a removal) nothing is learned and the next check renders again.
SETTLED = ("new", "changed", "unchanged", "revert", "restored")
UNSETTLED_FLAGS = ("unconfirmed", "ab_test", "removed", "redirected")


def mode_of(config: Config, watched: WatchedArticle) -> str:
    """The article's fetch mode: its own (`watcher add --mode`), else its site's, else [fetch] mode."""
    if watched.mode:
        return watched.mode
    host = hostname_of(watched.url).lower()
    for site in config.sites:
        domain = site.domain.lower().strip(".")
        if site.mode and on_domain(host, domain):
            return site.mode
    return config.fetch.mode


def host_modes(learned: Mapping[str, str | None]) -> dict[str, str]:
    """What each host's articles taught ({url: learned mode}, Store.learned_modes): "needs-browser" when most
    of its learned articles need the browser."""
    counts: dict[str, list[int]] = {}
    for url, mode in learned.items():
        if mode in (STATIC, NEEDS_BROWSER):
            pair = counts.setdefault(host_of(url), [0, 0])
            pair[mode == NEEDS_BROWSER] += 1
    return {host: NEEDS_BROWSER if needs > static else STATIC for host, (static, needs) in counts.items()}


def fetch_json(config: Config, watched: WatchedArticle, hosts: dict[str, str]) -> dict[str, Any]:
    """The `fetch` object of `list --json`."""
    return {
        "mode": mode_of(config, watched),
        "learned": watched.learned_mode,
        "host_learned": hosts.get(host_of(watched.url)),
        "checks_since_render": watched.checks_since_render,
    }


def describe(config: Config, watched: WatchedArticle) -> str:
    """One line for `history`: how this article is checked and what the checks learned."""
    mode = mode_of(config, watched)
    learned = {
        STATIC: "the raw HTML carries the story, so checks read it and its edits are stored from it, rendered"
        f" to audit at least every {_hours(config.fetch.audit_max_age)}",
        NEEDS_BROWSER: "only the rendered page carries the story, so every check renders",
    }.get(watched.learned_mode or "", "nothing learned yet")
    line = f"fetch mode {mode}"
    if mode == "auto":
        count = watched.checks_since_render
        line += f": {learned}; {count} check{'' if count == 1 else 's'} since the last render"
    return line


def render_reason(watched: WatchedArticle, latest: Version | None, config: Config, now: datetime) -> str | None:
    """Why this check must render (auto mode), None when the raw HTML may answer it (unchanged, or a version)."""
    if latest is None:
        return "first check"
    if latest.event in GONE_EVENTS:
        return "the story was gone"
    if watched.learned_mode != STATIC or not watched.raw_hash:
        return "the raw HTML did not carry the story at the last render"
    if (
        latest.source == HTTP
        and latest.number > 1
        and (watched.rendered_at is None or watched.rendered_at < latest.captured_at)
    ):
        # The browser has not seen the page since a version was stored from its raw HTML: does it agree?
        return "audit: a version was stored from the raw HTML since the last render"
    # Never rendered (learned static from its raw HTML at its first check): counted from that first version.
    since = watched.rendered_at or latest.captured_at
    if (now - since).total_seconds() >= config.fetch.audit_max_age:
        return "audit"
    return None


def first_render_pending(config: Config, watched: WatchedArticle) -> bool:
    """A new article learned static from its raw HTML whose first render is still to come (at low priority:
    `watcher run` renders it when a slot is free, the audit bound at the latest)."""
    return (
        watched.learned_mode == STATIC
        and watched.rendered_at is None
        and watched.versions > 0
        and mode_of(config, watched) == "auto"
    )


def _hours(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{round(seconds / 60, 1):g} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "")


def conditional_headers(watched: WatchedArticle) -> dict[str, str]:
    headers = {}
    if watched.etag:
        headers["If-None-Match"] = watched.etag
    if watched.last_modified:
        headers["If-Modified-Since"] = watched.last_modified
    return headers


@dataclass
class Route:
    """How one check reads the page: answered by the server alone, or a full check (monitor/check.py) reading
    the page from one source."""

    answer: CheckResult | None = None  # the check, answered without a full check (unchanged)
    kept: dict[str, Any] = field(default_factory=dict)  # the article fields to keep with that answer
    source: str = BROWSER  # what the full check reads: HTTP (raw HTML, a second GET confirms) or BROWSER
    first: Snapshot | None = None  # the pre-check's GET: the full check's first load, not requested again
    first_article: Article | None = None  # ... and its article, extracted already (None: not yet)
    audit: bool = False  # a render of a static article, to see whether the browser agrees with the stored text
    from_raw: bool = False  # a new article whose raw HTML carries a complete story: stored from it, rendered later


async def route(
    watched: WatchedArticle, latest: Version | None, svc: Services, now: datetime, *, audit: bool = False
) -> Route:
    """How this check reads the page (auto mode: the server first; a render only where it adds something).
    `audit`: render whatever the pre-check would say (the run loop's low-priority first renders)."""
    mode = mode_of(svc.config, watched)
    if svc.http is None or mode == "browser":
        return Route()
    _share_gate(svc)
    if mode == "http":
        if latest is None or not watched.raw_hash:
            return Route(source=HTTP)
        return await _ask_server(watched, latest, svc, now, otherwise=HTTP)
    # A version of a site with screenshots on is stored from a render, the one read that can picture it: the
    # server still answers the unchanged checks, but a first check or a changed story renders. Whether a render
    # is pictured is the browser's to say (its policy is the one that takes the pictures), not the config's.
    policy: ScreenshotPolicy | None = getattr(svc.fetcher, "screenshots", None)
    pictured = policy is not None and policy.wants(watched.url)
    if latest is None:
        return Route() if pictured else await _first_check(watched, svc)
    if audit:
        return Route(audit=watched.learned_mode == STATIC)
    reason = render_reason(watched, latest, svc.config, now)
    if reason is not None:
        return Route(audit=reason.startswith("audit"))
    return await _ask_server(watched, latest, svc, now, otherwise=BROWSER, changed=BROWSER if pictured else HTTP)


def _share_gate(svc: Services) -> None:
    gate = getattr(svc.fetcher, "shared_gate", None)
    if gate is not None and hasattr(svc.http, "shared_gate"):
        svc.http.shared_gate = gate  # type: ignore[union-attr]  # workers keep host turns in the store: the GET waits its turn there too


async def _get(svc: Services, url: str, headers: dict[str, str]) -> Snapshot | None:
    """The page's raw HTML, None when the GET failed (the full check meets the same problem and reports it)."""
    assert svc.http is not None
    token = CONDITIONAL.set(headers)
    try:
        return await svc.http.fetch(url)
    except (WatcherError, OSError):
        return None
    finally:
        CONDITIONAL.reset(token)


async def _ask_server(
    watched: WatchedArticle, latest: Version, svc: Services, now: datetime, *, otherwise: str, changed: str = HTTP
) -> Route:
    """The conditional GET of a static article: unchanged (answered), or a full check from `otherwise` (an error,
    a redirect) or from `changed` (a difference in the story: the full check compares and confirms it; from the
    raw HTML already read, or a render)."""
    snapshot = await _get(svc, watched.url, conditional_headers(watched))
    if snapshot is None or redirected_away(watched.url, snapshot.final_url):
        return Route(source=otherwise)
    seen: dict[str, Any] = {"checks_since_render": watched.checks_since_render + 1}
    if snapshot.status != 304:
        digest = body_digest(snapshot)
        if digest is None or digest != watched.raw_digest:
            # Other bytes (a timestamp in the text, a new ad id) may still carry the same story: extract and compare.
            article = await raw_article(snapshot, svc)
            raw = await raw_hash(snapshot, watched, svc, article) if article is not None else None
            if raw is None or raw != watched.raw_hash:
                if changed == BROWSER:
                    return Route()
                return Route(source=HTTP, first=snapshot, first_article=article)
            seen["raw_digest"] = digest  # these bytes carry the stored story too: next time no extraction
        seen.update(_validators(snapshot))
    result = CheckResult(
        url=watched.url,
        status="unchanged",
        checked_at=now,
        version=latest.number,
        http_status=snapshot.status,
        headline=latest.article.headline,
        source=HTTP,
    )
    return Route(answer=result, kept=seen)


async def _first_check(watched: WatchedArticle, svc: Services) -> Route:
    """A new article: from its raw HTML when that carries a complete story (and its host is not known to need
    the browser), its first render left for later; else rendered now, to learn."""
    if _learned_hosts(svc.store).get(host_of(watched.url)) == NEEDS_BROWSER:
        return Route()
    snapshot = await _get(svc, watched.url, {})
    if snapshot is None or snapshot.status != 200 or redirected_away(watched.url, snapshot.final_url):
        return Route()
    article = await raw_article(snapshot, svc)
    if article is None:  # no story in the raw HTML: the browser reads the page, as ever
        return Route()
    try:
        incomplete = await asyncio.to_thread(complete_story, snapshot.html, article)
    except Exception:  # a bug met on the raw HTML: no evidence it is complete
        return Route()
    if incomplete is not None:
        return Route()
    return Route(source=HTTP, first=snapshot, first_article=article, from_raw=True)


async def learn(
    watched: WatchedArticle,
    result: CheckResult,
    snapshot: Snapshot | None,
    svc: Services,
    now: datetime,
    plan: Route | None = None,
) -> dict[str, Any]:
    """What the full check's last fetch teaches, as the article fields to keep: when the check settled on
    what it fetched, whether the raw HTML carried that story, and the response's validators."""
    plan = plan or Route()
    mode = mode_of(svc.config, watched)
    if svc.http is None or mode == "browser":
        return {}
    fields: dict[str, Any] = {
        "raw_hash": None,
        "raw_digest": None,
        "etag": None,
        "last_modified": None,
        "checks_since_render": 0,
    }
    if plan.source == HTTP:
        # Not a render: the last render's time and the count since stay; what is learned is whether the raw HTML
        # still carries the stored story (if not, the next check renders).
        fields["checks_since_render"] = watched.checks_since_render + 1
        if plan.from_raw:
            fields["learned_mode"] = STATIC
    elif mode == "auto":
        fields["rendered_at"] = now
    if snapshot is None or result.status not in SETTLED or set(result.flags) & set(UNSETTLED_FLAGS):
        return fields  # nothing settled: the next check renders again
    if snapshot.body is None or redirected_away(watched.url, snapshot.final_url):
        return fields
    latest = svc.store.latest_version(watched.url)
    if latest is None:
        return fields
    stored = _stored_hash(svc, watched, latest)
    seen = body_digest(snapshot)
    if (
        seen is not None
        and seen == watched.raw_digest
        and result.status == "unchanged"
        and watched.raw_hash in (None, stored)
    ):
        # What the last settled check learned of these same bytes, against the same stored story, still holds: a
        # page only the browser reads is rendered at every check, and extracting its story-less raw HTML again
        # each time (the fallbacks tried in turn) cost a fifth of the render.
        digest = watched.raw_hash
    else:
        digest = await raw_hash(_raw(snapshot, snapshot.body), watched, svc)
    if digest is not None and digest == stored:
        fields.update(learned_mode=STATIC, raw_hash=digest, raw_digest=seen, **_validators(snapshot))
    elif plan.source == BROWSER:
        fields.update(learned_mode=NEEDS_BROWSER, raw_digest=seen)  # raw_hash None: these bytes lack the story
    return fields


async def raw_carries(snapshot: Snapshot | None, watched: WatchedArticle, version: Version, svc: Services) -> bool:
    """Whether the raw HTML a fetch was served (a render's page as the server sent it) carries `version`'s story."""
    if snapshot is None or snapshot.body is None:
        return False
    digest = await raw_hash(_raw(snapshot, snapshot.body), watched, svc)
    return digest is not None and digest == _stored_hash(svc, watched, version)


def _raw(snapshot: Snapshot, body: bytes) -> Snapshot:
    """The page as the server sent it, before any script ran."""
    return Snapshot(
        requested_url=snapshot.requested_url,
        final_url=snapshot.final_url,
        status=snapshot.status,
        content_type=snapshot.content_type,
        html=decode_html(body, snapshot.content_type),
        fetched_at=snapshot.fetched_at,
    )


def _stored_hash(svc: Services, watched: WatchedArticle, version: Version) -> str:
    return content_hash(apply_mask(version.article, _mask(svc, watched, version.article))[0])


# What each host's articles taught, read from the store at most this often: a sitemap's 10,000 new articles each
# ask it at their first check, and reading every article's learned mode each time would be 10,000 full reads.
HOST_MODES_TTL = 60.0
_host_modes: list[tuple[Any, float, dict[str, str]]] = []  # (store, when read, modes): the last store asked


def _learned_hosts(store: Any) -> dict[str, str]:
    now = time.monotonic()
    if not _host_modes or _host_modes[0][0] is not store or now - _host_modes[0][1] > HOST_MODES_TTL:
        _host_modes[:] = [(store, now, host_modes(store.learned_modes()))]
    return _host_modes[0][2]


def relearn_host(svc: Services, url: str) -> int:
    """An audit found the browser showing what the raw HTML does not: the other articles of its host learned
    static are learned as needing the browser too (each renders at its next check, which learns it afresh).
    How many were."""
    host = host_of(url)
    others = [u for u, mode in svc.store.learned_modes().items() if mode == STATIC and u != url and host_of(u) == host]
    with svc.store.transaction():
        for other in others:
            article = svc.store.get_article(other)
            article.learned_mode, article.raw_hash, article.raw_digest = NEEDS_BROWSER, None, None
            svc.store.update_article(article)
    _host_modes.clear()
    return len(others)


async def raw_hash(
    snapshot: Snapshot, watched: WatchedArticle, svc: Services, article: Article | None = None
) -> str | None:
    """The masked content hash of the article in a page's raw HTML (`article`, when it was extracted already),
    None when it has none."""
    article = article or await raw_article(snapshot, svc)
    if article is None:
        return None
    return content_hash(apply_mask(article, _mask(svc, watched, article))[0])


async def raw_article(snapshot: Snapshot, svc: Services) -> Article | None:
    """The article in a page's raw HTML, None when it has none."""
    titles = svc.hosts.titles(svc.store, snapshot.final_url)
    try:
        deadline = time.monotonic() + svc.config.fetch.deadline
        return await asyncio.to_thread(extract, snapshot.html, snapshot.final_url, svc.config.sites, titles, deadline)
    except (NoArticle, WatcherError):
        return None
    except Exception:  # a bug met on raw HTML: no evidence either way, so the page is rendered as usual
        return None


def body_digest(snapshot: Snapshot) -> str | None:
    """The digest of what extraction reads of the page's bytes as the server sent them (a nonce or a request id in a
    script changes no story, so it costs no extraction), None when the snapshot has none. The encoding the bytes are
    read in is part of it: a site that fixes its Content-Type charset changes no byte, but the story now reads
    otherwise (a repair to find, not an unchanged check until an audit disagrees and relearns the host)."""
    if snapshot.body is None:
        return None
    return f"{declared(snapshot.body, snapshot.content_type) or ''}:{read_digest(snapshot.body)}"


def _mask(svc: Services, watched: WatchedArticle, article: Article) -> Any:
    return build_mask(svc.config, watched, article.body, svc.hosts, svc.store)


def _validators(snapshot: Snapshot) -> dict[str, str | None]:
    headers = {name.lower(): value for name, value in snapshot.headers}
    return {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}


class Primed:
    """A fetcher whose first fetch is a page already fetched (the pre-check's GET); later ones ask `inner`."""

    def __init__(self, inner: Any, first: Snapshot | None) -> None:
        self._inner = inner
        self._first = first

    async def fetch(self, url: str) -> Snapshot:
        first, self._first = self._first, None
        if first is not None and first.requested_url == url:
            return first
        return await self._inner.fetch(url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class Recording:
    """A fetcher that keeps the last snapshot it returned (the one a full check settled on)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.last: Snapshot | None = None

    async def fetch(self, url: str) -> Snapshot:
        self.last = await self._inner.fetch(url)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
