"""What the dashboard's keys do to the store and the outside world, kept apart from the widgets."""

from __future__ import annotations

import hashlib
import webbrowser
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watcher.models import WatchedArticle
from watcher.urls import host_of, normalize_url

if TYPE_CHECKING:
    from watcher.store import Store


def set_paused(store: Store, url: str, paused: bool, now: datetime) -> WatchedArticle:
    """Pause or resume automatic checks of one article, as `watcher pause/resume` do; resuming makes it due."""
    from watcher.monitor.schedule import set_paused as change

    article = store.get_article(url)
    change(article, paused, now)
    return store.update_article(article)


def add_url(store: Store, text: str, now: datetime) -> tuple[WatchedArticle, bool]:
    """Watch a typed URL; BadInput for one that is not a web address."""
    return store.add_article(normalize_url(text.strip()), now=now)


def open_in_browser(url: str) -> bool:
    """Open the article in the user's own browser (not watcher's headless one)."""
    return webbrowser.open(url, new=2)


def report_path(folder: Path, url: str, number: int, suffix: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    host = "".join(c if c.isalnum() or c in ".-" else "-" for c in host_of(url)) or "article"
    return folder / f"watcher-{host}-{digest}-v{number}{suffix}"


def write_report(store: Store, folder: Path, url: str, number: int, now: datetime, tz: tzinfo | None = None) -> Path:
    """An HTML report of one version change, written beside the user's work, its times in `tz`."""
    from watcher.report import ReportEntry, ReportOptions, render_report

    new = store.get_version(url, number)
    old = store.get_version(url, number - 1) if number > 1 else None
    entry = ReportEntry(article=store.get_article(url), old=old, new=new)
    path = report_path(folder, url, number, ".html")
    text = render_report([entry], "html", ReportOptions(generated_at=now, tz=tz))
    path.write_text(text, encoding="utf-8")
    return path


async def write_card(store: Store, folder: Path, url: str, number: int, fetcher: Any, tz: tzinfo | None = None) -> Path:
    """A PNG card of one version change, drawn by the browser, its times in `tz`."""
    from watcher.report.collect import render_card

    png = await render_card(store, url, number, fetcher, tz=tz)
    path = report_path(folder, url, number, ".png")
    path.write_bytes(png)
    return path
