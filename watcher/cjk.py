"""The CJK character ranges, as regex class contents, for the three questions watcher asks about them.

- UNSPACED (Han and kana): scripts written without spaces between words, so the differ takes one
  character as one token (diff/tokens.py). Hangul is not here: Korean puts spaces between words.
- COUNTED_BY_CHARACTER (Han, kana, Hangul): text whose length is judged in characters, not words
  (extraction's "is this paragraph long enough").
- CJK (all of the above plus CJK punctuation, symbols, bopomofo and full-width forms): a space that
  touches one of these is layout, not a word boundary (normalize.py).
"""

from __future__ import annotations

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
HANGUL = "\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"
# Radicals, CJK punctuation, bopomofo, enclosed and compatibility forms, Yijing symbols, vertical and
# full-width forms: not letters, but text set among CJK characters.
CJK_SYMBOLS = "\u2e80-\u2fff\u3000-\u303f\u3100-\u312f\u31a0-\u31ef\u3200-\u33ff\u4dc0-\u4dff\ufe30-\ufe4f\uff00-\uffef"

UNSPACED = HAN + KANA
COUNTED_BY_CHARACTER = HAN + KANA + HANGUL
CJK = HAN + KANA + HANGUL + CJK_SYMBOLS
