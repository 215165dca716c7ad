"""`watcher export --warc`: stored versions as WARC captures (watcher.archive.warc writes them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from watcher.archive.warc import Capture, version_metadata
from watcher.store import Store


def captures(store: Store, urls: Iterable[str] | None, since: datetime | None, skipped: list[str]) -> Iterator[Capture]:
    """A capture per stored version that still has its raw page, oldest first per article; versions
    without one (pruned, or event versions) are named in `skipped`."""
    chosen = list(urls) if urls is not None else [a.url for a in store.list_articles()]
    for url in chosen:
        for version in store.list_versions(url):
            if since is not None and version.captured_at < since:
                continue
            page = store.get_served(version)
            if page is not None:
                yield Capture.of(version, page)
                continue
            html = store.get_html(version)
            if html is None:
                skipped.append(f"{url} v{version.number}: no raw page kept")
                continue
            # Versions stored before the served page was kept: the page as rendered, under stand-in headers.
            yield Capture(
                url=version.url,
                captured_at=version.captured_at,
                headers=[("Content-Type", "text/html; charset=utf-8"), ("X-Watcher-Reconstructed", "rendered DOM")],
                body=html.encode("utf-8", "surrogatepass"),
                metadata=version_metadata(version),
                reconstructed=True,
            )
