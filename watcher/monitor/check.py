"""One check of one article: fetch, extract, compare with what is stored, store what changed."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from watcher.config import Config
from watcher.diff import diff_articles
from watcher.diff.tokens import is_cjk, is_number, is_word, tokenize
from watcher.errors import FetchError, HTTPStatusError, NoArticle, WatcherError
from watcher.extract import extract
from watcher.models import GONE_EVENTS, Article, CheckResult, Snapshot, Version, VersionDiff, WatchedArticle, utcnow
from watcher.monitor import schedule
from watcher.normalize import comparison_key, content_hash
from watcher.urls import normalize_url

GONE_STATUSES = (404, 410)
# A page edited while it is being confirmed gets one more round with its newer text; a page whose text
# differs on every load (random ids, rotating body widgets) never agrees and never becomes a version.
CONFIRM_ROUNDS = 2
# Below this story_overlap, a redirect target is another story, not the same one moved.
SAME_STORY_OVERLAP = 0.3


class PageFetcher(Protocol):
    async def fetch(self, url: str) -> Snapshot: ...


@dataclass
class Services:
    """The parts a check needs, passed in so tests and the demo can choose them."""

    fetcher: PageFetcher
    store: Any  # watcher.store.Store; typed loosely so a later backend can stand in
    config: Config = field(default_factory=Config)
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], Any] = asyncio.sleep


async def check_article(url: str, svc: Services) -> CheckResult:
    """Check one watched article now; never raises for page problems, only for store problems."""
    started = time.monotonic()
    watched = svc.store.get_article(url)
    latest = svc.store.latest_version(url)
    result = await _observe(watched, latest, svc)
    result.duration = round(time.monotonic() - started, 3)
    if not result.headline:
        result.headline = watched.headline
    # One transaction: the hot file is rewritten once per check, not once for the log and again for the schedule.
    with svc.store.transaction():
        svc.store.record_check(result)
        _reschedule(svc, url, result)
    return result


async def _observe(watched: WatchedArticle, latest: Version | None, svc: Services) -> CheckResult:
    url = watched.url
    now = svc.clock()
    try:
        snapshot = await svc.fetcher.fetch(url)
    except HTTPStatusError as exc:
        if exc.status in GONE_STATUSES and latest is not None:
            return await _gone(url, latest, "removed", now, svc, http_status=exc.status)
        return _error(url, latest, now, exc, http_status=exc.status)
    except FetchError as exc:
        return _error(url, latest, now, exc)
    try:
        article = await _extract(snapshot, svc)
    except NoArticle as exc:
        if latest is not None and _redirected_away(url, snapshot):
            # Sent to a page with no story at all: a section front or a home page.
            return await _gone(url, latest, "redirected", now, svc, http_status=snapshot.status)
        return _error(url, latest, now, exc, http_status=snapshot.status)

    if latest is None:
        version = svc.store.save_version(url, article, html=snapshot.html, diff=None, captured_at=now)
        return CheckResult(
            url=url,
            status="new",
            checked_at=now,
            version=version.number,
            http_status=snapshot.status,
            headline=article.headline,
        )

    if _moved_to_other_story(url, snapshot, latest.article, article):
        return await _gone(url, latest, "redirected", now, svc, http_status=snapshot.status)

    if latest.event in GONE_EVENTS:
        # Diffed against the article as it was before it went away (the event version keeps that text).
        diff = diff_articles(latest.article, article)
        diff.flags = sorted(set(diff.flags) | {"restored"})
        version = svc.store.save_version(url, article, html=snapshot.html, diff=diff, captured_at=now, event="restored")
        return _changed(url, version, diff, now, snapshot, status="restored")

    if content_hash(article) == latest.content_hash:
        return _unchanged(url, latest, now, snapshot)

    if _headline_only(latest, article) and article.headline in _known_headlines(svc, watched, latest):
        return _unchanged(
            url, latest, now, snapshot, flags=_ab_test(svc, url, [article.headline, latest.article.headline])
        )

    reverted_to = _earlier_version_with_same_content(svc, url, latest, article)
    diff = diff_articles(latest.article, article)
    # A stale CDN node serves old content too, so a revert is confirmed like any substantive change.
    if diff.top_class() == "substantive" and svc.config.trust.confirm_delay >= 0:
        for round_ in range(CONFIRM_ROUNDS):
            refetched = await _refetch(url, svc)
            again = refetched[1] if refetched else None
            if again is not None and content_hash(again) == content_hash(article):
                break
            if again is not None and _headline_only(latest, article) and content_hash(again) == latest.content_hash:
                # The two fetches disagreed on the headline alone: the site shows visitors different headlines.
                return _unchanged(
                    url, latest, now, snapshot, flags=_ab_test(svc, url, [article.headline, latest.article.headline])
                )
            if (
                again is None
                or content_hash(again) == latest.content_hash
                or round_ + 1 == CONFIRM_ROUNDS
                or diff_articles(latest.article, again).top_class() != "substantive"
            ):
                return _unchanged(url, latest, now, snapshot, flags=["unconfirmed"])
            # Neither the first fetch nor what is stored: the story is being edited right now. The newer
            # text becomes the candidate and must itself be confirmed.
            snapshot, article = refetched
            reverted_to = _earlier_version_with_same_content(svc, url, latest, article)
            diff = diff_articles(latest.article, article)

    if reverted_to is not None:
        diff.flags = sorted(set(diff.flags) | {"revert"})
        version = svc.store.save_version(url, article, html=snapshot.html, diff=diff, captured_at=now, event="revert")
        return _changed(url, version, diff, now, snapshot, status="revert")

    version = svc.store.save_version(url, article, html=snapshot.html, diff=diff, captured_at=now)
    return _changed(url, version, diff, now, snapshot)


async def _extract(snapshot: Snapshot, svc: Services) -> Article:
    # Extraction is CPU work; a thread keeps other pages' fetches moving meanwhile.
    return await asyncio.to_thread(extract, snapshot.html, snapshot.final_url, svc.config.sites)


async def _refetch(url: str, svc: Services) -> tuple[Snapshot, Article] | None:
    """The page and article again after a pause, None if that failed: a half-loaded page must not become an edit."""
    await svc.sleep(svc.config.trust.confirm_delay)
    try:
        snapshot = await svc.fetcher.fetch(url)
        return snapshot, await _extract(snapshot, svc)
    except (WatcherError, OSError):
        return None


async def _still_gone(url: str, event: str, before: Article, svc: Services) -> bool:
    """Re-fetch once after a pause: one 404 or stray redirect from a flaky CDN must not announce a removal."""
    await svc.sleep(svc.config.trust.confirm_delay)
    try:
        snapshot = await svc.fetcher.fetch(url)
    except HTTPStatusError as exc:
        return event == "removed" and exc.status in GONE_STATUSES
    except (WatcherError, OSError):
        return False
    if event != "redirected":
        return False
    try:
        article = await _extract(snapshot, svc)
    except NoArticle:
        return _redirected_away(url, snapshot)
    except (WatcherError, OSError):
        return False
    return _moved_to_other_story(url, snapshot, before, article)


def _headline_only(latest: Version, article: Article) -> bool:
    """Only the headline differs from the latest version."""
    return (
        article.headline != latest.article.headline
        and content_hash(replace(article, headline=latest.article.headline)) == latest.content_hash
    )


def _known_headlines(svc: Services, watched: WatchedArticle, latest: Version) -> set[str]:
    """Headlines of the recent versions before the latest, and variants already seen rotating."""
    window = svc.config.trust.revert_window
    recent = svc.store.list_versions(watched.url, last=window + 1) if window > 0 else []
    return {v.article.headline for v in recent if v.number != latest.number} | set(watched.headline_variants)


def _ab_test(svc: Services, url: str, headlines: list[str]) -> list[str]:
    """Remember headlines seen rotating on the article; the flags for the check."""
    fresh = svc.store.get_article(url)
    variants = sorted(set(fresh.headline_variants) | {h for h in headlines if h})
    if variants != fresh.headline_variants:
        fresh.headline_variants = variants
        svc.store.update_article(fresh)
    return ["ab_test"]


def _earlier_version_with_same_content(svc: Services, url: str, latest: Version, article: Article) -> int | None:
    window = svc.config.trust.revert_window
    if window <= 0:
        return None
    digest = content_hash(article)
    # Earlier reverts count too: a page flapping between two texts keeps matching them.
    for version in reversed(svc.store.list_versions(url, last=window + 1)):
        if version.number != latest.number and version.content_hash == digest and version.event not in GONE_EVENTS:
            return version.number
    return None


def _redirected_away(url: str, snapshot: Snapshot) -> bool:
    """The fetch ended at another address than the watched one."""
    if not snapshot.redirects:
        return False
    try:
        return normalize_url(snapshot.final_url) != url
    except WatcherError:
        return True


def _moved_to_other_story(url: str, snapshot: Snapshot, before: Article, after: Article) -> bool:
    """A redirect is an event only when it lands on a different story (a section front, another article)."""
    if not _redirected_away(url, snapshot):
        return False
    return story_overlap(before, after) < SAME_STORY_OVERLAP


def story_overlap(before: Article, after: Article) -> float:
    """How much of the body two articles share (0..1): Jaccard index of their word pairs."""
    old, new = _shingles(before), _shingles(after)
    if not old or not new:
        return 0.0
    return len(old & new) / len(old | new)


def _shingles(article: Article) -> set[tuple[str, ...]]:
    # Pairs, not single words: two unrelated stories share most common words (and in Chinese most
    # common characters), rarely their pairs. Tokens put one CJK character per token, so text with
    # no spaces is compared piece by piece too.
    found: set[tuple[str, ...]] = set()
    for paragraph in article.body:
        words = [t for t in tokenize(comparison_key(paragraph)) if is_word(t) or is_cjk(t) or is_number(t)]
        found |= set(zip(words, words[1:])) or ({tuple(words)} if words else set())
    return found


async def _gone(
    url: str, latest: Version, event: str, now: datetime, svc: Services, http_status: int | None = None
) -> CheckResult:
    if latest.event == event:
        # Still gone: the event was recorded (and announced) when it happened; nothing new to tell.
        return CheckResult(
            url=url,
            status="unchanged",
            checked_at=now,
            version=latest.number,
            flags=[event],
            http_status=http_status,
            headline=latest.article.headline,
        )
    if not await _still_gone(url, event, latest.article, svc):
        return CheckResult(
            url=url,
            status="unchanged",
            checked_at=now,
            version=latest.number,
            flags=["unconfirmed"],
            http_status=http_status,
            headline=latest.article.headline,
        )
    version = svc.store.save_version(
        url, latest.article, html=None, diff=VersionDiff(flags=[event]), captured_at=now, event=event
    )
    return CheckResult(
        url=url,
        status=event,
        checked_at=now,
        version=version.number,
        flags=[event],
        http_status=http_status,
        headline=latest.article.headline,
    )


def _error(
    url: str, latest: Version | None, now: datetime, exc: Exception, http_status: int | None = None
) -> CheckResult:
    return CheckResult(
        url=url,
        status="error",
        checked_at=now,
        error=str(exc),
        http_status=http_status,
        version=latest.number if latest else None,
    )


def _unchanged(
    url: str, latest: Version, now: datetime, snapshot: Snapshot, flags: list[str] | None = None
) -> CheckResult:
    return CheckResult(
        url=url,
        status="unchanged",
        checked_at=now,
        version=latest.number,
        flags=flags or [],
        http_status=snapshot.status,
        headline=latest.article.headline,
    )


def _changed(
    url: str, version: Version, diff: VersionDiff, now: datetime, snapshot: Snapshot, status: str = "changed"
) -> CheckResult:
    return CheckResult(
        url=url,
        status=status,
        checked_at=now,
        version=version.number,
        flags=list(diff.flags),
        edits=list(diff.edits),
        http_status=snapshot.status,
        headline=version.article.headline,
    )


def _reschedule(svc: Services, url: str, result: CheckResult) -> None:
    watched = svc.store.get_article(url)
    now = result.checked_at  # consecutive_errors was already counted by store.record_check
    if result.status in ("changed", "new", "restored"):
        watched.last_changed = now
    interval = schedule.next_interval(
        now=now,
        added_at=watched.added_at,
        last_changed=watched.last_changed,
        every=watched.every,
        consecutive_errors=watched.consecutive_errors,
        settings=svc.config.schedule,
    )
    watched.next_check = (
        None if interval is None else schedule.next_due(now, interval, svc.config.schedule.jitter, svc.rng)
    )
    watched.stopped = interval is None
    svc.store.update_article(watched)
