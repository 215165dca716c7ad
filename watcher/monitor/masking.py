"""What a check masks before comparing, and how it reads a headline that comes back.

The mask of one article joins three sources (see watcher.diff.volatile): the blocks learned volatile on that
article (and those its host's other articles learned, where this one shows them), the host's boilerplate learned
from its other watched articles, and the ignore rules of the config's [[sites]] and of `watcher add --ignore`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from watcher.config import Config
from watcher.diff.similarity import story_containment, story_overlap  # the measures of "same story"
from watcher.diff.volatile import Mask, compile_patterns, host_boilerplate, maskable, volatile_key
from watcher.errors import WatcherError
from watcher.models import Article, Version, WatchedArticle
from watcher.urls import host_of, hostname_of, on_domain

# Other articles of a host read to learn its boilerplate, and how long their headlines are kept.
HOST_SAMPLE = 12
HOST_CACHE_SECONDS = 600.0
# Below this story overlap two articles of a host are different stories, whose shared blocks are chrome.
OTHER_STORY_OVERLAP = 0.3
# At or above this share of the shorter body found in the other, it is a shortened copy of the same story.
COPY_CONTAINED = 0.6


def one_story(body: Sequence[str], other: Sequence[str]) -> bool:
    """Whether two bodies of a host are one story: alike as wholes (the same story, edited), or one a shortened
    copy of the other (syndication cut to a lede and a few lines). Different stories share only the host's
    boilerplate, a small share of either."""
    mine, theirs = Article(body=list(body)), Article(body=list(other))
    return story_overlap(mine, theirs) >= OTHER_STORY_OVERLAP or story_containment(mine, theirs) >= COPY_CONTAINED


def ignore_rules(config: Config, watched: WatchedArticle) -> list[str]:
    """The ignore_text rules for the article: its host's [[sites]] rules, then its own."""
    host = hostname_of(watched.url).lower()
    rules: list[str] = []
    for site in config.sites:
        domain = site.domain.lower().lstrip(".")
        if on_domain(host, domain):
            rules += list(getattr(site, "ignore_text", []) or [])
    return rules + list(getattr(watched, "ignore_text", []) or [])


class HostBodies:
    """The latest bodies of a host's other watched articles; a body is read again only when its article has
    a new version since it was read (an article added since the host index was read counts from the next
    reading, minutes later)."""

    def __init__(self) -> None:
        self._bodies: dict[str, tuple[int, list[str]]] = {}  # url -> (versions when read, body)
        self._titles: dict[str, tuple[float, list[tuple[str, str]]]] = {}
        self._index: tuple[float, dict[str, list[str]]] | None = None  # host -> a few of its article URLs

    def titles(self, store: Any, url: str) -> list[str]:
        """Headlines of the host's other watched articles: extraction reads what they share as the site's name."""
        host = host_of(url)
        cached = self._titles.get(host)
        if cached is None or time.monotonic() - cached[0] > HOST_CACHE_SECONDS:
            heads = [(a.url, a.headline) for a in store.list_articles() if host_of(a.url) == host and a.headline]
            cached = self._titles[host] = (time.monotonic(), heads[: HOST_SAMPLE + 1])
        others = [(u, h) for u, h in cached[1] if u != url][:HOST_SAMPLE]
        return self._one_per_story(store, others)

    def _one_per_story(self, store: Any, heads: list[tuple[str, str]]) -> list[str]:
        """The headlines, a headline shared by copies of one story (syndication, one story at several addresses)
        counted once: only a title that different stories share is the site's, however many copies a story has."""
        seen = Counter(" ".join(h.casefold().split()) for _, h in heads)
        kept: list[str] = []
        stories: dict[str, list[list[str]]] = {}  # a shared headline -> the bodies of its different stories
        for url, head in heads:
            key = " ".join(head.casefold().split())
            if seen[key] < 2:
                kept.append(head)
                continue
            body = self._body(store, url)
            known = stories.setdefault(key, [])
            if any(one_story(body, b) for b in known):
                continue  # a copy of a story already counted
            known.append(body)
            kept.append(head)
        return kept

    def _host_urls(self, store: Any, host: str) -> list[str]:
        # The watch list is read whole at most every few minutes, for every host at once: a check must not
        # cost more with 100,000 watched articles than with 100.
        if self._index is None or time.monotonic() - self._index[0] > HOST_CACHE_SECONDS:
            index: dict[str, list[str]] = {}
            for article in store.list_articles():
                urls = index.setdefault(host_of(article.url), [])
                if len(urls) <= HOST_SAMPLE:
                    urls.append(article.url)
            self._index = (time.monotonic(), index)
        return self._index[1].get(host, [])

    def others(self, store: Any, url: str) -> list[list[str]]:
        """Bodies of up to HOST_SAMPLE other stories of the URL's host; each re-read only after a new version."""
        bodies = []
        for other in [u for u in self._host_urls(store, host_of(url)) if u != url][:HOST_SAMPLE]:
            body = self._body(store, other)
            if body:
                bodies.append(body)
        return bodies

    def volatile(self, store: Any, url: str) -> set[str]:
        """The block keys the host's other watched articles learned to change on every load."""
        found: set[str] = set()
        for other in [u for u in self._host_urls(store, host_of(url)) if u != url][:HOST_SAMPLE]:
            try:
                found.update(getattr(store.get_article(other), "volatile", None) or [])
            except WatcherError:
                continue  # no longer watched
        return found

    def _body(self, store: Any, url: str) -> list[str]:
        """The latest body of a watched article ([] when it has none or is no longer watched), read again only after
        a new version."""
        try:
            article = store.get_article(url)
        except WatcherError:
            return []
        known = self._bodies.get(url)
        if article.versions and (known is None or known[0] != article.versions):
            latest = store.latest_version(url)
            known = self._bodies[url] = (article.versions, list(latest.article.body) if latest else [])
        return known[1] if known else []


def build_mask(config: Config, watched: WatchedArticle, body: Sequence[str], hosts: HostBodies, store: Any) -> Mask:
    """The mask for one article's comparison."""
    keys = set(getattr(watched, "volatile", []) or [])
    if any(maskable(p) for p in body):  # only short blocks can be chrome: most bodies need no comparing at all
        shared = [b for b in hosts.others(store, watched.url) if host_boilerplate(body, [b])]
        # Only another story's blocks count: the same story at two addresses, whole or cut, shares its paragraphs.
        others = [b for b in shared if not one_story(body, b)]
        keys |= host_boilerplate(body, others)
        # A block another article of the host was seen changing between two loads changes here too.
        keys |= {volatile_key(p) for p in body} & hosts.volatile(store, watched.url)
    return Mask(keys=keys, patterns=compile_patterns(ignore_rules(config, watched)))


def headline_return(versions: Sequence[Version], shown: str, variants: Sequence[str]) -> str | None:
    """What a headline the page shows again means: "ab_test" once the same headlines have alternated twice,
    "revert" the first time one comes back, None when it was never the headline before.

    versions are the recent ones, oldest first; the last is the one stored now, whose headline the page left.
    """
    if shown in variants:
        return "ab_test"
    heads = [v.article.headline for v in versions]
    if not heads or shown not in heads[:-1]:
        return None
    current = heads[-1]
    # current .. shown .. current already happened once: this return is the second alternation.
    try:
        first = heads.index(current)
        heads.index(shown, first + 1)
        return "ab_test"
    except ValueError:
        return "revert"
