"""The WACZ signing spec's anonymous signature as watcher writes and reads it: the form Web Crypto makes and checks
(ECDSA P-384, SHA-256 over the hash string, raw r||s, SPKI public key), DER signatures from other tools, and keys
with a passphrase."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from watcher.archive.signing import (
    check_signature,
    fingerprint,
    generate_key,
    load_private_key,
    load_public_key,
    sign,
)
from watcher.errors import BadInput

HASH = "sha256:" + "ab" * 32


def test_a_signature_is_checked_as_web_crypto_checks_it(tmp_path):
    name = generate_key(tmp_path / "k.pem")
    key = load_private_key(tmp_path / "k.pem")
    signed = sign(key, HASH, "2026-12-07T10:00:00Z", "watcher/test")
    assert signed["hash"] == HASH and signed["created"] == "2026-12-07T10:00:00Z"
    public = load_der_public_key(base64.b64decode(signed["publicKey"]))
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp384r1"
    raw = base64.b64decode(signed["signature"])
    assert len(raw) == 96  # r||s, 48 bytes each: what crypto.subtle.verify takes
    # Checked independently of watcher's own reader: SHA-256 ECDSA over the hash string's bytes.
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big")),
        HASH.encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert check_signature(signed) is None
    assert fingerprint(load_public_key(tmp_path / "k.pem.pub")) == name


def test_tampered_signatures_and_other_tools_der_form():
    key = ec.generate_private_key(ec.SECP256R1())
    signed = sign(key, HASH, "2026-12-07T10:00:00Z", "watcher/test")
    assert check_signature(dict(signed, hash=HASH[:-1] + "c")) == (
        "the signature does not match the hash under its publicKey"
    )
    other = sign(ec.generate_private_key(ec.SECP256R1()), HASH, "2026-12-07T10:00:00Z", "x")
    assert check_signature(dict(signed, publicKey=other["publicKey"])) is not None
    assert (
        check_signature(dict(signed, signature="not base64!")) == "its publicKey or signature is not valid base64 DER"
    )
    der = key.sign(HASH.encode(), ec.ECDSA(hashes.SHA256()))  # as a tool using DER signatures writes it
    assert check_signature(dict(signed, signature=base64.b64encode(der).decode())) is None


def test_keys_with_a_passphrase(tmp_path):
    generate_key(tmp_path / "k.pem", "correct horse")
    assert b"ENCRYPTED" in (tmp_path / "k.pem").read_bytes()
    assert isinstance(load_private_key(tmp_path / "k.pem", passphrase="correct horse"), ec.EllipticCurvePrivateKey)
    with pytest.raises(BadInput, match="wrong passphrase"):
        load_private_key(tmp_path / "k.pem", passphrase="battery staple")
    with pytest.raises(BadInput, match="protected by a passphrase"):
        load_private_key(tmp_path / "k.pem")
    with pytest.raises(BadInput, match="give the public one"):
        load_public_key(tmp_path / "k.pem")


def test_wacz_signing_import_leaves_logging_alone():
    """wacz-signing configures the root logger when imported; watcher undoes it, so library INFO logs (httpx's
    requests, for one) do not start appearing on stderr."""
    import subprocess
    import sys

    code = (
        "import logging\n"
        "from watcher.archive.timestamped import _signer\n"
        "print(_signer().__name__)\n"
        "print(logging.getLogger().handlers, logging.getLogger().level)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wacz_signing.signer", "[] 30"]
