"""URL normalization, so one story is watched once however its link was written."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from watcher.errors import BadInput, RefusedScheme, WatcherError

# Query parameters that only say where a reader came from; they never change the story.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "ncid",
        "cmpid",
        "ocid",
        "smid",
        "__twitter_impression",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_campaign", "pk_kwd", "pk_source", "pk_medium")
DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HOST_PORT = re.compile(r"^[^:/?#]+:\d+(?:[/?#]|$)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _shown(url: str, limit: int = 120) -> str:
    """The URL as it may appear in a one-line message: control characters escaped, long ones cut."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", url)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.split("=", 1)[0]).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _host(hostname: str, url: str) -> str:
    host = hostname.lower().rstrip(".")
    if not host:
        raise BadInput(f"URL has no host: {_shown(url)}")
    if any(ch in host for ch in "\\<>\"'`{}|^%"):
        raise BadInput(f"URL has an invalid host {host!r}: {_shown(url)}")
    if not host.isascii():
        # The punycode form is what the browser requests; using it avoids watching one site twice. Browsers map
        # names by IDNA 2008 as UTS 46 does, without the transitional mapping: faß.de is xn--fa-hia.de, not the
        # fass.de of IDNA 2003, another site. A name IDNA 2008 leaves out (a symbol) browsers still map by 2003.
        import idna  # only for names that need it: start-up stays fast

        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except UnicodeError:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise BadInput(f"URL has an invalid host {host!r}: {_shown(url)}") from None
    return host


def normalize_url(url: str) -> str:
    """The canonical form of an http(s) URL, or BadInput / RefusedScheme with a one-line reason."""
    if not isinstance(url, str):
        raise BadInput(f"not a URL: {url!r}")
    url = url.strip()
    if not url:
        raise BadInput("empty URL")
    if any(ch.isspace() for ch in url):
        raise BadInput(f"URL contains spaces: {_shown(url)}")
    if _CONTROL.search(url):
        raise BadInput(f"URL contains control characters: {_shown(url)}")
    match = _SCHEME.match(url)
    # "localhost:8000/x" parses as scheme "localhost"; it is a missing scheme, not a refused one.
    if match is None or _HOST_PORT.match(url):
        raise BadInput(f"not a URL (it must start with http:// or https://): {_shown(url)}")
    scheme = match.group(1).lower()
    if scheme not in DEFAULT_PORTS:
        raise RefusedScheme(f"refusing the {scheme}: scheme (only http and https pages are watched): {_shown(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise BadInput(f"malformed URL ({err}): {_shown(url)}") from None
    if not parts.netloc:
        raise BadInput(f"URL has no host: {_shown(url)}")
    if "@" in parts.netloc:
        # Never echo the credentials themselves into messages or logs.
        redacted = f"{scheme}://…@{parts.netloc.rsplit('@', 1)[1]}{parts.path}"
        raise BadInput(f"URL contains credentials (user:password@), which watcher will not store: {_shown(redacted)}")
    host = _host(parts.hostname or "", url)
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def host_of(url: str) -> str:
    """The host of a URL as watcher names it everywhere: lower case, no trailing dot, and the port when it is
    not the scheme's default ("example.com", "127.0.0.1:8001", "[::1]:8443"); empty when there is no host.

    Two servers on one machine are told apart by their port, so per-host politeness, reports and tables agree
    on what "one host" is. Site rules match on the name alone (hostname_of).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def hostname_of(url: str) -> str:
    """The host name of a URL alone, lower case, without port or trailing dot (for matching domains)."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def on_domain(host: str, domain: str) -> bool:
    """Whether a host name is `domain` or under it (news.example.com is on example.com; badexample.com is not)."""
    return host == domain or host.endswith("." + domain)


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on one site: the same registrable domain (news.example.co.uk and
    www.example.co.uk), or the same host name where there is none (an IP address, localhost)."""
    from tld import get_fld  # the public suffix list; imported only where sites are compared

    first, second = get_fld(url, fail_silently=True), get_fld(other, fail_silently=True)
    if first and second:
        return str(first).lower() == str(second).lower()
    return hostname_of(url) == hostname_of(other)


def redirected_away(url: str, final_url: str | None) -> bool:
    """A fetch of the watched `url` ended at another address (an HTTP redirect, a meta refresh or a script
    navigation: the browser's final address tells them all); an unreadable final address counts as away."""
    if not final_url:
        return False
    try:
        return normalize_url(final_url) != url
    except WatcherError:
        return True
