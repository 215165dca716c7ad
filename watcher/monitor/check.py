"""One check of one article: fetch, extract, compare with what is stored, store what changed."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from watcher.diff import diff_articles
from watcher.diff.similarity import story_overlap
from watcher.diff.summary import summarize
from watcher.diff.volatile import VOLATILE_FIELDS, Mask, apply_mask, field_key, reconcile
from watcher.errors import ExtractFailed, FetchError, HTTPStatusError, NoArticle, WatcherError
from watcher.extract import extract
from watcher.extract.boxes import locate
from watcher.feeds.discover import section_advice
from watcher.fetch.base import allowing_private, counting_requests
from watcher.models import (
    GONE_EVENTS,
    Article,
    CheckResult,
    CheckStatus,
    Screenshot,
    Snapshot,
    Version,
    VersionDiff,
    WatchedArticle,
    class_rank,
)
from watcher.monitor import precheck, reextract, schedule
from watcher.monitor.masking import build_mask, headline_return
from watcher.monitor.services import Services
from watcher.normalize import content_hash
from watcher.untrusted import one_line
from watcher.urls import redirected_away

log = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)
# After this many unconfirmed checks in a row the terminal suggests an ignore rule.
UNCONFIRMED_ADVICE = 3
# Below this story_overlap, a redirect target is another story, not the same one moved.
SAME_STORY_OVERLAP = 0.3


async def check_article(url: str, svc: Services, *, audit: bool = False) -> CheckResult:
    """Check one watched article now; never raises for page problems, only for store problems.
    `audit`: render the page even where its raw HTML could answer (the run loop's low-priority first renders)."""
    started = time.monotonic()
    watched = svc.store.get_article(url)
    latest = svc.store.latest_version(url)
    if getattr(watched, "allow_private", False):
        # added by hand with --allow-private
        http = allowing_private(svc.http) if svc.http is not None else None
        svc = replace(svc, fetcher=allowing_private(svc.fetcher), http=http)
    now = svc.clock()
    # Asked of the server first: an unchanged page costs a (conditional) GET, not a render, and a static page's
    # edit is read from its raw HTML.
    plan = await precheck.route(watched, latest, svc, now, audit=audit)
    disagreed = False
    if plan.answer is not None:
        result, learned = plan.answer, plan.kept
    else:
        full = svc.http if plan.source == precheck.HTTP and svc.http is not None else svc.fetcher
        recording = precheck.Recording(precheck.Primed(full, plan.first))
        counted = counting_requests(recording)
        given = (plan.first, plan.first_article) if plan.first is not None and plan.first_article is not None else None
        result = await _observe(watched, latest, replace(svc, fetcher=counted), source=plan.source, given=given)
        result.requests = counted.counts  # third-party and refused requests of the pages, for the check log
        learned = await precheck.learn(watched, result, recording.last, svc, now, plan)
        if recording.last is not None:
            result.source = plan.source
        if plan.audit:
            disagreed = _audited(result, latest, learned)
            if (
                disagreed
                and latest is not None
                and _first_render(watched, latest, result)
                and await precheck.raw_carries(recording.last, watched, latest, svc)
            ):
                result = await asyncio.to_thread(_rendered_latest_version, svc, result, latest.number)
    result.duration = round(time.monotonic() - started, 3)
    if not result.headline:
        result.headline = watched.headline
    # The write waits on fsync (three per check in the embedded store): in a thread, other checks' requests
    # go on meanwhile instead of the whole event loop stopping for the disk.
    await asyncio.to_thread(record, svc, result, learned)
    if disagreed:
        await asyncio.to_thread(precheck.relearn_host, svc, url)
    return result


def _first_render(watched: WatchedArticle, latest: Version, result: CheckResult) -> bool:
    """The first render of an article whose versions so far were read from its raw HTML, which stored a version."""
    return watched.rendered_at is None and latest.source == precheck.HTTP and result.version == latest.number + 1


def _rendered_latest_version(svc: Services, result: CheckResult, number: int) -> CheckResult:
    """The first render showed more than the raw HTML the latest version was read from, and that raw HTML has not
    changed since (the render's own raw HTML carries the same story). Nothing was seen to change (the raw HTML never
    carried that text), so it is no edit to announce: version `number` becomes the page as rendered, keeping what it
    announced (its edits and flags against the version before; none for version 1, as when a first check renders).
    An article edited before its first render (`watcher check` from cron leaves that render to the audit) is the
    case past version 1."""
    versions = svc.store.list_versions(result.url)
    if [v.number for v in versions[-2:]] != [number, number + 1]:
        return result  # another process stored a version meanwhile: leave the history as it stands
    *kept, earlier, rendered = versions
    # Third-party copies already made of the earlier version are of this same story at that time: their addresses stay.
    copies = [
        *earlier.copies,
        *(c for c in rendered.copies if c.get("service") not in {f.get("service") for f in earlier.copies}),
    ]
    merged = replace(
        rendered, number=number, edits=earlier.edits, flags=earlier.flags, event=earlier.event, copies=copies
    )
    svc.store.replace_versions(result.url, [*kept, merged])
    note = (
        f"audit: the first render shows text the raw HTML does not carry, so version {number} is now the rendered page "
        "(not an edit) and this article, with its site's other articles, is checked in the browser from now on"
    )
    return replace(result, status="unchanged", version=number, edits=[], flags=[], summary="", note=note)


def _audited(result: CheckResult, latest: Version | None, learned: dict[str, Any]) -> bool:
    """The audit's outcome on the result ("agreed": the render shows the stored text; "disagreed": it showed text
    the raw HTML does not carry, now stored from the browser); True when it disagreed."""
    if result.status == "unchanged" and not result.flags and learned.get("learned_mode") == precheck.STATIC:
        result.audit = "agreed"
    stored = latest is None or result.version != latest.number
    if result.status in precheck.SETTLED and stored and learned.get("learned_mode") == precheck.NEEDS_BROWSER:
        result.audit = "disagreed"
        note = (
            "audit: the browser shows text the raw HTML does not carry, so the rendered page is stored and this "
            "article, with its site's other articles, is checked in the browser from now on"
        )
        result.note = f"{note}; {result.note}" if result.note else note
    return result.audit == "disagreed"


def failed(svc: Services, url: str, exc: Exception) -> CheckResult:
    """What a check that raised becomes: an error result saying what went wrong, recorded when the store can
    (when the store is what failed, the result says so and is only reported)."""
    text = str(exc) if isinstance(exc, WatcherError) else f"internal error: {type(exc).__name__}: {exc}"
    result = CheckResult(url=url, status="error", checked_at=svc.clock(), error=one_line(text))
    try:
        record(svc, result)
    except Exception as again:
        if str(again) != str(exc):
            result.error = one_line(f"{text} (not recorded: {again})")
    return result


def record(svc: Services, result: CheckResult, learned: dict[str, Any] | None = None) -> None:
    """Log a check on its article and schedule the next one (also for checks that failed outside _observe);
    `learned`: article fields the fast-check pre-check keeps (monitor/precheck.py)."""
    # One transaction: the hot file is rewritten once per check, not once for the log and again for the schedule.
    with svc.store.transaction():
        _reschedule(svc, svc.store.record_check(result), result, learned)


async def _observe(
    watched: WatchedArticle,
    latest: Version | None,
    svc: Services,
    source: str = precheck.BROWSER,
    given: tuple[Snapshot, Article] | None = None,
) -> CheckResult:
    """The full check, reading the page from svc.fetcher; `source` is what that fetcher is ("http" or "browser"),
    recorded on any version stored; `given`: the first page's article when it was extracted already."""
    url = watched.url
    now = svc.clock()
    try:
        snapshot = await svc.fetcher.fetch(url)
    except HTTPStatusError as exc:
        if exc.status in GONE_STATUSES and latest is not None:
            return await _gone(url, latest, "removed", now, svc, source, http_status=exc.status)
        return _error(url, latest, now, exc, http_status=exc.status)
    except FetchError as exc:
        return _error(url, latest, now, exc)
    try:
        article = given[1] if given is not None and given[0] is snapshot else await _extract(snapshot, svc)
    except NoArticle as exc:
        if latest is not None and redirected_away(url, snapshot.final_url):
            # Sent to a page with no story at all: a section front or a home page.
            return await _gone(
                url, latest, "redirected", now, svc, source, http_status=snapshot.status, snapshot=snapshot
            )
        failed = _error(url, latest, now, exc, http_status=snapshot.status)
        if latest is None:
            failed.note = section_advice(snapshot.html, snapshot.final_url or url) or failed.note
        return failed
    except ExtractFailed as exc:
        return _error(url, latest, now, exc, http_status=snapshot.status)

    mask = build_mask(svc.config, watched, article.body, svc.hosts, svc.store)
    article, _ = apply_mask(article, mask)

    if latest is None:
        screenshot = await _screenshot(snapshot, article)
        version = svc.store.save_version(
            url,
            article,
            html=snapshot.html,
            diff=None,
            captured_at=now,
            served=snapshot.served(),
            screenshot=screenshot,
            source=source,
        )
        _archive(svc, version, snapshot)
        return CheckResult(
            url=url,
            status="new",
            checked_at=now,
            version=version.number,
            http_status=snapshot.status,
            headline=article.headline,
            # Stored as asked, but a page listing stories is rarely what was meant: say so once, at the start.
            note=section_advice(snapshot.html, snapshot.final_url or url) or "",
            screenshot=version.screenshot,
        )

    if _moved_to_other_story(url, snapshot, latest.article, article):
        return await _gone(url, latest, "redirected", now, svc, source, http_status=snapshot.status, snapshot=snapshot)

    if latest.event in GONE_EVENTS:
        # Diffed against the article as it was before it went away (the event version keeps that text).
        diff = await _diff(apply_mask(latest.article, mask)[0], article)
        diff.flags = sorted(set(diff.flags) | {"restored"})
        return await _store_change(svc, url, article, snapshot, diff, now, source, status="restored")

    # Both sides are masked alike: a block learned volatile today is left out of yesterday's version too.
    stored = apply_mask(latest.article, mask)[0]
    if content_hash(article) == content_hash(stored):
        return _unchanged(url, latest, now, snapshot)

    if _headline_only(stored, article) and _headline_return(svc, watched, article) == "ab_test":
        return _rotating(svc, url, latest, now, snapshot, [article.headline, stored.headline])

    reverted_to = _earlier_version_with_same_content(svc, url, latest, article, mask)
    diff = await _diff(stored, article)
    # A stale CDN node serves old content too, so a revert is confirmed like any other change. Only cosmetic
    # changes go unconfirmed: a widget reordering itself (moved) or a figure that looks like a typo fix would
    # otherwise become a version on every check.
    if class_rank(diff.top_class()) >= class_rank("typo") and svc.config.trust.confirm_delay >= 0:
        # One re-fetch decides: what both loads show is confirmed, whatever else differs between them.
        refetched = await _refetch(url, svc)
        if refetched is None:
            return await _unconfirmed(svc, url, latest, now, snapshot, refetch_failed=True)
        again = apply_mask(refetched[1], mask)[0]
        if content_hash(again) != content_hash(article):
            if _headline_only(stored, article) and content_hash(again) == content_hash(stored):
                # The two fetches disagreed on the headline alone: the site shows visitors different headlines.
                return _rotating(svc, url, latest, now, snapshot, [article.headline, stored.headline])
            agreed = _agreed(stored, article, again)
            if agreed is None:
                return await _unconfirmed(svc, url, latest, now, snapshot)
            # The blocks that changed between two loads seconds apart are volatile from now on (for this article;
            # for its host too, once its other articles show them); the candidate is what both loads agree on.
            candidate, keys, disputed = agreed
            if keys:
                _learn_volatile(svc, url, keys)
                mask.keys |= keys
            snapshot = refetched[0]
            article = apply_mask(candidate, mask)[0]
            stored = apply_mask(latest.article, mask)[0]
            if content_hash(article) == content_hash(stored):
                if disputed:
                    return await _unconfirmed(svc, url, latest, now, snapshot)
                return _unchanged(url, latest, now, snapshot, flags=["volatile"] if keys else [])
            reverted_to = _earlier_version_with_same_content(svc, url, latest, article, mask)
            diff = await _diff(stored, article)

    # Asked only of a change about to be stored (not of every load that differs), so an unchanged or unconfirmed
    # check never pays for reading the stored page again.
    reread = await _reread_history(svc, watched, latest, mask)
    if reread is not None:
        # This release reads the stored page differently from the one that stored it: the history was read again
        # with today's rules (as `watcher reextract` does), so only what the page itself changed is an edit.
        latest = reread
        stored = apply_mask(latest.article, mask)[0]
        if content_hash(article) == content_hash(stored):
            return replace(_unchanged(url, latest, now, snapshot), note=REREAD_NOTE)
        reverted_to = _earlier_version_with_same_content(svc, url, latest, article, mask)
        diff = await _diff(stored, article)

    if reverted_to is not None:
        diff.flags = sorted(set(diff.flags) | {"revert"})
        return await _store_change(svc, url, article, snapshot, diff, now, source, status="revert")
    return await _store_change(svc, url, article, snapshot, diff, now, source)


async def _store_change(
    svc: Services,
    url: str,
    article: Article,
    snapshot: Snapshot,
    diff: VersionDiff,
    now: datetime,
    source: str,
    status: CheckStatus = "changed",
) -> CheckResult:
    """A confirmed change (or revert, or restoration) stored as a new version, archived, and reported."""
    screenshot = await _screenshot(snapshot, article)
    version = svc.store.save_version(
        url,
        article,
        html=snapshot.html,
        served=snapshot.served(),
        diff=diff,
        captured_at=now,
        event=None if status == "changed" else status,
        final_url=_target(url, snapshot),
        screenshot=screenshot,
        source=source,
    )
    _archive(svc, version, snapshot)
    return _changed(url, version, diff, now, snapshot, status=status)


async def _screenshot(snapshot: Snapshot, article: Article) -> Screenshot | None:
    """The render's screenshot (when one was taken) with the stored article's texts located on it."""
    image = getattr(snapshot, "image", None)  # a test's or a library user's fetcher may make older Snapshots
    # Matching a long page's texts to its blocks is CPU work: in a thread, other checks go on meanwhile.
    return await asyncio.to_thread(locate, article, image) if image is not None else None


async def _diff(old: Article, new: Article) -> VersionDiff:
    # Diffing is CPU work (bounded, but a long rewrite takes a while); a thread keeps the event loop free.
    return await asyncio.to_thread(diff_articles, old, new)


def _agreed(stored: Article, first: Article, second: Article) -> tuple[Article, set[str], bool] | None:
    """What two fetches agree on, field by field and block by block: the candidate article, the keys of the body
    blocks that changed between the loads, and whether an edit the first load showed was taken back; None when
    story text (a long paragraph) differs between the loads.

    A field both loads show alike is kept; a field they show differently keeps its stored value, so the other
    fields' agreed edits are still stored: a headline, or a field one of the loads shows as stored, is then not
    confirmed; any other field that differs from the stored one on both loads and between them is learned
    volatile as a whole."""
    reconciled = reconcile(stored.body, first.body, second.body)
    if reconciled is None:
        return None
    disputed, keys = reconciled.disputed, set(reconciled.keys)
    fields: dict[str, Any] = {}
    for name in ("headline", *VOLATILE_FIELDS):
        mine, theirs, before = getattr(first, name), getattr(second, name), getattr(stored, name)
        if mine == theirs:
            continue
        fields[name] = before
        if name != "headline" and mine != before and theirs != before:
            keys.add(field_key(name))  # changed, and changed again on the reload: volatile, like a widget
        else:
            # The re-fetch took the first load's edit back, or the field was edited between the loads (a caption
            # swapped now): not confirmed, and the next check sees it again.
            disputed = True
    return replace(second, body=reconciled.body, **fields), keys, disputed


def _learn_volatile(svc: Services, url: str, keys: set[str]) -> None:
    fresh = svc.store.get_article(url)
    known = set(getattr(fresh, "volatile", []) or [])
    if not keys <= known:
        fresh.volatile = sorted(known | keys)
        svc.store.update_article(fresh)


async def _unconfirmed(
    svc: Services, url: str, latest: Version, now: datetime, snapshot: Snapshot, refetch_failed: bool = False
) -> CheckResult:
    result = _unchanged(url, latest, now, snapshot, flags=["unconfirmed"])
    if refetch_failed:
        result.note = "the page could not be loaded again to confirm the change, so it was not stored yet"
        return result
    in_a_row = 1
    for record in reversed(svc.store.recent_checks(url)):
        if "unconfirmed" not in _flags_of(record):
            break
        in_a_row += 1
    result.note = "the story text differed between two loads a few seconds apart, so the change was not stored"
    if in_a_row >= UNCONFIRMED_ADVICE:
        result.note += (
            f" ({in_a_row} checks in a row); if a part of the page changes on every load, leave it out of"
            " comparison with an ignore rule: `watcher add URL --ignore REGEX` or [[sites]] ignore_text"
        )
    return result


def _flags_of(record: Any) -> list[str]:
    return list(record.get("flags") or []) if isinstance(record, dict) else list(getattr(record, "flags", []) or [])


def _headline_return(svc: Services, watched: WatchedArticle, article: Article) -> str | None:
    window = max(svc.config.trust.revert_window, 1)
    recent = svc.store.list_versions(watched.url, last=window + 1)
    return headline_return(recent, article.headline, watched.headline_variants)


def _rotating(
    svc: Services, url: str, latest: Version, now: datetime, snapshot: Snapshot, headlines: list[str]
) -> CheckResult:
    """An A/B test: nothing stored, the variants remembered, and the headline the page shows now listed."""
    result = _unchanged(url, latest, now, snapshot, flags=_ab_test(svc, url, headlines))
    result.headline = headlines[0]
    return result


REREAD_NOTE = "stored versions read again with this release's extraction rules; the page itself has not changed"


async def _reread_history(svc: Services, watched: WatchedArticle, latest: Version, mask: Mask) -> Version | None:
    """The latest version once the article's history is read again with today's rules, when they read its stored
    raw HTML as other text; None when they read it as stored (or no raw HTML is left)."""
    read = reextract.stored_reader(svc.config, watched, svc.hosts, svc.store)
    seen = lambda article: apply_mask(article, mask)[0]  # noqa: E731 - the one place it is named
    if not await asyncio.to_thread(reextract.read_differently, svc.store, latest, read, seen):
        return None
    await asyncio.to_thread(reextract.rebuild_versions, svc.store, watched.url, read)
    log.info("%s: re-read its stored versions with this release's extraction rules", watched.url)
    return svc.store.latest_version(watched.url)


async def _extract(snapshot: Snapshot, svc: Services) -> Article:
    # Extraction is CPU work; a thread keeps other pages' fetches moving meanwhile.
    titles = svc.hosts.titles(svc.store, snapshot.final_url)
    # Reading the page is held to the same deadline as loading it (with MAX_ELEMENTS, it needs a fraction).
    deadline = time.monotonic() + svc.config.fetch.deadline
    try:
        return await asyncio.to_thread(extract, snapshot.html, snapshot.final_url, svc.config.sites, titles, deadline)
    except WatcherError:
        raise
    except Exception as exc:  # a page that trips over a bug in extraction is that page's error, not the run's
        log.warning("extraction failed on %s", snapshot.final_url, exc_info=True)
        raise ExtractFailed(f"could not read the article on {snapshot.final_url}: {type(exc).__name__}: {exc}") from exc


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
        return redirected_away(url, snapshot.final_url)
    except (WatcherError, OSError):
        return False
    return _moved_to_other_story(url, snapshot, before, article)


def _headline_only(stored: Article, article: Article) -> bool:
    """Only the headline differs from the stored version (both masked alike)."""
    return article.headline != stored.headline and content_hash(replace(article, headline=stored.headline)) == (
        content_hash(stored)
    )


def _ab_test(svc: Services, url: str, headlines: list[str]) -> list[str]:
    """Remember headlines seen rotating on the article; the flags for the check."""
    fresh = svc.store.get_article(url)
    variants = sorted(set(fresh.headline_variants) | {h for h in headlines if h})
    if variants != fresh.headline_variants or (headlines[0] and fresh.headline != headlines[0]):
        fresh.headline_variants = variants
        fresh.headline = headlines[0] or fresh.headline  # `list` shows the headline the page shows now
        svc.store.update_article(fresh)
    return ["ab_test"]


def _earlier_version_with_same_content(
    svc: Services, url: str, latest: Version, article: Article, mask: Mask
) -> int | None:
    window = svc.config.trust.revert_window
    if window <= 0:
        return None
    digest = content_hash(article)
    # Earlier reverts count too: a page flapping between two texts keeps matching them.
    for version in reversed(svc.store.list_versions(url, last=window + 1)):
        if version.number == latest.number or version.event in GONE_EVENTS:
            continue
        if version.content_hash == digest or content_hash(apply_mask(version.article, mask)[0]) == digest:
            return version.number
    return None


def _target(url: str, snapshot: Snapshot) -> str | None:
    """Where the page led, when a redirect (HTTP, meta refresh or script) took it to another address."""
    return snapshot.final_url if redirected_away(url, snapshot.final_url) else None


def _moved_to_other_story(url: str, snapshot: Snapshot, before: Article, after: Article) -> bool:
    """A redirect is an event only when it lands on a different story (a section front, another article)."""
    if not redirected_away(url, snapshot.final_url):
        return False
    return story_overlap(before, after) < SAME_STORY_OVERLAP


async def _gone(
    url: str,
    latest: Version,
    event: str,
    now: datetime,
    svc: Services,
    source: str,
    http_status: int | None = None,
    snapshot: Snapshot | None = None,
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
    target = _target(url, snapshot) if snapshot is not None else None
    version = svc.store.save_version(
        url,
        latest.article,
        html=None,
        diff=VersionDiff(flags=[event]),
        captured_at=now,
        event=event,
        final_url=target,
        source=source,
    )
    return CheckResult(
        url=url,
        status=cast(CheckStatus, event),
        checked_at=now,
        version=version.number,
        flags=[event],
        http_status=http_status,
        headline=latest.article.headline,
        final_url=target,
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
    url: str, version: Version, diff: VersionDiff, now: datetime, snapshot: Snapshot, status: CheckStatus = "changed"
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
        final_url=version.final_url,
        summary=summarize(diff.edits, version.article.lang),
        screenshot=version.screenshot,
    )


def _reschedule(
    svc: Services, watched: WatchedArticle, result: CheckResult, learned: dict[str, Any] | None = None
) -> None:
    """`watched` as store.record_check returned it: consecutive_errors already counts this check."""
    for name, value in (learned or {}).items():
        setattr(watched, name, value)
    changed = result.status in ("changed", "new", "restored")
    schedule.after_check(watched, now=result.checked_at, changed=changed, settings=svc.config.schedule, rng=svc.rng)
    svc.store.update_article(watched)


def _archive(svc: Services, version: Version, snapshot: Snapshot) -> None:
    """[archive] warc: the new version, as served, appended to the rolling WARC ("as it is captured")."""
    if svc.archive_dir is None:
        return
    from watcher import __version__
    from watcher.archive.warc import Capture, append_capture

    served = snapshot.served()
    if served is None:
        return
    try:
        append_capture(svc.archive_dir, Capture.of(version, served), software=f"watcher/{__version__}")
    except OSError as exc:
        # The version is stored already: a full disk or unwritable archive folder costs the WARC copy
        # only, and must not turn the stored change into a check error.
        logging.getLogger(__name__).warning("cannot archive %s v%s as WARC: %s", version.url, version.number, exc)
