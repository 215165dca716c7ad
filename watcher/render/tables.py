"""Tables for `watcher list`, `history`, `check` summaries and `extract`; readable at 80 columns."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from watcher.labels import NEVER_CHECKED
from watcher.models import STATUSES, Article, CheckResult, Feed, Version, WatchedArticle
from watcher.render.text import visible
from watcher.times import short_time


def _when(moment: datetime | None) -> str:
    """Month, day and minute in UTC are enough to read a schedule; the JSON output carries the full time."""
    return short_time(moment)


def _status(status: str | None) -> Text:
    if not status:
        return Text("—", style="diff.context")
    return Text(status, style=f"status.{status}" if status in STATUSES else "")


def _table(title: str | None = None) -> Table:
    return Table(title=title, box=box.SIMPLE_HEAD, header_style="table.header", expand=False, pad_edge=False)


def _cell(text: str, width: int, align: str = "left") -> str:
    """Text cut or padded to exactly `width` terminal cells (CJK characters take two)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return text.rjust(width) if align == "right" and cell_len(text) == len(text) else set_cell_size(text, width)


def _lines(text: str, width: int, most: int) -> list[str]:
    """Text broken into at most `most` lines of `width` cells (at spaces where it has them), the last one cut."""
    if cell_len(text) == len(text):
        lines = textwrap.wrap(text, width) or [""]
    else:
        lines, line = [], ""
        for char in text:
            if cell_len(line + char) > width:
                lines.append(line)
                line = char.lstrip()
            else:
                line += char
        lines.append(line)
    if len(lines) > most:
        lines = lines[: most - 1] + [" ".join(lines[most - 1 :])]
    return [_cell(line, width) for line in lines]


def short_url(url: str, width: int) -> str:
    """The URL without its scheme, cut in the middle of the path to fit `width` cells: host and slug stay."""
    bare = url.split("://", 1)[-1]
    if cell_len(bare) <= width:
        return bare
    host, _, path = bare.partition("/")
    room = width - cell_len(host) - 2  # "/…"
    if room < 4:
        return _cell(bare, width).rstrip()
    tail = "/" + path
    while cell_len(tail) > room:
        tail = tail[1:]
    return f"{host}/…{tail}"


def interval_text(seconds: int | None) -> str:
    """A check interval as people write it (15m, 2h, 1d, 90s); "auto" for the age-based schedule."""
    if seconds is None:
        return "auto"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def watch_status(a: WatchedArticle) -> str:
    """The state `list` shows: paused, stopped (past the last tier), never (not checked yet), else the last status."""
    return "paused" if getattr(a, "paused", False) else "stopped" if a.stopped else a.last_status or NEVER_CHECKED


def _no_headline(a: WatchedArticle) -> str:
    """What stands in for the headline of an article with no version: why there is none."""
    if a.last_checked is None:
        return "(not checked yet)"
    return f"(no story read yet: last check {a.last_status or 'failed'})"


class ArticleList:
    """The `watcher list` view, drawn line by line in fixed columns.

    Each article takes two lines: its id, headline and state, then its URL (path cut to fit) and tags.
    rich's Table measures and wraps every cell (about a millisecond a row), which made listing 1,000
    articles take most of a second; cutting each cell to its width ourselves keeps it a few milliseconds.
    """

    def __init__(
        self,
        articles: Sequence[WatchedArticle],
        ids: dict[str, str] | None = None,
        *,
        when: Callable[[datetime | None], str] | None = None,
        id_width: int = 2,
        time_width: int = 7,
        header: bool = True,
    ):
        self.articles = list(articles)
        self.ids = ids or {}
        self.when = when or _when
        self.id_width = max([len(i) for i in self.ids.values()] + [id_width])
        # Each article's last and next check as shown, formatted once: they set the column's width and fill it.
        self.times = [(self.when(a.last_checked), self.when(a.next_check)) for a in self.articles]
        self.time_width = max([cell_len(t) for pair in self.times for t in pair] + [time_width])
        # A count is never cut: 1500 versions cut to three cells read as "15…".
        self.count_width = max([len(str(a.versions)) for a in self.articles] + [3])
        self.header = header

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        id_w, time_w = self.id_width, self.time_width
        fixed = [
            ("v", self.count_width, "right"),
            ("every", 5, "left"),
            ("status", 9, "left"),
            ("checked", time_w, "left"),
        ]
        if width >= 110:
            fixed.append(("next", time_w, "left"))
        rest = width - id_w - sum(w for _, w, _ in fixed) - len(fixed) - 2
        article_w = max(16, rest if width < 110 else rest * 3 // 5)
        edit_w = max(0, rest - article_w) if width >= 110 else 0
        # Segments, not one Text: every cell is already cut to its width and made visible, and rich's Text
        # machinery (wrap, divide, a control-code pass per line) cost about 0.2 ms a line, most of `list`.
        styles: dict[str | None, Style | None] = {None: None}

        def styled(text: str, name: str | None = None) -> Segment:
            if name not in styles:
                styles[name] = console.get_style(name or "none")
            # visible() leaves tabs and line breaks, which would move the columns: one space each.
            return Segment(text.translate(_BLANKS), styles[name])

        lines: list[list[Segment]] = []
        if self.header:
            header = [_cell("id", id_w), _cell("article", article_w)] + [_cell(n, w, al) for n, w, al in fixed]
            if edit_w:
                header.append(_cell("last edit", edit_w))
            lines.append([styled(" ".join(header).rstrip(), "table.header")])
            lines.append([styled("─" * width, "diff.context")])
        for a, (checked, due) in zip(self.articles, self.times):
            status = watch_status(a)
            cells: list[tuple[str, str | None]] = [
                (_cell(self.ids.get(a.url, ""), id_w) + " ", "diff.label"),
                (_lines(visible(a.headline or _no_headline(a)), article_w, 1)[0] + " ", None),
                (
                    _cell(str(a.versions), self.count_width, "right") + " " + _cell(interval_text(a.every), 5) + " ",
                    None,
                ),
                (_cell(status, 9), f"status.{status}" if status in STATUSES else "diff.context"),
                (" " + _cell(checked, time_w), None),
            ]
            if width >= 110:
                cells.append((" " + _cell(due, time_w), None))
            if edit_w:
                cells.append((" " + _cell(visible(a.last_edit_summary or ""), edit_w), None))
            while len(cells) > 1 and not cells[-1][0].strip():
                cells.pop()
            cells[-1] = (cells[-1][0].rstrip(), cells[-1][1])
            lines.append([styled(text, style) for text, style in cells])
            tags = " ".join("#" + t for t in a.tags)
            url_w = width - id_w - 1 - (cell_len(tags) + 2 if tags else 0)
            url_w = max(url_w, min(width - id_w - 1, 24))
            link = short_url(visible(a.url), url_w)
            second = [styled(" " * (id_w + 1) + link, "diff.context")]
            room = width - id_w - 1 - cell_len(link) - 2
            if tags and room > 1:
                second.append(styled("  " + _cell(visible(tags), room).rstrip(), "diff.label"))
            lines.append(second)
        newline = Segment.line()
        for line in lines:
            yield from Segment.adjust_line_length(line, width) if _too_long(line, width) else line
            yield newline


_BLANKS = str.maketrans({"\t": " ", "\n": " ", "\x0b": " ", "\x0c": " "})


def _too_long(line: list[Segment], width: int) -> bool:
    """Whether a line would run past the screen (a cell cut to its width in characters can be wider in cells)."""
    return sum(cell_len(segment.text) for segment in line) > width


def articles_table(
    articles: Sequence[WatchedArticle],
    ids: dict[str, str] | None = None,
    *,
    when: Callable[[datetime | None], str] | None = None,
) -> ArticleList:
    """Two lines per watched article: id, headline, versions, interval, status, checks and last edit;
    then its URL and tags."""
    return ArticleList(articles, ids, when=when)


def article_pages(
    articles: Iterable[WatchedArticle],
    id_of: Callable[[str], str],
    id_width: int,
    *,
    when: Callable[[datetime | None], str] | None = None,
    page: int = 500,
) -> Iterator[ArticleList]:
    """`watcher list` a page of articles at a time, so 100,000 start printing at once: each page in the
    columns of the one before; the header again only when a page needs a wider time column."""
    time_width = 7
    first = True
    for chunk in _batched(articles, page):
        shown = ArticleList(
            chunk, {a.url: id_of(a.url) for a in chunk}, when=when, id_width=id_width, time_width=time_width
        )
        shown.header = first or shown.time_width > time_width
        first, time_width = False, shown.time_width
        yield shown


def _batched(items: Iterable[WatchedArticle], size: int) -> Iterator[tuple[WatchedArticle, ...]]:
    # itertools.batched from Python 3.12 on
    it = iter(items)
    while chunk := tuple(itertools.islice(it, size)):
        yield chunk


def feeds_table(feeds: Sequence[Feed]) -> Table:
    """One row per followed feed: URL, poll interval, last/next poll, status and articles found."""
    table = _table("feeds")
    table.add_column("feed", ratio=3, overflow="fold")
    table.add_column("every", justify="right", no_wrap=True)
    table.add_column("polled", no_wrap=True)
    table.add_column("next", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("added", justify="right", no_wrap=True)
    for f in feeds:
        table.add_row(
            Text(visible(f.url)),
            f"{f.every // 60}m" if f.every % 60 == 0 else f"{f.every}s",
            _when(f.last_polled),
            _when(f.next_poll),
            _status(f.last_status),
            str(f.articles_added),
        )
    return table


def history_table(versions: Sequence[Version]) -> Table:
    """One row per stored version: number, capture time, headline, edit count, flags or event."""
    # Imported here: render.edits pulls in the differ, which `watcher list` has no use for.
    from watcher.render.edits import flags_text

    table = _table()
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("captured", no_wrap=True)
    table.add_column("headline", ratio=3, overflow="fold", min_width=16)
    table.add_column("edits", justify="right", no_wrap=True)
    table.add_column("flags", ratio=2, overflow="fold")
    for v in versions:
        flags = list(v.flags)
        if v.event and v.event not in flags:
            flags.insert(0, v.event)
        table.add_row(
            str(v.number),
            _when(v.captured_at),
            Text(visible(v.article.headline)),
            str(len(v.edits)),
            flags_text(flags, short=True),
        )
    return table


def summary_table(results: Sequence[CheckResult]) -> Table:
    """One row per checked article: status, version, URL or headline, edit count and flags."""
    from watcher.render.edits import flags_text

    table = _table()
    table.add_column("status", no_wrap=True)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("article", ratio=3, overflow="fold", min_width=16)
    table.add_column("edits", justify="right", no_wrap=True)
    table.add_column("flags / error", ratio=2, overflow="fold")
    for r in results:
        detail = Text(visible(r.error), style="status.error") if r.error else flags_text(r.flags, short=True)
        table.add_row(
            _status(r.status),
            "" if r.version is None else str(r.version),
            Text(visible(r.headline or r.url)),
            str(len(r.edits)),
            detail,
        )
    return table


def _moment_text(value: str, when: Callable[[datetime | None], str] | None) -> str:
    """A stored date in the display zone, the stored form after it: "2026-11-20 09:30 CST (2026-11-20T01:30:00Z)"."""
    from watcher.times import parse_iso

    try:
        moment = parse_iso(value) if when is not None and "T" in value else None
    except ValueError:
        moment = None
    return f"{when(moment)} ({value})" if moment is not None and when is not None else value


def article_panel(article: Article, when: Callable[[datetime | None], str] | None = None) -> RenderableType:
    """An extracted article as watcher would store it, for writing and checking site rules; `when` shows its
    dates in the display zone (the stored ISO form follows in brackets)."""
    meta = Table.grid(padding=(0, 1))
    meta.add_column(style="diff.label", no_wrap=True)
    meta.add_column(overflow="fold")
    for name in ("headline", "dek", "byline", "published", "modified", "site", "lang", "canonical_url", "extractor"):
        value = getattr(article, name)
        if value:
            shown = _moment_text(str(value), when) if name in ("published", "modified") else str(value)
            meta.add_row(name, Text(visible(shown)))
    parts: list[RenderableType] = [meta]
    if article.captions:
        parts += [Text(""), Text(f"captions ({len(article.captions)})", style="diff.label")]
        parts += [Text("  " + visible(c)) for c in article.captions]
    count = len(article.body)
    parts += [Text(""), Text(f"body ({count} paragraph{'' if count == 1 else 's'})", style="diff.label")]
    # A grid, so a long paragraph (a Chinese one has no space to break at) starts beside its number and wraps
    # under its own first word rather than under the number.
    body = Table.grid(padding=(0, 1))
    body.add_column(style="diff.context", justify="right", no_wrap=True, min_width=3)
    body.add_column(overflow="fold")
    for n, para in enumerate(article.body, 1):
        body.add_row(str(n), Text(visible(para)))
    parts.append(body)
    return Panel(Group(*parts), title=Text(visible(article.headline or "(no headline)")), box=box.ROUNDED)
