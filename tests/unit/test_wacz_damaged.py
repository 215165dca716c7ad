"""`watcher verify` on packages damaged inside the ZIP itself: each is a failed check saying what is wrong with the
file (exit 1), never an internal error."""

from __future__ import annotations

import json
import struct
import zipfile

import pytest

from watcher.archive.wacz import verify_wacz

PAGES = "pages/pages.jsonl"
LISTED = json.dumps({"resources": [{"path": PAGES, "hash": "sha256:00"}]})


def _unsupported_compression(path, first):
    """A ZIP whose first entry claims compression method 99 (AES), which zipfile cannot read."""
    data = bytearray(path.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 8 : local + 10] = struct.pack("<H", 99)
    data[central + 10 : central + 12] = struct.pack("<H", 99)
    path.write_bytes(bytes(data))


def _make(path, kind):
    with zipfile.ZipFile(path, "w") as z:
        if kind == "compressed listed file":
            z.writestr(PAGES, "x" * 100)
            z.writestr("datapackage.json", LISTED)
        elif kind == "compressed manifest":
            z.writestr("datapackage.json", LISTED)
            z.writestr(PAGES, "x" * 100)
        elif kind == "bad crc":
            z.writestr("datapackage.json", json.dumps({"resources": []}))
        elif kind == "nested manifest":
            z.writestr("datapackage.json", "[" * 100_000 + "]" * 100_000)
        elif kind == "nested digest":
            z.writestr("datapackage.json", json.dumps({"resources": []}))
            z.writestr("datapackage-digest.json", "[" * 100_000 + "]" * 100_000)
    if kind.startswith("compressed"):
        _unsupported_compression(path, kind)
    if kind == "bad crc":
        data = bytearray(path.read_bytes())
        at = data.find(b'"resources"')
        data[at + 1] = ord("X")  # the bytes change, the CRC in the ZIP does not
        path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "kind", ["compressed listed file", "compressed manifest", "bad crc", "nested manifest", "nested digest"]
)
def test_a_package_damaged_in_its_zip_is_a_failed_check(tmp_path, kind):
    path = tmp_path / "damaged.wacz"
    _make(path, kind)
    verdict = verify_wacz(path)
    assert not verdict.valid
    assert any(not f.ok for f in verdict.findings)
