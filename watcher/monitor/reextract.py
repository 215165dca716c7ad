"""Re-extraction: rebuild an article's versions from the raw HTML kept for each one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from watcher.diff import diff_articles
from watcher.errors import NoArticle
from watcher.models import GONE_EVENTS, Article, Version
from watcher.normalize import content_hash
from watcher.store import Store


def rebuild_versions(store: Store, url: str, extract: Callable[[str, str], Article]) -> int:
    """Re-extract every version that still has raw HTML, drop versions that become identical, re-diff; returns the count kept."""
    rebuilt: list[Version] = []
    for version in store.list_versions(url):
        article = version.article
        html = store.get_html(version)
        if html is not None and version.event not in GONE_EVENTS:
            try:
                article = extract(html, url)
            except NoArticle:
                pass  # better rules must not lose a version the old rules could read
        previous = rebuilt[-1] if rebuilt else None
        if previous is not None and version.event is None and content_hash(article) == content_hash(previous.article):
            continue  # the old rules saw an edit that was only chrome
        diff = diff_articles(previous.article, article) if previous is not None else None
        rebuilt.append(
            replace(
                version,
                article=article,
                edits=list(diff.edits) if diff else [],
                flags=sorted(set(diff.flags) | ({version.event} if version.event else set())) if diff else [],
            )
        )
    return len(store.replace_versions(url, rebuilt))
