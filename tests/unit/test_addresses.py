"""Which addresses watcher may fetch: every spelling of a non-public address is recognised and refused."""

from __future__ import annotations

import socket

import pytest

from watcher import errors
from watcher.fetch import addresses
from watcher.fetch.addresses import check_literal, literal_address, non_public, private_allowed, public_addresses


@pytest.mark.parametrize(
    "host, why",
    [
        ("127.0.0.1", "loopback"),
        ("127.9.8.7", "loopback"),
        ("2130706433", "loopback"),  # decimal
        ("0177.0.0.1", "loopback"),  # octal
        ("0x7f.0.0.1", "loopback"),  # hex
        ("0x7f000001", "loopback"),
        ("127.1", "loopback"),  # shortened
        ("[::1]", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("64:ff9b::7f00:1", "loopback"),  # NAT64
        ("10.0.0.5", "private"),
        ("012.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("0xc0a80101", "private"),
        ("169.254.169.254", "link-local (cloud metadata)"),
        ("2852039166", "link-local (cloud metadata)"),  # 169.254.169.254 in decimal
        ("169.254.1.1", "link-local"),
        ("[fe80::1]", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "unique-local"),
        ("[fd12:3456::1]", "unique-local"),
        ("0.0.0.0", "unspecified"),
        ("0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT
        ("::7f00:1", "IPv4-compatible"),  # ::127.0.0.1 (issue 31: these passed as public)
        ("[::127.0.0.1]", "IPv4-compatible"),
        ("::8.8.8.8", "IPv4-compatible"),  # deprecated whatever it embeds
        ("::ffff:0:7f00:1", "IPv4-translated"),  # ::ffff:0:127.0.0.1
        ("[::ffff:0:a00:5]", "IPv4-translated"),
        ("fec0::1", "site-local"),
        ("[feff::1]", "site-local"),
        ("64:ff9b:1::7f00:1", "private"),  # local-use NAT64
        ("5f00::1", "reserved"),
        ("3fff::1", "reserved"),
    ],
)
def test_every_spelling_of_a_non_public_address_is_recognised(host, why):
    address = literal_address(host)
    assert address is not None
    assert non_public(address) == why
    with pytest.raises(errors.PrivateAddress, match=r"only public addresses unless allowed \(\[fetch\] allow_private"):
        check_literal(f"http://{host}/", host, allow=False)


@pytest.mark.parametrize(
    "host", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "[2606:4700::1111]", "64:ff9b::808:808"]
)
def test_public_addresses_pass(host):
    address = literal_address(host)
    assert address is not None and non_public(address) is None
    check_literal(f"http://{host}/", host, allow=False)


@pytest.mark.parametrize("host", ["example.com", "localhost", "metadata.google.internal", "news.test", "1.2.3.x", ""])
def test_names_are_not_literal_addresses(host):
    assert literal_address(host) is None


def test_names_that_resolve_to_private_addresses_are_refused_by_the_address():
    infos = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
    with pytest.raises(errors.PrivateAddress) as caught:
        public_addresses("http://metadata.google.internal/", "metadata.google.internal", infos, allow=False)
    assert "metadata.google.internal resolves to 169.254.169.254" in str(caught.value)
    assert "link-local" in str(caught.value)
    with pytest.raises(errors.PrivateAddress, match="loopback"):
        addresses.resolve("http://localhost/", "localhost", 80, allow=False)


def test_only_the_public_addresses_of_a_mixed_answer_are_used():
    infos = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
    ]
    assert public_addresses("http://x.test/", "x.test", infos, allow=False) == ["93.184.216.34"]
    assert public_addresses("http://x.test/", "x.test", infos, allow=True) == ["10.0.0.1", "93.184.216.34"]


def test_opt_in_by_setting_or_environment(monkeypatch):
    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    assert private_allowed(False) is False
    assert private_allowed(True) is True
    monkeypatch.setenv("WATCHER_ALLOW_PRIVATE", "1")
    assert private_allowed(False) is True
    monkeypatch.setenv("WATCHER_ALLOW_PRIVATE", "0")
    assert private_allowed(False) is False
    check_literal("http://127.0.0.1/", "127.0.0.1", allow=True)  # allowed: no refusal


@pytest.mark.parametrize(
    "host, said",
    [
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("fc00::1", "fc00::1 is a unique-local address"),
        ("::7f00:1", "::7f00:1 is an IPv4-compatible address"),
        ("169.254.169.254", "169.254.169.254 is a link-local (cloud metadata) address"),
    ],
)
def test_the_refusal_reads_as_english(host, said):
    with pytest.raises(errors.PrivateAddress) as caught:
        check_literal(f"http://[{host}]/" if ":" in host else f"http://{host}/", host, allow=False)
    assert said in str(caught.value)
