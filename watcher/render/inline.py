"""One edit's inline ops on the terminal, wrapped by watcher so a change marker never splits from its text.

In colour, removed text is red and struck through and added text green: styles only, nothing is added to
the text. Without colour (a pipe, NO_COLOR) the changes are bracketed as ⟦-removed-⟧ and ⟦+added+⟧: the
white square brackets do not occur in news text (and are shown escaped if a page has them), so a marker
is never mistaken for a hyphen or plus sign of the story. A paragraph split or join is said in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from watcher.diff.sentences import keeps_a_sentence
from watcher.diff.tokens import is_cjk, tokenize
from watcher.diff.words import REWRITE_SHARE  # below this share of unchanged text an inline view is noise
from watcher.models import InlineOp
from watcher.render.text import visible

DELETE_MARKS = ("⟦-", "-⟧")
INSERT_MARKS = ("⟦+", "+⟧")
SPLIT_WORDS = "¶ split here"  # a paragraph break inserted: one paragraph became two
JOIN_WORDS = "¶ joined here"  # a paragraph break removed: two paragraphs became one
_MARK_CHARS = {"⟦": "\\u27e6", "⟧": "\\u27e7"}
# Closing punctuation stays on the line of the character before it (no line starts with "，").
_NO_LINE_START = set("，。、；：！？）」』】》〉,.;:!?)]}%")


@dataclass
class _Atom:
    text: str
    style: str = ""
    space: bool = False
    cjk: bool = False


def _style(op: str) -> str:
    return {"-": "diff.delete", "+": "diff.insert"}.get(op, "")


def _escape(text: str, markers: bool) -> str:
    text = visible(text)
    if markers:
        for char, shown in _MARK_CHARS.items():
            text = text.replace(char, shown)
    return text


def _merge_breaks(inline: Sequence[InlineOp]) -> list[tuple[str, str]]:
    """Whitespace-only changes folded: a run of them holding a paragraph break becomes ("split"|"join", "")."""
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(inline):
        op, chunk = inline[k]
        if op == "=" or chunk.strip():
            out.append((op, chunk))
            k += 1
            continue
        run = []
        while k < len(inline) and inline[k][0] != "=" and not inline[k][1].strip():
            run.append(inline[k])
            k += 1
        added = "".join(c for o, c in run if o == "+")
        removed = "".join(c for o, c in run if o == "-")
        if "\n" in added and "\n" not in removed:
            out.append(("split", ""))
        elif "\n" in removed and "\n" not in added:
            out.append(("join", ""))
        else:
            out.append(("=", " " if (added or removed) else ""))
    return out


def _atoms(inline: Iterable[InlineOp], markers: bool, keep: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for op, chunk in _merge_breaks(list(inline)):
        if op in ("split", "join"):
            if "+" not in keep and op == "split" or "-" not in keep and op == "join":
                atoms.append(_Atom(" ", space=True))
                continue
            words = SPLIT_WORDS if op == "split" else JOIN_WORDS
            atoms += [_Atom(" ", space=True), _Atom(f"⟦{words}⟧" if markers else f"[{words}]", "diff.move")]
            atoms.append(_Atom(" ", space=True))
            continue
        if op not in keep:
            continue
        tokens = [_escape(t, markers) for t in tokenize(chunk)]
        style = _style(op)
        first = next((n for n, t in enumerate(tokens) if not t.isspace()), None)
        last = max((n for n, t in enumerate(tokens) if not t.isspace()), default=None)
        for n, token in enumerate(tokens):
            if token.isspace():
                # Whitespace inside a change keeps its style; around it, it belongs to the unchanged text.
                inside = first is not None and last is not None and first < n < last
                atoms.append(_Atom(" " if "\n" not in token else " ", style if inside else "", space=True))
                continue
            text = token
            if markers and op in "-+":
                opening, closing = DELETE_MARKS if op == "-" else INSERT_MARKS
                text = (opening if n == first else "") + text + (closing if n == last else "")
            atoms.append(_Atom(text, style, cjk=is_cjk(token)))
    return atoms


def _words(atoms: list[_Atom]) -> list[tuple[bool, list[_Atom]]]:
    """Unbreakable runs of atoms, each with whether a space stands before it (else a zero-width break)."""
    words: list[tuple[bool, list[_Atom]]] = []
    spaced = False
    current: list[_Atom] = []
    for atom in atoms:
        if atom.space:
            if current:
                words.append((spaced, current))
                current = []
            spaced = True
            continue
        breaks = current and (atom.cjk or current[-1].cjk) and atom.text[:1] not in _NO_LINE_START
        if breaks:
            words.append((spaced, current))
            current, spaced = [], False
        current.append(atom)
    if current:
        words.append((spaced, current))
    return words


def _width(word: list[_Atom]) -> int:
    return sum(cell_len(a.text) for a in word)


def _fill(atoms: list[_Atom], width: int) -> list[list[_Atom]]:
    width = max(1, width)
    lines: list[list[_Atom]] = [[]]
    used = 0
    for spaced, word in _words(atoms):
        size = _width(word)
        gap = 1 if spaced and used else 0
        if used and used + gap + size > width:
            lines.append([])
            used, gap = 0, 0
        if size > width:  # longer than a line: cut by characters, the only place a word is split
            for piece, style in _pieces(word):
                if used and used + cell_len(piece) > width:
                    lines.append([])
                    used = 0
                lines[-1].append(_Atom(piece, style))
                used += cell_len(piece)
            continue
        if gap:
            lines[-1].append(_Atom(" ", word[0].style if lines[-1] and lines[-1][-1].style == word[0].style else ""))
        lines[-1].extend(word)
        used += gap + size
    return lines


def _append_runs(out: Text, atoms: Iterable[_Atom]) -> None:
    """Atoms appended as runs of one style each, so a terminal gets one colour code per change, not per word."""
    run, style = "", None
    for atom in atoms:
        if atom.style != style and run:
            out.append(run, style=style or "")
            run = ""
        run += atom.text
        style = atom.style
    if run:
        out.append(run, style=style or "")


_MARKER = re.compile("|".join(re.escape(m) for m in (*DELETE_MARKS, *INSERT_MARKS)))


def _pieces(word: list[_Atom]) -> list[tuple[str, str]]:
    """A word cut into characters for hard wrapping, each marker kept on its character's side."""
    out: list[tuple[str, str]] = []
    for atom in word:
        text, pending = atom.text, ""
        k = 0
        while k < len(text):
            mark = _MARKER.match(text, k)
            if mark and mark.group() in (DELETE_MARKS[0], INSERT_MARKS[0]):
                pending += mark.group()
                k = mark.end()
                continue
            if mark:  # a closing marker joins the character before it
                if out:
                    out[-1] = (out[-1][0] + mark.group(), out[-1][1])
                else:
                    pending += mark.group()
                k = mark.end()
                continue
            out.append((pending + text[k], atom.style))
            pending = ""
            k += 1
        if pending:
            out.append((pending, atom.style))
    return out


class InlineView:
    """An edit's inline ops, wrapped to the width it is given; `keep` drops one side for side-by-side columns."""

    def __init__(self, inline: Iterable[InlineOp], *, markers: bool, keep: str = "=-+", style: str = ""):
        self.atoms = _atoms(inline, markers, keep)
        self.style = style

    def text(self, width: int) -> Text:
        out = Text(no_wrap=True, overflow="crop", style=self.style)
        for n, line in enumerate(_fill(self.atoms, width)):
            if n:
                out.append("\n")
            _append_runs(out, line)
        return out

    def line(self) -> Text:
        """All of it on one line, for cells that crop rather than wrap."""
        out = Text(style=self.style)
        _append_runs(out, self.atoms)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        words = _words(self.atoms)
        longest = max((_width(w) for _, w in words), default=1)
        total = sum(_width(w) + (1 if spaced else 0) for spaced, w in words)
        return Measurement(min(longest, options.max_width), min(max(total, 1), options.max_width))


def common_share(inline: Sequence[InlineOp]) -> float:
    """How much of the longer side is unchanged text (spaces not counted)."""
    same = sum(len("".join(c.split())) for op, c in inline if op == "=")
    old = same + sum(len("".join(c.split())) for op, c in inline if op == "-")
    new = same + sum(len("".join(c.split())) for op, c in inline if op == "+")
    return same / max(old, new, 1)


def is_rewrite(inline: Sequence[InlineOp]) -> bool:
    """True when old and new share too little for an inline view to help: show them whole instead.

    A sentence kept whole says otherwise: the reader must see it unchanged (the differ has already shown the
    rewritten runs around it whole); edits stored before it did so are judged by their share alone.
    """
    return any(op == "=" for op, _ in inline) and common_share(inline) < REWRITE_SHARE and not keeps_a_sentence(inline)
