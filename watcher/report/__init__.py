"""Reports of the edits found: HTML, Markdown, JSON and Atom, and the HTML for PNG diff cards."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.errors import BadInput
from watcher.report.atom import render_atom
from watcher.report.card import card_html
from watcher.report.entries import ReportEntry, ReportOptions, group_changes, visible_changes
from watcher.report.html import render_html
from watcher.report.jsonout import render_json
from watcher.report.markdown import render_markdown

FORMATS = ("html", "md", "json", "atom")

__all__ = ["FORMATS", "ReportEntry", "ReportOptions", "card_html", "render_report"]


def render_report(
    entries: Sequence[ReportEntry],
    fmt: str,
    options: ReportOptions,
    *,
    include_cosmetic: bool = False,
    classes: Sequence[str] = (),
) -> str:
    """The report of these version changes in one format: "html", "md" (or "markdown"), "json" or "atom",
    headed and shown as `options` say; cosmetic edits only with `include_cosmetic`, and only edits of
    `classes` when given."""
    groups = group_changes(visible_changes(entries, include_cosmetic, classes))
    kind = "md" if fmt == "markdown" else fmt
    if kind == "json":
        return render_json(groups)
    renderer = {"html": render_html, "md": render_markdown, "atom": render_atom}.get(kind)
    if renderer is None:
        raise BadInput(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderer(groups, options)
