"""Documents as stored: models <-> JSON-ready dicts, timestamps, and the one-line edit summary."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import typing
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from watcher.models import (
    Article,
    CheckRecord,
    CheckResult,
    Edit,
    Feed,
    Screenshot,
    ServedPage,
    Version,
    VersionDiff,
    WatchedArticle,
)
from watcher.normalize import content_hash
from watcher.times import iso, parse_iso

ERROR_TEXT_MAX = 500

# The fields _article reads one by one; the others (ARTICLE_EXTRA, added later) are read as they were stored.
ARTICLE_FIELDS = frozenset(
    {
        "url",
        "added_at",
        "canonical_url",
        "tags",
        "every",
        "headline",
        "versions",
        "last_checked",
        "next_check",
        "last_status",
        "last_changed",
        "consecutive_errors",
        "last_edit_summary",
        "checks_total",
        "feed",
        "unreadable",
    }
)
ARTICLE_EXTRA = frozenset(f.name for f in fields(WatchedArticle)) - ARTICLE_FIELDS


def ts(moment: datetime | None) -> str | None:
    """A datetime as ISO 8601 UTC with a Z; naive values are taken as UTC; sub-seconds kept."""
    return iso(moment, timespec="auto")


def url_key(url: str) -> str:
    """The short, stable name of an article's folder."""
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def later(a: datetime | None, b: datetime | None) -> datetime | None:
    """The later of two optional moments."""
    if a is None or b is None:
        return a or b
    return max(a, b)


def article_to_doc(art: WatchedArticle) -> dict[str, Any]:
    """A WatchedArticle as its stored document (every field but `unreadable`, which is never stored)."""
    return model_doc(art, _NEVER_STORED)


_NEVER_STORED = frozenset({"unreadable"})


def model_doc(obj: Any, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A model dataclass as its stored document, field by field under its own name: datetimes as ISO UTC,
    lists copied, the rest as it is; so a field added to a model is stored without a change here."""
    shape = _shape(obj.__class__, leave_out)
    doc = {name: getattr(obj, name) for name in shape.names}
    for name in shape.times:
        doc[name] = ts(doc[name])
    for name in shape.lists:
        doc[name] = list(doc[name])
    return doc


@dataclass(frozen=True)
class _Shape:
    names: tuple[str, ...]
    times: tuple[str, ...]  # fields typed datetime (or datetime | None)
    lists: tuple[str, ...]


@functools.cache
def _shape(cls: Any, leave_out: frozenset[str]) -> _Shape:
    # Worked out once per model: dataclasses.fields() and the type hints cost more than the conversion itself,
    # which a watch list of 100,000 pays often.
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls) if f.name not in leave_out)
    times = tuple(n for n in names if hints[n] is datetime or datetime in typing.get_args(hints[n]))
    lists = tuple(n for n in names if typing.get_origin(hints[n]) is list)
    return _Shape(names, times, lists)


def stored_time(value: str | None) -> datetime:
    """A stored moment that every document has; one lost to damage reads as the earliest time."""
    return parse_iso(value) or datetime.min.replace(tzinfo=UTC)


def article_from_doc(doc: dict[str, Any]) -> WatchedArticle:
    """A stored document as a WatchedArticle; fields of the wrong type are read as their defaults, named in
    `unreadable` and reported once (the article is kept). UnreadableDoc when not even its URL can be read."""
    bad = _wrong_fields(doc, _TYPE)
    if not isinstance(doc.get("url"), str):
        raise UnreadableDoc(f"a watch list entry has no readable url ({doc.get('url')!r})")
    if bad:
        doc = {k: v for k, v in doc.items() if k not in bad}
    try:
        article = _article(doc)
    except (ValueError, TypeError, OverflowError):
        bad += [name for name in _TIMES if name in doc and not _readable_time(doc[name])]
        article = _article({k: v for k, v in doc.items() if k not in bad})
    if bad:
        if "next_check" in bad:  # a schedule that cannot be read is due: the check writes a sound one
            article.next_check = article.last_checked or article.added_at
        article.unreadable = sorted(bad)
        _report(article.url, article.unreadable)
    return article


def sound_fields(doc: dict[str, Any]) -> list[str]:
    """The names of a stored article document's fields that cannot be read as what they should be."""
    bad = _wrong_fields(doc, _TYPE)
    return bad + [n for n in _TIMES if n not in bad and doc.get(n) is not None and not _readable_time(doc[n])]


class UnreadableDoc(ValueError):
    """A stored document that cannot be an article or feed at all (its URL is missing or not text)."""


# The type each stored field must have to be read (None always reads as the default); times are then parsed.
_TYPE: dict[str, type] = {
    **dict.fromkeys(
        ("added_at", "canonical_url", "headline", "last_checked", "next_check", "last_status", "last_changed"),
        str,
    ),
    **dict.fromkeys(("last_edit_summary", "feed", "mode", "learned_mode", "etag", "last_modified"), str),
    **dict.fromkeys(("raw_hash", "raw_digest", "rendered_at"), str),
    **dict.fromkeys(("every", "versions", "consecutive_errors", "checks_total", "checks_since_render"), int),
    **dict.fromkeys(("stopped", "paused", "allow_private"), bool),
    **dict.fromkeys(("tags", "headline_variants", "volatile", "ignore_text"), list),
    "unwatched": float,
}
_FEED_TYPE: dict[str, type] = {
    **dict.fromkeys(("added_at", "last_polled", "next_poll", "last_status"), str),
    **dict.fromkeys(("every", "articles_added"), int),
    "tags": list,
}


def _wrong_fields(doc: dict[str, Any], types: dict[str, type]) -> list[str]:
    """The fields of a document that are not of their type (exact types: a bool is no count); counts are never
    negative and an interval is at least a second. Written for speed: `list` reads 100,000 documents."""
    bad = []
    for name, value in doc.items():
        kind = types.get(name)
        if kind is None or value is None:
            continue
        actual = value.__class__  # compared by identity: exact types, and quicker than isinstance here
        if actual is kind:
            if kind is int:
                if value >= (1 if name == "every" else 0):
                    continue
            elif kind is list:
                if all(item.__class__ is str for item in value):
                    continue
            else:
                continue
        elif kind is float and actual is int:
            continue
        bad.append(name)
    return bad


_TIMES = ("added_at", "last_checked", "next_check", "last_changed", "rendered_at", "last_version_at")
_reported: set[tuple[str, tuple[str, ...]]] = set()
log = logging.getLogger("watcher.store")


def _readable_time(value: Any) -> bool:
    try:
        parse_iso(value)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return False
    return True


def _report(url: str, names: list[str]) -> None:
    key = (url, tuple(names))
    if key not in _reported:
        _reported.add(key)
        log.warning(
            f"watcher: {url}: cannot read its stored {', '.join(names)} (read as the defaults until the article is "
            "next saved; `watcher doctor --repair` resets them now)"
        )


def _article(doc: dict[str, Any]) -> WatchedArticle:
    extras: dict[str, Any] = {
        k: (parse_iso(v) if k.endswith("_at") and isinstance(v, str) else v)
        for k, v in doc.items()
        if k in ARTICLE_EXTRA
    }
    return WatchedArticle(
        url=doc["url"],
        added_at=stored_time(doc.get("added_at")),
        canonical_url=doc.get("canonical_url"),
        tags=list(doc.get("tags") or []),
        every=doc.get("every"),
        headline=doc.get("headline") or "",
        versions=doc.get("versions") or 0,
        last_checked=parse_iso(doc.get("last_checked")),
        next_check=parse_iso(doc.get("next_check")),
        last_status=doc.get("last_status"),
        last_changed=parse_iso(doc.get("last_changed")),
        consecutive_errors=doc.get("consecutive_errors") or 0,
        last_edit_summary=doc.get("last_edit_summary") or "",
        checks_total=doc.get("checks_total") or 0,
        feed=doc.get("feed"),
        **extras,
    )


def feed_to_doc(feed: Feed) -> dict[str, Any]:
    """A Feed as its stored document."""
    return model_doc(feed)


def feed_from_doc(doc: dict[str, Any]) -> Feed:
    """A stored document as a Feed; fields of the wrong type read as their defaults, reported once."""
    bad = _wrong_fields(doc, _FEED_TYPE)
    bad += [n for n in ("added_at", "last_polled", "next_poll") if n not in bad and not _readable_time(doc.get(n))]
    if not isinstance(doc.get("url"), str):
        raise UnreadableDoc(f"a feed entry has no readable url ({doc.get('url')!r})")
    if bad:
        _report(doc["url"], sorted(bad))
        doc = {k: v for k, v in doc.items() if k not in bad}
    return Feed(
        url=doc["url"],
        added_at=stored_time(doc.get("added_at")),
        every=doc.get("every") or 600,
        tags=list(doc.get("tags") or []),
        last_polled=parse_iso(doc.get("last_polled")),
        next_poll=parse_iso(doc.get("next_poll")),
        last_status=doc.get("last_status"),
        articles_added=doc.get("articles_added") or 0,
    )


def edit_summary(diff: VersionDiff | None, event: str | None, number: int) -> str:
    """A short line describing what a new version changed, for `watcher list`."""
    if event:
        return event
    if number == 1 or diff is None:
        return "first version"
    if not diff.edits:
        return "no visible edits"
    count = len(diff.edits)
    text = f"{count} edit{'s' if count != 1 else ''}, {diff.top_class()}"
    if diff.flags:
        text += " (" + ", ".join(diff.flags) + ")"
    return text


def version_doc(version: Version, *, text: str | None, edits: dict[str, Any]) -> dict[str, Any]:
    """A version's stored document; the backend has stored its text blob (digest given) and says in
    `edits` how the document holds its edits: {"edits": [...]} inline, or with an "edits_ref" blob."""
    article = version.article
    doc: dict[str, Any] = {
        "n": version.number,
        "at": ts(version.captured_at),
        "hash": content_hash(article),
        "headline": article.headline,
        "dek": article.dek,
        "byline": article.byline,
        "published": article.published,
        "modified": article.modified,
        "lang": article.lang,
        "canonical_url": article.canonical_url,
        "extractor": article.extractor,
        "text": text,
        "html": version.html_hash,
        "flags": list(version.flags),
        **edits,
        "edits_count": len(version.edits),
        "top_class": VersionDiff(edits=version.edits).top_class(),
        "event": version.event,
    }
    if version.served_hash:
        doc["served"] = version.served_hash
    if version.screenshot is not None:
        doc["shot"] = version.screenshot.to_doc()  # absent from older documents: no screenshot
    if article.site:
        doc["site"] = article.site  # the outlet's name (cards); not compared, absent from older documents
    if version.copies:
        doc["copies"] = [dict(c) for c in version.copies]  # absent from older documents
    if version.source:
        doc["source"] = version.source  # "http" or "browser"; absent from older documents (renders)
    return doc


def version_article(doc: dict[str, Any], text: dict[str, Any]) -> Article:
    """The article a stored version document holds, with the body and captions read from its text blob."""
    return Article(
        headline=doc.get("headline") or "",
        dek=doc.get("dek") or "",
        byline=doc.get("byline") or "",
        published=doc.get("published"),
        modified=doc.get("modified"),
        body=list(text.get("body") or []),
        captions=list(text.get("captions") or []),
        lang=doc.get("lang"),
        canonical_url=doc.get("canonical_url"),
        extractor=doc.get("extractor") or "",
        site=doc.get("site") or "",
    )


def version_from_doc(
    url: str, doc: dict[str, Any], *, text: dict[str, Any], edits: list[Any] | None, damage: str | None = None
) -> Version:
    """A stored version document as a Version; the backend has read its text blob and raw edits."""
    return Version(
        url=url,
        number=doc["n"],
        captured_at=stored_time(doc["at"]),
        content_hash=doc["hash"],
        article=version_article(doc, text),
        html_hash=doc.get("html"),
        served_hash=doc.get("served"),
        flags=list(doc.get("flags") or []),
        edits=[Edit.from_json(e) for e in edits or []],
        event=doc.get("event"),
        final_url=doc.get("final_url"),
        damage=damage,
        copies=[dict(c) for c in doc.get("copies") or [] if isinstance(c, dict)],
        screenshot=Screenshot.from_doc(doc.get("shot")),
        source=doc.get("source") if doc.get("source") in ("http", "browser") else None,
    )


def check_entry(result: CheckResult) -> dict[str, Any]:
    """A check as its entry in the article's check log (optional fields only when set)."""
    entry: dict[str, Any] = {
        "checked_at": ts(result.checked_at),
        "status": result.status,
        "version": result.version,
        "http_status": result.http_status,
        "duration": round(result.duration, 3),
    }
    if result.error:
        entry["error"] = result.error[:ERROR_TEXT_MAX]
    if result.flags:
        entry["flags"] = list(result.flags)
    if result.requests:
        entry["requests"] = dict(result.requests)
    return entry


def check_record(entry: dict[str, Any]) -> CheckRecord:
    """A check-log entry as a CheckRecord."""
    return CheckRecord(
        checked_at=stored_time(entry["checked_at"]),
        status=entry.get("status") or "",
        version=entry.get("version"),
        http_status=entry.get("http_status"),
        duration=entry.get("duration") or 0.0,
        error=entry.get("error"),
        flags=list(entry.get("flags") or []),
        requests=dict(entry.get("requests") or {}),
    )


SERVED_MAGIC = b"watcher-served/1\n"


def served_to_bytes(page: ServedPage) -> bytes:
    """A served page as one blob: a header line, its status line and headers as JSON, then the body bytes."""
    meta = {"status": page.status, "reason": page.reason, "http_version": page.http_version, "headers": page.headers}
    return SERVED_MAGIC + json.dumps(meta, ensure_ascii=True).encode("ascii") + b"\n" + page.body


def served_from_bytes(data: bytes | None) -> ServedPage | None:
    """The served page a blob holds (None for a missing or foreign blob)."""
    if not data or not data.startswith(SERVED_MAGIC):
        return None
    meta_line, _, body = data[len(SERVED_MAGIC) :].partition(b"\n")
    try:
        meta = json.loads(meta_line)
    except ValueError:
        return None
    headers = [(str(k), str(v)) for k, v in meta.get("headers") or []]
    return ServedPage(
        int(meta.get("status") or 0), meta.get("reason") or "", meta.get("http_version") or "", headers, body
    )


def stored_moment(value: Any) -> datetime | None:
    """A moment from a document: an ISO string (as every backend stores them) or already a datetime."""
    return parse_iso(value) if isinstance(value, str) else value


def readded_changes(doc: dict[str, Any], tags: list[str], every: int | None) -> dict[str, Any]:
    """What adding an article already watched changes in its document: new tags join, a given interval wins."""
    old_tags = doc.get("tags") or []
    merged = list(old_tags) + [t for t in tags if t not in old_tags]
    changes: dict[str, Any] = {}
    if merged != old_tags:
        changes["tags"] = merged
    if every is not None and every != doc.get("every"):
        changes["every"] = every
    return changes


def updated_article_doc(doc: dict[str, Any], article: WatchedArticle) -> dict[str, Any]:
    """The document update_article writes: the caller's settings and schedule, the store's own counters, and
    last_checked / last_changed never moved back in time (a caller holding an older copy must not)."""
    new = article_to_doc(article)
    new["url"] = doc["url"]
    new["versions"] = doc.get("versions", 0)
    new["checks_total"] = doc.get("checks_total", 0)
    for name in ("last_checked", "last_changed"):
        new[name] = ts(later(stored_moment(doc.get(name)), getattr(article, name)))
    return new


def checked_changes(doc: dict[str, Any], result: CheckResult) -> dict[str, Any]:
    """What a check changes in its article's document: the counters, its status and when it was last checked."""
    errors = (doc.get("consecutive_errors") or 0) + 1 if result.status == "error" else 0
    return {
        "last_checked": ts(later(stored_moment(doc.get("last_checked")), result.checked_at)),
        "last_status": result.status,
        "checks_total": (doc.get("checks_total") or 0) + 1,
        "consecutive_errors": errors,
    }


def saved_version_changes(
    doc: dict[str, Any], article: Any, diff: VersionDiff | None, event: str | None, number: int, captured_at: datetime
) -> dict[str, Any]:
    """What a new version changes in its article's document (counter, times, summary, headline), for
    both backends: last_version_at never moves back in time."""
    changes: dict[str, Any] = {
        "versions": number,
        "last_changed": ts(captured_at),
        "last_version_at": ts(later(stored_moment(doc.get("last_version_at")), captured_at)),
        "last_edit_summary": edit_summary(diff, event, number),
    }
    if article.headline:
        changes["headline"] = article.headline
    if article.canonical_url:
        changes["canonical_url"] = article.canonical_url
    return changes


def replaced_history_changes(doc: dict[str, Any], saved: list[Version]) -> dict[str, Any]:
    """What rewriting an article's history changes in its document: the counter, headline and newest time."""
    last = saved[-1] if saved else None
    return {
        "versions": len(saved),
        "headline": (last.article.headline if last else "") or doc.get("headline", ""),
        "last_version_at": ts(max((v.captured_at for v in saved), default=None)),
    }


def with_copy(doc: dict[str, Any], record: dict[str, Any]) -> list[dict[str, Any]]:
    """A version document's third-party copies with `record` in place of any earlier one from its service."""
    kept = [c for c in doc.get("copies") or [] if isinstance(c, dict) and c.get("service") != record.get("service")]
    return [*kept, dict(record)]
