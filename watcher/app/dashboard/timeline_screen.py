"""One article's history: every version and event, then its check log with the errors' messages."""

from __future__ import annotations

from collections import Counter
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from watcher.app.dashboard.edits_table import snippet
from watcher.app.dashboard.model import EditEntry, next_label, status_label
from watcher.app.dashboard.screen_base import ArticleScreen, RefreshedScreen
from watcher.app.dashboard.table_base import Column, FittedTable
from watcher.errors import WatcherError
from watcher.labels import SOURCE_WORDS, flag_short, plural
from watcher.models import CLASSES, CheckRecord, Version, WatchedArticle
from watcher.render.text import safe_text
from watcher.times import display_time_in


def when(moment, tz: tzinfo) -> str:
    return display_time_in(moment, tz, missing="—")


class VersionsTable(FittedTable):
    """Two lines a version: when over how the page was read, class over flags, and the edit counts over the first
    edit."""

    COLUMNS = (
        Column("v", "V", width=4),
        Column("at", "Captured", width=20),
        Column("cls", "Class / flags", width=16),
        Column("summary", "Summary", share=1),
    )


class ChecksTable(FittedTable):
    COLUMNS = (
        Column("at", "Checked", width=20),
        Column("status", "Status", width=10),
        Column("v", "V", width=4),
        Column("http", "HTTP", width=4),
        Column("error", "Error", share=1),
    )


def counts(version: Version) -> Text:
    """ "3 edits: 2 substantive, 1 typo", or the event, for the first line of a version."""
    if version.event:
        return Text(version.event, style=f"status.{version.event}")
    if version.number == 1:
        return Text("")
    n = len(version.edits)
    by_class: Counter[str] = Counter(e.cls for e in version.edits)
    parts = ", ".join(f"{by_class[c]} {c}" for c in reversed(CLASSES) if by_class[c])
    return Text(f"{n} edit{'s' if n != 1 else ''}" + (f": {parts}" if parts else ""))


def version_rows(article: WatchedArticle, versions: list[Version], tz: tzinfo) -> list[tuple[str, dict]]:
    rows = []
    for version in reversed(versions):
        entry = EditEntry(article, version)
        cls = entry.top_class or ""
        summary = Text("first version", style="dim") if version.number == 1 and not version.event else snippet(entry)
        rows.append(
            (
                str(version.number),
                {
                    "v": f"v{version.number}",
                    "at": [
                        Text(when(version.captured_at, tz)),
                        Text(SOURCE_WORDS[version.source_name], style="dim"),
                    ],
                    "cls": [
                        Text(cls, style=f"class.{cls}" if entry.top_class else "dim"),
                        Text(", ".join(flag_short(m) for m in entry.marks), style="bold"),
                    ],
                    "summary": [summary] if version.number == 1 and not version.event else [counts(version), summary],
                },
            )
        )
    return rows


def check_rows(checks: list[CheckRecord], tz: tzinfo) -> list[tuple[str, dict]]:
    rows = []
    for n, entry in enumerate(reversed(checks)):
        status = entry.status or ""
        rows.append(
            (
                str(n),
                {
                    "at": when(entry.checked_at, tz),
                    "status": Text(status, style=f"status.{status}"),
                    "v": f"v{entry.version}" if entry.version else "",
                    "http": str(entry.http_status or ""),
                    "error": safe_text(entry.error or "", style="status.error"),
                },
            )
        )
    return rows


VOLATILE_SHOWN = 300  # characters of the learned volatile blocks shown under the article's head


class TimelineScreen(RefreshedScreen, ArticleScreen):
    """Versions newest first; Enter opens a version's diff."""

    BINDINGS = [Binding("v", "full_text", "Full text")]

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        yield VersionsTable(id="versions")
        yield Static(" Check log, newest first", id="checks-title", classes="section-title")
        yield ChecksTable(id="checks")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.ready = True
        self.refresh_views()
        self.query_one(VersionsTable).focus()

    def draw(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        try:
            article = store.get_article(self.url)
            versions = store.list_versions(self.url)
            checks = store.recent_checks(self.url)
        except WatcherError as exc:  # removed meanwhile, by this app or another process
            self.query_one("#head", Static).update(safe_text(str(exc), style="status.error"))
            return
        now = self.app.clock()  # type: ignore[attr-defined]
        head = Text()
        head.append_text(safe_text(article.headline or article.url, style="bold"))
        head.append("\n")
        head.append_text(safe_text(article.url, style="dim"))
        head.append("\n")
        status = status_label(article)
        head.append(f"{plural(article.versions, 'version')} · last status ")
        head.append(status, style=f"status.{status}")
        head.append(f" · next {next_label(article, now)}")
        if article.tags:
            head.append(" · tags ")
            head.append_text(safe_text(", ".join(article.tags)))
        if article.volatile:
            # What checks learned changes on every load and leave out of comparison (figures written as 0).
            head.append("\n")
            head.append(f"{len(article.volatile)} volatile, left out of comparison: ", style="dim")
            head.append_text(safe_text("; ".join(sorted(article.volatile))[:VOLATILE_SHOWN], style="dim"))
        self.query_one("#head", Static).update(head)
        self.query_one(VersionsTable).set_rows(version_rows(article, versions, self.app.tz))  # type: ignore[attr-defined]
        self.query_one(ChecksTable).set_rows(check_rows(checks, self.app.tz))  # type: ignore[attr-defined]

    def selected(self) -> tuple[str | None, int | None]:
        key = self.query_one(VersionsTable).current_key
        return self.url, int(key) if key else None

    def on_data_table_row_selected(self, event: VersionsTable.RowSelected) -> None:
        if isinstance(event.data_table, VersionsTable) and event.row_key.value:
            self.app.open_diff(self.url, int(event.row_key.value))  # type: ignore[attr-defined]

    def action_full_text(self) -> None:
        _, number = self.selected()
        if number:
            self.app.open_diff(self.url, number, full_text=True)  # type: ignore[attr-defined]
