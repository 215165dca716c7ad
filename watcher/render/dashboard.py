"""The live dashboard of `watcher run --dashboard`: articles, an edit feed and a status line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from watcher.models import CheckResult, WatchedArticle, shown_edits, top_class
from watcher.render.edits import inline_text
from watcher.render.text import safe_text
from watcher.times import ago
from watcher.urls import host_of

FEED_LENGTH = 6
SNIPPET_CHARS = 160
CONTEXT_CHARS = 30


@dataclass
class RunStatus:
    """Numbers for the status line, copied out of the running loop."""

    checks: int = 0
    edits: int = 0
    errors: int = 0
    queue: int = 0
    in_flight: int = 0
    pages_per_minute: float = 0.0
    feeds_polled: int = 0
    articles_followed: int = 0


def _next(article: WatchedArticle, now: datetime) -> str:
    if article.stopped:
        return "stopped"
    if article.next_check is None or article.next_check <= now:
        return "due"
    return ago(article.next_check, now)


def around_changes(
    inline: Sequence[tuple[str, str]], keep: int = CONTEXT_CHARS, gap: str = " … "
) -> list[tuple[str, str]]:
    """Inline ops with long unchanged runs cut to `keep` characters beside each change (`gap` between)."""
    ops = list(inline)
    trimmed = []
    for index, (op, text) in enumerate(ops):
        if op == "=" and len(text) > keep:
            first, last = index == 0, index == len(ops) - 1
            if first:
                text = "…" + text[-keep:]
            elif last:
                text = text[:keep] + "…"
            elif len(text) > 2 * keep:
                text = text[:keep] + gap + text[-keep:]
        trimmed.append((op, text))
    return trimmed


def articles_view(articles: Sequence[WatchedArticle], now: datetime) -> Table:
    """One row per watched article; headline and host are page data, so they enter as Text."""
    # No vertical rules and one space between columns: at 80 columns every character goes to content.
    table = Table(title="Watched articles", expand=True, box=box.SIMPLE_HEAD, show_edge=False, padding=0)
    table.add_column("Headline", ratio=3, min_width=12, overflow="ellipsis", no_wrap=True)
    table.add_column("Host", max_width=24, overflow="ellipsis", no_wrap=True)
    table.add_column("V", justify="right", width=3)
    table.add_column("Checked", width=7, no_wrap=True)
    table.add_column("Next", width=6, no_wrap=True)
    table.add_column("Status", width=10, no_wrap=True)
    table.add_column("Last edit", ratio=2, min_width=10, overflow="ellipsis", no_wrap=True)
    for article in articles:
        status = article.last_status or "pending"
        table.add_row(
            safe_text(article.headline or article.url),
            safe_text(host_of(article.url).removeprefix("www.")),
            str(article.versions),
            ago(article.last_checked, now),
            _next(article, now),
            Text(status, style=f"status.{status}"),
            safe_text(article.last_edit_summary),
        )
    return table


def edit_feed(results: Sequence[CheckResult], now: datetime) -> RenderableType:
    """The latest edits, newest first, each with a short inline diff of its first edit."""
    lines: list[RenderableType] = []
    for result in list(results)[-FEED_LENGTH:][::-1]:
        head = Text()
        head.append(ago(result.checked_at, now).ljust(8), style="dim")
        head.append(result.status, style=f"status.{result.status}")
        head.append(f" v{result.version} " if result.version else " ")
        top = top_class(result.edits)
        if top:
            head.append(top, style=f"class.{top}")
            head.append(" ")
        for flag in result.flags:
            head.append(f"[{flag}] ", style=f"flag.{flag}")
        head.append_text(safe_text(result.headline or result.url))
        lines.append(head)
        shown = shown_edits(result.edits) or result.edits
        if shown:
            edit = shown[0]
            snippet = Text("  ")
            snippet.append(f"{edit.field}/{edit.op}: ", style="dim")
            # Markers as well as colour, so the change reads on a monochrome terminal too.
            snippet.append_text(
                _clip(
                    inline_text(around_changes(edit.inline), markers=True)
                    if edit.inline
                    else safe_text(edit.new or edit.old or "")
                )
            )
            lines.append(snippet)
    if not lines:
        lines.append(Text("No edits yet.", style="dim"))
    return Panel(Group(*lines), title="Latest edits", title_align="left")


def _clip(text: Text) -> Text:
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS]
        text.append("…")
    return text


def status_line(status: RunStatus) -> Text:
    """Counters in one line; stays within 80 columns."""
    line = Text()
    line.append(f"checks {status.checks}  ")
    line.append(f"edits {status.edits}  ", style="diff.insert" if status.edits else "")
    line.append(f"errors {status.errors}  ", style="status.error" if status.errors else "")
    line.append(f"queue {status.queue}  in flight {status.in_flight}  ")
    line.append(f"{status.pages_per_minute:.1f} pages/min")
    if status.feeds_polled:
        line.append(f"  feeds {status.feeds_polled} (+{status.articles_followed})")
    return line


def dashboard_view(
    articles: Sequence[WatchedArticle], results: Sequence[CheckResult], status: RunStatus, now: datetime
) -> RenderableType:
    """The whole dashboard as one renderable for rich.live.Live.update."""
    return Group(articles_view(articles, now), edit_feed(results, now), status_line(status))
