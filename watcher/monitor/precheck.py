"""Fast checks: ask the server before rendering, and learn per article whether its raw HTML tells the story.

Most checks find nothing changed, and a Chromium render costs ten times a plain GET. So in auto mode a
check first asks the server: a conditional GET (If-None-Match / If-Modified-Since from the last render's
response) answered 304, raw HTML byte for byte the same as a page already found to carry the stored story
(what a 304 would have said, checked here: no extraction either), or raw HTML whose extracted article equals
the raw-HTML extraction recorded at the last render, is an unchanged check with no browser work. Anything else (a difference, a first check, an
error, a redirect, an article whose raw and rendered extractions disagreed at the last render, an audit
that is due) goes to the full check with the browser, exactly as before: confirmation, volatility, reverts.

Why this cannot hide an edit the browser would see: a pre-check may answer "unchanged" only when the last
render found raw and rendered extraction equal ("static") and the stored version equal to it, and the raw
HTML has not changed since. What stays is an edit only scripts make on a static page; the audit (a render
at least every `audit_every` checks and every `audit_max_age`) bounds how long that can go unseen.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from watcher.config import Config
from watcher.diff.volatile import apply_mask
from watcher.errors import NoArticle, WatcherError
from watcher.extract import extract
from watcher.fetch.charset import decode_html
from watcher.fetch.http_pages import CONDITIONAL
from watcher.models import GONE_EVENTS, Article, CheckResult, Snapshot, Version, WatchedArticle
from watcher.monitor.masking import build_mask
from watcher.normalize import content_hash
from watcher.urls import host_of, hostname_of, on_domain, redirected_away

if TYPE_CHECKING:
    from watcher.monitor.services import Services

STATIC = "static"
NEEDS_BROWSER = "needs-browser"
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
    """The `fetch` object of `list --json` and `history --json`."""
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
        STATIC: "the raw HTML carries the story, so unchanged checks need no render",
        NEEDS_BROWSER: "only the rendered page carries the story, so every check renders",
    }.get(watched.learned_mode or "", "nothing learned yet")
    line = f"fetch mode {mode}"
    if mode == "auto":
        line += f": {learned}; {watched.checks_since_render} checks since the last render"
    return line


def render_reason(watched: WatchedArticle, latest: Version | None, config: Config, now: datetime) -> str | None:
    """Why this check must render (auto mode), None when the pre-check may answer it."""
    if latest is None:
        return "first check"
    if latest.event in GONE_EVENTS:
        return "the story was gone"
    if watched.learned_mode != STATIC or not watched.raw_hash:
        return "the raw HTML did not carry the story at the last render"
    if watched.checks_since_render + 1 >= config.fetch.audit_every:
        return "audit"
    if watched.rendered_at is None or (now - watched.rendered_at).total_seconds() >= config.fetch.audit_max_age:
        return "audit"
    return None


def conditional_headers(watched: WatchedArticle) -> dict[str, str]:
    headers = {}
    if watched.etag:
        headers["If-None-Match"] = watched.etag
    if watched.last_modified:
        headers["If-Modified-Since"] = watched.last_modified
    return headers


async def before_render(
    watched: WatchedArticle, latest: Version | None, svc: Services, now: datetime
) -> tuple[CheckResult | None, dict[str, Any]]:
    """The check answered by the server alone (unchanged), or None to render; and the article fields to keep."""
    mode = mode_of(svc.config, watched)
    if svc.http is None or mode == "browser" or latest is None:
        return None, {}
    if mode == "auto" and render_reason(watched, latest, svc.config, now) is not None:
        return None, {}
    if mode == "http" and not watched.raw_hash:
        return None, {}
    gate = getattr(svc.fetcher, "shared_gate", None)
    if gate is not None and hasattr(svc.http, "shared_gate"):
        svc.http.shared_gate = gate  # workers keep host turns in the store: the GET waits its turn there too
    token = CONDITIONAL.set(conditional_headers(watched))
    try:
        snapshot = await svc.http.fetch(watched.url)
    except (WatcherError, OSError):
        return None, {}  # the full check meets the same problem and reports it as it always has
    finally:
        CONDITIONAL.reset(token)
    seen: dict[str, Any] = {"checks_since_render": watched.checks_since_render + 1}
    if redirected_away(watched.url, snapshot.final_url):
        return None, {}
    if snapshot.status != 304:
        digest = body_digest(snapshot)
        if digest is None or digest != watched.raw_digest:
            # Other bytes (a nonce, a timestamp, a new ad id) may still carry the same story: extract and compare.
            raw = await raw_hash(snapshot, watched, svc)
            if raw is None or raw != watched.raw_hash:
                return None, {}
            seen["raw_digest"] = digest  # these bytes carry the stored story too: next time no extraction
        seen.update(_validators(snapshot))
    result = CheckResult(
        url=watched.url,
        status="unchanged",
        checked_at=now,
        version=latest.number,
        http_status=snapshot.status,
        headline=latest.article.headline,
    )
    return result, seen


async def learn(
    watched: WatchedArticle, result: CheckResult, snapshot: Snapshot | None, svc: Services, now: datetime
) -> dict[str, Any]:
    """What the full check's last fetch teaches, as the article fields to keep: when the check settled on
    what it fetched, whether the raw HTML carried that story, and the response's validators."""
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
    if mode == "auto":
        fields["rendered_at"] = now
    if snapshot is None or result.status not in SETTLED or set(result.flags) & set(UNSETTLED_FLAGS):
        return fields  # nothing settled: the next check renders again
    if snapshot.body is None or redirected_away(watched.url, snapshot.final_url):
        return fields
    raw = Snapshot(
        requested_url=snapshot.requested_url,
        final_url=snapshot.final_url,
        status=snapshot.status,
        content_type=snapshot.content_type,
        html=decode_html(snapshot.body, snapshot.content_type),
        fetched_at=snapshot.fetched_at,
    )
    latest = svc.store.latest_version(watched.url)
    if latest is None:
        return fields
    digest = await raw_hash(raw, watched, svc)
    stored = content_hash(apply_mask(latest.article, _mask(svc, watched, latest.article))[0])
    if digest is not None and digest == stored:
        fields.update(learned_mode=STATIC, raw_hash=digest, raw_digest=body_digest(snapshot), **_validators(snapshot))
    else:
        fields["learned_mode"] = NEEDS_BROWSER
    return fields


async def raw_hash(snapshot: Snapshot, watched: WatchedArticle, svc: Services) -> str | None:
    """The masked content hash of the article in a page's raw HTML, None when it has none."""
    titles = svc.hosts.titles(svc.store, snapshot.final_url)
    try:
        deadline = time.monotonic() + svc.config.fetch.deadline
        article = await asyncio.to_thread(
            extract, snapshot.html, snapshot.final_url, svc.config.sites, titles, deadline
        )
    except (NoArticle, WatcherError):
        return None
    except Exception:  # a bug met on raw HTML: no evidence either way, so the page is rendered as usual
        return None
    return content_hash(apply_mask(article, _mask(svc, watched, article))[0])


def body_digest(snapshot: Snapshot) -> str | None:
    """The SHA-256 of the page's bytes as the server sent them, None when the snapshot has none."""
    return hashlib.sha256(snapshot.body).hexdigest() if snapshot.body is not None else None


def _mask(svc: Services, watched: WatchedArticle, article: Article) -> Any:
    return build_mask(svc.config, watched, article.body, svc.hosts, svc.store)


def _validators(snapshot: Snapshot) -> dict[str, str | None]:
    headers = {name.lower(): value for name, value in snapshot.headers}
    return {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}


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
