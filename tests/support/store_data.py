"""Articles and check results for store tests: one story and its checks, with any field changed by keyword."""

from __future__ import annotations

from datetime import UTC, datetime

from watcher.models import Article, CheckResult

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
URL = "https://news.example/world/story"
OTHER = "https://news.example/other"


def art(headline: str = "Headline", body: tuple[str, ...] = ("First paragraph.", "Second paragraph."), **kw) -> Article:
    return Article(headline=headline, body=list(body), captions=kw.pop("captions", ["A caption."]), **kw)


def check(status: str = "unchanged", at: datetime = T0, **kw) -> CheckResult:
    return CheckResult(url=kw.pop("url", URL), status=status, checked_at=at, **kw)
