"""The JSON report: the DESIGN.md check contract, one object per version change, plus report fields."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from watcher.models import iso
from watcher.report.entries import ArticleGroup, Change, ordered_changes


def change_json(change: Change) -> dict[str, Any]:
    """One version change as the contract's object, with headline, from_version and captured_at added."""
    new, old = change.entry.new, change.entry.old
    return {
        "url": change.url,
        "status": change.status,
        "version": new.number,
        "checked_at": iso(new.captured_at),
        "error": None,
        "flags": list(new.flags),  # the event, if any, is the status
        "edits": [e.to_json() for e in change.edits],
        "headline": change.headline,
        "from_version": old.number if old is not None else None,
        "captured_at": iso(new.captured_at),
    }


def render_json(groups: Sequence[ArticleGroup]) -> str:
    """The report as a pretty-printed JSON list, in report order."""
    return json.dumps([change_json(c) for c in ordered_changes(groups)], ensure_ascii=False, indent=2) + "\n"
