"""The one-line status bar: what the checks are doing and what is failing, with the failure's message."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from watcher.app.dashboard.model import StoreView
from watcher.monitor.loop import RunStats
from watcher.render.text import safe_text


def status_text(view: StoreView, stats: RunStats | None, feed_errors: dict[str, str]) -> Text:
    """Counters first (they are short), then the first failing feed with its message, cut by the bar."""
    line = Text()
    errors = sum(1 for a in view.articles if a.last_status == "error")
    if stats is None:
        line.append("read-only  ", style="dim")
        line.append(f"articles {len(view.articles)}  ")
        line.append(f"errors {errors}  ", style="status.error" if errors else "")
        line.append(f"due {view.due}")
    else:
        in_flight = stats.in_flight
        line.append(f"checks {stats.checks}  ")
        line.append(f"edits {stats.edits}  ", style="diff.insert" if stats.edits else "")
        line.append(f"errors {stats.errors}  ", style="status.error" if stats.errors else "")
        line.append(f"queued {max(view.due - in_flight, 0)}  in flight {in_flight}  ")
        line.append(f"{stats.pages_per_minute():.1f} pages/min")
    failing = dict(feed_errors)
    for url in view.failing_feeds:
        failing.setdefault(url, "last poll failed")
    if failing:
        url, message = sorted(failing.items())[0]
        line.append("  feed error ", style="status.error")
        line.append_text(safe_text(f"{url}: {message}"))
        if len(failing) > 1:
            line.append(f" (+{len(failing) - 1} more)")
    return line


class StatusBar(Static):
    """Shows status_text; the full feed messages are also posted as notifications when they change."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    """
