"""Signed evidence: versions stored by real checks of a local page exported with `watcher export --wacz`, checked by
Webrecorder's own validator (`wacz validate`), signed with a key from `watcher keygen` and checked by `watcher verify`;
a package altered anywhere (a WARC record, pages.jsonl, the digest, the signature) fails with a line naming it."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
from support.cli import checked, data_dir_with, fast_config, one_line_error
from support.pages import budget_page
from support.tsa import Authority, TSAServer
from warcio.archiveiterator import ArchiveIterator

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.store import open_store

CONFIG = fast_config(retries=0)


def two_versions(site, data: Path, fetcher=None) -> str:
    """A watched page checked twice, with an edit between the checks: two stored versions. With `fetcher` (the
    session's Chromium) the checks render the page; without, they are `watcher check` in http mode."""
    site.page_versions("/budget", {"v1": budget_page("7 votes to 2"), "v2": budget_page("6 votes to 3")})
    url = site.url("/budget")
    run_ok(data, "add", url, *([] if fetcher else ["--mode", "http"]))
    for version, status in (("v1", "new"), ("v2", "changed")):
        site.set_version("/budget", version)
        if fetcher is None:
            assert json.loads(run_ok(data, "check", url, "--json"))["status"] == status
        else:
            assert [r.status for r in checked(data, fetcher, url)] == [status]
    assert [v.number for v in open_store(data).list_versions(url)] == [1, 2]
    return url


def reference_validation(path: Path) -> subprocess.CompletedProcess:
    """Webrecorder's validator, what `wacz validate -f FILE` runs (in this process: its import alone takes seconds)."""
    from wacz.main import main as wacz_main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = wacz_main(["validate", "-f", str(path)])
    valid = "Validation succeeded, the passed WACZ is valid" in out.getvalue()
    assert valid == (code == 0), out.getvalue()
    return subprocess.CompletedProcess(["wacz", "validate", "-f", str(path)], code, out.getvalue(), "")


def run(data: Path, *args: str) -> subprocess.CompletedProcess:
    """The `watcher` command line in this process, as a user would see it (stdout, stderr, exit code)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data), *args], Environment(stdout=out, stderr=err, width=400))
    code = exited.value.code if isinstance(exited.value.code, int) else 1
    return subprocess.CompletedProcess(["watcher", *args], code, out.getvalue(), err.getvalue())


def run_ok(data: Path, *args: str) -> str:
    result = run(data, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def verify(data: Path, path: Path, *args: str) -> subprocess.CompletedProcess:
    return run(data, "verify", str(path), *args)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(src: Path, dst: Path, changes: dict[str, bytes]) -> None:
    """`src` written again as `dst` with some members replaced, as someone altering the package would: a
    well-formed ZIP, every other byte as it was."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            new.writestr(info, changes.get(info.filename, old.read(info)))


def failures(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("FAILED")]


def test_export_wacz_is_valid_signed_and_verified(site, fetcher, tmp_path):
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data, fetcher)  # rendered by Chromium
    store = open_store(data)
    stored = store.list_versions(url)

    made = run(data, "keygen", str(tmp_path / "reporter.pem"))
    assert made.returncode == 0, made.stderr
    key_name = made.stdout.split()[-1]
    assert (tmp_path / "reporter.pem").stat().st_mode & 0o077 == 0  # the private key is the owner's alone
    assert b"PUBLIC KEY" in (tmp_path / "reporter.pem.pub").read_bytes()

    out = tmp_path / "budget.wacz"
    exported = run(data, "export", "--wacz", str(out), "--key", str(tmp_path / "reporter.pem"), url)
    assert exported.returncode == 0 and "wrote 2 versions" in exported.stderr, exported.stderr

    checked = reference_validation(out)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, checked.stdout + checked.stderr

    files = members(out)
    assert set(files) == {
        "archive/data.warc.gz",
        "indexes/index.cdx.gz",
        "indexes/index.idx",
        "pages/pages.jsonl",
        "datapackage.json",
        "datapackage-digest.json",
    }
    with zipfile.ZipFile(out) as z:
        assert z.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED  # replay tools seek into it
    responses = [
        (r.rec_headers.get_header("WARC-Date"), r.content_stream().read())
        for r in ArchiveIterator(io.BytesIO(files["archive/data.warc.gz"]))
        if r.rec_type == "response"
    ]
    assert [body for _, body in responses] == [store.get_served(v).body for v in stored]  # type: ignore[union-attr]
    header, *pages = [json.loads(line) for line in files["pages/pages.jsonl"].decode().splitlines()]
    assert header["format"] == "json-pages-1.0" and header["hasText"] is True
    # Each version is a page at its capture's time, with the text watcher extracted from it.
    assert [(p["url"], p["ts"]) for p in pages] == [(url, when) for when, _ in responses]
    assert "7 votes to 2" in pages[0]["text"] and "6 votes to 3" in pages[1]["text"]
    assert all(p["title"] == "Budget vote" and "debate next year" in p["text"] for p in pages)
    assert "<p>" not in pages[0]["text"]
    package = json.loads(files["datapackage.json"])
    assert package["wacz_version"] == "1.1.1" and package["mainPageURL"] == url
    assert all(r["hash"].startswith("sha256:") for r in package["resources"])

    verified = verify(data, out)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "FAILED" not in verified.stdout
    assert f"by key {key_name}" in verified.stdout and "intact and signed" in verified.stderr
    assert "archive/data.warc.gz: matches its SHA-256" in verified.stdout
    assert "7 WARC records match their digests" in verified.stdout  # warcinfo + 3 per version

    as_json = json.loads(run_ok(data, "verify", str(out), "--json"))
    assert as_json["valid"] is True and as_json["signed"] is True and as_json["signer"] == key_name
    assert {f["check"] for f in as_json["findings"]} == {"package", "file", "record", "digest", "signature"}
    assert all(f["ok"] for f in as_json["findings"])

    # Signed by the key the reader was given, and not by another one.
    assert verify(data, out, "--key", str(tmp_path / "reporter.pem.pub")).returncode == 0
    assert run(data, "keygen", str(tmp_path / "other.pem")).returncode == 0
    wrong = failures(verify(data, out, "--key", str(tmp_path / "other.pem.pub")))
    assert len(wrong) == 1 and f"by key {key_name}, which is not the key given" in wrong[0]


def test_a_package_altered_anywhere_fails_verify(site, tmp_path):
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data)
    assert run(data, "keygen", str(tmp_path / "k.pem")).returncode == 0
    signed = tmp_path / "signed.wacz"
    run_ok(data, "export", "--wacz", str(signed), "--key", str(tmp_path / "k.pem"), url)
    assert verify(data, signed).returncode == 0
    files = members(signed)

    # One byte of the page in a WARC record, the record's gzip member and the ZIP written again around it.
    warc = files["archive/data.warc.gz"]
    plain = gzip.decompress(warc)  # the concatenated members, as one WARC
    assert plain.index(b"7 votes to 2") < plain.index(b"WARC-Type: metadata")  # the first one is the page's
    altered_warc = b"".join(
        gzip.compress(record) for record in _records(plain.replace(b"7 votes to 2", b"8 votes to 2", 1))
    )
    rezip(signed, tmp_path / "record.wacz", {"archive/data.warc.gz": altered_warc})
    said = failures(verify(data, tmp_path / "record.wacz"))
    assert any("archive/data.warc.gz: altered: its SHA-256" in line for line in said), said
    assert any(f"the response record of {url}" in line and "was altered" in line for line in said), said

    # One byte of the .wacz file itself, in the stored WARC: the ZIP's own check catches it.
    raw = bytearray(signed.read_bytes())
    at = raw.index(warc[200:240]) + 20
    raw[at] ^= 0x01
    (tmp_path / "byte.wacz").write_bytes(bytes(raw))
    said = failures(verify(data, tmp_path / "byte.wacz"))
    assert any(line.startswith("FAILED archive/data.warc.gz:") for line in said), said

    # pages.jsonl: the extracted text made to say something else.
    pages = files["pages/pages.jsonl"].replace(b"6 votes to 3", b"5 votes to 4")
    rezip(signed, tmp_path / "pages.wacz", {"pages/pages.jsonl": pages})
    said = failures(verify(data, tmp_path / "pages.wacz"))
    assert said == [said[0]] and said[0].startswith("FAILED pages/pages.jsonl: altered"), said
    assert reference_validation(tmp_path / "pages.wacz").returncode != 0  # Webrecorder's validator agrees

    # A second pages.jsonl added after the first: readers differ on which one they show.
    with zipfile.ZipFile(tmp_path / "twice.wacz", "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the point
        for name, blob in files.items():
            z.writestr(name, blob)
        z.writestr("pages/pages.jsonl", pages)
    said = failures(verify(data, tmp_path / "twice.wacz"))
    assert "FAILED pages/pages.jsonl: appears more than once in the ZIP: a copy was added" in said, said

    # The digest: one character of its hash.
    digest = json.loads(files["datapackage-digest.json"])
    digest["hash"] = digest["hash"][:-1] + ("0" if digest["hash"][-1] != "0" else "1")
    rezip(signed, tmp_path / "digest.wacz", {"datapackage-digest.json": json.dumps(digest).encode()})
    said = failures(verify(data, tmp_path / "digest.wacz"))
    assert any("datapackage.json does not match the hash in datapackage-digest.json" in line for line in said), said
    assert any("signature belongs to another package" in line for line in said), said

    # A forger who rewrites every hash after changing the text still cannot sign for the key.
    package = json.loads(files["datapackage.json"])
    for res in package["resources"]:
        if res["path"] == "pages/pages.jsonl":
            res["hash"] = "sha256:" + hashlib.sha256(pages).hexdigest()
            res["bytes"] = len(pages)
    package_bytes = json.dumps(package).encode()
    digest = json.loads(files["datapackage-digest.json"])
    digest["hash"] = digest["signedData"]["hash"] = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    rezip(
        signed,
        tmp_path / "forged.wacz",
        {
            "pages/pages.jsonl": pages,
            "datapackage.json": package_bytes,
            "datapackage-digest.json": json.dumps(digest).encode(),
        },
    )
    assert reference_validation(tmp_path / "forged.wacz").returncode == 0  # the hashes alone cannot tell
    said = failures(verify(data, tmp_path / "forged.wacz"))
    assert said == [
        "FAILED datapackage-digest.json: signature invalid: the signature does not match the hash under its publicKey"
    ], said

    # Unsigned: whole, and said to be unsigned.
    unsigned = tmp_path / "unsigned.wacz"
    run_ok(data, "export", "--wacz", str(unsigned), url)
    assert reference_validation(unsigned).returncode == 0
    result = verify(data, unsigned)
    assert result.returncode == 0 and "not signed" in result.stdout and "intact, not signed" in result.stderr
    assert json.loads(run_ok(data, "verify", str(unsigned), "--json"))["signed"] is False
    required = failures(verify(data, unsigned, "--key", str(tmp_path / "k.pem.pub")))
    assert required == ["FAILED datapackage-digest.json: not signed, but a signature by the given key was required"]


def _records(warc: bytes) -> list[bytes]:
    """The records of an uncompressed WARC, each with its trailing CRLFs, by their Content-Length."""
    out = []
    at = 0
    while at < len(warc):
        head_end = warc.index(b"\r\n\r\n", at) + 4
        head = warc[at:head_end].decode("utf-8")
        length = int(
            next(line.split(":", 1)[1] for line in head.split("\r\n") if line.lower().startswith("content-length:"))
        )
        end = head_end + length + 4
        out.append(warc[at:end])
        at = end
    return out


def test_bad_keys_and_files_are_one_line_errors(tmp_path):
    data = tmp_path / "data"
    key = tmp_path / "k.pem"
    assert run(data, "keygen", str(key)).returncode == 0
    before = key.read_bytes()
    assert "already exists" in one_line_error(run(data, "keygen", str(key)))
    assert key.read_bytes() == before  # a key is never overwritten
    assert "go with --wacz" in one_line_error(run(data, "export", "--key", str(key)))
    (tmp_path / "not-a-key.pem").write_text("hello")
    said = one_line_error(
        run(data, "export", "--wacz", str(tmp_path / "x.wacz"), "--key", str(tmp_path / "not-a-key.pem"))
    )
    assert "not a PEM private key" in said
    assert not (tmp_path / "x.wacz").exists()
    (tmp_path / "page.html").write_text("<html>not a package</html>")
    assert "not a WACZ file" in one_line_error(run(data, "verify", str(tmp_path / "page.html")))
    assert "no such file" in one_line_error(run(data, "verify", str(tmp_path / "missing.wacz")))
    empty = data_dir_with(tmp_path / "empty", CONFIG)
    assert "nothing to package" in one_line_error(run(empty, "export", "--wacz", str(tmp_path / "e.wacz")))
    assert not (tmp_path / "e.wacz").exists() and not list(tmp_path.glob(".watcher-wacz-*"))


def test_certified_signature_with_a_domain_certificate_and_a_timestamp_authority(site, tmp_path):
    """The spec's certified form, against a stand-in CA and RFC 3161 TSA on 127.0.0.1 (never a real service)."""
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data)
    pki = Authority(tmp_path / "pki")
    tsa = TSAServer(pki)
    try:
        out = tmp_path / "certified.wacz"
        certified = ["--key", str(pki.key_path), "--cert", str(pki.chain_path), "--tsa", tsa.url]
        made = run(data, "export", "--wacz", str(out), *certified, "--tsa-cert", str(pki.tsa_chain_path), url)
        assert made.returncode == 0 and "(signed)" in made.stderr, made.stderr
        assert pki.requests == 1  # the signature was sent to the TSA once
        assert "--tsa" in one_line_error(
            run(
                data,
                "export",
                "--wacz",
                str(tmp_path / "x.wacz"),
                "--key",
                str(pki.key_path),
                "--cert",
                str(pki.chain_path),
            )
        )
    finally:
        tsa.close()
    refused = run(data, "export", "--wacz", str(tmp_path / "late.wacz"), *certified, url)
    assert "signing failed" in one_line_error(refused) and not (tmp_path / "late.wacz").exists()

    assert reference_validation(out).returncode == 0
    signed = json.loads(members(out)["datapackage-digest.json"])["signedData"]
    assert (
        signed["domain"] == "evidence.test"
        and "timeSignature" in signed
        and "BEGIN CERTIFICATE" in signed["domainCert"]
    )

    # A CA nobody said to trust: the signature names a domain, but nothing vouches for it.
    untrusted = failures(verify(data, out))
    assert untrusted == [
        "FAILED datapackage-digest.json: signature invalid: its domain certificate does not lead to a trusted root "
        "(Let's Encrypt's, or one given with --trust-root)"
    ], untrusted
    trusted = verify(data, out, "--trust-root", str(pki.root_path))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert "signed by evidence.test, time attested by the timestamp authority" in trusted.stdout
    report = json.loads(run_ok(data, "verify", str(out), "--trust-root", str(pki.root_path), "--json"))
    assert report["valid"] is True and report["signer"] == "evidence.test"

    # The certified signature moved onto another package (its hash put in its place): the certificate and the
    # timestamp still hold, but the signature is not of this package.
    other = tmp_path / "other.wacz"
    run_ok(data, "export", "--wacz", str(other), url)
    files = members(other)
    digest = json.loads(files["datapackage-digest.json"])
    package = json.loads(files["datapackage.json"])
    package["created"] = signed["created"]
    package_bytes = json.dumps(package).encode()
    digest["hash"] = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    digest["signedData"] = dict(signed, hash=digest["hash"])
    moved = tmp_path / "moved.wacz"
    rezip(other, moved, {"datapackage.json": package_bytes, "datapackage-digest.json": json.dumps(digest).encode()})
    said = failures(verify(data, moved, "--trust-root", str(pki.root_path)))
    assert said == [
        "FAILED datapackage-digest.json: signature invalid: the signature is not the domain certificate's signature "
        "of the package hash"
    ], said


def test_a_key_with_a_passphrase_and_a_package_made_by_webrecorders_tool(site, tmp_path, monkeypatch):
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data)
    monkeypatch.setenv("WATCHER_KEY_PASSPHRASE", "correct horse battery")
    run_ok(data, "keygen", "--passphrase", str(tmp_path / "k.pem"))
    assert b"ENCRYPTED" in (tmp_path / "k.pem").read_bytes()
    run_ok(data, "export", "--wacz", str(tmp_path / "a.wacz"), "--key", str(tmp_path / "k.pem"))
    assert "FAILED" not in run_ok(data, "verify", str(tmp_path / "a.wacz"), "--key", str(tmp_path / "k.pem.pub"))
    monkeypatch.setenv("WATCHER_KEY_PASSPHRASE", "wrong")
    said = one_line_error(run(data, "export", "--wacz", str(tmp_path / "b.wacz"), "--key", str(tmp_path / "k.pem")))
    assert "wrong passphrase" in said and not (tmp_path / "b.wacz").exists()

    # A WACZ that `wacz create` made from watcher's WARC: verify reads other tools' packages too.
    from wacz.main import main as wacz_main

    run_ok(data, "export", "--warc", str(tmp_path / "budget.warc.gz"), url)
    with contextlib.redirect_stdout(io.StringIO()):
        assert wacz_main(["create", "-o", str(tmp_path / "theirs.wacz"), str(tmp_path / "budget.warc.gz")]) == 0
    theirs = run(data, "verify", str(tmp_path / "theirs.wacz"))
    assert theirs.returncode == 0 and "FAILED" not in theirs.stdout, theirs.stdout
    assert "intact, not signed" in theirs.stderr
    with contextlib.redirect_stdout(io.StringIO()):
        wacz_main(["create", "--hash-type", "md5", "-o", str(tmp_path / "md5.wacz"), str(tmp_path / "budget.warc.gz")])
    weak = run(data, "verify", str(tmp_path / "md5.wacz"))
    assert weak.returncode == 0 and "matches its MD5, a weak hash" in weak.stdout, weak.stdout


def test_the_timestamp_authority_is_held_to_the_private_address_rule(site, tmp_path, monkeypatch):
    """The TSA request is one more outgoing request: a TSA on a private address is refused (in one line, before
    anything is written) unless WATCHER_ALLOW_PRIVATE opts in, as for every page and service."""
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data)
    pki = Authority(tmp_path / "pki")
    tsa = TSAServer(pki)
    try:
        monkeypatch.delenv("WATCHER_ALLOW_PRIVATE")
        out = tmp_path / "certified.wacz"
        certified = ["--key", str(pki.key_path), "--cert", str(pki.chain_path), "--tsa", tsa.url]
        refused = run(data, "export", "--wacz", str(out), *certified, "--tsa-cert", str(pki.tsa_chain_path), url)
        assert "private" in one_line_error(refused) and refused.returncode != 0
        assert pki.requests == 0 and not out.exists()
    finally:
        tsa.close()


def test_a_whole_package_that_fails_only_on_its_signature_is_not_called_altered(site, tmp_path):
    """Checked against the wrong key, or a key given for an unsigned package, every hash still matches: the
    closing line said "this file is not what was packaged and signed", which a reader takes for tampering."""
    data = data_dir_with(tmp_path / "data", CONFIG)
    url = two_versions(site, data)
    for name in ("reporter.pem", "other.pem"):
        assert run(data, "keygen", str(tmp_path / name)).returncode == 0
    signed, unsigned = tmp_path / "signed.wacz", tmp_path / "unsigned.wacz"
    run_ok(data, "export", "--wacz", str(signed), "--key", str(tmp_path / "reporter.pem"), url)
    run_ok(data, "export", "--wacz", str(unsigned), url)
    for package, problem in (
        (signed, "signed by another key than the one given"),
        (unsigned, "not signed, so not by the key given"),
    ):
        result = verify(data, package, "--key", str(tmp_path / "other.pem.pub"))
        assert len(failures(result)) == 1
        summary = result.stderr.strip().splitlines()[-1]
        assert summary == f"{package}: intact (every hash matches), but {problem}"
        assert "not what was packaged" not in result.stderr

    altered = tmp_path / "altered.wacz"
    pages = members(signed)["pages/pages.jsonl"].replace(b"6 votes to 3", b"9 votes to 0")
    rezip(signed, altered, {"pages/pages.jsonl": pages})
    result = verify(data, altered, "--key", str(tmp_path / "reporter.pem.pub"))
    assert len(failures(result)) == 1
    assert (
        result.stderr.strip().splitlines()[-1]
        == f"{altered}: 1 check(s) failed; this file is not what was packaged and signed"
    )


def test_keygen_passphrase_without_a_terminal_or_the_variable_is_a_one_line_error(tmp_path):
    """Cron or a pipe: no terminal to ask the passphrase in. It printed Python's GetPassWarning, "Password input
    may be echoed", and ended "aborted" with exit 130; it must say what to do, in one line, and write no key."""
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if k != "WATCHER_KEY_PASSPHRASE"}
    key = tmp_path / "k.pem"
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(tmp_path / "data"), "keygen", "--passphrase", str(key)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "WATCHER_KEY_PASSPHRASE" in one_line_error(result)
    assert not key.exists() and not Path(f"{key}.pub").exists()
