"""In-article modules told by their shape: runs of short link lines, pointer lines, link rows, meta lines by the byline.

Related stories, "read more" pointers, tag rows, and the date-and-comment-count line beside the byline sit inside
the article container on many sites, in every language. They are recognised here by how their lines are built
(how much of a line is links, how many links, how short, whether it is a sentence, whether it carries figures
and sits before or after the story's prose), never by the words they use. A story line that contains a link, or
is short, is a sentence among sentences and stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from watcher.cjk import CJK_LETTERS
from watcher.extract.byline import FULL_DATE, SEGMENTS, TIME, credit_line, name_in

SHORT_LINE = 150  # characters: longer than a headline in a list of stories, shorter than most story paragraphs
LINK_DOMINATED = 0.5  # share of a line's characters inside links
POINTER_UNLINKED_WORDS = 3  # "Read more:", "Leia também:", "延伸閱讀：" before the link
MODULE_HEADING_CHARS = 40
TITLE_CHARS = 10  # linked characters of another story's title, at least; a linked name is shorter
META_LINE_CHARS = 90
TEASED_TITLE_WORDS = 3  # a linked title of another story, at least; a linked name is shorter

_SENTENCE_END = re.compile(r"[.!?。！？…」』\"”’)）]\s*$")
_LETTER = re.compile(rf"[^\W\d_]|[{CJK_LETTERS}]")
_CJK = re.compile(f"[{CJK_LETTERS}]")
_DIGIT = re.compile(r"\d")
_FIGURES = re.compile(r"(?<!\S)\d+\s+\d+(?!\S)")  # numbers side by side: a row of a score or a table
_DATE = re.compile(f"{FULL_DATE.pattern}|{TIME.pattern}", re.I)
_LABEL = re.compile(r"[:：|»›>—–]\s*$")  # "Read more:", "Newsletter —" before the link


@dataclass
class Line:
    """One text block of the body as read from the tree: its text, and how much of it is inside links."""

    text: str
    linked: int = 0  # characters inside links
    links: int = 0  # how many links
    unlinked: str = ""  # the text outside links
    row: bool = False  # a table row, read as one line
    lead: str = ""  # the text before the first link: a label ("Read more:") when it ends like one


def _words(text: str) -> int:
    return len(text.split()) + len(_CJK.findall(text))


def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _link_line(line: Line) -> bool:
    """A short line that is mostly links: an entry of a list of other stories, or a row of tags."""
    return bool(line.links) and len(line.text) <= SHORT_LINE and line.linked >= LINK_DOMINATED * len(line.text)


def _pointer(line: Line) -> bool:
    """One line that points elsewhere: a labelled link ("Read more: <a>…</a>", "Tags: <a>…</a>, <a>…</a>"), or a
    row of three or more links with only separators between them.

    A sentence that contains a link ("The report is <a>online</a>.") ends as sentences end and is kept, and so
    does a line naming two people by their profile links.
    """
    if _is_sentence(line.text) or len(line.text) > SHORT_LINE:
        return False
    unlinked = line.unlinked.strip()
    label = line.lead.strip() if _LABEL.search(line.lead) else ""
    rest = unlinked[len(label) :] if label and unlinked.startswith(label) else unlinked
    if line.links >= 3 and len(_LETTER.findall(rest)) <= max(12, 0.15 * len(line.text)):
        return True  # a row of links after its label, however short each is ("字級：小 中 大", "Rozmiar tekstu: A A A")
    if not _link_line(line):
        return False
    if not (line.lead.strip() and _LABEL.search(line.lead)) or _words(unlinked) > POINTER_UNLINKED_WORDS:
        return False
    # After the label: another story's title, or only links and separators (a row of tags, however short).
    after = unlinked[len(line.lead.strip()) :] if unlinked.startswith(line.lead.strip()) else unlinked
    return line.linked >= TITLE_CHARS or not _LETTER.search(after)


def _list_entry(line: Line) -> bool:
    """A line of a list of other stories: mostly a link, the rest a few words (a date, a section), no sentence."""
    return (
        _link_line(line)
        and line.linked >= TITLE_CHARS
        and not _is_sentence(line.text)
        and _words(line.unlinked) <= POINTER_UNLINKED_WORDS
    )


def _teased_title(line: Line) -> bool:
    """A line of a list of other stories with their teasers: it opens with its one link, a title that is no
    sentence, and goes on with a new sentence (the teaser, capitalised), not with the rest of the title's
    sentence as a story line that opens with a linked name does ("<a>Ines Calloway</a> said …")."""
    if line.links != 1 or line.lead.strip() or line.row or len(line.text) > 2 * SHORT_LINE:
        return False
    teaser = line.unlinked.strip().lstrip("—–-:|·• ")
    title = line.text[: len(line.text) - len(line.unlinked)].strip()
    return (
        _words(title) >= TEASED_TITLE_WORDS
        and len(title) >= 2 * TITLE_CHARS
        and not _is_sentence(title)
        and teaser[:1].isupper()
    )


def _module_heading(line: Line) -> bool:
    """The title of a module ("More great stories", "相關新聞"): short, no link, not a sentence."""
    return not line.links and len(line.text) <= MODULE_HEADING_CHARS and not _is_sentence(line.text)


def _meta_line(line: Line) -> bool:
    """A date, counter or byline-and-counter line: short, with figures, not a sentence, a few words or segments."""
    text = line.text
    if credit_line(text):
        return True
    if (
        line.row
        or _FIGURES.search(_DATE.sub(" ", text))  # "March 12, 2026 4 comments" is a date and a count, not a row
        or len(text) > META_LINE_CHARS
        or not _DIGIT.search(text)
        or not (_LETTER.search(text) or _DATE.search(text))  # figures alone are a table's, unless a date
        or _is_sentence(text)
    ):
        return False
    # Or a name with figures set apart only by spaces ("陳怡君 12 則回應", "Ruth Okafor 4 min read").
    return _words(text) <= 4 or len(SEGMENTS.split(text)) >= 2 or bool(_DATE.search(text) or name_in(text))


def is_prose(text: str) -> bool:
    """A line of the story's prose: a sentence, or longer than a line of a list."""
    return _is_sentence(text) or len(text) > SHORT_LINE


# A counter: one to three figures each followed by its one word ("128 則留言", "1,204 views | 12 comments").
_COUNTER = re.compile(r"^\s*(?:\d[\d,.]*\s*[kKmM萬万]?\s*[^\W\d_][^\s|·•/,，、]{0,14}\s*[|·•/,，、]?\s*){1,3}$")


# A labelled figure: a label, then a figure with its unit ("Read time: 4 min", "閱讀時間：約 3 分鐘").
_LABELLED_FIGURE = re.compile(r"^\s*[^:：\d]{1,16}[:：]\s*(?:\S{1,3}\s+|[^\W\d_]\s*)?\d[\d,.]*\s*[^\W\d_]\S{0,5}\s*$")


def _counter(text: str) -> bool:
    return len(text) <= META_LINE_CHARS and bool(_COUNTER.match(text) or _LABELLED_FIGURE.match(text))


def _prose(line: Line) -> bool:
    return is_prose(line.text)


def _only_link(line: Line) -> bool:
    """A block that is nothing but a link: a pointer to another page ("READ MORE: ...", a related story)."""
    return line.linked >= 0.9 * len(line.text) and len(line.text) < 250


def drop_modules(lines: list[Line]) -> tuple[list[str], list[str]]:
    """The body's lines without the in-article modules among them, and the meta lines among those, as text."""
    # Blocks that are only a link leave first; a module heading over two or more of them in a row leaves too.
    heads = {
        k - 1
        for k in range(1, len(lines) - 1)
        if _only_link(lines[k]) and _only_link(lines[k + 1]) and _module_heading(lines[k - 1])
    }
    lines = [line for k, line in enumerate(lines) if not _only_link(line) and k not in heads]
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (_list_entry(lines[j]) or _teased_title(lines[j])):
            j += 1
        if j - i >= 2:
            # Two or more short link lines in a row, or titles with their teasers: a list of other stories, with
            # its heading if it has one.
            for k in range(i, j):
                keep[k] = False
            if i > 0 and _module_heading(lines[i - 1]):
                keep[i - 1] = False
            i = j
            continue
        if _pointer(lines[i]):
            keep[i] = False
        i += 1
    # Before the story's first sentence, figures without a sentence are the date, the comment count and the
    # byline beside them ("Por Ana · 12/03/2026 · 4 comentários"); after it they are the story's (a subhead with a
    # year, a table row, a list of dates), and so are three or more such lines in a row (a list).
    first = next((k for k, line in enumerate(lines) if keep[k] and _prose(line)), 0)
    meta = [k for k in range(first) if _meta_line(lines[k]) and not _counter(lines[k].text)]
    if len(meta) <= 2:
        for k in meta:
            keep[k] = False
    # Counters ("3545 人按讚 9168 點閱", "12 komentarzy") before the story's first sentence or after its last.
    last = max((k for k, line in enumerate(lines) if keep[k] and _prose(line)), default=len(lines))
    for k, line in enumerate(lines):
        if keep[k] and (k < first or k > last) and _counter(line.text):
            keep[k] = False
            meta.append(k)
    meta.sort()
    kept = [line.text for line, kept in zip(lines, keep, strict=True) if kept]
    return kept, [lines[k].text for k in meta if not keep[k]]
