"""`watcher extract --explain`: where each field of the extracted article came from, and why other candidates lost.

What was used comes from extraction's own trace (watcher/extract/trace.py): the site rule it applied, each field's
source, the container it read and the blocks it left out with their reasons. Beside it, the other candidates the
page offers (JSON-LD, meta tags, <title>, headings, a site rule's selectors) are listed as not used, with the
reason a person can act on (a site rule to write).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from watcher.config import SiteRule
from watcher.errors import WatcherError
from watcher.extract import rules as data
from watcher.extract.trace import Piece, Trace, where
from watcher.models import Article
from watcher.render.text import visible
from watcher.urls import host_of

_SHOWN_BLOCKS = 6  # blocks left out, the largest first
_SHOWN_LINES = 6  # lines left out of the body
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
    lines: list[Piece] = field(default_factory=list)  # lines of the body left out, with why
    trace: Trace = field(default_factory=Trace)
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
            # Added field: extraction's own trace, which the marks above are read from.
            "trace": self.trace.to_json(),
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
        rule = f", site rule for {self.trace.rule}" if self.trace.rule else ""
        parts += [
            Text(""),
            Text(f"body blocks (extractor: {self.extractor or 'none'}{rule})", style="diff.label"),
        ]
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
        if self.lines:
            parts += [Text(""), Text("lines left out of the body", style="diff.label")]
            lines = Table.grid(padding=(0, 1))
            lines.add_column(overflow="fold")
            lines.add_column(overflow="fold")
            for line in self.lines[:_SHOWN_LINES]:
                lines.add_row(Text(visible(_cut(line.text))), Text(line.reason, style="diff.gap"))
            if len(self.lines) > _SHOWN_LINES:
                lines.add_row(Text(f"… {len(self.lines) - _SHOWN_LINES} more", style="diff.gap"), "")
            parts.append(lines)
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


def _css(root: Any, selector: str | None) -> list[Any]:
    if not selector:
        return []
    try:
        return root.cssselect(selector)
    except Exception:  # a bad selector is reported by the config loader, not here
        return []


def _ld_str(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        return ", ".join(_ld_str(v) for v in value if v)
    return str(value or "")


def _metas(meta: dict[str, str], names: Sequence[str]) -> list[Candidate]:
    return [Candidate(f"<meta {name}>", meta[name]) for name in names if meta.get(name)]


def _offered(root: Any, rule: SiteRule | None) -> dict[str, list[Candidate]]:
    """What the page offers for each field, named as extraction's trace names its sources."""
    from watcher.extract.metadata import json_ld, meta_tags

    ld, meta = json_ld(root), meta_tags(root)
    title = root.find(".//title")

    def by_rule(selector: str | None) -> list[Candidate]:
        return [Candidate(f"site rule {selector}", _text(e)) for e in _css(root, selector)[:1]]

    fields: dict[str, list[Candidate]] = {}
    head = by_rule(rule.headline if rule else None)
    head += [Candidate(f"<h1> {where(e)}", _text(e)) for e in root.xpath("//h1")[:3]]
    head += [Candidate("JSON-LD headline", _ld_str(ld.get("headline")))] if ld.get("headline") else []
    head += _metas(meta, data.TITLE_META)
    head += [Candidate("<title>", _text(title))] if title is not None else []
    fields["headline"] = head
    dek = by_rule(rule.dek if rule else None)
    dek += [Candidate("JSON-LD description", _ld_str(ld.get("description")))] if ld.get("description") else []
    fields["dek"] = dek + _metas(meta, data.DEK_META)
    by = by_rule(rule.byline if rule else None)
    by += [
        Candidate(f"element {where(e)}", _text(e))
        for e in root.xpath("//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')]")[:2]
    ]
    by += [Candidate("JSON-LD author", _ld_str(ld.get("author")))] if ld.get("author") else []
    fields["byline"] = by + _metas(meta, data.AUTHOR_META)
    for name, key, metas in (
        ("published", "datePublished", data.PUBLISHED_META),
        ("modified", "dateModified", data.MODIFIED_META),
    ):
        dates = [Candidate(f"JSON-LD {key}", _ld_str(ld.get(key)))] if ld.get(key) else []
        dates += _metas(meta, metas)
        dates += [
            Candidate(f"element [itemprop={key}]", e.get("datetime") or e.get("content") or _text(e))
            for e in root.xpath(f"//*[@itemprop='{key}']")[:1]
        ]
        fields[name] = dates
    return fields


def _same_moment(candidate: str, value: str) -> bool:
    """A page's date and the extracted one name the same instant, however each writes its zone
    ("2026-11-20T09:30:00+08:00" and "2026-11-20T01:30:00Z"), or the same minute when no zone is given."""
    from watcher.extract.metadata import parse_date

    return parse_date(candidate) == value or candidate[:16] == value[:16]


def _is(source: str, label: str) -> bool:
    """Whether the trace's source is this candidate (the trace may add why after a comma)."""
    return source == label or source.startswith(label + ",") or source.startswith(label + " ")


def _mark_fields(fields: dict[str, list[Candidate]], trace: Trace, article: Article | None) -> None:
    """Mark the candidate the trace says each field came from; the rest say why they were not used."""
    for name, found in fields.items():
        value = getattr(article, name, "") or "" if article else ""
        source = trace.sources.get(name, "")
        named = [c for c in found if source and _is(source, c.source)] if value else []
        chosen = next((c for c in named if _same(c.value, value)), named[0] if named else None)
        if chosen is not None:
            chosen.used = True
        elif value and source:
            chosen = Candidate(source, value, used=True)
            found.insert(0, chosen)
        for c in found:
            if c.used:
                continue
            if not c.value.strip():
                c.note = "empty"
            elif article is None:
                c.note = "no article was extracted"
            elif source.startswith("none:"):
                c.note = source
            elif chosen is None:
                c.note = "not used (judged not to be this field)"
            elif _same(c.value, value) or (name in ("published", "modified") and _same_moment(c.value, value)):
                c.note = "same value"
            elif name == "headline" and value in c.value:
                c.note = "the headline plus site name or section"
            elif name == "dek" and article.body and c.value[:30] in article.body[0]:
                c.note = "repeats the first paragraph"
            else:
                c.note = f"lost to {chosen.source}"


def _blocks(trace: Trace, article: Article | None) -> list[Block]:
    """The container extraction read, then the largest blocks it left out, each with the reason it gave."""
    out = []
    box = trace.container
    if box is not None:
        kept = sum(len(p) for p in article.body) if article else 0
        if article is not None and trace.extractor == "dom":
            note = f"holds the story ({kept} characters kept); {box.reason}"
        elif article is not None:
            note = f"found by {box.reason}; the body was read by {trace.extractor} ({kept} characters kept)"
        else:
            note = f"read as {box.reason}, but holds no story text"
        out.append(Block(box.where, box.chars, box.paragraphs, box.link_share, article is not None, note))
    elements = sorted((p for p in trace.dropped if p.where != "line"), key=lambda p: -p.chars)
    for piece in elements[:_SHOWN_BLOCKS]:
        note = piece.reason
        if piece.link_share > 0.5:
            note += f"; mostly links ({piece.link_share:.0%}): navigation or a list of stories"
        out.append(Block(piece.where, piece.chars, piece.paragraphs, piece.link_share, False, note))
    return out


def explain_page(html: str, url: str, rules: Sequence[SiteRule] = ()) -> tuple[Article | None, Explanation]:
    """The article watcher extracts from a page (None if it finds none) and how it was found, from its trace."""
    import lxml.html

    from watcher.extract import extract_traced

    result = extract_traced(html, url, rules)
    article, trace = result.article, result.trace
    report = Explanation(url=url, extractor=trace.extractor if article else "", trace=trace, error=result.error)
    report.lines = [p for p in trace.dropped if p.where == "line"]
    try:
        root = lxml.html.fromstring(html) if html.strip() else None
    except (ValueError, lxml.etree.ParserError):
        root = None
    rule = next((r for r in rules if r.domain == trace.rule), None) if trace.rule else None
    report.fields = _offered(root, rule) if root is not None else {}
    _mark_fields(report.fields, trace, article)
    report.blocks = _blocks(trace, article)
    return article, report
