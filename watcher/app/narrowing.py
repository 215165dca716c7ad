"""The narrowing the dashboard and the web view share: a search in an article's address and headline, a tag, a host."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from watcher.models import WatchedArticle
from watcher.urls import host_of


def folded(text: str) -> str:
    """Text as a search compares it: case and width folded (ＣＯＵＮＣＩＬ is council), as `--match` compares."""
    return unicodedata.normalize("NFKC", text).casefold()


def searched_text(article: WatchedArticle) -> str:
    """What a search looks in: the article's address and headline, folded."""
    return folded(f"{article.url}\n{article.headline or ''}")


@dataclass
class Narrowing:
    """A search, a tag and a host the reader narrowed the watch list to; an empty value narrows nothing."""

    search: str = ""
    tag: str = ""
    host: str = ""

    @property
    def needle(self) -> str:
        """The search as compared: folded, without the spaces around it."""
        return folded(self.search.strip())

    def place_ok(self, article: WatchedArticle) -> bool:
        """The tag and host alone."""
        return (not self.tag or self.tag in article.tags) and (not self.host or host_of(article.url) == self.host)

    def article_ok(self, article: WatchedArticle) -> bool:
        needle = self.needle
        return self.place_ok(article) and (not needle or needle in searched_text(article))
