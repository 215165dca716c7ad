"""The author's name on a byline or meta line, told apart from the dates, times and counters that share the line.

A meta line beside a headline carries, in any order and any language, the author, a date, a time and counters
(comments, shares, views), separated by punctuation, by separate elements, or only by spaces. The parts that are
dates, times or numbers with their one-word label are recognised by their shape; of the rest, the first part
shaped like a personal name (capitalised words, or a short run of Chinese characters with the newsroom's credit
words around it: 記者X／Y報導, X 報導, 文／X, 撰文：X) is the byline.
"""

from __future__ import annotations

import re
from typing import Any

from watcher.cjk import CJK_LETTERS

_CJK = f"[{CJK_LETTERS}]"
_WORD = r"[^\W\d_]+"
_NUM = r"[(（]?\d[\d.,]*[)）]?"

# Dates by shape: all-numeric, Chinese/Japanese, and a month word between the day and the year (or before the day)
# as most languages write it ("March 12, 2026", "12 de março de 2026", "12. März 2026").
# A day without its year ("10月14日報導") opens a wire story's dateline in the body, so only FULL_DATE marks a line
# of the body as a meta line.
FULL_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}"
    rf"|\b{_WORD}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\b\d{{1,2}}(?:\.|º|er)?\s+(?:de\s+)?{_WORD}\.?,?\s+(?:de\s+)?\d{{4}}"
)
DATE = re.compile(rf"{FULL_DATE.pattern}|\d{{1,2}}\s*月\s*\d{{1,2}}\s*日")
# A time, with its a.m./p.m. or "Uhr", and a time zone in capitals after it ("3:46 PM PST").
TIME = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}(?:\s*(?:[ap]\.?\s?m\.?|uhr|h)(?![^\W\d_]))?(?:\s+(?-i:[A-Z]{2,4})\b)?", re.I)
# A number with its label, after it ("4 comentários", "4 則回應") or before it ("評論 5", "Comments (4)"); a Chinese
# label written without a space is two characters (評論5), so that a name just before it is not taken with it.
# The label after its number is tried first over the whole line: "Ana Ribeiro 4 comentários" keeps "Ribeiro".
_COUNT_AFTER = re.compile(rf"{_NUM}\s*{_WORD}")
_COUNT_BEFORE = re.compile(rf"(?:{_CJK}{{2}}|{_WORD}\s+|{_WORD}\s*[:：])\s*{_NUM}|\d+")
_CUT = "\x00"
# Between parts: a bar or dot, a dash or slash with spaces around it, a full-width space, or a gap of spaces.
_PARTS = re.compile(rf"{_CUT}|\s[|·•／/–—-]\s|\s*[|·•｜]\s*|\u3000|\s{{2,}}")
_TRIM = " ,;:，；：.-–—|·•"

# The newsroom's credit words around a Chinese name: 記者林小華／台北報導, 林小華 報導, 文／林小華, 撰文：林小華.
_CREDIT_BEFORE = re.compile(r"^(?:記者|记者|文字?|撰文|採訪|采访|編譯|编译|整理|作者)\s*[／/:：]?\s*")
_CREDIT_AFTER = re.compile(rf"\s*(?:[／/]\s*{_CJK}{{0,6}})?(?:報導|报道)$|\s*[／/]\s*{_CJK}{{2,4}}$")
_CJK_NAMES = re.compile(rf"^{_CJK}{{2,4}}(?:[、\s]+{_CJK}{{2,4}})*$")
# Lowercase words inside a name: surname particles, and the "and" between two names.
_PARTICLES = frozenset("de da do dos das del della di du van von der den le la bin ibn and und e y et".split())


def meta_text(el: Any) -> str:
    """An element's text with a cut wherever two of its pieces meet without a space (<span>Ana</span><span>12/03
    </span>), so that parts set apart only by elements stay apart."""
    pieces: list[str] = []
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag not in ("script", "style") and node.text:
            pieces.append(node.text)
        if node is not el and node.tail:
            pieces.append(node.tail)
    out = ""
    for piece in pieces:
        if out and piece and not out[-1].isspace() and not piece[0].isspace():
            out += _CUT
        out += piece
    return " ".join(out.split())


def parts(line: str) -> list[str]:
    """The parts of a meta line that are not a date, a time or a counter, in order."""
    for shape in (DATE, TIME, _COUNT_AFTER, _COUNT_BEFORE):
        line = shape.sub(_CUT, line)
    # A part ending in a colon is the label of what followed it ("发稿时间：2026-03-12"), not a name.
    return [p.strip(_TRIM) for p in _PARTS.split(line) if p.strip(_TRIM) and not p.strip().endswith((":", "："))]


def has_meta(line: str) -> bool:
    """Whether a line carries a date, a time or a counter."""
    return bool(DATE.search(line) or TIME.search(line) or re.search(r"\d", line))


def credit_line(line: str) -> bool:
    """A Chinese reporter credit standing alone ("記者林小華／台北報導", "文／林小華"): credit words around a name."""
    line = line.strip()
    credited = bool(_CREDIT_BEFORE.match(line) or _CREDIT_AFTER.search(line))
    return credited and bool(re.search(_CJK, line)) and name_like(line)


def name_like(part: str) -> bool:
    """Shaped like a personal name, with its credit words: "By Ann Baker", "Ana de Souza", "記者林小華／台北報導"."""
    if re.search(_CJK, part):
        core = _CREDIT_AFTER.sub("", _CREDIT_BEFORE.sub("", part)).strip(_TRIM)
        return bool(_CJK_NAMES.match(core))
    words = part.split()
    if not 2 <= len(words) <= 8 or len(part) > 60 or not all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) for w in words):
        return False
    # Every word after the first is capitalised, but for the particles inside a name: not "Published on Monday";
    # two capitalised words at least (not "on Monday"), and at most four in a row (not a row of tags).
    rest = words[1:]
    capitalised = [w[:1].isupper() for w in words]
    runs = "".join("1" if c else " " for c in capitalised).split()
    return (
        rest[-1][:1].isupper()
        and all(w[:1].isupper() or w in _PARTICLES for w in rest)
        and sum(capitalised) >= 2
        and max(map(len, runs)) <= 4
    )


# Between the segments of a meta line: a dash or slash with spaces around it, or a bar or dot.
SEGMENTS = re.compile(r"\s[|·•／/–—-]\s|\s*[|·•｜]\s*")


def name_in(line: str) -> str:
    """The first part of a line shaped like a name, or "". A bare Chinese name, without credit words, only opens the
    line: two to four characters further on are as likely a label ("更新", "发布")."""
    for i, part in enumerate(parts(line)):
        bare = bool(re.search(_CJK, part)) and _CREDIT_BEFORE.sub("", _CREDIT_AFTER.sub("", part)) == part
        if name_like(part) and (i == 0 or not bare):
            return part
    return ""


def byline_name(line: str) -> str:
    """The name on a byline or meta line, without its date, time and counters: the first part shaped like a name,
    else the first segment between separators without figures ("Redação" in "Redação · 12/03/2026"), else ""."""
    if name := name_in(line):
        return name
    segments = [s.strip() for s in SEGMENTS.split(line.replace(_CUT, " · "))]
    return next((s for s in segments if s and len(s) <= 60 and not re.search(r"\d", s) and re.search(_WORD, s)), "")
