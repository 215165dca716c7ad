"""WACZ 1.1.1 packages of stored versions (the WARC, its CDXJ index, the pages with watcher's extracted text,
datapackage.json with a SHA-256 per file, a signed datapackage-digest.json), and checking one file by file.

The index is written by the `wacz` package's own indexer (the Webrecorder reference tools' code, so replay
tools read it as they read theirs); the package around it is laid out here, because `wacz create` reads
pages and text from the WARC with its own extractor, while the text that matters is the one watcher read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watcher.archive.signing import check_signature, created_now, fingerprint, signer_der
from watcher.archive.warc import Capture, warc_date, write_captures
from watcher.errors import BadInput

WACZ_VERSION = "1.1.1"
WARC_NAME = "archive/data.warc.gz"
PAGES_NAME = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
_CHUNK = 1 << 16
_MAX_MANIFEST = 64 << 20  # datapackage.json of a million files is smaller; read whole, so bounded


def article_text(article: dict[str, Any]) -> str:
    """A version's extracted story as plain text: headline, dek, byline, paragraphs, captions."""
    parts = [article.get("headline") or "", article.get("dek") or "", article.get("byline") or ""]
    parts += list(article.get("body") or [])
    parts += list(article.get("captions") or [])
    return "\n\n".join(p for p in parts if p)


def _page(cap: Capture) -> dict[str, Any]:
    meta = cap.metadata or {}
    article = meta.get("article") or {}
    ts = warc_date(cap.captured_at)
    page: dict[str, Any] = {
        "id": hashlib.sha256(f"{ts}/{cap.url}".encode()).hexdigest()[:24],
        "url": cap.url,
        "ts": ts,
        "title": article.get("headline") or cap.url,
    }
    text = article_text(article)
    if text:
        page["text"] = text
    if "version" in meta:
        page["version"] = meta["version"]
    return page


def _hash_stream(stream: Any, algorithm: str = "sha256") -> tuple[int, str]:
    digest = hashlib.new(algorithm)
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, f"{algorithm}:{digest.hexdigest()}"


# The hashes datapackage.json may use (`wacz create --hash-type` offers md5), and how much each is worth.
_HASHES = {"sha256": "SHA-256", "sha512": "SHA-512", "md5": "MD5, a weak hash: a forger can make another file with it"}


def write_wacz(
    path: Path,
    captures: Iterable[Capture],
    *,
    software: str,
    title: str = "",
    sign: Callable[[str, datetime], dict[str, Any]] | None = None,
) -> int:
    """Write `captures` as a WACZ at `path` (whole or not at all). `sign(hash, created)` makes the `signedData`
    of datapackage-digest.json when given. Returns how many captures the package holds."""
    pages: list[dict[str, Any]] = []

    def noted(caps: Iterable[Capture]) -> Iterator[Capture]:
        for cap in caps:
            pages.append(_page(cap))
            yield cap

    folder = path.parent if str(path.parent) else Path(".")
    try:
        with tempfile.TemporaryDirectory(prefix=".watcher-wacz-", dir=folder) as work:
            warc = Path(work) / os.path.basename(WARC_NAME)
            with open(warc, "wb") as out:
                count = write_captures(out, noted(captures), software=software)
            if count == 0:
                raise BadInput("nothing to package: no stored version kept its raw page")
            part = Path(work) / "package.wacz"
            _package(part, warc, pages, title=title or "watcher versions", software=software, sign=sign)
            os.replace(part, path)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write ({exc.strerror or exc})") from None
    return count


def _package(
    part: Path,
    warc: Path,
    pages: list[dict[str, Any]],
    *,
    title: str,
    software: str,
    sign: Callable[[str, datetime], dict[str, Any]] | None,
) -> None:
    from wacz.waczindexer import WACZIndexer

    moment = datetime.now(UTC).replace(microsecond=0)
    stamp = moment.timetuple()[:6]
    with zipfile.ZipFile(part, "w") as wacz:
        index_text = io.StringIO()
        cdx = zipfile.ZipInfo("indexes/index.cdx.gz", stamp)  # gzip blocks already: stored as they are
        with wacz.open(cdx, "w") as data, contextlib.redirect_stdout(io.StringIO()):
            WACZIndexer(
                index_text,
                [str(warc)],
                sort=True,
                post_append=True,
                compress=data,
                lines=1024,
                digest_records=True,
                data_out_name="index.cdx.gz",
                records="response,revisit,resource,warcinfo",  # metadata records share the page's URL
                hash_type="sha256",
                detect_pages=False,
            ).process_all()
        _add(wacz, "indexes/index.idx", index_text.getvalue().encode("utf-8"), stamp)
        header = {"format": "json-pages-1.0", "id": "pages", "title": title, "hasText": True}
        blob = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [header, *pages]).encode("utf-8")
        _add(wacz, PAGES_NAME, blob, stamp)
        archive = zipfile.ZipInfo(WARC_NAME, stamp)  # stored, so replay tools can seek into the records
        with open(warc, "rb") as src, wacz.open(archive, "w") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
        resources = []
        for entry in wacz.infolist():
            with wacz.open(entry) as stream:
                size, digest = _hash_stream(stream)
            name = os.path.basename(entry.filename).lower()
            resources.append({"name": name, "path": entry.filename, "hash": digest, "bytes": size})
        created = created_now(moment)
        package: dict[str, Any] = {
            "profile": "data-package",
            "resources": resources,
            "title": title,
            "created": created,
            "modified": created,
            "wacz_version": WACZ_VERSION,
            "software": software,
        }
        if len({p["url"] for p in pages}) == 1:
            package["mainPageURL"] = pages[-1]["url"]
            package["mainPageDate"] = pages[-1]["ts"]
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        _add(wacz, DATAPACKAGE, package_bytes, stamp)
        digest_doc: dict[str, Any] = {
            "path": DATAPACKAGE,
            "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
        }
        if sign is not None:
            digest_doc["signedData"] = sign(digest_doc["hash"], moment)
        _add(wacz, DIGEST, json.dumps(digest_doc, indent=2).encode("utf-8"), stamp)


def _add(wacz: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    wacz.writestr(info, data)


@dataclass
class Finding:
    """One thing `watcher verify` checked, and what it found."""

    check: str  # "package", "file", "record", "digest", "signature"
    ok: bool
    message: str
    where: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "where": self.where, "message": self.message}


@dataclass
class Verdict:
    """Everything `watcher verify` found in one WACZ file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    signed: bool = False
    signer: str | None = None  # the public key's fingerprint, for an anonymous signature
    created: str | None = None

    @property
    def valid(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, check: str, ok: bool, message: str, where: str = "") -> None:
        self.findings.append(Finding(check, ok, message, where))

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "valid": self.valid,
            "signed": self.signed,
            "signer": self.signer,
            "created": self.created,
            "findings": [f.to_json() for f in self.findings],
        }


# A manifest that cannot be taken out of the ZIP (bad CRC, a compression method zipfile lacks) or read as JSON
# (nested past the parser's depth): the file's own damage, a failed check, not an error of watcher's.
_UNREADABLE = (ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError, NotImplementedError, RecursionError)


def verify_wacz(path: Path, *, expected_key: bytes | None = None, trusted_roots: list[str] | None = None) -> Verdict:
    """Check a WACZ: each file against its hash in datapackage.json, each WARC record against its own digest,
    datapackage.json against datapackage-digest.json, and the signature when there is one (with
    `expected_key`, that it was made with that public key; a certified one is trusted through its roots, or
    `trusted_roots`, SHA-256 fingerprints of more). A file that is not a ZIP is BadInput."""
    verdict = Verdict(str(path))
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"{path}: not a WACZ file (not a readable ZIP archive: {exc})") from None
    with archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        for name in sorted({n for n in names if names.count(n) > 1}):
            # Readers differ on which copy they take: the hashes would vouch for one while another is shown.
            verdict.add("file", False, "appears more than once in the ZIP: a copy was added", name)
        if DATAPACKAGE not in names:
            verdict.add("package", False, "no datapackage.json: not a WACZ package", DATAPACKAGE)
            return verdict
        if archive.getinfo(DATAPACKAGE).file_size > _MAX_MANIFEST:
            verdict.add("package", False, "datapackage.json is too large to be a manifest (a ZIP bomb?)", DATAPACKAGE)
            return verdict
        try:
            package_bytes = archive.read(DATAPACKAGE)
            package = json.loads(package_bytes)
            resources = list(package["resources"])
        except _UNREADABLE:
            verdict.add("package", False, "datapackage.json is not a readable data package", DATAPACKAGE)
            return verdict
        verdict.created = str(package.get("created") or "") or None
        version = package.get("wacz_version")
        verdict.add(
            "package", True, f"WACZ {version or '(no version given)'}, {len(resources)} files listed", DATAPACKAGE
        )
        _check_files(archive, names, resources, verdict)
        for name in names:
            if name.startswith("archive/") and (name.endswith(".warc.gz") or name.endswith(".warc")):
                _check_records(archive, name, verdict)
        _check_digest(archive, names, package_bytes, package, verdict, expected_key, trusted_roots or [])
    return verdict


def _check_files(archive: zipfile.ZipFile, names: list[str], resources: list[Any], verdict: Verdict) -> None:
    listed: set[str] = set()
    for res in resources:
        where = str(res.get("path", "")) if isinstance(res, dict) else ""
        expected = str(res.get("hash", "")) if isinstance(res, dict) else ""
        listed.add(where)
        if where not in names:
            verdict.add("file", False, "listed in datapackage.json but missing from the package", where)
            continue
        algorithm = expected.split(":", 1)[0] if ":" in expected else ""
        if algorithm not in _HASHES:
            verdict.add("file", False, f"no usable hash in datapackage.json (found {expected[:20]!r})", where)
            continue
        named = _HASHES[algorithm]
        try:
            with archive.open(where) as stream:
                size, actual = _hash_stream(stream, algorithm)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            verdict.add("file", False, f"cannot be read from the ZIP ({exc}): the file was altered or cut short", where)
            continue
        shown = len(algorithm) + 1
        if actual != expected:
            verdict.add(
                "file",
                False,
                f"altered: its {named.split(',')[0]} is {actual[shown : shown + 16]}..., datapackage.json says "
                f"{expected[shown : shown + 16]}...",
                where,
            )
        elif isinstance(res.get("bytes"), int) and res["bytes"] != size:
            verdict.add("file", False, f"altered: {size} bytes, datapackage.json says {res['bytes']}", where)
        else:
            verdict.add("file", True, f"matches its {named} in datapackage.json ({size} bytes)", where)
    for name in names:
        if name not in listed and name not in (DATAPACKAGE, DIGEST):
            verdict.add("file", False, "added: not listed in datapackage.json", name)


def _check_records(archive: zipfile.ZipFile, name: str, verdict: Verdict) -> None:
    """Each WARC record against its WARC-Block-Digest, so a change is pinned to the record it touched."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    checked = bad = 0
    complaints = io.StringIO()
    try:
        with archive.open(name) as stream, contextlib.redirect_stderr(complaints):
            for record in ArchiveIterator(stream, check_digests=True):
                record.content_stream().read()
                checked += 1
                problems = record.digest_checker.problems if record.digest_checker else []
                if problems:
                    bad += 1
                    target = record.rec_headers.get_header("WARC-Target-URI") or ""
                    when = record.rec_headers.get_header("WARC-Date") or ""
                    verdict.add(
                        "record",
                        False,
                        f"the {record.rec_type} record of {target} at {when} was altered (its content no longer "
                        "matches its WARC digest)",
                        name,
                    )
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zipfile.BadZipFile, NotImplementedError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        verdict.add("record", False, f"its WARC records cannot be read ({first[:120]}): altered or cut short", name)
        return
    if not bad:
        verdict.add("record", True, f"{checked} WARC records match their digests", name)


def _check_digest(
    archive: zipfile.ZipFile,
    names: list[str],
    package_bytes: bytes,
    package: dict[str, Any],
    verdict: Verdict,
    expected_key: bytes | None,
    trusted_roots: list[str],
) -> None:
    if DIGEST not in names:
        verdict.add("digest", True, "no datapackage-digest.json (the package is not signed)", DIGEST)
        verdict.add("signature", expected_key is None, _unsigned(expected_key), DIGEST)
        return
    try:
        if archive.getinfo(DIGEST).file_size > _MAX_MANIFEST:
            raise ValueError("too large")
        digest = json.loads(archive.read(DIGEST))
        stated = str(digest["hash"])
    except _UNREADABLE:
        verdict.add("digest", False, "datapackage-digest.json is not readable JSON with a hash", DIGEST)
        return
    actual = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    if stated != actual:
        verdict.add(
            "digest",
            False,
            f"datapackage.json does not match the hash in {DIGEST}: the list of files was altered",
            DIGEST,
        )
    else:
        verdict.add("digest", True, "datapackage.json matches its hash in datapackage-digest.json", DIGEST)
    signed = digest.get("signedData")
    if not signed:
        verdict.add("signature", expected_key is None, _unsigned(expected_key), DIGEST)
        return
    verdict.signed = True
    if not isinstance(signed, dict):
        verdict.add("signature", False, "signedData is not an object", DIGEST)
        return
    if signed.get("hash") != stated:
        verdict.add(
            "signature",
            False,
            "the signed hash is not the package's hash: the signature belongs to another package",
            DIGEST,
        )
        return
    if signed.get("created") != package.get("created"):
        verdict.add("signature", False, "the signature's created time differs from the package's", DIGEST)
        return
    if "publicKey" in signed:
        _check_anonymous(signed, verdict, expected_key)
    elif "domainCert" in signed:
        _check_domain(signed, verdict, expected_key, trusted_roots)
    else:
        verdict.add("signature", False, "signedData has neither a publicKey nor a domainCert", DIGEST)


def _unsigned(expected_key: bytes | None) -> str:
    if expected_key is not None:
        return "not signed, but a signature by the given key was required"
    return "not signed: the hashes show the package is whole, but not who made it"


def _check_anonymous(signed: dict[str, Any], verdict: Verdict, expected_key: bytes | None) -> None:
    der = signer_der(signed) or b""
    verdict.signer = fingerprint(der)
    problem = check_signature(signed)
    if problem is not None:
        verdict.add("signature", False, f"signature invalid: {problem}", DIGEST)
        return
    when = signed.get("created", "?")
    if expected_key is not None and der != expected_key:
        verdict.add(
            "signature",
            False,
            f"signed at {when} by key {verdict.signer}, which is not the key given ({fingerprint(expected_key)})",
            DIGEST,
        )
        return
    trusted = "the key given" if expected_key is not None else "compare this fingerprint with the signer's own"
    verdict.add("signature", True, f"signed at {when} (the signer's clock) by key {verdict.signer} ({trusted})", DIGEST)


def _check_domain(signed: dict[str, Any], verdict: Verdict, expected_key: bytes | None, roots: list[str]) -> None:
    """A domain certificate + RFC 3161 timestamp signature (authsign, Browsertrix, watcher), by wacz-signing."""
    from watcher.archive.timestamped import verify_domain_signature

    if expected_key is not None:
        verdict.add("signature", False, "signed with a domain certificate, not with the key given", DIGEST)
        return
    problem, observer, when = verify_domain_signature(signed, roots)
    verdict.signer = observer
    if problem is not None:
        verdict.add("signature", False, f"signature invalid: {problem}", DIGEST)
    else:
        verdict.add(
            "signature", True, f"signed by {observer}, time attested by the timestamp authority: {when}", DIGEST
        )
