"""Correction and update notices, as data per language: the phrases a newsroom uses to admit an edit."""

from __future__ import annotations

import re

# Each pattern is matched against one paragraph (or the dek). Words that are common in ordinary prose
# ("更新", "修正" as in 憲法修正案, "update") only count at the start of a paragraph or inside brackets and
# followed by a colon, which is how notices are typeset; whole phrases count anywhere.
_OPEN = r"[\[【〔（(]"
_CLOSE = r"[\]】〕）)]"
_COLON = r"\s*[:：]"

NOTICE_PATTERNS: dict[str, list[str]] = {
    "en": [
        rf"^\W*(?:corrections?|clarification|update|updated|editor['’]s note){_COLON}",
        r"^\W*updated\b",
        r"\ban earlier version of this (?:article|story|report|post|piece)\b",
        r"\bthis (?:article|story|report|post) (?:has been|was) (?:updated|corrected|amended|changed)\b",
        r"\beditor['’]s note\b",
        r"\bwe (?:regret|apologi[sz]e for) the error\b",
    ],
    "zh": [
        rf"^{_OPEN}?\s*(?:更正|编按|編按|修正|更新|勘誤|勘误|訂正|订正|澄清|編者按|编者按)\s*(?:{_CLOSE}|{_COLON})",
        rf"{_OPEN}\s*(?:更正|编按|編按|修正|更新|勘誤|勘误|訂正|订正|編者按|编者按)\s*(?:{_CLOSE}|{_COLON})",
        r"更正啟事|更正启事|本文已(?:更新|更正|修正|修改)|特此更正|內容已更正|内容已更正",
    ],
    "ja": [
        rf"^{_OPEN}?\s*(?:訂正|おわび|お詫び|追記|更新)\s*(?:{_CLOSE}|{_COLON})",
        r"訂正しました|訂正します|おわびして訂正|お詫びして訂正|記事を更新しました",
    ],
    "ko": [
        rf"^{_OPEN}?\s*(?:정정|바로잡습니다|수정|업데이트)\s*(?:{_CLOSE}|{_COLON})",
        r"바로잡습니다|정정합니다|기사를 수정했습니다",
    ],
    "de": [
        rf"^\W*(?:korrektur|berichtigung|anmerkung der redaktion|aktualisierung){_COLON}",
        r"\bin einer früheren version dieses artikels\b",
    ],
    "fr": [
        rf"^\W*(?:correction|rectificatif|mise à jour|note de la rédaction){_COLON}",
        r"\bune version précédente de cet article\b",
    ],
    "es": [
        rf"^\W*(?:corrección|fe de erratas|actualización|nota del editor){_COLON}",
        r"\buna versión anterior de este artículo\b",
    ],
}

_COMPILED = [re.compile(p, re.IGNORECASE) for patterns in NOTICE_PATTERNS.values() for p in patterns]


def is_notice(text: str) -> bool:
    """True when a paragraph reads as a correction or update notice in any known language."""
    return any(p.search(text) for p in _COMPILED)
