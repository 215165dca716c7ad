"""A home or section page given as an article (issue 33 item 5): `add` and the first check say it looks like one
and point to `watcher follow`, also when the site tags every page og:type "article" but the page's schema.org data
names it a collection (issue 26); a real article, with related-story links around it, is not taken for one."""

from __future__ import annotations

import json

import pytest
from support.cli import checked, data_dir_with, fast_config, ok, watcher
from support.site_server import Site

SLUGS = [
    "council-approves-flood-barrier",
    "tram-line-delayed-again",
    "library-keeps-sunday-hours",
    "market-hall-opens-to-traders",
    "old-bridge-to-close-for-repairs",
    "school-roof-repairs-begin",
    "harbor-storm-damages-boats",
    "mayor-names-new-police-chief",
]


def front_page(head: str = "") -> str:
    cards = "".join(
        f'<article class="card"><h2><a href="/2026/11/25/{slug}">{slug.replace("-", " ").capitalize()}</a></h2>'
        f"<p>A short summary of the story that sits under its headline on the front page, for readers.</p></article>"
        for slug in SLUGS
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>The Riverton Ledger</title>"
        f"<meta property='og:site_name' content='The Riverton Ledger'>{head}</head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
        f"<main><h1>The Riverton Ledger</h1>{cards}</main><footer><p>© The Riverton Ledger</p></footer></body></html>"
    )


def article_page() -> str:
    related = "".join(f'<li><a href="/2026/11/25/{slug}">{slug}</a></li>' for slug in SLUGS)
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story tells what the council decided on Tuesday night, and why it matters.</p>"
        for n in range(1, 7)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Council approves barrier</title></head>"
        f"<body><main><h1>Council approves flood barrier</h1><div class='story'>{paragraphs}</div>"
        f"<section class='related'><h2>More news</h2><ul>{related}</ul></section></main></body></html>"
    )


@pytest.mark.browser
def test_add_and_the_first_check_say_a_section_page_is_not_an_article(tmp_path, fetcher):
    with Site() as site:
        site.page("/", front_page())
        site.page("/2026/11/25/council-approves-flood-barrier", article_page())
        data_dir = data_dir_with(tmp_path / "data", fast_config(settle_ms=0, confirm_delay=0))
        home, story = site.url("/"), site.url("/2026/11/25/council-approves-flood-barrier")

        added = watcher(data_dir, "add", home)
        said = added.stderr + added.stdout
        assert added.returncode == 0 and f"watching {home}" in said  # watched as asked, but not silently
        assert f"{home} looks like a home or section page, not an article" in said
        assert f"use: watcher follow {home}" in said and "links 8 stories" in said
        added = watcher(data_dir, "add", story)  # an article with a list of related stories under it
        assert added.returncode == 0 and "section page" not in added.stderr + added.stdout

        first_home, first_story = checked(data_dir, fetcher, home, story)
        assert first_home.status in ("new", "error") and f"watcher follow {home}" in first_home.note
        assert first_story.status == "new" and not first_story.note
        assert len(json.loads(ok(data_dir, "list", "--json"))) == 2


# A site that tags every page og:type "article", its section front too; the page's own schema.org data says what
# it is: a collection of the stories it lists.
COLLECTION_HEAD = (
    "<meta property='og:type' content='article'>"
    '<script type="application/ld+json">{"@context":"https://schema.org","@type":"CollectionPage",'
    '"name":"The Riverton Ledger","mainEntity":{"@type":"ItemList","itemListElement":'
    '[{"@type":"ListItem","position":1,"url":"/2026/11/25/council-approves-flood-barrier"}]}}</script>'
)


@pytest.mark.browser
def test_a_section_page_tagged_article_by_og_type_but_a_collection_by_its_schema_data_is_called_one(tmp_path, fetcher):
    with Site() as site:
        site.page("/news", front_page(COLLECTION_HEAD))
        data_dir = data_dir_with(tmp_path / "data", fast_config(settle_ms=0, confirm_delay=0))
        front = site.url("/news")

        added = watcher(data_dir, "add", front)
        said = added.stderr + added.stdout
        assert added.returncode == 0 and f"{front} looks like a home or section page, not an article" in said
        (first,) = checked(data_dir, fetcher, front)
        assert first.status in ("new", "error") and f"watcher follow {front}" in first.note
