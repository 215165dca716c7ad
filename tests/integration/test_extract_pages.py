"""Extraction on hostile page layouts, through real Chromium, the local site and a real store: each page is built
for one failure seen on real sites (a comment count beside the byline, a <div>/<br> body among link lists, a dek
under the headline) and checked twice, as a user's watch would be."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from support.site_server import Response
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"

HEADLINE = "Dragagem do porto começa na primavera depois de anos de atraso"
STORY = [
    "O conselho do porto votou na terça-feira o início da dragagem do canal interior em abril, pondo fim a um "
    "atraso que começou quando o primeiro empreiteiro abandonou a obra.",
    "O lodo estreitou o canal para uma única faixa na maré baixa, e duas balsas tocaram o fundo este ano.",
    "A obra vai custar 4,1 milhões e deve levar onze semanas, disse o engenheiro do conselho na reunião.",
    "Os pescadores disseram que apoiam a decisão, mas temem perder uma temporada inteira de pesca.",
]


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def blog_post(comments: int, story: list[str] = STORY) -> bytes:
    """A blog-style post: the author, the date and the comment count share one line above the story, no classes."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in story)
    return f"""<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8">
<title>{escape(HEADLINE)} – Diário da Costa</title></head><body>
<div id="topo"><a href="/">Diário da Costa</a> <a href="/cidade">Cidade</a> <a href="/economia">Economia</a></div>
<article><h1>{escape(HEADLINE)}</h1>
<p><a href="/autor/ana-ribeiro">Ana Ribeiro</a> · 12 de março de 2026 · <a href="#comentarios">{comments} comentários</a></p>
{paragraphs}
</article>
<div id="comentarios"><p>Deixe seu comentário</p></div>
</body></html>""".encode()


def test_a_comment_count_beside_the_byline_is_no_edit_and_a_real_edit_still_is(site, checker):
    edited = [*STORY[:2], STORY[2].replace("onze semanas", "catorze semanas"), STORY[3]]
    site.page_versions(
        "/post",
        {
            "v1": [Response(blog_post(4))],
            "more-comments": [Response(blog_post(5))],
            "edited": [Response(blog_post(6, edited))],
        },
    )
    url = checker.add(site.url("/post"))
    first = checker.check(url)
    assert first.status == "new"
    stored = checker.store.latest_version(url).article
    assert (stored.body, stored.byline) == (STORY, "Ana Ribeiro")

    site.set_version("/post", "more-comments")
    assert checker.check(url).status == "unchanged"  # "4 comentários" -> "5 comentários" is not the story

    site.set_version("/post", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2)
    assert [(e.field, e.old, e.new) for e in real.edits] == [("body", STORY[2], edited[2])]


def test_a_div_and_br_body_among_link_lists_is_read_paragraph_by_paragraph(site, checker):
    html = (FIXTURES / "div-among-links-zh.html").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "div-among-links-zh.json").read_text(encoding="utf-8"))["body"]
    old, new = expected[4], expected[4].replace("一整季", "兩整季")
    site.page_versions("/n/0999", {"v1": html, "edited": html.replace(old, new)})
    url = checker.add(site.url("/n/0999"))
    assert checker.check(url).status == "new"
    assert checker.store.latest_version(url).article.body == expected

    site.set_version("/n/0999", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2)
    assert [(e.field, e.old, e.new) for e in real.edits] == [("body", old, new)]


DEK = "Crews start in April; ferries will use the south basin while the channel is dug out."


def dek_page(dek: str) -> bytes:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in STORY)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour dredging | Coast Daily</title>
<meta property="og:description" content="{escape(DEK)}"></head><body>
<nav><a href="/">Coast Daily</a> <a href="/local">Local</a></nav>
<article><h1>Harbour dredging to start in spring</h1><p class="dek">{escape(dek)}</p>
<p class="byline">By Ada Moreno</p>{paragraphs}</article></body></html>""".encode()


def test_rewriting_the_dek_is_stored_as_a_dek_edit(site, checker):
    rewritten = "Crews start in April; fishing boats will moor in the south basin until the work ends."
    site.page_versions("/dek", {"v1": dek_page(DEK), "edited": dek_page(rewritten)})
    url = checker.add(site.url("/dek"))
    assert checker.check(url).status == "new"
    stored = checker.store.latest_version(url).article
    assert (stored.dek, stored.body) == (DEK, STORY)

    site.set_version("/dek", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2)
    assert [(e.field, e.old, e.new) for e in real.edits] == [("dek", DEK, rewritten)]
