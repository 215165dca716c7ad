"""`watcher import --warc`: versions from the captures in a WARC file (watcher's own, or another tool's),
so archives made elsewhere can be diffed like watcher's own checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from watcher.archive.warc import Capture
from watcher.config import Config
from watcher.diff import diff_articles
from watcher.errors import NoArticle, WatcherError
from watcher.extract import extract
from watcher.models import ServedPage
from watcher.normalize import content_hash
from watcher.store import Store


@dataclass
class Imported:
    """What one import did."""

    versions: int = 0  # new versions stored
    unchanged: int = 0  # captures whose article equals the version before
    skipped: list[str] = field(default_factory=list)  # captures not made into versions, each with why
    articles: set[str] = field(default_factory=set)


def decode(cap: Capture) -> str:
    """The capture's body as text: the charset its Content-Type names, else UTF-8 (replacing what is not)."""
    content_type = next((v for k, v in cap.headers if k.lower() == "content-type"), "")
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return cap.body.decode(charset, "replace")
    except LookupError:
        return cap.body.decode("utf-8", "replace")


def import_captures(
    store: Store,
    captures: Iterable[Capture],
    config: Config,
    *,
    progress: Callable[[int], None] = lambda done: None,
) -> Imported:
    """Store each capture, oldest first per URL, as a version of its article (watched from now on, added
    if it was not), diffed against the version before it; captures that add nothing are counted, not stored."""
    done = Imported()
    ordered = sorted(captures, key=lambda c: (c.url, c.captured_at))
    for n, cap in enumerate(ordered, start=1):
        progress(n)
        if cap.status >= 300:
            done.skipped.append(f"{cap.url} at {cap.captured_at:%Y-%m-%d %H:%M}: HTTP {cap.status}")
            continue
        html = decode(cap)
        try:
            article = extract(html, cap.url, config.sites)
        except NoArticle:
            done.skipped.append(f"{cap.url} at {cap.captured_at:%Y-%m-%d %H:%M}: no article on the page")
            continue
        except WatcherError as exc:  # too big to read, or extraction failed on it: that capture only
            done.skipped.append(f"{cap.url} at {cap.captured_at:%Y-%m-%d %H:%M}: {exc}")
            continue
        try:
            with store.transaction():
                store.add_article(cap.url, now=cap.captured_at)
                latest = store.latest_version(cap.url)
                if latest is not None and latest.content_hash == content_hash(article):
                    done.unchanged += 1
                    continue
                if latest is not None and latest.captured_at > cap.captured_at:
                    done.skipped.append(
                        f"{cap.url} at {cap.captured_at:%Y-%m-%d %H:%M}: older than its stored versions"
                    )
                    continue
                diff = diff_articles(latest.article, article) if latest is not None else None
                # The capture as its archive holds it (status line, headers, bytes), so a re-export is the same.
                served = ServedPage(cap.status, cap.reason, cap.http_version, list(cap.headers), cap.body)
                store.save_version(cap.url, article, html=html, diff=diff, captured_at=cap.captured_at, served=served)
        except WatcherError as exc:
            done.skipped.append(f"{cap.url}: {exc}")
            continue
        done.versions += 1
        done.articles.add(cap.url)
    return done
