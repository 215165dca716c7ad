"""The table of watched articles: one row each, headline first, sized to the terminal."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from rich.text import Text

from watcher.app.dashboard.model import Filters, StoreView, ago, next_label, status_label
from watcher.app.dashboard.table_base import Column, FittedTable
from watcher.models import CLASSES, STATUSES
from watcher.render.text import safe_text
from watcher.urls import host_of


class ArticlesTable(FittedTable):
    """Watched articles matching the filters; the row key is the article's URL."""

    COLUMNS = (
        Column("headline", "Headline", share=7),
        Column("host", "Host", share=3, cap=22),
        Column("tags", "Tags", share=2, cap=18),
        Column("versions", "V", width=3),
        Column("checked", "Checked", width=7, min_total=100),
        Column("next", "Next", width=7),
        Column("status", "Status", width=10),
        Column("last", "Last edit", width=11),
    )

    def show(self, view: StoreView, filters: Filters, now: datetime, checking: Collection[str] = ()) -> None:
        rows = []
        # Class and flag filters narrow the articles too: to those with such a change among their recent ones.
        marked = {e.url for e in view.edits if filters.marks_ok(e)} if filters.narrows_marks else None
        for article in view.articles:
            if not filters.article_ok(article) or (marked is not None and article.url not in marked):
                continue
            status = "checking" if article.url in checking else status_label(article)
            last = view.last_class.get(article.url, "")
            rows.append(
                (
                    article.url,
                    {
                        "headline": safe_text(article.headline or article.url),
                        "host": safe_text(host_of(article.url)),
                        "tags": safe_text(", ".join(article.tags)),
                        "versions": Text(str(article.versions), justify="right"),
                        "checked": ago(article.last_checked, now),
                        "next": next_label(article, now),
                        "status": Text(
                            status,
                            style=f"status.{status}"
                            if status in STATUSES
                            else "bold"
                            if status == "checking"
                            else "dim",
                        ),
                        "last": Text(last, style=f"class.{last}" if last in CLASSES else ""),
                    },
                )
            )
        self.set_rows(rows)
