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


class StoreUnavailable(StoreError):
    """The whole store cannot be written now (a full disk, a quota, a read-only disk, the database gone): no page's fault."""


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


class ExtractFailed(WatcherError):
    """Reading the article off a page failed in a way extraction did not foresee (the page's error, not the run's)."""

    exit_status = ExitStatus.CHECK_FAILED


class PageTooBig(ExtractFailed):
    """The page has more elements than extraction reads (under the byte cap, but no news page is that big)."""


class ExtractTimeout(ExtractFailed):
    """Reading the article took longer than the check's deadline."""


# Browser and socket error codes in the words a user reads: Playwright's own text ("Route.fetch: connect
# ECONNREFUSED 127.0.0.1:9", "net::ERR_NAME_NOT_RESOLVED at https://...") names internals, not the problem.
_NETWORK_REASONS = (
    (
        ("ECONNREFUSED", "ERR_CONNECTION_REFUSED", "Connection refused"),
        "the server refused the connection (nothing listening there?)",
    ),
    (
        ("ENOTFOUND", "EAI_AGAIN", "ERR_NAME_NOT_RESOLVED", "ERR_NAME_RESOLUTION_FAILED", "Name or service not known"),
        "the host name does not resolve",
    ),
    (("ECONNRESET", "ERR_CONNECTION_RESET", "socket hang up", "Connection reset"), "the server dropped the connection"),
    (("ERR_EMPTY_RESPONSE", "ERR_CONNECTION_CLOSED"), "the server closed the connection without answering"),
    (("ETIMEDOUT", "ERR_CONNECTION_TIMED_OUT"), "the connection timed out"),
    (("ENETUNREACH", "EHOSTUNREACH", "ERR_ADDRESS_UNREACHABLE", "ERR_NETWORK_CHANGED"), "the address is unreachable"),
    (("ERR_INTERNET_DISCONNECTED",), "there is no network connection"),
    (("All connection attempts failed",), "no connection could be made (nothing listening there, or unreachable)"),
    (("ERR_CERT_", "CERT_", "self signed certificate", "UNABLE_TO_VERIFY"), "its TLS certificate is not valid"),
    (("ERR_SSL_", "EPROTO", "SSL routines"), "the secure (TLS) connection failed"),
    (("ERR_BLOCKED_BY", "ERR_ACCESS_DENIED"), "the request was blocked"),
    (("ERR_INVALID_RESPONSE", "ERR_INVALID_HTTP_RESPONSE", "HPE_"), "the server sent an invalid HTTP response"),
    (("ERR_CONTENT_DECODING_FAILED",), "the server sent a body that does not decode"),
    (("ERR_ABORTED",), "the page load was aborted"),
)


def network_reason(text: str) -> str:
    """Why a page could not be loaded, in watcher's words, from a browser or socket error message."""
    for codes, reason in _NETWORK_REASONS:
        if any(code in text for code in codes):
            return reason
    first = text.strip().splitlines()[0] if text.strip() else "unknown network error"
    for prefix in ("Route.fetch:", "Page.goto:", "page.goto:", "APIRequestContext.fetch:", "Error:"):
        if first.startswith(prefix):
            first = first[len(prefix) :].strip()
    first = first.removeprefix("net::")
    return first.split(" at http")[0].split(" Call log")[0] or "unknown network error"
