"""Which addresses watcher may connect to: public ones only, unless the user opted in.

A feed's links, a redirect or a page's own navigation can point at the machine watcher runs on,
its network, or a cloud metadata service; fetching those would store and publish what only that
network should see (server-side request forgery). Every fetcher checks the address it actually
connects to (after DNS, so a name that later re-resolves elsewhere gains nothing), not the name.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable

from watcher import errors

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ENV_ALLOW = "WATCHER_ALLOW_PRIVATE"
HOW_TO_ALLOW = "[fetch] allow_private = true, WATCHER_ALLOW_PRIVATE=1 or `watcher add --allow-private URL`"
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; what it reaches is that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges Python's ipaddress counts as global that are not the public internet: IPv4-compatible (::/96,
# deprecated; what it embeds may be 127.0.0.1), SIIT's IPv4-translated (::ffff:0:0:0/96), site-local
# (fec0::/10, deprecated), local-use NAT64 (64:ff9b:1::/48, RFC 8215), SRv6 SIDs (5f00::/16) and the newer
# documentation range (3fff::/20).
_IPV6_NOT_PUBLIC = [
    (ipaddress.ip_network("::/96"), "IPv4-compatible"),
    (ipaddress.ip_network("::ffff:0:0:0/96"), "IPv4-translated"),
    (ipaddress.ip_network("fec0::/10"), "site-local"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "private"),
    (ipaddress.ip_network("5f00::/16"), "reserved"),
    (ipaddress.ip_network("3fff::/20"), "reserved"),
]
# Addresses to treat as public although they are not: settable from Python only (never from config or
# the environment), so the tests can stand a "public" server on 127.0.0.2 and watch refusals from it.
PRETEND_PUBLIC: set[str] = set()


def private_allowed(setting: bool = False) -> bool:
    """Whether non-public addresses may be fetched: the setting, or WATCHER_ALLOW_PRIVATE=1 in the environment."""
    return setting or os.environ.get(ENV_ALLOW, "").strip().lower() in ("1", "true", "yes", "on")


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, in any spelling browsers and resolvers accept, else None.

    IPv4 may be written in decimal (2130706433), octal (0177.0.0.1), hex (0x7f.1) or shortened
    (127.1); all of them reach the same address, so all are recognised.
    """
    text = host.strip().rstrip(".").strip("[]")
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        pass
    if not text or " " in text or not all(part for part in text.split(".")):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))  # the classic parser knows every spelling
    except OSError:
        return None


def non_public(address: IPAddress) -> str | None:
    """Why an address is not on the public internet ("loopback", "private", ...), or None if it is."""
    if str(address) in PRETEND_PUBLIC:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return non_public(embedded)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata)" if str(address) == "169.254.169.254" else "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address):
        if address in ipaddress.ip_network("fc00::/7"):
            return "unique-local"
        for network, why in _IPV6_NOT_PUBLIC:
            if address in network:
                return why
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def refusal(url: str, host: str, address: IPAddress | str, why: str) -> errors.PrivateAddress:
    """The one wording of the rule, naming the address and how to allow it."""
    via = "" if str(address) == host.strip("[]") else f" resolves to {address}, which"
    error = errors.PrivateAddress(
        f"refused {url}: {host}{via} is {with_article(why)} address; watcher fetches only public addresses "
        f"unless allowed ({HOW_TO_ALLOW})"
    )
    error.facts = (host, str(address), why)  # type: ignore[attr-defined]
    return error


def with_article(words: str) -> str:
    """`words` after "a" or "an" as they are said: an unspecified, an IPv4-compatible, a unique-local."""
    first = words.lower()
    spoken_vowel = first[:1] in "aeio" or (first.startswith("u") and not first.startswith(("uni", "usa", "use")))
    return f"{'an' if spoken_vowel or first.startswith('ipv') else 'a'} {words}"


def restate(error: errors.PrivateAddress, url: str) -> errors.PrivateAddress:
    """The same refusal naming the whole URL (the socket layer that refused knew only the host)."""
    facts = getattr(error, "facts", None)
    return refusal(url, *facts) if facts else error


def check_literal(url: str, host: str, allow: bool) -> None:
    """Refuse at once a host that is itself a non-public address (no DNS needed to know)."""
    if allow:
        return
    address = literal_address(host)
    why = non_public(address) if address is not None else None
    if address is not None and why:
        raise refusal(url, host, address, why)


def refused_here(url: str, allow: bool) -> errors.PrivateAddress | None:
    """The refusal a check of `url` would meet, known without the network: its host is a non-public address
    in any spelling, or a name of this machine (localhost, *.localhost). None otherwise (a name that resolves
    privately is found out when the page is loaded)."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    name = host.rstrip(".").lower()
    try:
        if literal_address(host) is not None:
            check_literal(url, host, allow)
        elif (name == "localhost" or name.endswith(".localhost")) and not allow:
            # Loopback by definition (RFC 6761), as browsers resolve them, whatever this machine's resolver says.
            return refusal(url, host, ipaddress.IPv4Address("127.0.0.1"), "loopback")
    except errors.PrivateAddress as refused:
        return refused
    return None


def public_addresses(url: str, host: str, infos: Iterable[tuple], allow: bool) -> list[str]:
    """The resolved addresses (getaddrinfo results) that may be connected to; PrivateAddress if none may."""
    allowed: list[str] = []
    refused: tuple[str, str] | None = None
    for info in infos:
        text = str(info[4][0])
        address = literal_address(text)
        why = non_public(address) if address is not None else "unparsable"
        if allow or not why:
            allowed.append(text)
        elif refused is None:
            refused = (text, why or "")
    if not allowed and refused is not None:
        raise refusal(url, host, refused[0], refused[1])
    if not allowed:
        raise errors.ConnectError(f"cannot resolve {host} for {url}")
    return allowed


def resolve(url: str, host: str, port: int, allow: bool) -> list[str]:
    """The addresses of `host` watcher may connect to (blocking DNS); PrivateAddress or ConnectError otherwise."""
    check_literal(url, host, allow)
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise errors.ConnectError(f"cannot resolve {host} for {url}: {exc}") from None
    return public_addresses(url, host, infos, allow)
