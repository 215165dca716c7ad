"""`watcher extract --explain`: where each field of the extracted article came from, and why other candidates lost.

This reads the page again beside the extractor instead of instrumenting it: the extractor's result is the truth,
and each candidate the page offers (site rule, JSON-LD, meta tags, <title>, headings, blocks of text) is shown
as used (it equals what was extracted) or not, with the reason a person can act on (a site rule to write).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from watcher.config import SiteRule
from watcher.errors import NoArticle, WatcherError
from watcher.extract.metadata import dek_element
from watcher.models import Article
from watcher.render.text import visible
from watcher.urls import host_of, on_domain

_BLOCKS = "article, main, [role=main], [itemprop=articleBody], section, div"
_SHOWN_BLOCKS = 6
_VALUE = 70  # characters of a candidate's value shown


@dataclass
class Candidate:
    source: str
    value: str
    used: bool = False
    note: str = ""


@dataclass
class Block:
    where: str
    chars: int
    paragraphs: int
    links: float
    used: bool = False
    note: str = ""


@dataclass
class Explanation:
    url: str
    extractor: str = ""
    fields: dict[str, list[Candidate]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    error: WatcherError | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "extractor": self.extractor,
            "fields": {
                name: [{"source": c.source, "value": c.value, "used": c.used, "note": c.note} for c in found]
                for name, found in self.fields.items()
            },
            "blocks": [
                {
                    "where": b.where,
                    "chars": b.chars,
                    "paragraphs": b.paragraphs,
                    "link_share": round(b.links, 2),
                    "used": b.used,
                    "note": b.note,
                }
                for b in self.blocks
            ],
            "error": str(self.error) if self.error else None,
        }

    def renderable(self) -> RenderableType:
        parts: list[RenderableType] = [Text("where each field came from", style="diff.label")]
        table = Table.grid(padding=(0, 1))
        table.add_column(style="diff.label", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for name, found in self.fields.items():
            if not found:
                table.add_row(name, Text("—", style="diff.context"), Text("the page offers nothing", style="diff.gap"))
            for n, c in enumerate(found):
                mark = (
                    Text("✓ " + c.source, style="diff.insert")
                    if c.used
                    else Text("  " + c.source, style="diff.context")
                )
                value = Text(visible(_cut(c.value)))
                if c.note:
                    value.append(f"  ({c.note})", style="diff.gap")
                table.add_row(name if n == 0 else "", mark, value)
        parts.append(table)
        parts += [Text(""), Text(f"body blocks (extractor: {self.extractor or 'none'})", style="diff.label")]
        blocks = Table.grid(padding=(0, 1))
        blocks.add_column(no_wrap=True)
        blocks.add_column(justify="right", no_wrap=True)
        blocks.add_column(justify="right", no_wrap=True)
        blocks.add_column(justify="right", no_wrap=True)
        blocks.add_column(overflow="fold")
        blocks.add_row(*(Text(h, style="table.header") for h in ("block", "chars", "¶", "links", "")))
        for b in self.blocks:
            style = "diff.insert" if b.used else ""
            blocks.add_row(
                Text(("✓ " if b.used else "  ") + visible(b.where), style=style),
                str(b.chars),
                str(b.paragraphs),
                f"{b.links:.0%}",
                Text(b.note, style="diff.gap"),
            )
        parts.append(blocks)
        if self.error:
            host = host_of(self.url).split(":")[0] or "example.com"
            parts += [
                Text(""),
                Text(f"{self.error}: no block above holds the story as paragraphs of text.", style="status.error"),
                Text(f'If one does, name it in the config: [[sites]] domain = "{host}"  body = "CSS selector"'),
            ]
        return Group(*parts)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _VALUE else text[: _VALUE - 1] + "…"


def _same(a: str, b: str) -> bool:
    fold = lambda s: " ".join(unicodedata.normalize("NFKC", s).split()).casefold()  # noqa: E731
    return bool(a and b) and fold(a) == fold(b)


def _text(el: Any) -> str:
    return " ".join(el.text_content().split())


def _where(el: Any) -> str:
    where = el.tag
    if el.get("id"):
        where += "#" + el.get("id")
    classes = (el.get("class") or "").split()
    if classes:
        where += "." + ".".join(classes[:2])
    if el.get("itemprop"):
        where += f"[itemprop={el.get('itemprop')}]"
    return where


def _ld(root: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def walk(data: Any, depth: int = 0) -> None:
        if depth > 5:
            return
        if isinstance(data, list):
            for item in data:
                walk(item, depth + 1)
        elif isinstance(data, dict):
            if "@graph" in data:
                walk(data["@graph"], depth + 1)
            for key in ("headline", "description", "author", "datePublished", "dateModified", "articleBody"):
                if key in data and key not in found:
                    found[key] = data[key]

    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            walk(json.loads(script.text_content() or "null"))
        except ValueError:
            continue
    return found


def _ld_str(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        return ", ".join(_ld_str(v) for v in value if v)
    return str(value or "")


def _meta(root: Any, *names: str) -> list[tuple[str, str]]:
    out = []
    for name in names:
        for el in root.xpath(f"//meta[@property='{name}' or @name='{name}']"):
            if el.get("content"):
                out.append((f"<meta {name}>", el.get("content")))
                break
    return out


def _css(root: Any, selector: str | None) -> list[Any]:
    if not selector:
        return []
    try:
        return root.cssselect(selector)
    except Exception:  # a bad selector is reported by the config loader, not here
        return []


def _field_candidates(root: Any, rule: SiteRule | None, headline: str = "") -> dict[str, list[Candidate]]:
    ld = _ld(root)
    title = root.xpath("//title")
    fields: dict[str, list[Candidate]] = {}
    head = [Candidate("site rule", _text(e)) for e in _css(root, rule.headline if rule else None)[:1]]
    head += [Candidate(f"<h1> {_where(e)}", _text(e)) for e in root.xpath("//h1")[:3]]
    head += [Candidate("JSON-LD headline", _ld_str(ld.get("headline")))] if ld.get("headline") else []
    head += [Candidate(s, v) for s, v in _meta(root, "og:title", "twitter:title")]
    head += [Candidate("<title>", _text(title[0]))] if title else []
    fields["headline"] = head
    dek = [Candidate("site rule", _text(e)) for e in _css(root, rule.dek if rule else None)[:1]]
    standfirst = dek_element(root, headline)
    if standfirst is not None:
        dek += [Candidate(f"element {_where(standfirst)} under the headline", _text(standfirst))]
    dek += [Candidate("JSON-LD description", _ld_str(ld.get("description")))] if ld.get("description") else []
    dek += [Candidate(s, v) for s, v in _meta(root, "og:description", "description")]
    fields["dek"] = dek
    by = [Candidate("site rule", _text(e)) for e in _css(root, rule.byline if rule else None)[:1]]
    by += [
        Candidate(f"element {_where(e)}", _text(e))
        for e in root.xpath("//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')]")[:2]
    ]
    by += [Candidate("JSON-LD author", _ld_str(ld.get("author")))] if ld.get("author") else []
    by += [Candidate(s, v) for s, v in _meta(root, "author", "article:author")]
    fields["byline"] = by
    for name, key, metas in (
        ("published", "datePublished", ("article:published_time", "pubdate")),
        ("modified", "dateModified", ("article:modified_time", "og:updated_time")),
    ):
        dates = [Candidate(f"JSON-LD {key}", _ld_str(ld.get(key)))] if ld.get(key) else []
        dates += [Candidate(s, v) for s, v in _meta(root, *metas)]
        dates += [
            Candidate(f"<time itemprop={key}>", e.get("datetime") or _text(e))
            for e in root.xpath(f"//*[@itemprop='{key}']")[:1]
        ]
        fields[name] = dates
    return fields


def _same_moment(candidate: str, value: str) -> bool:
    """A page's date and the extracted one name the same instant, however each writes its zone
    ("2026-11-20T09:30:00+08:00" and "2026-11-20T01:30:00Z"), or the same minute when no zone is given."""
    from watcher.extract.metadata import parse_date

    return parse_date(candidate) == value or candidate[:16] == value[:16]


def _mark_fields(fields: dict[str, list[Candidate]], article: Article | None) -> None:
    for name, found in fields.items():
        value = getattr(article, name, "") if article else ""
        chosen = None
        for c in found:
            if (
                chosen is None
                and value
                and (_same(c.value, value) or (name in ("published", "modified") and _same_moment(c.value, value)))
            ):
                c.used, chosen = True, c
        for c in found:
            if c.used:
                continue
            if not c.value.strip():
                c.note = "empty"
            elif article is None:
                c.note = "no article was extracted"
            elif chosen is None and value:
                c.note = "differs from what was extracted (cleaned, or a source not listed)"
            elif chosen is None:
                c.note = "not used (judged not to be this field)"
            elif value and _same(c.value, value):
                c.note = "same value"
            elif name == "headline" and value and value in c.value:
                c.note = "the headline plus site name or section"
            elif name == "dek" and article is not None and article.body and c.value[:30] in article.body[0]:
                c.note = "repeats the first paragraph"
            else:
                c.note = f"lost to {chosen.source}"


def _blocks(root: Any, article: Article | None) -> list[Block]:
    body = article.body if article else []
    first = body[0][:40] if body else ""
    total = sum(len(p) for p in body)
    scored = []
    for el in root.cssselect(_BLOCKS):
        paragraphs = el.xpath(".//p")
        text = _text(el)
        if len(text) < 40 and el.tag not in ("article", "main"):
            continue
        if el.tag in ("div", "section") and len(paragraphs) < 2 and not el.get("itemprop"):
            continue
        links = sum(len(_text(a)) for a in el.xpath(".//a")) / max(len(text), 1)
        scored.append((el, len(text), len(paragraphs), links))
    scored.sort(key=lambda s: -s[1])
    chosen = None
    if first:
        holders = [s for s in scored if first in _text(s[0])]
        chosen = min(holders, key=lambda s: s[1]) if holders else None
    out = []
    for el, chars, count, links in scored[:_SHOWN_BLOCKS]:
        b = Block(_where(el), chars, count, links)
        if chosen is not None and el is chosen[0]:
            b.used, b.note = True, f"holds the story ({total} characters kept)"
        elif chars < 40:
            b.note = "too little text"
        elif links > 0.5:
            b.note = f"mostly links ({links:.0%}): navigation or a list of stories"
        elif chosen is not None and chosen[0] in el.iterdescendants():
            b.note = "contains the story and page chrome around it"
        elif chosen is not None and el in chosen[0].iterdescendants():
            b.note = "part of the story block"
        elif first and first not in _text(el):
            b.note = "does not hold the story's first paragraph"
        else:
            b.note = "not chosen"
        out.append(b)
    return out


def explain_page(html: str, url: str, rules: Sequence[SiteRule] = ()) -> tuple[Article | None, Explanation]:
    """The article watcher extracts from a page (None if it finds none) and how it was found."""
    import lxml.html

    from watcher.extract import extract as extract_article

    report = Explanation(url=url)
    article: Article | None = None
    try:
        article = extract_article(html, url, rules)
        report.extractor = article.extractor
    except NoArticle as exc:
        report.error = exc
    try:
        root = lxml.html.fromstring(html) if html.strip() else None
    except (ValueError, lxml.etree.ParserError):
        root = None
    if root is None:
        return article, report
    host = host_of(url).split(":")[0]
    rule = next((r for r in rules if on_domain(host, r.domain)), None)
    report.fields = _field_candidates(root, rule, article.headline if article else "")
    _mark_fields(report.fields, article)
    report.blocks = _blocks(root, article)
    return article, report
