"""A stand-in certificate authority and RFC 3161 timestamp authority on 127.0.0.1, for the WACZ signing spec's
certified form: the CA issues a domain certificate and a timestamping certificate, and the TSA answers
`application/timestamp-query` POSTs with a TimeStampResp signed by its key (RSA, SHA-256), as a public TSA does."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import rfc3161ng
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ, useful
from pyasn1_modules import rfc2315

SHA256 = univ.ObjectIdentifier((2, 16, 840, 1, 101, 3, 4, 2, 1))
RSA_ENCRYPTION = univ.ObjectIdentifier((1, 2, 840, 113549, 1, 1, 1))
ID_CT_TSTINFO = univ.ObjectIdentifier((1, 2, 840, 113549, 1, 9, 16, 1, 4))
ID_SIGNED_DATA = univ.ObjectIdentifier((1, 2, 840, 113549, 1, 7, 2))
CONTENT_TYPE = univ.ObjectIdentifier((1, 2, 840, 113549, 1, 9, 3))
MESSAGE_DIGEST = univ.ObjectIdentifier((1, 2, 840, 113549, 1, 9, 4))


def _name(common: str, org: str = "watcher tests") -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    )


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


class Authority:
    """A root CA, a domain certificate it issued (with its ECDSA key), and a TSA certificate it issued."""

    def __init__(self, folder: Path, domain: str = "evidence.test"):
        now = datetime.now(UTC)
        self.folder = folder
        self.domain = domain
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = (
            x509.CertificateBuilder()
            .subject_name(_name("watcher test root"))
            .issuer_name(_name("watcher test root"))
            .public_key(self.root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.root_key, hashes.SHA256())
        )
        self.domain_key = ec.generate_private_key(ec.SECP256R1())
        self.domain_cert = self._issue(
            self.domain_key.public_key(),
            _name(domain),
            [x509.SubjectAlternativeName([x509.DNSName(domain)])],
            now,
        )
        self.tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tsa_cert = self._issue(
            self.tsa_key.public_key(),
            _name("watcher test TSA"),
            [x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])],
            now,
        )
        folder.mkdir(parents=True, exist_ok=True)
        self.root_path = folder / "root.pem"
        self.root_path.write_bytes(_pem(self.root))
        self.chain_path = folder / "domain-chain.pem"
        self.chain_path.write_bytes(_pem(self.domain_cert, self.root))
        self.key_path = folder / "domain-key.pem"
        self.key_path.write_bytes(
            self.domain_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        self.tsa_chain_path = folder / "tsa-chain.pem"
        self.tsa_chain_path.write_bytes(_pem(self.tsa_cert, self.root))
        self.requests = 0

    def _issue(self, public_key, subject: x509.Name, extensions: list, now: datetime) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.root.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=7))
        )
        for ext in extensions:
            builder = builder.add_extension(ext, critical=False)
        return builder.sign(self.root_key, hashes.SHA256())

    def stamp(self, query: bytes) -> bytes:
        """The TimeStampResp for a DER TimeStampReq: the imprint and nonce echoed, the time now, signed."""
        self.requests += 1
        request = rfc3161ng.decode_timestamp_request(query)
        info = rfc3161ng.TSTInfo()
        info["version"] = 1
        info["policy"] = univ.ObjectIdentifier((1, 3, 6, 1, 4, 1, 99999, 1))
        info["messageImprint"] = request["messageImprint"]
        info["serialNumber"] = self.requests
        info["genTime"] = useful.GeneralizedTime(datetime.now(UTC).strftime("%Y%m%d%H%M%SZ"))
        if request["nonce"].isValue:
            info["nonce"] = request["nonce"]
        info_der = encoder.encode(info)

        content = rfc2315.ContentInfo()
        content["contentType"] = ID_CT_TSTINFO
        content["content"] = encoder.encode(univ.OctetString(info_der))

        digest_algorithm = rfc2315.DigestAlgorithmIdentifier()
        digest_algorithm["algorithm"] = SHA256
        signer = rfc2315.SignerInfo()
        signer["version"] = 1
        issuer, _ = decoder.decode(self.root.subject.public_bytes(), asn1Spec=rfc2315.Name())
        signer["issuerAndSerialNumber"]["issuer"] = issuer
        signer["issuerAndSerialNumber"]["serialNumber"] = self.tsa_cert.serial_number
        signer["digestAlgorithm"] = digest_algorithm
        # Signed attributes, as every public TSA sends them: the content's type and digest, signed in their stead.
        attributes = signer["authenticatedAttributes"]
        for kind, value in (
            (CONTENT_TYPE, ID_CT_TSTINFO),
            (MESSAGE_DIGEST, univ.OctetString(hashlib.sha256(info_der).digest())),
        ):
            attribute = rfc2315.Attribute()
            attribute["type"] = kind
            attribute["values"].append(univ.Any(encoder.encode(value)))
            attributes.append(attribute)
        signed_attributes = univ.SetOf()
        for i, attribute in enumerate(attributes):
            signed_attributes.setComponentByPosition(i, attribute)
        signer["digestEncryptionAlgorithm"]["algorithm"] = RSA_ENCRYPTION
        signer["encryptedDigest"] = self.tsa_key.sign(
            encoder.encode(signed_attributes), padding.PKCS1v15(), hashes.SHA256()
        )

        token = rfc3161ng.TimeStampToken()
        token["contentType"] = ID_SIGNED_DATA
        signed = token["content"]  # the [0]-tagged SignedData the token's schema holds
        signed["version"] = 1
        signed["digestAlgorithms"].append(digest_algorithm)
        signed["contentInfo"] = content
        signed["signerInfos"].append(signer)
        response = rfc3161ng.TimeStampResp()
        response["status"]["status"] = 0
        response["timeStampToken"] = token
        return encoder.encode(response)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.root.public_bytes(serialization.Encoding.DER)).hexdigest()


class TSAServer:
    """The authority's TSA answering on 127.0.0.1 (a thread; close() stops it)."""

    def __init__(self, authority: Authority):
        self.authority = authority

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                body = authority.stamp(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsr"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
