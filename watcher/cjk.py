"""The CJK character ranges, as regex class contents; every module that asks about CJK text uses these.

- CJK_LETTERS (Han, its iteration marks, kana, Hangul): one character is the smallest unit a reader
  would want highlighted (the differ makes each one a token, diff/tokens.py), and text in these
  scripts is measured in characters rather than words (extraction's "is this long enough").
- CJK (the letters plus CJK punctuation, symbols, bopomofo and full-width forms): a space that
  touches one of these is layout, not a word boundary (normalize.py).
"""

from __future__ import annotations

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_MARKS = "\u3005\u3006\u3007"  # 々 〆 〇 behave like Han characters
KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"
# Radicals, CJK punctuation, bopomofo, enclosed and compatibility forms, Yijing symbols, vertical and
# full-width forms: not letters, but text set among CJK characters.
CJK_SYMBOLS = "\u2e80-\u2fff\u3000-\u303f\u3100-\u312f\u31a0-\u31ef\u3200-\u33ff\u4dc0-\u4dff\ufe30-\ufe4f\uff00-\uffef"

CJK_LETTERS = HAN + HAN_MARKS + KANA + HANGUL
CJK = CJK_LETTERS + CJK_SYMBOLS
