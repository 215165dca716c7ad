"""Naming watched articles: ids that stay put, prefixes, headline matches and the closest-match hint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from watcher.app.articles import ID_LENGTH, Resolver, article_ids
from watcher.errors import BadInput, UnknownArticle
from watcher.models import WatchedArticle

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def watched(url: str, headline: str = "") -> WatchedArticle:
    return WatchedArticle(url=url, added_at=T0, headline=headline)


def test_ids_are_short_stable_and_unique():
    urls = [f"https://news.example/story/{n}" for n in range(3000)]
    ids = article_ids(urls)
    assert len(set(ids.values())) == len(urls)
    assert min(len(i) for i in ids.values()) == ID_LENGTH
    # Adding or removing other articles never changes an id that was unique on its own.
    alone = article_ids(urls[:10])
    assert all(alone[u] == ids[u] for u in urls[:10] if len(ids[u]) == ID_LENGTH)


def test_names_resolve_by_url_id_prefix_and_headline():
    articles = [
        watched("https://news.example/2026/11/25/flood-barrier", "Council approves flood barrier"),
        watched("https://news.example/2026/11/24/tram", "Tram line delayed"),
    ]
    names = Resolver(articles)
    flood = articles[0].url
    assert names.resolve(flood) == flood
    assert names.resolve(flood + "?utm_source=x#top") == flood  # normalized like `add` does
    assert names.resolve(names.ids[flood]) == flood
    assert names.resolve(names.ids[flood][:4].upper()) == flood
    assert names.resolve("news.example/2026/11/25") == flood
    assert names.resolve("www.news.example/2026/11/25") == flood
    assert names.targets([], "ＦＬＯＯＤ") == [flood]  # full-width and case folded
    with pytest.raises(BadInput, match="matches 2 articles"):
        names.resolve("news.example/2026/11/2")
    with pytest.raises(UnknownArticle, match=f"did you mean {names.ids[flood]} {flood}"):
        names.resolve("https://news.example/2026/11/25/flod-barrier")
    with pytest.raises(BadInput, match="takes one article"):
        names.targets([flood], "tram", one=True)
    with pytest.raises(BadInput, match="credentials"):
        names.resolve("http://editor:hunter2@news.example/2026/11/25/flood-barrier")
    assert "nothing is watched yet" in str(pytest.raises(UnknownArticle, Resolver([]).resolve, "abc123").value)


def test_a_piece_of_an_address_gets_no_headline_hint_and_reads_as_one_sentence():
    council = "http://127.0.0.1:8931/news/council.html"
    names = Resolver([watched(council, "Council approves budget"), watched("https://b.example/x", "Tram line")])
    with pytest.raises(UnknownArticle) as caught:
        names.resolve("council.html")
    message = str(caught.value)
    # A file name is part of an address, not words of a headline: no "--match council.html" offered.
    assert "--match" not in message, message
    assert f"did you mean {names.ids[council]} {council}?" in message and "?;" not in message, message
    # A plain word still gets the hint, after the question, which ends the line.
    with pytest.raises(UnknownArticle) as caught:
        names.resolve("counci")
    message = str(caught.value)
    assert "?;" not in message and "use --match counci (1 headline contains it)" in message, message
