"""WARC 1.1 files (ISO 28500) of stored versions, and captures read back from any WARC.

Written with warcio (the standard Python WARC library, used by pywb and the Webrecorder tools), one
gzip member per record so any record can be read on its own. For each version that kept its raw page:

- `response`: the status line, headers and body the server sent (as the fetcher recorded them; a
  body undone from its Content-Encoding is written without that header, so the record is what a
  replay tool can serve);
- `request`: the GET that asked for it;
- `metadata`: watcher's extracted article and the edits from the version before, as JSON.

The three share WARC-Date (the capture time) and point at each other with WARC-Concurrent-To.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from watcher.errors import BadInput
from watcher.models import ServedPage, Version
from watcher.times import iso

METADATA_TYPE = "application/vnd.watcher.version+json"
# Headers that describe the bytes on the wire rather than the body kept: written as they were, they
# would tell a reader to decode a body that is already decoded.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


@dataclass
class Capture:
    """One page as served: what a `response` record holds, plus watcher's reading of it if known."""

    url: str
    captured_at: datetime
    status: int = 200
    reason: str = "OK"
    http_version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    metadata: dict[str, Any] | None = None  # watcher's article and edits, when the WARC came from watcher
    reconstructed: bool = False  # no served headers were kept: the headers are watcher's stand-ins

    @classmethod
    def of(cls, version: Version, served: ServedPage) -> Capture:
        """A stored version as the page it was served as, with watcher's reading of it."""
        return cls(
            url=version.url,
            captured_at=version.captured_at,
            status=served.status,
            reason=served.reason,
            http_version=served.http_version or "HTTP/1.1",
            headers=list(served.headers),
            body=served.body,
            metadata=version_metadata(version),
        )


def version_metadata(version: Version) -> dict[str, Any]:
    """What the metadata record carries: watcher's article and the edits from the version before."""
    return {
        "watcher": "version",
        "url": version.url,
        "version": version.number,
        "event": version.event,
        "flags": list(version.flags),
        "article": version.article.to_dict(),
        "edits": [e.to_json() for e in version.edits],
        "source": version.source_name,  # how the page was read: "http" (a plain GET) or "browser" (a render)
    }


def warc_date(moment: datetime) -> str:
    """WARC-Date: UTC, to the microsecond (WARC 1.1 allows it)."""
    return iso(moment, timespec="microseconds") or ""


def write_captures(out: BinaryIO, captures: Iterable[Capture], *, software: str) -> int:
    """Write a warcinfo record, then response + request + metadata records for each capture; returns how many."""
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("", {"software": software, "format": "WARC File Format 1.1"}))
    return _write_records(out, captures)


def _write_records(out: BinaryIO, captures: Iterable[Capture]) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    count = 0
    for cap in captures:
        date = warc_date(cap.captured_at)
        headers = [(k, v) for k, v in cap.headers if k.lower() not in _WIRE_HEADERS]
        headers.append(("Content-Length", str(len(cap.body))))
        status_line = f"{cap.status} {cap.reason or ''}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol=cap.http_version or "HTTP/1.1")
        response = writer.create_warc_record(
            cap.url,
            "response",
            payload=io.BytesIO(cap.body),
            length=len(cap.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        writer.write_record(response)
        host = cap.url.split("/", 3)[2] if cap.url.count("/") >= 2 else ""
        path = "/" + cap.url.split("/", 3)[3] if cap.url.count("/") >= 3 else "/"
        request = writer.create_warc_record(
            cap.url,
            "request",
            http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", host)], is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )
        writer.write_record(request)
        if cap.metadata is not None:
            blob = json.dumps(cap.metadata, ensure_ascii=False, sort_keys=True).encode("utf-8")
            metadata = writer.create_warc_record(
                cap.url,
                "metadata",
                payload=io.BytesIO(blob),
                length=len(blob),
                warc_content_type=METADATA_TYPE,
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
            )
            writer.write_record(metadata)
        count += 1
    return count


def read_captures(path: Path, skipped: list[str] | None = None) -> Iterator[Capture]:
    """Every HTML `response` record of a WARC (gzipped or not, from watcher or any other tool), in file
    order, with watcher's metadata attached where a metadata record points at it. A file that is not a
    WARC, or is damaged or cut short, is refused whole (BadInput): evidence is read exactly or not at
    all. Responses without a WARC-Date are left out, each named in `skipped`."""
    import contextlib

    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pending: dict[str, Capture] = {}
    order: list[Capture] = []
    complaints = io.StringIO()  # warcio reports damage on stderr and carries on
    records = 0
    try:
        with open(path, "rb") as stream, contextlib.redirect_stderr(complaints):
            # Digests are checked as each record is read: a record cut short or altered is refused.
            for record in ArchiveIterator(stream, check_digests="raise"):
                if not str(record.rec_headers.protocol or "").startswith("WARC/"):
                    continue
                records += 1
                kind = record.rec_type
                rid = record.rec_headers.get_header("WARC-Record-ID") or ""
                if kind == "response" and record.http_headers is not None:
                    if not record.rec_headers.get_header("WARC-Date"):
                        if skipped is not None:
                            target = record.rec_headers.get_header("WARC-Target-URI") or "a response"
                            skipped.append(f"{target}: no WARC-Date, so no capture time (left out)")
                        _check_whole(record, path)
                        continue
                    cap = _capture(record)
                    if cap is not None:
                        pending[rid] = cap
                        order.append(cap)
                elif kind == "metadata" and record.rec_headers.get_header("Content-Type") == METADATA_TYPE:
                    target = pending.get(record.rec_headers.get_header("WARC-Concurrent-To") or "")
                    if target is not None:
                        try:
                            target.metadata = json.loads(record.content_stream().read().decode("utf-8"))
                        except ValueError:
                            pass  # a damaged metadata record leaves the capture itself usable
                _check_whole(record, path)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        raise BadInput(
            f"{path}: not a readable WARC file ({str(exc).strip().splitlines()[0] if str(exc) else exc})"
        ) from None
    said = [line.strip() for line in complaints.getvalue().splitlines() if line.strip()]
    if said:
        raise BadInput(f"{path}: a damaged or cut-short WARC file ({said[0][:160]}); nothing imported")
    if records == 0:
        raise BadInput(f"{path}: not a WARC file (no WARC records in it)")
    if not _ends_whole(path):
        raise BadInput(f"{path}: a damaged or cut-short WARC file (its last record is incomplete); nothing imported")
    yield from order


def _ends_whole(path: Path) -> bool:
    """An uncompressed WARC ends with its last record's two CRLFs (a gzip one is checked by gzip itself)."""
    with open(path, "rb") as stream:
        if stream.read(2) == b"\x1f\x8b":
            return True
        stream.seek(0, os.SEEK_END)
        stream.seek(max(0, stream.tell() - 4))
        return stream.read() == b"\r\n\r\n"


def _check_whole(record: Any, path: Path) -> None:
    """BadInput when a record's block ends before its Content-Length says (a file cut short)."""
    record.raw_stream.read()  # what the caller did not read of it
    if getattr(record.raw_stream, "limit", 0) > 0:
        uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_type
        raise BadInput(f"{path}: a damaged or cut-short WARC file (the record of {uri} ends early); nothing imported")


def _capture(record: Any) -> Capture | None:
    from warcio.timeutils import iso_date_to_datetime

    http = record.http_headers
    content_type = http.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None  # images, scripts, feeds: not an article page
    status_code = http.get_statuscode() or "200"
    body = record.content_stream().read()  # warcio undoes chunking and Content-Encoding
    when = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date")).replace(tzinfo=UTC)
    status_line = http.statusline or ""
    return Capture(
        url=record.rec_headers.get_header("WARC-Target-URI") or "",
        captured_at=when,
        status=int(status_code) if str(status_code).isdigit() else 200,
        reason=status_line.split(" ", 1)[1] if " " in status_line else "",
        http_version=http.protocol or "HTTP/1.1",
        headers=[(k, v) for k, v in http.headers],
        body=body,
    )


def append_capture(folder: Path, cap: Capture, *, software: str) -> Path:
    """Append one capture to this month's rolling WARC in `folder` (watcher-YYYY-MM.warc.gz), starting
    the file with a warcinfo record; gzip members may follow each other, so appending keeps it valid.
    Writers in several processes take turns on the file (flock)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"watcher-{cap.captured_at.astimezone(UTC):%Y-%m}.warc.gz"
    with open(path, "ab") as out:
        fcntl.flock(out.fileno(), fcntl.LOCK_EX)
        try:
            buffer = io.BytesIO()
            if out.tell() == 0:
                write_captures(buffer, [cap], software=software)
            else:
                _write_records(buffer, [cap])
            out.write(buffer.getvalue())
            out.flush()
            os.fsync(out.fileno())
        finally:
            fcntl.flock(out.fileno(), fcntl.LOCK_UN)
    return path
