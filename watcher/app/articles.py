"""Naming a watched article on the command line: short ids, URL prefixes, headline matches, suggestions.

An article's id is the start of the hash that names its folder in the store, so it never changes while the
article is watched and is the same in every data folder; two ids that would collide are both lengthened.
"""

from __future__ import annotations

import difflib
import re
import shlex
import unicodedata
from collections.abc import Mapping, Sequence

from watcher.errors import BadInput, UnknownArticle
from watcher.labels import plural
from watcher.models import WatchedArticle
from watcher.store.docs import url_key

ID_LENGTH = 6
_SCHEMES = ("https://", "http://")
_SHOWN = 3  # candidates named in an error line
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")  # javascript:, data:, about: (not host:port)


def article_ids(urls: Sequence[str], known: Mapping[str, str] | None = None) -> dict[str, str]:
    """The short id of every URL: ID_LENGTH hex digits, more where two would otherwise be equal. `known`: the
    store's keys (Store.article_keys), which spare hashing 100,000 URLs again."""
    known = known or {}
    keys = {url: known.get(url) or url_key(url) for url in urls}
    length = dict.fromkeys(urls, ID_LENGTH)
    by_prefix: dict[str, list[str]] = {}
    for url, key in keys.items():
        by_prefix.setdefault(key[:ID_LENGTH], []).append(url)
    for group in by_prefix.values():
        if len(group) < 2:
            continue
        n = ID_LENGTH
        while len({keys[u][:n] for u in group}) < len(group) and n < len(keys[group[0]]):
            n += 1
        for url in group:
            length[url] = n
    return {url: keys[url][: length[url]] for url in urls}


def _bare(url: str) -> str:
    for scheme in _SCHEMES:
        if url.startswith(scheme):
            url = url[len(scheme) :]
            break
    return url[4:] if url.startswith("www.") else url


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class Resolver:
    """Turns what a user typed into stored URLs; every failure is one line naming the closest articles."""

    def __init__(self, articles: Sequence[WatchedArticle]):
        self.articles = list(articles)
        self.ids = article_ids([a.url for a in self.articles])
        self._by_url = {a.url: a for a in self.articles}

    def id_of(self, url: str) -> str:
        return self.ids.get(url) or url_key(url)[:ID_LENGTH]

    def _named(self, urls: Sequence[str]) -> str:
        shown = [f"{self.ids[u]} {u}" for u in urls[:_SHOWN]]
        more = f" and {len(urls) - _SHOWN} more" if len(urls) > _SHOWN else ""
        return ", ".join(shown) + more

    def resolve(self, text: str) -> str:
        """The URL of the one article `text` names: a URL, an id, a unique id or URL prefix."""
        from watcher.urls import normalize_url

        if text in self._by_url:
            return text
        if not text.strip() or "://" in text or _SCHEME.match(text.strip()):
            # What has a scheme (or is empty) is a URL: its own error (credentials redacted) says what is wrong.
            normal = normalize_url(text)
        else:
            try:
                normal = normalize_url(text)
            except BadInput:
                normal = None
        text = text.strip()
        if normal in self._by_url:
            return normal
        lowered = text.lower()
        by_id = [u for u, i in self.ids.items() if i == lowered] or [
            u for u, i in self.ids.items() if len(lowered) >= 3 and i.startswith(lowered)
        ]
        if len(by_id) == 1:
            return by_id[0]
        bare = _bare(text)
        by_prefix = [a.url for a in self.articles if a.url.startswith(text) or _bare(a.url).startswith(bare)]
        if len(by_prefix) == 1:
            return by_prefix[0]
        ambiguous = by_id if len(by_id) > 1 else by_prefix
        if ambiguous:
            raise BadInput(f"{text!r} matches {len(ambiguous)} articles: {self._named(ambiguous)}; give more of it")
        # The question ends the line: "…?; to name …" read as two sentences run together.
        raise UnknownArticle(f"not watching {normal or text}{self._match_hint(text)}{self._suggest(text)}")

    def _match_hint(self, text: str) -> str:
        """A word that is not a URL or id was probably meant as words of a headline: say how to look for those."""
        if not self.articles or "://" in text or "/" in text or re.fullmatch(r"[0-9a-f]{1,12}", text.lower()):
            return ""
        found = len(self.matching_quietly(text))
        if not found and " " not in text.strip() and re.search(r"\w\.\w", text):
            return ""  # a file or host name ("council.html", "news.example") is part of an address, not headline words
        where = f" ({plural(found, 'headline')} contain{'s' if found == 1 else ''} it)" if found else ""
        return f"; to name articles by words of their headline, use --match {shlex.quote(text)}{where}"

    def matching_quietly(self, text: str) -> list[str]:
        """matching() without its errors: [] when nothing matches."""
        want = _fold(text.strip())
        return [a.url for a in self.articles if want and want in _fold(a.headline or "")]

    def _suggest(self, text: str) -> str:
        """'; did you mean …' with the closest ids, URLs or headlines, or nothing when none is close."""
        if not self.articles:
            return " (nothing is watched yet)"
        bare = _bare(text)
        scored: dict[str, float] = {}
        for a in self.articles:
            candidates = [(_bare(a.url), bare), (self.ids[a.url], text.lower())]
            if a.headline:
                candidates.append((_fold(a.headline), _fold(text)))
            best = max(difflib.SequenceMatcher(None, want, have).ratio() for have, want in candidates)
            if best >= 0.5:
                scored[a.url] = best
        close = sorted(scored, key=lambda u: -scored[u])
        return f"; did you mean {self._named(close)}?" if close else " (see `watcher list`)"

    def matching(self, text: str) -> list[str]:
        """Articles whose headline contains `text` (case, width and accents of full-width forms folded)."""
        want = _fold(text.strip())
        if not want:
            raise BadInput("--match needs some text to look for in headlines")
        found = self.matching_quietly(text)
        if not found:
            raise UnknownArticle(f"no watched headline contains {text!r}{self._suggest(text)}")
        return found

    def targets(self, refs: Sequence[str], match: str | None, *, one: bool = False) -> list[str]:
        """The URLs named by the arguments and --match, in order, each once; `one` wants exactly one article."""
        urls = [self.resolve(r) for r in refs]
        if match is not None:
            found = self.matching(match)
            if one and len(found) > 1 and not urls:
                raise BadInput(
                    f"--match {match!r} matches {len(found)} articles: {self._named(found)}; be more precise"
                )
            urls += found
        urls = list(dict.fromkeys(urls))
        if one:
            if not urls:
                raise BadInput("name an article: a URL, an id from `watcher list`, or --match TEXT")
            if len(urls) > 1:
                raise BadInput(f"this command takes one article, not {len(urls)}")
        return urls

    def article(self, url: str) -> WatchedArticle:
        return self._by_url[url]
