"""Fetchers by name: each fetch mode's factory, so a new fetcher is one module plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from watcher.errors import BadInput

if TYPE_CHECKING:
    from watcher.config import FetchSettings
    from watcher.fetch.polite import Polite


def _chromium(settings: FetchSettings, **options: Any) -> Polite:
    from watcher.fetch.chromium import ChromiumFetcher

    return ChromiumFetcher(settings, **options)


def _http(settings: FetchSettings, **options: Any) -> Polite:
    from watcher.fetch.http_pages import HTTPFetcher

    return HTTPFetcher(settings, **options)


# mode -> factory(settings, **options); imported on first use, so naming a mode starts no browser machinery.
FETCHERS: dict[str, Callable[..., Polite]] = {
    "browser": _chromium,
    "http": _http,
}


def make_fetcher(mode: str, settings: FetchSettings, **options: Any) -> Polite:
    """The fetcher registered for `mode`, built from `settings` and the factory's own `options`."""
    try:
        factory = FETCHERS[mode]
    except KeyError:
        raise BadInput(f"no fetcher for mode {mode!r} (known: {', '.join(sorted(FETCHERS))})") from None
    return factory(settings, **options)
