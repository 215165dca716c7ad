"""Reports of the edits found: HTML, Markdown, JSON and Atom, and the HTML for PNG diff cards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from watcher.errors import BadInput
from watcher.report.atom import render_atom
from watcher.report.card import card_html
from watcher.report.entries import ReportEntry, group_changes, visible_changes
from watcher.report.html import render_html
from watcher.report.jsonout import render_json
from watcher.report.markdown import render_markdown
from watcher.report.shots import ImageSource

FORMATS = ("html", "md", "json", "atom")

__all__ = ["FORMATS", "ReportEntry", "card_html", "render_report"]


def render_report(
    entries: Sequence[ReportEntry],
    fmt: str,
    *,
    include_cosmetic: bool = False,
    generated_at: datetime,
    title: str = "watcher report",
    window: str = "",
    lang: str = "en",
    tz: tzinfo | None = None,
    archive_dir: Path | None = None,
    classes: Sequence[str] = (),
    images: ImageSource | None = None,
) -> str:
    """The report of these version changes in one format: "html", "md" (or "markdown"), "json" or "atom".
    `lang` words the HTML and Markdown labels: "en", "zh-Hant" or "auto" (each story's own language); `tz` is
    the zone times are shown in (None: UTC; JSON and Atom stay UTC); `archive_dir` holds the WARCs to link;
    `images` gives the HTML report the versions' screenshots (report/shots.py; None: none shown)."""
    groups = group_changes(visible_changes(entries, include_cosmetic, classes))
    kind = "md" if fmt == "markdown" else fmt
    if kind == "html":
        return render_html(
            groups,
            generated_at=generated_at,
            title=title,
            window=window,
            lang=lang,
            tz=tz,
            archive_dir=archive_dir,
            images=images,
        )
    if kind == "md":
        return render_markdown(groups, generated_at=generated_at, title=title, window=window, lang=lang, tz=tz)
    if kind == "json":
        return render_json(groups)
    if kind == "atom":
        return render_atom(groups, generated_at=generated_at, title=title, window=window)
    raise BadInput(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
