"""Tables for `watcher list`, `history`, `check` summaries and `extract`; readable at 80 columns."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from urllib.parse import urlsplit

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from watcher.models import Article, CheckResult, Feed, Version, WatchedArticle, iso
from watcher.render.edits import flags_text
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


def articles_table(articles: Sequence[WatchedArticle]) -> Table:
    """One row per watched article: headline and host, versions, last/next check, last status and edit."""
    table = _table()
    table.add_column("article", ratio=3, overflow="fold", min_width=16)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("checked", no_wrap=True)
    table.add_column("next", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("last edit", ratio=2, overflow="fold", min_width=10)
    for a in articles:
        # The host goes under the headline: a column of its own does not fit 80 columns beside the times.
        article = Text(visible(a.headline or a.url))
        article.append("\n" + visible(_host(a.url)), style="diff.context")
        table.add_row(article, str(a.versions), _when(a.last_checked), _when(a.next_check), _status(a.last_status),
                      Text(visible(a.last_edit_summary or "")))
    return table


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
        table.add_row(Text(visible(f.url)), f"{f.every // 60}m" if f.every % 60 == 0 else f"{f.every}s",
                      _when(f.last_polled), _when(f.next_poll), _status(f.last_status), str(f.articles_added))
    return table


def history_table(versions: Sequence[Version]) -> Table:
    """One row per stored version: number, capture time, headline, edit count, flags or event."""
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
        table.add_row(str(v.number), _when(v.captured_at), Text(visible(v.article.headline)), str(len(v.edits)),
                      flags_text(flags, short=True))
    return table


def summary_table(results: Sequence[CheckResult]) -> Table:
    """One row per checked article: status, version, URL or headline, edit count and flags."""
    table = _table()
    table.add_column("status", no_wrap=True)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("article", ratio=3, overflow="fold", min_width=16)
    table.add_column("edits", justify="right", no_wrap=True)
    table.add_column("flags / error", ratio=2, overflow="fold")
    for r in results:
        detail = Text(visible(r.error), style="status.error") if r.error else flags_text(r.flags, short=True)
        table.add_row(_status(r.status), "" if r.version is None else str(r.version),
                      Text(visible(r.headline or r.url)), str(len(r.edits)), detail)
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
