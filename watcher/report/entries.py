"""The report's view of the store: version changes, filtered and grouped, plus helpers every format shares."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from watcher.diff import align
from watcher.diff.summary import summarize
from watcher.labels import FLAG_LABELS, place, story_label
from watcher.models import Edit, InlineOp, Version, WatchedArticle, shown_edits
from watcher.report.shots import ImageSource
from watcher.times import as_utc


@dataclass(frozen=True)
class ReportOptions:
    """How a report is headed and shown, whatever its format: when it was made, its title and the window it
    covers in words; `lang` words the HTML and Markdown labels ("en", "zh-Hant" or "auto": each story's own
    language); `tz` is the zone times are shown in (None: UTC; JSON and Atom stay UTC); `archive_dir` holds the
    WARCs the HTML report links to; `images` gives it the versions' screenshots (report/shots.py; None: none)."""

    generated_at: datetime
    title: str = "watcher report"
    window: str = ""
    lang: str = "en"
    tz: tzinfo | None = None
    archive_dir: Path | None = None
    images: ImageSource | None = None


@dataclass
class ReportEntry:
    """One version change of one article: `new.edits` / `new.flags` hold the change from `old` to `new`."""

    article: WatchedArticle
    old: Version | None
    new: Version


@dataclass
class Change:
    """A ReportEntry with the edits the reader should see, after cosmetic filtering."""

    entry: ReportEntry
    edits: list[Edit]

    @property
    def url(self) -> str:
        return self.entry.new.url or self.entry.article.url

    @property
    def headline(self) -> str:
        """The headline as of the new version, falling back to the article's, then the URL."""
        return self.entry.new.article.headline or self.entry.article.headline or self.url

    @property
    def flags(self) -> list[str]:
        """The version's flags, with its event (removed, redirected...) first when it is not already a flag."""
        flags = list(self.entry.new.flags)
        event = self.entry.new.event
        if event and event not in flags:
            flags.insert(0, event)
        return flags

    @property
    def status(self) -> str:
        """The contract's status word for this change: the event for event versions, else "changed"."""
        return self.entry.new.status


@dataclass
class ArticleGroup:
    """All the reported changes of one article, newest first."""

    url: str
    changes: list[Change]

    @property
    def headline(self) -> str:
        return self.changes[0].headline

    @property
    def edit_count(self) -> int:
        return sum(len(c.edits) for c in self.changes)


def _unplaced(edit: Edit) -> bool:
    return edit.field == "body" and edit.from_para is None and edit.to_para is None


def placed(old: Version | None, new: Version, edits: Sequence[Edit]) -> list[Edit]:
    """The edits with their paragraph numbers: edits stored before positions were kept get them by aligning
    the two bodies again (the code the differ ran), matched by content, so a stored diff stays the truth."""
    if old is None or not any(_unplaced(e) for e in edits):
        return list(edits)
    rows: defaultdict[tuple, list[tuple[tuple[int, ...], tuple[int, ...]]]] = defaultdict(list)
    for row in align(old.article.body, new.article.body):
        if row.edit is not None:
            rows[(row.edit.op, row.edit.old, row.edit.new)].append((row.old, row.new))
    out = []
    for edit in edits:
        found = rows.get((edit.op, edit.old, edit.new)) if _unplaced(edit) else None
        if found:
            was, now = found.pop(0)
            edit = dataclasses.replace(edit, from_para=was[0] + 1 if was else None, to_para=now[0] + 1 if now else None)
        out.append(edit)
    return out


def visible_changes(
    entries: Sequence[ReportEntry], include_cosmetic: bool, classes: Collection[str] = ()
) -> list[Change]:
    """Entries worth showing: those with a visible edit, and every event version (removed, restored...);
    with `classes` (`report --class`), only edits of those classes."""
    changes = []
    for entry in entries:
        edits = shown_edits(entry.new.edits, include_cosmetic or "cosmetic" in classes)
        if classes:
            edits = [e for e in edits if e.cls in classes]
        if edits or entry.new.event:
            changes.append(Change(entry, placed(entry.old, entry.new, edits)))
    return changes


@dataclass(frozen=True)
class ShownEdit:
    """An edit as every report format shows it: its label (field, where a body edit sits, what happened, class),
    the paragraphs before and after it as (place, text) when it is shown within its change, and its inline ops."""

    edit: Edit
    label: str
    before: tuple[str, str] | None
    after: tuple[str, str] | None
    ops: list[InlineOp]


def shown_edit(edit: Edit, lang: str | None = None, change: Change | None = None) -> ShownEdit:
    """What the reports show of an edit, labels in `lang` (None: English); its neighbouring paragraphs only
    when `change` is given."""
    where = place(edit.from_para, edit.to_para, edit.op, lang) if edit.field == "body" else ""
    before, after = context_paragraphs(change, edit, lang) if change is not None else (None, None)
    label = story_label(edit.field, edit.op, edit.cls, lang, where)
    return ShownEdit(edit, label, before, after, edit_ops(edit))


def context_paragraphs(
    change: Change, edit: Edit, lang: str | None = None
) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The paragraph before and after a body edit, each as (its place, its text), None where there is none or
    where that paragraph is an edit of this change itself (it is shown as one)."""
    if edit.field != "body":
        return None, None
    new_body = change.entry.new.article.body
    old = change.entry.old
    if edit.to_para is not None:
        body, at, in_new = new_body, edit.to_para, True
        taken = {e.to_para for e in change.edits if e.field == "body"}
    elif edit.from_para is not None and old is not None:
        body, at, in_new = old.article.body, edit.from_para, False
        taken = {e.from_para for e in change.edits if e.field == "body" and e.to_para is None}
    else:
        return None, None

    def around(number: int) -> tuple[str, str] | None:
        if 1 <= number <= len(body) and number not in taken:
            where = place(None, number, "replace", lang) if in_new else place(number, None, "delete", lang)
            return where, body[number - 1]
        return None

    return around(at - 1), around(at + 1)


def _newest_key(change: Change) -> tuple[datetime, int]:
    return (as_utc(change.entry.new.captured_at), change.entry.new.number)


def group_changes(changes: Sequence[Change]) -> list[ArticleGroup]:
    """Changes grouped by article URL; articles ordered by their newest change, changes newest first."""
    by_url: dict[str, list[Change]] = {}
    for change in changes:
        by_url.setdefault(change.url, []).append(change)
    groups = [ArticleGroup(url, sorted(items, key=_newest_key, reverse=True)) for url, items in by_url.items()]
    groups.sort(key=lambda g: _newest_key(g.changes[0]), reverse=True)
    return groups


def ordered_changes(groups: Sequence[ArticleGroup]) -> list[Change]:
    """The changes of every group, in report order."""
    return [c for g in groups for c in g.changes]


def url_digest(url: str) -> str:
    """A stable short name for a URL (for anchors and feed ids)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def anchor_id(url: str) -> str:
    """The HTML id of an article's section."""
    return "article-" + url_digest(url)[:12]


def safe_href(url: str) -> str | None:
    """The URL if it may become a link (http/https with a host), else None so it is shown as text only."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def edit_ops(edit: Edit) -> list[InlineOp]:
    """The inline ops to show for an edit; edits stored without ops get whole-value ops from old/new."""
    if edit.op == "move" and not any(op != "=" for op, _ in edit.inline):
        # A moved paragraph is unchanged text in a new place; marking it all as deleted and inserted would mislead.
        # One moved and edited shows its inline edit like any other.
        return [("=", edit.new if edit.new is not None else edit.old or "")]
    if edit.inline:
        return [(op, text) for op, text in edit.inline if text]
    ops: list[InlineOp] = []
    if edit.old:
        ops.append(("-", edit.old))
    if edit.new:
        ops.append(("+", edit.new))
    return ops


def change_words(change: Change, lang: str | None = None) -> str:
    """What changed in words, from the edits' facts ("people: 3 → 5 (¶2); quote removed ..."); empty for
    versions stored before edits carried facts, and for events without edits. Labels in `lang` (None: English),
    as the report's other labels."""
    if not any(e.facts is not None for e in change.edits):
        return ""
    return summarize(change.edits, lang)


def change_summary(change: Change) -> str:
    """A short line saying what changed: the words of change_words, else "headline changed, 3 edits"."""
    words = change_words(change)
    if words:
        return words
    parts = [FLAG_LABELS.get(f, f) for f in change.flags]
    count = len(change.edits)
    if count or not parts:
        parts.append(f"{count} edit" + ("" if count == 1 else "s"))
    return ", ".join(parts)


def plural(count: int, word: str) -> str:
    """'1 article', '2 articles'."""
    return f"{count} {word}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class ReportTotals:
    """What a whole report holds, as its header counts it in every format."""

    articles: int
    changes: int
    edits: int

    @classmethod
    def of(cls, groups: Sequence[ArticleGroup]) -> ReportTotals:
        return cls(len(groups), sum(len(g.changes) for g in groups), sum(g.edit_count for g in groups))

    def line(self) -> str:
        """'2 articles · 3 version changes · 5 edits'."""
        return " · ".join(
            [plural(self.articles, "article"), plural(self.changes, "version change"), plural(self.edits, "edit")]
        )
