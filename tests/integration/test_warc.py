"""WARC evidence: versions stored by real checks (Chromium, local site) exported with `watcher export --warc`,
read back with warcio (digests, dates, linked records, bodies), and imported into a new store with the same
versions and diffs; a WARC written by another tool is imported too."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
from support.cli import data_dir_with, fast_config, ok, watcher
from support.pages import budget_page
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from watcher.store import open_store

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

CONFIG = fast_config(retries=0)


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_export_read_back_and_import_give_the_same_versions(site, tmp_path):
    site.page_versions("/budget", {"v1": budget_page("7 votes to 2"), "v2": budget_page("6 votes to 3")})
    url = site.url("/budget")
    data = data_dir_with(tmp_path / "data", CONFIG)
    ok(data, "add", url)
    ok(data, "check", url)
    site.set_version("/budget", "v2")
    ok(data, "check", url)
    store = open_store(data)
    stored = store.list_versions(url)
    assert [v.number for v in stored] == [1, 2]

    out = tmp_path / "evidence.warc.gz"
    exported = watcher(data, "export", "--warc", str(out), url)
    assert exported.returncode == 0 and "wrote 2 versions" in exported.stderr, exported.stderr

    records = []
    with open(out, "rb") as stream:
        for record in ArchiveIterator(stream):
            body = record.content_stream().read()
            records.append((record, body))
    assert [r.rec_type for r, _ in records] == ["warcinfo"] + ["response", "request", "metadata"] * 2
    assert all(r.rec_headers.protocol == "WARC/1.1" for r, _ in records)
    for n, version in enumerate(stored):
        response, body = records[1 + 3 * n]
        request, _ = records[2 + 3 * n]
        metadata, meta_body = records[3 + 3 * n]
        assert response.rec_headers.get_header("WARC-Target-URI") == url
        assert response.http_headers.get_statuscode() == "200"
        assert response.rec_headers.get_header("WARC-Payload-Digest") == sha1_digest(body)
        assert response.rec_headers.get_header("WARC-Date") == version.captured_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rid = response.rec_headers.get_header("WARC-Record-ID")
        assert request.rec_headers.get_header("WARC-Concurrent-To") == rid
        assert metadata.rec_headers.get_header("WARC-Concurrent-To") == rid
        # Replay check: the record serves the page as the server sent it, which the version was made from.
        served = store.get_served(version)
        assert served is not None and body == served.body
        assert body.decode() == budget_page("7 votes to 2" if n == 0 else "6 votes to 3")
        assert response.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
        meta = json.loads(meta_body)
        assert meta["version"] == version.number and meta["article"]["headline"] == "Budget vote"
        assert meta["source"] == version.source_name  # how the page was read: a plain GET or a render
    assert any("6 votes to 3" in (e["new"] or "") for e in json.loads(records[6][1])["edits"])

    fresh = tmp_path / "fresh"
    imported = watcher(fresh, "import", "--warc", str(out))
    assert imported.returncode == 0 and "imported 2 versions of 1 article" in imported.stderr, imported.stderr
    again = open_store(fresh).list_versions(url)
    assert [v.content_hash for v in again] == [v.content_hash for v in stored]
    assert [v.captured_at for v in again] == [v.captured_at for v in stored]
    diff = ok(fresh, "diff", url)
    assert "6" in diff and "3" in diff


def test_a_warc_from_another_tool_becomes_versions(tmp_path):
    out = tmp_path / "other.warc"
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for day, figure in (("2026-11-01T08:00:00Z", "7 votes to 2"), ("2026-11-02T08:00:00Z", "6 votes to 3")):
        html = budget_page(figure).encode("big5", "replace")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=big5")], protocol="HTTP/1.0")
        writer.write_record(
            writer.create_warc_record(
                "https://news.example/budget",
                "response",
                payload=io.BytesIO(html),
                length=len(html),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": day},
            )
        )
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://news.example/logo.png", "response", payload=io.BytesIO(b"\x89PNG"), length=4, http_headers=image
        )
    )
    out.write_bytes(buffer.getvalue())
    data = tmp_path / "data"
    imported = watcher(data, "import", "--warc", str(out))
    assert imported.returncode == 0 and "imported 2 versions of 1 article" in imported.stderr, imported.stderr
    versions = open_store(data).list_versions("https://news.example/budget")
    assert [v.captured_at.day for v in versions] == [1, 2]
    assert any(e.new and "6 votes to 3" in e.new for e in versions[1].edits)
    # Re-exported, the captures are what the other tool archived: status line, headers, the Big5 bytes.
    again = tmp_path / "again.warc"
    assert watcher(data, "export", "--warc", str(again)).returncode == 0
    with open(again, "rb") as stream:
        responses = [
            (r.http_headers, r.content_stream().read()) for r in ArchiveIterator(stream) if r.rec_type == "response"
        ]
    assert [h.get_header("Content-Type") for h, _ in responses] == ["text/html; charset=big5"] * 2
    assert responses[0][0].protocol == "HTTP/1.0"
    assert responses[1][1] == budget_page("6 votes to 3").encode("big5", "replace")

    for name, content, said in (
        ("broken.warc.gz", b"\x1f\x8b not really", "not a readable WARC"),
        ("page.html", b"<html><body>not a warc</body></html>", "WARC"),
        ("cut.warc", buffer.getvalue()[:-200], "damaged or cut-short"),
    ):
        (tmp_path / name).write_bytes(content)
        failed = watcher(tmp_path / "other-data", "import", "--warc", str(tmp_path / name))
        assert failed.returncode == 2 and said in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1


def test_archive_warc_appends_each_new_version_as_it_is_captured(site, tmp_path):
    site.page_versions("/budget", {"v1": budget_page("7 votes to 2"), "v2": budget_page("6 votes to 3")})
    url = site.url("/budget")
    data = data_dir_with(tmp_path / "data", fast_config(retries=0, extra="[archive]\nwarc = true\n"))
    ok(data, "add", url)
    ok(data, "check", url)
    ok(data, "check", url)  # unchanged: nothing appended
    site.set_version("/budget", "v2")
    ok(data, "check", url)
    rolled = sorted((data / "warc").glob("watcher-*.warc.gz"))
    assert len(rolled) == 1
    with open(rolled[0], "rb") as stream:
        kinds = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(stream)]
    assert [k for k, _ in kinds] == ["warcinfo"] + ["response", "request", "metadata"] * 2
    assert kinds[1][1].decode() == budget_page("7 votes to 2") and kinds[4][1].decode() == budget_page("6 votes to 3")


def test_imported_articles_on_this_machine_or_its_network_are_warned_of_as_add_does(tmp_path, monkeypatch):
    monkeypatch.delenv("WATCHER_ALLOW_PRIVATE", raising=False)
    out = tmp_path / "internal.warc"
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    targets = [
        "http://127.0.0.1:8080/wiki/story",
        "http://169.254.169.254/latest/story",
        "http://intranet.localhost/story",
        "https://news.example/budget",
    ]
    for url in targets:
        html = budget_page("7 votes to 2").encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(html), length=len(html), http_headers=headers)
        )
    out.write_bytes(buffer.getvalue())
    imported = watcher(tmp_path / "data", "import", "--warc", str(out))
    assert imported.returncode == 0 and "imported 4 versions of 4 articles" in imported.stderr, imported.stderr
    warnings = [line for line in imported.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3, imported.stderr
    assert "127.0.0.1 is a loopback address" in warnings[0]
    assert "169.254.169.254 is a link-local (cloud metadata) address" in warnings[1]
    assert "intranet.localhost resolves to 127.0.0.1, which is a loopback address" in warnings[2]
    assert all("watched anyway" in w and "allow_private" in w for w in warnings)
    monkeypatch.setenv("WATCHER_ALLOW_PRIVATE", "1")  # allowed: nothing to warn of
    again = watcher(tmp_path / "data2", "import", "--warc", str(out))
    assert again.returncode == 0 and "warning:" not in again.stderr, again.stderr
