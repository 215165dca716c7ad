"""Re-extraction: rebuild an article's versions from the raw HTML kept for each one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from watcher.config import Config
from watcher.diff import diff_articles
from watcher.diff.volatile import apply_mask
from watcher.errors import NoArticle
from watcher.extract import extract
from watcher.models import GONE_EVENTS, Article, Version, WatchedArticle
from watcher.monitor.masking import HostBodies, build_mask
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


def stored_reader(
    config: Config, watched: WatchedArticle, hosts: HostBodies, store: Store
) -> Callable[[str, str], Article]:
    """Today's reading of a stored page, as a check stores it: what is not the story (volatile, chrome, ignore
    rules) left out."""

    def read(html: str, page_url: str) -> Article:
        # The host's other headlines as a check passes them: without them a site name left in a headline would
        # read as the headline's edit.
        article = extract(html, page_url, config.sites, hosts.titles(store, page_url))
        return apply_mask(article, build_mask(config, watched, article.body, hosts, store))[0]

    return read


def read_differently(
    store: Store, latest: Version, read: Callable[[str, str], Article], seen: Callable[[Article], Article]
) -> bool:
    """Whether today's rules read the latest version's own raw HTML as other text than was stored from it (a
    release with other extraction rules): comparing a page read by today's rules with text read by yesterday's
    would report the rules' change as the story's edit. Both sides are compared as `seen` shows them (the check's
    mask of today: a block learned volatile since is no rule change)."""
    html = store.get_html(latest) if latest.event is None else None
    if html is None:
        return False
    try:
        again = read(html, latest.final_url or latest.url)
    except Exception:  # noqa: BLE001 - a page today's rules cannot read keeps its stored text; the check goes on
        return False
    return content_hash(seen(again)) != content_hash(seen(latest.article))
