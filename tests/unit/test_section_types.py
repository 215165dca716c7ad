"""A section front whose schema.org data names it a collection is one, however the JSON-LD writes its type."""

from __future__ import annotations

import pytest

from watcher.feeds.discover import section_signals

URL = "https://news.example/politics"


def front(ld: str) -> str:
    cards = "".join(
        f'<li><a href="/2026/12/07/city-budget-story-number-{n}">Story {n} about the city budget</a></li>'
        for n in range(12)
    )
    return (
        "<html><head><meta property='og:type' content='article'>"
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><main><h1>Politics</h1><ul>{cards}</ul></main></body></html>"
    )


@pytest.mark.parametrize(
    "ld",
    [
        '{"@type": "CollectionPage"}',
        # A list of types, the collection not first; a full schema.org address; a @graph of the site's parts.
        '{"@type": ["WebPage", "CollectionPage"]}',
        '{"@type": "https://schema.org/CollectionPage"}',
        '{"@graph": [{"@type": "WebSite"}, {"@type": ["WebPage", "CollectionPage"]}, {"@type": "BreadcrumbList"}]}',
    ],
)
def test_a_collection_is_found_in_every_way_json_ld_writes_a_type(ld):
    assert section_signals(front(ld), URL) is not None


def test_an_article_type_anywhere_in_a_list_still_makes_it_an_article():
    assert section_signals(front('{"@type": ["WebPage", "NewsArticle"]}'), URL) is None
