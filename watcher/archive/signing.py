"""Signing keys a user holds, and the WACZ signature made with one (the Webrecorder WACZ signing spec's
anonymous form: `publicKey` + `signature` of the package hash in datapackage-digest.json).

The key is ECDSA on P-384 and the signature is over the `hash` string itself, SHA-256, written as raw r||s,
with the public key as base64 DER (SubjectPublicKeyInfo): the form ArchiveWeb.page writes and ReplayWeb.page
checks, so a package signed here verifies there too. Signatures in DER form (as other tools write them) are
read as well. Keys are handled by `cryptography` (pyca), the library every Python signing tool builds on.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from watcher.errors import BadInput

SIGNATURE_VERSION = "0.1.0"  # the version of the WACZ signing spec followed
PASSPHRASE_ENV = "WATCHER_KEY_PASSPHRASE"  # the key's passphrase where no one can type it (scripts, cron)


def generate_key(path: Path, passphrase: str | None = None) -> str:
    """A new private key written to `path` (readable by its owner only, encrypted with `passphrase` when given;
    an existing file is never replaced) and its public half beside it as `path`.pub; returns the public key's
    fingerprint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP384R1())
    protection: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if passphrase:
        protection = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, protection)
    public_path = path.with_name(path.name + ".pub")
    for target in (path, public_path):
        if target.exists():
            raise BadInput(f"{target}: already exists; a signing key is never overwritten (choose another name)")
    try:
        # O_EXCL with mode 0600: the key is never, even for a moment, readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(private)
        public_path.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    except OSError as exc:
        raise BadInput(f"{path}: cannot write the key ({exc.strerror or exc})") from None
    return fingerprint(public_key_der(key.public_key()))


def is_encrypted(path: Path) -> bool:
    """Whether a PEM private key file is protected by a passphrase."""
    try:
        return b"ENCRYPTED" in path.read_bytes()[:200]
    except OSError:
        return False


def load_private_key(path: Path, *, rsa_too: bool = False, passphrase: str | None = None) -> Any:
    """The ECDSA private key in a PEM file (as `watcher keygen` writes it, or openssl's `ecparam -genkey`),
    decrypted with `passphrase` when it has one; with `rsa_too`, an RSA key as well (a TLS certificate's key
    may be either)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the key ({exc.strerror or exc})") from None
    try:
        key = load_pem_private_key(data, password=passphrase.encode("utf-8") if passphrase else None)
    except TypeError:
        if passphrase:
            raise BadInput(f"{path}: the key has no passphrase, but one was given") from None
        raise BadInput(
            f"{path}: the key is protected by a passphrase (set {PASSPHRASE_ENV}, or run in a terminal)"
        ) from None
    except ValueError:
        if passphrase and b"ENCRYPTED" in data[:200]:
            raise BadInput(f"{path}: wrong passphrase for the key") from None
        raise BadInput(f"{path}: not a PEM private key") from None
    if rsa_too and isinstance(key, rsa.RSAPrivateKey):
        return key
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise BadInput(f"{path}: not an ECDSA key (the WACZ signing spec's anonymous signature needs one)")
    return key


def load_public_key(path: Path) -> bytes:
    """The DER form of the public key in a PEM file (a `.pub` from `watcher keygen`); a private key is refused, so
    it is not passed around by habit."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the key ({exc.strerror or exc})") from None
    if b"PRIVATE KEY" in data:
        raise BadInput(f"{path}: a private key; give the public one ({path.name}.pub), and keep this one secret")
    try:
        return public_key_der(load_pem_public_key(data))
    except ValueError:
        raise BadInput(f"{path}: not a PEM public key") from None


def public_key_der(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def fingerprint(der: bytes) -> str:
    """A public key's name people can compare: SHA-256 of its DER form, in hex groups."""
    digest = hashlib.sha256(der).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def sign(key: Any, package_hash: str, created: str, software: str) -> dict[str, Any]:
    """The `signedData` of datapackage-digest.json: `package_hash` (the "sha256:..." of datapackage.json)
    signed with `key`; `created` must be the package's own `created`, which verifiers compare."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    der_signature = key.sign(package_hash.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der_signature)
    size = (key.curve.key_size + 7) // 8
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")  # Web Crypto's form, which ReplayWeb.page reads
    return {
        "hash": package_hash,
        "created": created,
        "software": software,
        "version": SIGNATURE_VERSION,
        "signature": base64.b64encode(raw).decode("ascii"),
        "publicKey": base64.b64encode(public_key_der(key.public_key())).decode("ascii"),
    }


def check_signature(signed: dict[str, Any]) -> str | None:
    """Why an anonymous `signedData` does not hold (None: its signature of its hash is good)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        public = load_der_public_key(base64.b64decode(str(signed.get("publicKey", "")), validate=True))
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
    except ValueError:
        return "its publicKey or signature is not valid base64 DER"
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return "its publicKey is not an ECDSA key"
    size = (public.curve.key_size + 7) // 8
    if len(signature) == 2 * size:
        signature = encode_dss_signature(
            int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        )
    try:
        public.verify(signature, str(signed.get("hash", "")).encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the signature does not match the hash under its publicKey"
    return None


def signer_der(signed: dict[str, Any]) -> bytes | None:
    """The DER public key an anonymous signature names (None when unreadable)."""
    try:
        return base64.b64decode(str(signed.get("publicKey", "")), validate=True)
    except ValueError:
        return None


def created_now(moment: datetime) -> str:
    """The package's `created`: UTC to the second, as the WACZ tools write it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
