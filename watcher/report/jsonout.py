"""The JSON report: one object per version change, the check contract plus report fields (models.change_json)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from watcher.models import change_json
from watcher.report.entries import ArticleGroup, ordered_changes
from watcher.untrusted import json_safe


def render_json(groups: Sequence[ArticleGroup]) -> str:
    """The report as a pretty-printed JSON list, in report order."""
    changes = ordered_changes(groups)
    body = [change_json(c.url, c.entry.old, c.entry.new, c.edits, c.headline) for c in changes]
    return json_safe(json.dumps(body, ensure_ascii=False, indent=2)) + "\n"
