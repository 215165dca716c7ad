"""Typed errors and the one map from errors to exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2


class WatcherError(Exception):
    """Base of every error watcher reports to a user as one line."""

    exit_status = ExitStatus.BAD_INPUT


class BadInput(WatcherError):
    """The user gave something watcher cannot use (URL, option, config)."""


class ConfigError(BadInput):
    """The TOML config is unreadable or has unknown keys."""


class UnknownArticle(BadInput):
    """A command named an article or version that is not in the store."""


class StoreError(WatcherError):
    """The store cannot be read or written."""


class StoreLocked(StoreError):
    """Another process holds the writer lock."""


class StoreCorrupt(StoreError):
    """The store file does not parse."""


class FetchError(WatcherError):
    """A page could not be fetched; the check is reported with status error."""

    exit_status = ExitStatus.CHECK_FAILED
    retryable = False


class RefusedScheme(FetchError):
    """The URL (or a redirect) uses a scheme other than http/https."""

    exit_status = ExitStatus.BAD_INPUT


class ConnectError(FetchError):
    """DNS failure, refused connection, reset."""

    retryable = True


class FetchTimeout(FetchError):
    """The page did not load within the deadline."""

    retryable = True


class HTTPStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, message: str, status: int, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status >= 500 or self.status == 429


class PrivateAddress(FetchError):
    """The URL (or a redirect, or the page's own navigation) leads to a non-public address."""

    exit_status = ExitStatus.BAD_INPUT


class NotHTML(FetchError):
    """The response is not an HTML document."""


class TooLarge(FetchError):
    """The page is over the size cap."""


class TooManyRedirects(FetchError):
    """The redirect chain is too long or loops."""


class BrowserMissing(WatcherError):
    """No Chromium could be found to drive."""


class NoArticle(WatcherError):
    """The page holds no article text."""

    exit_status = ExitStatus.CHECK_FAILED
