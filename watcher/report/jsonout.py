"""The JSON report: one object per version change, the check contract plus report fields (models.change_json)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from watcher.models import change_json
from watcher.report.entries import ArticleGroup, change_words, ordered_changes
from watcher.untrusted import json_safe


def render_json(groups: Sequence[ArticleGroup]) -> str:
    """The report as a pretty-printed JSON list, in report order."""
    changes = ordered_changes(groups)
    body = []
    for change in changes:
        item = change_json(change.url, change.entry.old, change.entry.new, change.edits, change.headline)
        words = change_words(change, change.entry.new.article.lang)
        if words:
            item["summary"] = words  # added field, as in check --json: in the story's own language
        body.append(item)
    return json_safe(json.dumps(body, ensure_ascii=False, indent=2)) + "\n"
