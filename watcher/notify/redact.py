"""Notification target URLs as logs and `notify-test` may show them: every credential-bearing part hidden.

Apprise URLs carry secrets in every part: the user and password (mailto://user:pass@host), the host itself
(pbul://ACCESS_TOKEN, prowl://APIKEY, join://APIKEY/device, pover://USER@TOKEN, ifttt://WEBHOOK@event,
ntfy://private-topic), path segments (discord://id/TOKEN, slack://T/B/TOKEN, webhook paths) and the query
(?token=, ?pass=). So only what is known to name a server is shown: the host and port of schemes whose host
is a server (http(s) webhooks, mail, self-hosted services) and nothing at all of the rest. Apprise's own
privacy mode is not used because it keeps the first and last character of each secret and whole ntfy topics.

What is hidden is replaced by "…", followed by a short hash of the whole URL, so two targets never read
the same in a log and one target reads the same in every run. The hash is six hex digits of SHA-256: it can
confirm a guessed URL, which matters only for secrets short enough to guess, and those are no secret anyway
(anyone can subscribe to a guessed ntfy topic directly).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote, urlsplit

from watcher.untrusted import visible

INVALID = "<invalid notification URL>"
# Schemes whose host part names a server (never a token); for every other scheme the host is hidden too.
SERVER_HOST_SCHEMES = frozenset(
    {
        "http",
        "https",
        "mailto",
        "mailtos",
        "json",
        "jsons",
        "xml",
        "xmls",
        "form",
        "forms",
        "gotify",
        "gotifys",
        "mmost",
        "mmosts",
        "rocket",
        "rockets",
        "ncloud",
        "nclouds",
        "nctalk",
        "nctalks",
        "apprise",
        "apprises",
        "mqtt",
        "mqtts",
    }
)
# ntfy's host is a server only when a topic path follows it; ntfy://topic is the topic on ntfy.sh.
HOST_WITH_PATH_SCHEMES = frozenset({"ntfy", "ntfys"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
# Shorter pieces ("ok", "hook") would scrub ordinary words out of error messages; real tokens are longer.
_MIN_PASSWORD = 4
_MIN_TOKEN = 6


def fingerprint(url: str) -> str:
    """Six hex digits naming a target URL, the same in every run."""
    return hashlib.sha256(url.strip().encode("utf-8", "surrogatepass")).hexdigest()[:6]


def redact(url: str) -> str:
    """The target URL with every part that can carry a credential replaced by "…", plus its fingerprint."""
    text = url.strip()
    match = _SCHEME.match(text)
    if match is None:
        return INVALID
    scheme = match.group(1).lower()
    try:
        parts = urlsplit(text)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:
        return INVALID
    has_path = bool(parts.path.strip("/"))
    show_host = scheme in SERVER_HOST_SCHEMES or (scheme in HOST_WITH_PATH_SCHEMES and has_path)
    hidden = bool(parts.username or parts.password or has_path or parts.query or parts.fragment)
    if show_host and hostname:
        host = f"[{hostname}]" if ":" in hostname else hostname
        shown = f"{scheme}://" + ("…@" if parts.username or parts.password else "") + host
        shown += f":{port}" if port is not None else ""
        shown += "/…" if has_path or parts.query or parts.fragment else ""
    else:
        hidden = hidden or bool(hostname)
        shown = f"{scheme}://…"
    return visible(f"{shown} [{fingerprint(text)}]" if hidden else shown)


def secrets_of(url: str) -> list[str]:
    """The pieces of a target URL that may be credentials, longest first (for scrub)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        hostname = parts.hostname or ""
    except ValueError:
        return [text]
    scheme = parts.scheme.lower()
    tokens = [parts.fragment, *parts.path.split("/")]
    if not (scheme in SERVER_HOST_SCHEMES or (scheme in HOST_WITH_PATH_SCHEMES and parts.path.strip("/"))):
        # As written: urlsplit lower-cases hostname, and a token's case is part of it.
        raw_host = parts.netloc.rpartition("@")[2]
        tokens += [hostname, raw_host, raw_host.rsplit(":", 1)[0]]
    for pair in parts.query.split("&"):
        tokens += pair.split("=", 1)[1:]
    found = {text}
    for pieces, shortest in (([parts.username or "", parts.password or ""], _MIN_PASSWORD), (tokens, _MIN_TOKEN)):
        found |= {p for piece in pieces for p in (piece, unquote(piece)) if len(p) >= shortest}
    return sorted(found, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    """A message about a target (an error from Apprise or a server) with the target's secrets cut out."""
    for secret in secrets_of(url):
        message = re.sub(re.escape(secret), "…", message, flags=re.IGNORECASE)
    return visible(message)
