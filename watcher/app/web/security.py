"""Who may write through the web view, and the headers every answer carries: the token, the sign-in cookie, CSRF, CSP.

The token is the only secret. The sign-in cookie holds an HMAC of it (never the token itself), the CSRF value
of a form an HMAC of the cookie; the API takes the token as a Bearer credential and no cookie, so a page on
another site can make a browser send neither. The token is compared in constant time and never printed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping

from watcher.errors import BadInput

TOKEN_ENV = "WATCHER_SERVE_TOKEN"
SESSION_COOKIE = "watcher_session"
MIN_TOKEN = 16

# Pages: only our own stylesheet, no script at all, forms only to us, never framed.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A version page frames its raw HTML from us (itself sandboxed); nothing else changes.
FRAMING_CSP = PAGE_CSP + "; frame-src 'self'"
# Stored raw HTML: a unique origin with no scripts, forms or popups, loading nothing from anywhere;
# its inline styles may apply. Framed only by our own version page.
RAW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'self'"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it a browser sends "Origin: null" with our own forms, and the origin check
    # below could not tell them from another site's. Other sites still get no Referer from us.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def configured_token(environ: Mapping[str, str], config_token: str | None) -> str | None:
    """The write token: WATCHER_SERVE_TOKEN, else [serve] token; None leaves the view read-only."""
    token = environ.get(TOKEN_ENV, "").strip() or config_token
    if token is not None and len(token) < MIN_TOKEN:
        raise BadInput(f"{TOKEN_ENV} / [serve] token must be at least {MIN_TOKEN} characters")
    return token or None


def is_loopback(host: str) -> bool:
    """Whether an address to bind to is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, *, loopback_only: bool) -> bool:
    """Whether a request's Host names this server. A view bound to this machine answers only to this machine's
    names: another site's name re-pointed at 127.0.0.1 (DNS rebinding) would let that site's pages read it."""
    if not loopback_only:
        return True
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        name, bracket, _port = host[1:].partition("]")
        return bool(bracket) and is_loopback(name)
    return bool(host) and is_loopback(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)


def check_binding(host: str, token: str | None, read_only: bool) -> None:
    """Refuse to serve write actions (or an unguarded view) beyond this machine without a token."""
    if not is_loopback(host) and token is None and not read_only:
        raise BadInput(
            f"refusing to listen on {host} without a token: set {TOKEN_ENV} (or [serve] token), or pass --read-only"
        )


class Guard:
    """Decides whether a request may write."""

    def __init__(self, token: str | None):
        self._token = token
        self._session = self._mac("session") if token else None

    @property
    def writable(self) -> bool:
        return self._token is not None

    def _mac(self, purpose: str) -> str:
        assert self._token is not None
        return hmac.new(self._token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    def bearer_ok(self, authorization: str | None) -> bool:
        """An API request's `Authorization: Bearer TOKEN`."""
        if self._token is None or not authorization:
            return False
        scheme, _, value = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self._token.encode())

    def token_ok(self, typed: str) -> bool:
        """The token typed on the sign-in page."""
        return self._token is not None and hmac.compare_digest(typed.strip().encode(), self._token.encode())

    def session_value(self) -> str:
        """What the sign-in cookie holds: proof of the token, not the token."""
        assert self._session is not None
        return self._session

    def signed_in(self, cookie: str | None) -> bool:
        return self._session is not None and cookie is not None and hmac.compare_digest(cookie, self._session)

    def csrf_value(self) -> str:
        """The hidden value every write form carries; a signed-in browser's own pages are the only ones that know it."""
        return self._mac("csrf:" + (self._session or ""))[:32]

    def csrf_ok(self, cookie: str | None, value: str | None, origin: str | None, host: str | None) -> bool:
        """A form post: signed in, the form's CSRF value, and (when the browser says) sent from our own origin."""
        if not self.signed_in(cookie) or not value:
            return False
        if not same_origin(origin, host):
            return False
        return hmac.compare_digest(value, self.csrf_value())


def same_origin(origin: str | None, host: str | None) -> bool:
    """Whether a post's Origin header is this server's (a client that sends none, like curl, passes on the
    CSRF value alone; "null", an opaque origin, does not pass)."""
    if origin is None:
        return True
    return host is not None and origin.split("://", 1)[-1] == host
