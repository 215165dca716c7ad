"""Text normalization: one canonical form for stored text, and a comparison key blind to formatting."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from watcher.cjk import CJK
from watcher.models import Article

# Invisible characters that editors and CMSes sprinkle into text without changing what a reader sees; control
# characters too (a page's DOM text has none left, extract/dom.py drops them, but JSON-LD may spell them).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\x00-\x08\x0e-\x1b\x7f\ufffe\uffff]")
# A lone surrogate (JSON-LD may escape one) cannot be written as UTF-8: it reads as what a browser shows for it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Every kind of horizontal or vertical space (NBSP, thin, ideographic, ...) except newline is one space.
_SPACES = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_PARA_BREAK = re.compile(r"\n\s*\n")

# Spaces touching a CJK character are layout, not words: "川普 AI" and "川普AI" read the same.
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)


def normalize_text(text: str | None) -> str:
    """One line of text in canonical form: NFC, invisibles removed, every whitespace run one space, trimmed."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text)))
    return _ANY_SPACE.sub(" ", text).strip()


def normalize_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Paragraphs in canonical form: split on blank lines, each normalized, empty ones dropped."""
    out: list[str] = []
    for para in paragraphs:
        if not para:
            continue
        for piece in _PARA_BREAK.split(_SPACES.sub(" ", para)):
            piece = normalize_text(piece)
            if piece:
                out.append(piece)
    return out


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = comparison_key(item)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def normalize_article(article: Article) -> Article:
    """The article with every text field normalized and repeated captions dropped."""
    return replace(
        article,
        headline=normalize_text(article.headline),
        dek=normalize_text(article.dek),
        byline=normalize_text(article.byline),
        published=normalize_text(article.published) or None,
        modified=normalize_text(article.modified) or None,
        body=normalize_paragraphs(article.body),
        captions=_dedupe(normalize_paragraphs(article.captions)),
        lang=normalize_text(article.lang) or None,
        canonical_url=normalize_text(article.canonical_url) or None,
    )


def comparison_key(text: str | None) -> str:
    """A key equal for two texts that differ only in whitespace, character width, quote or dash style."""
    text = unicodedata.normalize("NFKC", normalize_text(text)).translate(_QUOTES)
    return _SPACE_NEAR_CJK.sub("", text)


def content_hash(article: Article) -> str:
    """sha256 hex of the normalized content fields; extractor, lang and canonical URL do not count."""
    art = normalize_article(article)
    payload = {
        "headline": art.headline,
        "dek": art.dek,
        "byline": art.byline,
        "published": art.published,
        "modified": art.modified,
        "body": art.body,
        "captions": art.captions,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
