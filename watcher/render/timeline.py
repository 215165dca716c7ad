"""`watcher history` as a timeline: one line per version saying what it changed, and the check log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from watcher.diff.facts import whole_figures
from watcher.diff.summary import summarize
from watcher.diff.tokens import tokenize
from watcher.labels import flag_label, place
from watcher.models import EVENTS, STATUSES, CheckRecord, Edit, InlineOp, Version, shown_edits, top_class
from watcher.render.text import visible

Clock = Callable[[datetime | None], str]
_EXCERPT = 28  # characters of an old or new phrase quoted in a summary
_BRIDGE_TOKENS = 5  # two changes this few tokens apart (words and the spaces between) are quoted as one phrase


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + '…'}”"


def _field(edit: Edit) -> str:
    if edit.field == "body":
        return place(edit.from_para, edit.to_para, edit.op) or "¶"
    return {"caption": "caption", "dek": "subheadline"}.get(edit.field, edit.field)


def changed_phrases(inline: Sequence[InlineOp]) -> tuple[str, str]:
    """The old and new wording of an edit's changes, never gluing two changes into a word that was not there.

    Changes a few words apart are quoted with the words between them ("painful but honest" -> "difficult but
    necessary"); changes further apart are joined by " … ".
    """
    runs: list[list[str]] = []  # [old, new] of each change
    gap: str | None = None  # the unchanged text since the last change
    for op, text in inline:
        if op == "=":
            gap = text if gap is None else gap + text
            continue
        if gap is None or not runs or len(tokenize(gap)) > _BRIDGE_TOKENS:
            runs.append(["", ""])
        elif gap:
            runs[-1] = [runs[-1][0] + gap, runs[-1][1] + gap]
        runs[-1][op == "+"] += text
        gap = ""
    old = " … ".join(r[0].strip() for r in runs if r[0].strip())
    new = " … ".join(r[1].strip() for r in runs if r[1].strip())
    return old, new


def edit_phrase(edit: Edit) -> str:
    """One edit in a few words: 'headline “A” → “B”', '¶ added “…”', '“60” → “80”'."""
    where = _field(edit)
    if edit.op == "insert":
        return f"{where} added {_quote(edit.new or '')}"
    if edit.op == "delete":
        return f"{where} removed {_quote(edit.old or '')}"
    if edit.op == "move" and not edit.inline:
        return f"{where} moved {_quote(edit.new or '')}"
    if edit.field in ("headline", "modified", "published", "byline") or not edit.inline:
        return f"{where} {_quote(edit.old or '')} → {_quote(edit.new or '')}"
    removed, added = changed_phrases(whole_figures(edit.inline))
    prefix = "" if where == "¶" else where + " "
    if removed and added:
        return f"{prefix}{_quote(removed)} → {_quote(added)}"
    return f"{prefix}{'+' + _quote(added) if added else '−' + _quote(removed)}"


def reverted_to(version: Version, earlier: Sequence[Version]) -> int | None:
    """The number of the latest earlier version with the same content as a revert version."""
    for old in reversed(earlier):
        if old.number < version.number and old.content_hash == version.content_hash and old.event is None:
            return old.number
    for old in reversed(earlier):
        if old.number < version.number and old.content_hash == version.content_hash:
            return old.number
    return None


def redirect_target(version: Version) -> str | None:
    """Where a redirected page led, when the version recorded it (older stores did not)."""
    for name in ("redirect_to", "redirected_to", "final_url"):
        value = getattr(version, name, None)
        if value:
            return str(value)
    return None


def version_summary(version: Version, earlier: Sequence[Version], include_cosmetic: bool = False) -> str:
    """What a version changed, in one line."""
    if version.number == 1 and not version.event:
        body = version.article.body
        return (
            f"first version: {_quote(version.article.headline)}, {len(body)} paragraph{'s' if len(body) != 1 else ''}"
        )
    if version.event == "removed":
        return "page removed (gone, or no article on it)"
    if version.event == "redirected":
        target = redirect_target(version)
        return f"redirected to {target}" if target else "redirected to another page"
    lead = ""
    if version.event == "revert":
        back = reverted_to(version, earlier)
        lead = f"back to v{back}" if back else "back to an earlier version"
    elif version.event == "restored":
        lead = "page back"
    edits = shown_edits(version.edits, include_cosmetic)
    hidden = len(version.edits) - len(edits)
    if any(e.facts is not None for e in edits):
        # Versions stored since edits carry their facts say what changed in words (diff/summary.py).
        words = summarize(edits, version.article.lang)
        return "; ".join(([lead] if lead else []) + ([words] if words else [])) or "no text changes"
    ordered = sorted(edits, key=lambda e: (e.field != "headline", e.cls != "substantive"))
    phrases = [edit_phrase(e) for e in ordered[:2]]
    if len(ordered) > 2:
        phrases.append(f"+{len(ordered) - 2} more")
    if not phrases and hidden:
        phrases.append(f"{hidden} cosmetic edit{'s' if hidden != 1 else ''} only")
    return "; ".join(([lead] if lead else []) + phrases) or "no text changes"


def history_timeline(versions: Sequence[Version], when: Clock, include_cosmetic: bool = False) -> RenderableType:
    """The article's headline and URL, then one row per stored version: number, time, source (http or browser),
    class of its edits, flags and what it changed."""
    table = Table(box=box.SIMPLE_HEAD, header_style="table.header", expand=False, pad_edge=False)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("captured", no_wrap=True)
    table.add_column("from", no_wrap=True)  # the version's source: raw HTML (http) or a render (browser)
    table.add_column("class", no_wrap=True)
    # No min_width: rich widens such a column back to it after shrinking the table to the screen, and the
    # flags past the edge were cut off (a Chinese summary at 80 columns showed "headline chang").
    table.add_column("what changed", ratio=3, overflow="fold")
    table.add_column("flags", ratio=1, overflow="fold")
    for n, v in enumerate(versions):
        cls = top_class(shown_edits(v.edits, include_cosmetic)) or top_class(v.edits)
        if v.event in EVENTS:
            kind = Text(v.event, style=f"status.{v.event}")
        elif cls:
            kind = Text(cls, style=f"class.{cls}")
        else:
            kind = Text("—" if v.number > 1 else "first", style="diff.context")
        flags = [f for f in v.flags if f != v.event]
        flag_text = Text(", ".join(flag_label(f) for f in flags), style="diff.label") if flags else Text("")
        table.add_row(
            str(v.number),
            when(v.captured_at),
            Text(v.source_name, style="diff.context"),
            kind,
            Text(visible(version_summary(v, versions[:n], include_cosmetic))),
            flag_text,
        )
    latest = versions[-1] if versions else None
    if latest is None:
        return table
    title = Text(visible(latest.article.headline or latest.url), style="diff.label")
    return Group(title, Text(visible(latest.url), style="diff.context"), table)


def checks_table(records: Sequence[CheckRecord], when: Clock) -> Table:
    """The article's stored check log, newest last: time, outcome, HTTP status, duration and error."""
    table = Table(box=box.SIMPLE_HEAD, header_style="table.header", expand=False, pad_edge=False)
    table.add_column("checked", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("http", justify="right", no_wrap=True)
    table.add_column("took", justify="right", no_wrap=True)
    table.add_column("error / flags", ratio=1, overflow="fold")
    for r in records:
        detail = (
            Text(visible(r.error), style="status.error")
            if r.error
            else Text(", ".join(flag_label(f) for f in r.flags), style="diff.label")
        )
        table.add_row(
            when(r.checked_at),
            Text(r.status or "—", style=f"status.{r.status}" if r.status in STATUSES else ""),
            "" if r.version is None else str(r.version),
            "" if r.http_status is None else str(r.http_status),
            f"{r.duration:.1f}s",
            detail,
        )
    return table
