"""The report's inline styles, in pieces so the diff card can reuse them without the dark theme."""

from __future__ import annotations

# Noto Sans CJK comes right after the Latin system fonts so Chinese/Japanese text gets real glyphs
# (Debian's fonts-noto-cjk) instead of tofu, with the traditional-Chinese forms preferred.
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", '
    '"PingFang TC", "Hiragino Sans", "Microsoft JhengHei", sans-serif'
)
# Noto Sans CJK sets ¶ in a full-width cell, so "(¶2)" read as "( ¶ 2)" on a card: the card takes ¶ alone from a
# Latin font installed beside it (local fonts only: nothing is downloaded; without one, Noto's ¶ is kept).
# It sets Latin punctuation and symbols full-width too (“ ” ‘ ’ · • § × ±: right in Chinese text, gaps in English),
# so a card in a language not written in CJK takes all of them (Latin-1's and General Punctuation) from that font.
_LATIN_FONTS = 'src: local("Liberation Sans"), local("Arial"), local("Helvetica"), local("DejaVu Sans"); }\n'
CARD_FONT_FACES = (
    '@font-face { font-family: "Card Pilcrow"; unicode-range: U+00B6; ' + _LATIN_FONTS + "@font-face { "
    'font-family: "Card Latin Punctuation"; unicode-range: U+00A1-00BF, U+00D7, U+00F7, U+2010-205E; ' + _LATIN_FONTS
)
CARD_FONT_STACK = '"Card Pilcrow", "Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif'
CARD_LATIN_FONT_STACK = '"Card Latin Punctuation", ' + CARD_FONT_STACK

LIGHT_VARS = """
:root {
  --bg: #ffffff; --fg: #1c1c1c; --muted: #5d5d5d; --border: #dcdcdc; --panel: #f6f6f3;
  --link: #0b57d0; --del-bg: #ffe0e0; --del-fg: #8b1010; --ins-bg: #d8f5dd; --ins-fg: #0a5a1e;
  --flag-bg: #ececec; --flag-fg: #2a2a2a; --warn-bg: #ffefbf; --warn-fg: #5e4400;
}
"""

DARK_VARS = """
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121314; --fg: #e6e6e6; --muted: #a3a3a3; --border: #3a3a3a; --panel: #1c1d1f;
    --link: #8ab4f8; --del-bg: #4a1717; --del-fg: #ffb3b3; --ins-bg: #123d1e; --ins-fg: #a8f0b8;
    --flag-bg: #2e2e2e; --flag-fg: #e0e0e0; --warn-bg: #4a3b0a; --warn-fg: #ffe08a;
  }
}
"""

# Shared by the report, the Atom content (where readers allow it) and the card.
DIFF_CSS = """
del { background: var(--del-bg); color: var(--del-fg); text-decoration: line-through; border-radius: 2px; }
ins { background: var(--ins-bg); color: var(--ins-fg); text-decoration: none; border-radius: 2px;
      border-bottom: 2px solid currentColor; }
/* A hair of space keeps a deletion and the insertion that replaces it from reading as one word. */
del + ins, ins + del { margin-left: .15em; }
.diff { white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; margin: .25rem 0 0; }
.flags { list-style: none; padding: 0; margin: .4rem 0; display: flex; flex-wrap: wrap; gap: .35rem; }
.flag { display: inline-block; padding: .05em .6em; border-radius: 1em; font-size: .85em; font-weight: 600;
        background: var(--flag-bg); color: var(--flag-fg); }
.flag-stealth, .flag-correction_notice, .flag-removed { background: var(--warn-bg); color: var(--warn-fg); }
.label { margin: 0; font-size: .85em; color: var(--muted); }
.cls { font-weight: 600; }
"""

PAGE_CSS = """
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; color-scheme: light dark; }
body { margin: 0; background: var(--bg); color: var(--fg); font-family: FONT_STACK;
       font-size: 16px; line-height: 1.6; }
main { max-width: 68rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1, h2, h3, p, li, a, span, time { overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 0 0 .25rem; }
h3 { font-size: 1.05rem; margin: 0; }
a { color: var(--link); }
.meta, .times, .url, .muted { color: var(--muted); font-size: .9rem; margin: .15rem 0; }
.summary { font-weight: 600; }
.toc { border: 1px solid var(--border); border-radius: 8px; padding: .5rem 1rem; margin: 1rem 0; }
.toc h2 { font-size: 1rem; }
.toc ol { margin: 0; padding-left: 1.4rem; }
.table-wrap { overflow-x: auto; }
.summary-table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.summary-table th, .summary-table td { padding: .2rem .5rem; border-bottom: 1px solid var(--border);
                                       text-align: left; vertical-align: top; }
.summary-table th[scope="row"] { font-weight: 500; width: 55%; }
.summary-table thead th.num { white-space: normal; font-size: .85em; }
.summary-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.summary-table tbody tr:target, .summary-table tbody tr:hover { background: var(--panel); }
.summary-table .when { white-space: nowrap; color: var(--muted); }
.context { color: var(--muted); margin: .25rem 0; font-size: .95em; }
/* A moved paragraph is drawn as a move: a dashed rule and an arrow, not as text added. */
.op-move > .diff { border-left: 3px dashed var(--link); padding-left: .6rem; }
.op-move > .label::before { content: "⇅ "; color: var(--link); font-weight: 700; }
.back { font-size: .85rem; float: right; }
.pn { font-size: .8em; font-variant-numeric: tabular-nums; margin-right: .3em; }
.archive { font-size: .85rem; color: var(--muted); margin: .4rem 0 0; }
.article { border-top: 2px solid var(--border); padding-top: 1rem; margin-top: 1.5rem; }
.change { background: var(--panel); border: 1px solid var(--border); border-radius: 8px;
          padding: .75rem 1rem; margin: .75rem 0; }
.edit { border-top: 1px solid var(--border); padding: .5rem 0; }
.event { font-weight: 600; }
@media (max-width: 30rem) { main { padding: .5rem; } .change { padding: .5rem; } }
""".replace("FONT_STACK", FONT_STACK)

# Screenshots beside a change's diff (report/shots.py).
SHOTS_CSS = """
.change.has-shots { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); column-gap: 1rem; }
.change.has-shots > * { grid-column: 1; }
.change.has-shots > .shots { grid-column: 2; grid-row: 1 / span 30; }
.shot { margin: 0 0 .75rem; }
.shot figcaption { font-size: .85rem; color: var(--muted); margin-bottom: .25rem; }
.shot-view { display: block; width: 100%; height: auto; border: 1px solid var(--border); background: #fff; }
.shot-new, .shot-old { fill: none; stroke-width: 3px; vector-effect: non-scaling-stroke; }
.shot-new { stroke: #e8590c; }
.shot-old { stroke: #c92a2a; stroke-dasharray: 8 4; }
.shot-whole summary { font-size: .85rem; cursor: pointer; color: var(--link); }
.shot-full { overflow: auto; max-height: 80vh; }
.shot-full .shot-view { width: auto; height: auto; max-width: none; }
@media (max-width: 50rem) { .change.has-shots { display: block; } }
"""

REPORT_CSS = LIGHT_VARS + DARK_VARS + DIFF_CSS + PAGE_CSS + SHOTS_CSS
