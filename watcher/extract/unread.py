"""The digest of a page's raw bytes over only what extraction reads: two responses with the same digest extract alike.

Most dynamic sites make every response's bytes unique without changing the story: a CSP nonce on each script tag,
a request id or render time in an inline script, "generated in 0.21 s" in a comment. Extraction never reads a
script that runs (only JSON-LD and other data blocks), a comment, or a nonce, so those are left out of the digest;
everything else, data blocks included, counts byte for byte. The page is read in order, as an HTML tokenizer reads
it, so what only looks like a script or a comment is neither: a "<script>" or "<!--" in an attribute's value (a
description of a story about HTML), in a data block's text (an embed code in JSON-LD) or in a title. Equal digests
therefore mean the extraction of one response is the extraction of the other, and a check can skip extracting what
it already extracted once.
"""

from __future__ import annotations

import hashlib
import re

# What the page's tokenizer meets in its text, scanned in order from the top, so that what only looks like a comment
# or a script is never taken for one: a comment's start, or a start tag (a quoted attribute value read whole, as an
# HTML tokenizer reads it: "<script>" in a meta description is text). Searched in the lowercased page.
_NEXT = re.compile(rb"""<!--|<([a-z][^\t\n\f\r />]*)((?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+)>""")
_ATTRIBUTE = re.compile(rb"""([^\s/>=][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_COMMENT_END = re.compile(rb"-?>|.*?--!?>", re.S)  # "<!-->" and "<!--->" end at once; "--!>" ends one too
# Elements whose text is text, never markup (HTML's raw text and escapable raw text elements, as lxml parses them
# too; not noscript, whose content it parses as markup): a "<script" or "<!--" inside them opens nothing, and they
# are kept whole.
_TEXT_ONLY = frozenset(b"style xmp iframe noembed noframes title textarea".split())
# A nonce attribute inside a start tag (never the word in the story's text).
_NONCE = re.compile(rb"""(<[a-z][^<>]*?)\snonce\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
# A hidden form field's value: the CSRF token of a comment or newsletter form (WordPress's _wpnonce, Django's
# csrfmiddlewaretoken, Rails' authenticity_token). The field itself counts (extraction counts controls).
_HIDDEN_INPUT = re.compile(rb"""<input\b[^<>]*\btype\s*=\s*["']?hidden\b[^<>]*>""", re.I)
_VALUE = re.compile(rb"""\svalue\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)

# Types a browser runs (https://html.spec.whatwg.org/#javascript-mime-type, and "module"); any other type is a
# data block, which extraction may read (JSON-LD, a framework's JSON state), so its text counts. No type runs too.
_RUNS = frozenset(
    b"""
    application/ecmascript application/javascript application/x-ecmascript application/x-javascript
    text/ecmascript text/javascript text/javascript1.0 text/javascript1.1 text/javascript1.2 text/javascript1.3
    text/javascript1.4 text/javascript1.5 text/jscript text/livescript text/x-ecmascript text/x-javascript module
    """.split()
) | {b""}


def read_digest(body: bytes) -> str:
    """SHA-256 of `body` without running scripts (start tag, text and end tag), comments, nonces and hidden fields'
    values."""
    lowered = body.lower()
    kept, at, scan = [], 0, 0
    while (found := _NEXT.search(lowered, scan)) is not None:
        name = found.group(1)
        if name is None:  # a comment: left out
            closed = _COMMENT_END.match(lowered, found.end())
            kept.append(body[at : found.start()])
            at = scan = closed.end() if closed else len(lowered)
        elif name == b"script":
            ends = _end_tag(lowered, b"script", found.end())
            if _runs(found.group(2)):
                kept.append(body[at : found.start()])
                at = ends
            scan = ends  # a data block's text is data, kept whole: extraction may read it
        elif name in _TEXT_ONLY:
            scan = _end_tag(lowered, name, found.end())
        elif name == b"plaintext":
            break
        else:
            scan = found.end()
    kept.append(body[at:])
    read = _HIDDEN_INPUT.sub(lambda field: _VALUE.sub(b"", field.group()), _NONCE.sub(rb"\1", b"".join(kept)))
    return hashlib.sha256(read).hexdigest()


def _end_tag(lowered: bytes, name: bytes, start: int) -> int:
    """Where the element `name` opened before `start` ends: past its end tag, or the page's end."""
    found = re.compile(rb"</" + re.escape(name) + rb"[\t\n\f\r />]").search(lowered, start)
    if found is None:
        return len(lowered)
    end = lowered.find(b">", found.end() - 1)
    return len(lowered) if end < 0 else end + 1


def _runs(attributes: bytes) -> bool:
    """Whether a script with these attributes runs: its type (the first one given) is one a browser runs."""
    kind = b""
    for attribute in _ATTRIBUTE.finditer(attributes):
        if attribute.group(1) == b"type":
            kind = next((g for g in attribute.groups()[1:] if g is not None), b"")
            break
    return kind.split(b";")[0].strip() in _RUNS
