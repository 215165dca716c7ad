"""Two versions of one story, an hour apart, the second carrying the real diff's edits: for render and report tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from watcher.diff import diff_articles
from watcher.models import Article, Version


def edited_versions(url: str, old: Article, new: Article, at: datetime, **second: Any) -> tuple[Version, Version]:
    """Version 1 of `url` holding `old` at `at`, version 2 holding `new` an hour later with the edits and flags
    diff_articles finds between them; `second` sets any other field of version 2."""
    diff = diff_articles(old, new)
    v1 = Version(url=url, number=1, captured_at=at, content_hash="a", article=old)
    v2 = Version(
        url=url,
        number=2,
        captured_at=at + timedelta(hours=1),
        content_hash="b",
        article=new,
        edits=diff.edits,
        flags=diff.flags,
        **second,
    )
    return v1, v2
