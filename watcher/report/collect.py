"""Gathers version changes from the store for `watcher report` and `watcher card`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from watcher.errors import BadInput, UnknownArticle
from watcher.models import marked
from watcher.report import ReportEntry, ReportOptions, card_html, render_report
from watcher.report.shots import data_uri
from watcher.store import Store
from watcher.times import utcnow

CARD_WIDTH = 1200  # the card's height follows its content (watcher/report/card.py)


def report_entries(
    store: Store,
    *,
    urls: Sequence[str] = (),
    tags: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    classes: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> list[ReportEntry]:
    """Every stored version change (version 2 onwards, and events) in the window, with an edit of one of
    `classes` and one of `flags` when given (models.marked)."""
    wanted_urls = set(urls)
    articles = {a.url: a for a in store.list_articles()}
    entries = []
    for version in store.versions_since(start, end):
        article = articles.get(version.url)
        if article is None or version.number < 2:
            continue
        if wanted_urls and version.url not in wanted_urls:
            continue
        if tags and not set(tags) & set(article.tags):
            continue
        if not marked(version, classes, flags):
            continue
        try:
            old = store.get_version(version.url, version.number - 1)
        except UnknownArticle:
            continue  # the version before was lost to damage (`watcher doctor`): no change to show
        entries.append(ReportEntry(article=article, old=old, new=version))
    return entries


def build_report(
    store: Store,
    *,
    urls: Sequence[str],
    tags: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    window: str,
    fmt: str,
    include_cosmetic: bool,
    title: str = "watcher report",
    lang: str = "en",
    tz: tzinfo | None = None,
    archive_dir: Path | None = None,
    classes: Sequence[str] = (),
    flags: Sequence[str] = (),
    screenshots: bool = True,
) -> str:
    """The report text in the chosen format, its labels in `lang` (see render_report); the HTML report embeds
    the versions' screenshots unless `screenshots` is false."""
    entries = report_entries(store, urls=urls, tags=tags, start=start, end=end, classes=classes, flags=flags)
    images = data_uri(store.get_screenshot) if screenshots else None
    options = ReportOptions(
        generated_at=utcnow(), title=title, window=window, lang=lang, tz=tz, archive_dir=archive_dir, images=images
    )
    return render_report(entries, fmt, options, include_cosmetic=include_cosmetic, classes=classes)


async def render_card(
    store: Store, url: str, number: int | None, fetcher: Any, tz: tzinfo | None = None, screenshot: bool = True
) -> bytes:
    """A PNG of one version change, drawn by the browser from the report's styles; with the new version's
    screenshot as a thumbnail when one was kept (and `screenshot`)."""
    latest = store.latest_version(url)
    if latest is None:
        raise UnknownArticle(f"{url} has no versions yet")
    number = latest.number if number is None else number
    if number == 1:  # lower numbers are unknown versions, said so by get_version below
        raise BadInput(f"version {number} of {url} is the first one; a card shows a change (use --version 2 or later)")
    new = store.get_version(url, number)
    old = store.get_version(url, number - 1)
    image = data_uri(store.get_screenshot)(new) if screenshot else None
    html = card_html(
        ReportEntry(article=store.get_article(url), old=old, new=new), width=CARD_WIDTH, tz=tz, image=image
    )
    return await fetcher.render_png(html, CARD_WIDTH)  # no height: the browser measures the card
