"""The digest of a page's raw bytes over only what extraction reads: two responses with the same digest extract alike.

Most dynamic sites make every response's bytes unique without changing the story: a CSP nonce on each script tag,
a request id or render time in an inline script, "generated in 0.21 s" in a comment. Extraction never reads a
script that runs (only JSON-LD and other data blocks), a comment, or a nonce, so those are left out of the digest;
everything else, data blocks included, counts byte for byte. Equal digests therefore mean the extraction of one
response is the extraction of the other, and a check can skip extracting what it already extracted once.
"""

from __future__ import annotations

import hashlib
import re

# A comment or a script's start tag, whichever opens first, as an HTML tokenizer reads them (a "<script" inside a
# comment is comment, a "<!--" inside a script is script). Searched in the lowercased page, as tags are read.
_OPENS = re.compile(rb"<!--|<script(?=[\s/>])([^>]*)>")
_TYPE = re.compile(rb"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
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
    kept, at = [], 0
    for opened in _OPENS.finditer(lowered):
        if opened.start() < at:
            continue  # inside what was just left out
        if opened.group(1) is None:
            empty = re.match(rb"-?>", lowered[opened.end() : opened.end() + 2])  # "<!-->" and "<!--->" end at once
            end = opened.end() + empty.end() if empty else _after(lowered, b"-->", opened.end(), b"")
        elif _runs(opened.group(1)):
            end = _after(lowered, b"</script", opened.end(), b">")
        else:
            continue  # a data block: extraction may read it
        kept.append(body[at : opened.start()])
        at = end
    kept.append(body[at:])
    read = _HIDDEN_INPUT.sub(lambda field: _VALUE.sub(b"", field.group()), _NONCE.sub(rb"\1", b"".join(kept)))
    return hashlib.sha256(read).hexdigest()


def _after(lowered: bytes, closer: bytes, start: int, then: bytes) -> int:
    """Where the element opened before `start` ends: past `closer` (and the next `then`), or the page's end."""
    found = lowered.find(closer, start)
    if found < 0:
        return len(lowered)
    end = found + len(closer)
    if then:
        end = lowered.find(then, end)
        return len(lowered) if end < 0 else end + len(then)
    return end


def _runs(attributes: bytes) -> bool:
    declared = _TYPE.search(attributes)
    kind = b"" if declared is None else next(g for g in declared.groups() if g is not None)
    return kind.split(b";")[0].strip() in _RUNS
