"""Turning an HTML document's bytes into text the way a browser would choose the encoding.

Order (after the WHATWG encoding sniffing algorithm, simplified): a byte-order mark, the charset in
the Content-Type header, a `<meta charset>` or `<meta http-equiv="Content-Type">` in the first
bytes, then UTF-8 if the bytes are valid UTF-8, then charset-normalizer's guess. Labels are read as
browsers read them (big5 is Big5-HKSCS, latin-1 and ascii are windows-1252, gb2312 is GBK), since
pages are written for browsers.
"""

from __future__ import annotations

import codecs
import re

PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE)
# What browsers decode when a page names one of these (WHATWG Encoding Standard's label table).
_AS_BROWSERS_READ = {
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gbk",
    "gb_2312": "gbk",
    "x-gbk": "gbk",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "utf8": "utf-8",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = _AS_BROWSERS_READ.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared(body: bytes, content_type: str = "") -> str | None:
    """The encoding the document declares (BOM, header, meta), or None."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    found = _HEADER_CHARSET.search(content_type or "")
    codec = _codec(found.group(1)) if found else None
    if codec:
        return codec
    meta = _META_CHARSET.search(body[:PRESCAN_BYTES])
    return _codec(meta.group(1).decode("ascii", "replace")) if meta else None


def decode_html(body: bytes, content_type: str = "") -> str:
    """The document as text, in the encoding a browser would pick."""
    codec = declared(body, content_type)
    if codec:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # installed with trafilatura; only undeclared non-UTF-8 needs it

    guess = from_bytes(body[:200_000]).best()
    return body.decode(guess.encoding if guess else "cp1252", errors="replace")
