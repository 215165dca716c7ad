"""Tables for `watcher list`, `history`, `check` summaries and `extract`; readable at 80 columns."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from watcher.models import Article, CheckResult, Feed, Version, WatchedArticle, iso
from watcher.render.text import visible

_STATUS_STYLES = {"new", "unchanged", "changed", "error", "removed", "redirected", "restored", "revert"}


def _when(moment: datetime | None) -> str:
    """Month, day and minute in UTC are enough to read a schedule; the JSON output carries the full time."""
    return (iso(moment) or "").replace("T", " ")[5:16] if moment else "—"


def _status(status: str | None) -> Text:
    if not status:
        return Text("—", style="diff.context")
    return Text(status, style=f"status.{status}" if status in _STATUS_STYLES else "")


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _table(title: str | None = None) -> Table:
    return Table(title=title, box=box.SIMPLE_HEAD, header_style="table.header", expand=False, pad_edge=False)


def _cell(text: str, width: int, align: str = "left") -> str:
    """Text cut or padded to exactly `width` terminal cells (CJK characters take two)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return text.rjust(width) if align == "right" and cell_len(text) == len(text) else set_cell_size(text, width)


def _lines(text: str, width: int, most: int) -> list[str]:
    """Text broken into at most `most` lines of `width` cells (at spaces where it has them), the last one cut."""
    if cell_len(text) == len(text):
        lines = textwrap.wrap(text, width) or [""]
    else:
        lines, line = [], ""
        for char in text:
            if cell_len(line + char) > width:
                lines.append(line)
                line = char.lstrip()
            else:
                line += char
        lines.append(line)
    if len(lines) > most:
        lines = lines[: most - 1] + [" ".join(lines[most - 1 :])]
    return [_cell(line, width) for line in lines]


class ArticleList:
    """The `watcher list` view, drawn line by line in fixed columns.

    rich's Table measures and wraps every cell (about a millisecond a row), which made listing 1,000
    articles take most of a second; cutting each cell to its width ourselves keeps it a few milliseconds.
    """

    _FIXED = (("v", 3, "right"), ("checked", 11, "left"), ("next", 11, "left"), ("status", 10, "left"))

    def __init__(self, articles: Sequence[WatchedArticle]):
        self.articles = list(articles)

    def _widths(self, width: int) -> tuple[int, int]:
        rest = width - sum(w for _, w, _ in self._FIXED) - len(self._FIXED) - 1
        article = max(16, rest * 3 // 5)
        return article, max(0, rest - article)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        article_w, edit_w = self._widths(options.max_width)
        out = Text(no_wrap=True, overflow="crop")
        header = [_cell("article", article_w)] + [_cell(name, w, align) for name, w, align in self._FIXED]
        out.append(" ".join(header + [_cell("last edit", edit_w)]).rstrip() + "\n", style="table.header")
        out.append("─" * (options.max_width) + "\n", style="diff.context")
        for a in self.articles:
            first, *more = _lines(visible(a.headline or a.url), article_w, 2)
            out.append(first + " ")
            out.append(_cell(str(a.versions), 3, "right") + " ")
            out.append(_cell(_when(a.last_checked), 11) + " " + _cell(_when(a.next_check), 11) + " ")
            status = a.last_status or "—"
            out.append(_cell(status, 10), style=f"status.{status}" if status in _STATUS_STYLES else "diff.context")
            out.append((" " + _cell(visible(a.last_edit_summary or ""), edit_w)).rstrip() + "\n")
            for line in more:
                out.append(line.rstrip() + "\n")
            out.append("  " + _cell(visible(_host(a.url)), article_w - 2).rstrip() + "\n", style="diff.context")
        out.rstrip()
        yield out


def articles_table(articles: Sequence[WatchedArticle]) -> ArticleList:
    """One entry per watched article: headline (host below), versions, last/next check, last status and edit."""
    return ArticleList(articles)


def feeds_table(feeds: Sequence[Feed]) -> Table:
    """One row per followed feed: URL, poll interval, last/next poll, status and articles found."""
    table = _table("feeds")
    table.add_column("feed", ratio=3, overflow="fold")
    table.add_column("every", justify="right", no_wrap=True)
    table.add_column("polled", no_wrap=True)
    table.add_column("next", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("added", justify="right", no_wrap=True)
    for f in feeds:
        table.add_row(
            Text(visible(f.url)),
            f"{f.every // 60}m" if f.every % 60 == 0 else f"{f.every}s",
            _when(f.last_polled),
            _when(f.next_poll),
            _status(f.last_status),
            str(f.articles_added),
        )
    return table


def history_table(versions: Sequence[Version]) -> Table:
    """One row per stored version: number, capture time, headline, edit count, flags or event."""
    # Imported here: render.edits pulls in the differ, which `watcher list` has no use for.
    from watcher.render.edits import flags_text

    table = _table()
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("captured", no_wrap=True)
    table.add_column("headline", ratio=3, overflow="fold", min_width=16)
    table.add_column("edits", justify="right", no_wrap=True)
    table.add_column("flags", ratio=2, overflow="fold")
    for v in versions:
        flags = list(v.flags)
        if v.event and v.event not in flags:
            flags.insert(0, v.event)
        table.add_row(
            str(v.number),
            _when(v.captured_at),
            Text(visible(v.article.headline)),
            str(len(v.edits)),
            flags_text(flags, short=True),
        )
    return table


def summary_table(results: Sequence[CheckResult]) -> Table:
    """One row per checked article: status, version, URL or headline, edit count and flags."""
    from watcher.render.edits import flags_text

    table = _table()
    table.add_column("status", no_wrap=True)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("article", ratio=3, overflow="fold", min_width=16)
    table.add_column("edits", justify="right", no_wrap=True)
    table.add_column("flags / error", ratio=2, overflow="fold")
    for r in results:
        detail = Text(visible(r.error), style="status.error") if r.error else flags_text(r.flags, short=True)
        table.add_row(
            _status(r.status),
            "" if r.version is None else str(r.version),
            Text(visible(r.headline or r.url)),
            str(len(r.edits)),
            detail,
        )
    return table


def article_panel(article: Article) -> RenderableType:
    """An extracted article as watcher would store it, for writing and checking site rules."""
    meta = Table.grid(padding=(0, 1))
    meta.add_column(style="diff.label", no_wrap=True)
    meta.add_column(overflow="fold")
    for name in ("headline", "dek", "byline", "published", "modified", "lang", "canonical_url", "extractor"):
        value = getattr(article, name)
        if value:
            meta.add_row(name, Text(visible(str(value))))
    parts: list[RenderableType] = [meta]
    if article.captions:
        parts += [Text(""), Text(f"captions ({len(article.captions)})", style="diff.label")]
        parts += [Text("  " + visible(c)) for c in article.captions]
    parts += [Text(""), Text(f"body ({len(article.body)} paragraphs)", style="diff.label")]
    for n, para in enumerate(article.body, 1):
        line = Text(f"{n:>3} ", style="diff.context")
        line.append(visible(para))
        parts.append(line)
    return Panel(Group(*parts), title=Text(visible(article.headline or "(no headline)")), box=box.ROUNDED)
