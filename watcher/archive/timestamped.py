"""The WACZ signing spec's certified form, through wacz-signing: the package hash signed with the key of a
domain's TLS certificate, and that signature timestamped by an RFC 3161 timestamp authority (TSA).

wacz-signing (Harvard LIL's library, written for this spec) takes its settings from environment variables,
trusts Let's Encrypt and FreeTSA roots unless told more, loads a `.env` file and configures the root logger
when it is imported; watcher gives it its settings for one call at a time and undoes the import's side
effects, so neither a stray `.env` nor its logging reaches the rest of watcher.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from watcher.errors import BadInput


def _signer() -> Any:
    import dotenv

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    original = dotenv.load_dotenv
    dotenv.load_dotenv = lambda *args, **kwargs: False  # type: ignore[assignment]
    try:
        from wacz_signing import signer
    finally:
        dotenv.load_dotenv = original
        root.handlers[:] = handlers
        root.setLevel(level)
    return signer


@contextmanager
def _settings(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def root_fingerprint(path: Path) -> str:
    """The SHA-256 fingerprint of the last (root) certificate in a PEM file, as wacz-signing compares roots."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError:
        raise BadInput(f"{path}: not a PEM certificate") from None
    return certs[-1].fingerprint(hashes.SHA256()).hex()


def sign_with_certificate(
    package_hash: str,
    created: datetime,
    *,
    domain: str,
    cert_chain: Path,
    key: Path,
    tsa_url: str,
    tsa_chain: Path | None,
) -> dict[str, Any]:
    """The `signedData` for `package_hash`: signed with the certificate's key and timestamped by the TSA."""
    signer = _signer()
    values = {"DOMAIN": domain, "CERTFILE": str(cert_chain), "KEYFILE": str(key), "TS_URL": tsa_url}
    if tsa_chain is not None:
        values["TS_CERTFILE"] = str(tsa_chain)
    with _settings(values):
        try:
            signed: dict[str, Any] = signer.sign(package_hash, created)
        except signer.SigningException as exc:
            raise BadInput(f"signing failed: {exc}") from None
        except Exception as exc:  # the TSA's answer or the key material, in the library's words
            raise BadInput(f"signing failed: {type(exc).__name__}: {str(exc)[:200]}") from None
    for name in ("domainCert", "timestampCert", "timeSignature"):
        if isinstance(signed.get(name), bytes):
            signed[name] = signed[name].decode("ascii")
    return signed


_UNTRUSTED = {
    "Cert fingerprint is not in chain": "its domain certificate does not lead to a trusted root (Let's Encrypt's, or "
    "one given with --trust-root)",
    "timestamper cert is not in chain": "its timestamp authority's certificate does not lead to a trusted root "
    "(FreeTSA's, or one given with --trust-root)",
}


def _hash_signed_by_certificate(signed: dict[str, Any]) -> str | None:
    """Why `signature` is not the domain certificate's signature of `hash` (None: it is). wacz-signing checks the
    certificate and the timestamp of the signature, not the signature itself; without this, a signature copied
    from another package would pass."""
    import base64

    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    try:
        cert = x509.load_pem_x509_certificates(str(signed.get("domainCert", "")).encode("ascii"))[0]
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
    except (ValueError, UnicodeEncodeError):
        return "its domainCert or signature cannot be read"
    data = str(signed.get("hash", "")).encode("utf-8")
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return "its domain certificate's key is neither ECDSA nor RSA"
    except InvalidSignature:
        return "the signature is not the domain certificate's signature of the package hash"
    return None


def verify_domain_signature(
    signed: dict[str, Any], trusted_roots: list[str] | None = None
) -> tuple[str | None, str | None, str | None]:
    """(why it fails or None, who signed it, the TSA's time) for a certified `signedData`; `trusted_roots` are
    SHA-256 fingerprints of roots trusted beyond wacz-signing's own (Let's Encrypt, FreeTSA)."""
    problem = _hash_signed_by_certificate(signed)
    if problem is not None:
        return problem, None, None
    signer = _signer()
    roots = ",".join(trusted_roots or [])
    values = {"CERT_ROOTS": roots, "TS_ROOTS": roots} if roots else {}
    with _settings(values):
        try:
            result = signer.verify(signed)
        except signer.VerificationException as exc:
            said = str(exc)
            return _UNTRUSTED.get(said, said or "the certificate or timestamp does not hold"), None, None
        except AssertionError:
            return "the certificate is not for the domain the signature names", None, None
        except Exception as exc:  # damaged certificates or timestamps, in the library's words
            return f"{type(exc).__name__}: {str(exc)[:200]}", None, None
    observer = result.get("observer") or []
    return None, ", ".join(observer) if isinstance(observer, list) else str(observer), str(result.get("timestamp"))


def certificate_domain(path: Path) -> str:
    """The domain a TLS certificate is for: its first DNS name, or its common name."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_pem_x509_certificates(path.read_bytes())[0]
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError:
        raise BadInput(f"{path}: not a PEM certificate chain") from None
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = names.get_values_for_type(x509.DNSName)
        if dns:
            return str(dns[0])
    except x509.ExtensionNotFound:
        pass
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not common:
        raise BadInput(f"{path}: the certificate names no domain; give --domain")
    return str(common[0].value)
