"""Notification digests and templates: when a target's window closes, one message summarising every edit
in it, grouped by article; and per-target title/body templates filled from the JSON contract's fields."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from watcher.errors import BadInput
from watcher.labels import copy_line
from watcher.models import Edit, top_class
from watcher.times import iso, parse_duration

_DAILY = re.compile(r"^daily(?:\s+(?:at\s+)?(\d{1,2}):(\d{2}))?$")


@dataclass(frozen=True)
class Window:
    """A digest's rhythm: every `every` seconds (aligned to the clock), or daily at a local time."""

    every: int | None = None
    daily_at: time | None = None

    def end_after(self, moment: datetime, zone: tzinfo | None = None) -> datetime:
        """The first boundary strictly after `moment`: when a digest collected now is sent."""
        moment = moment.astimezone(UTC)
        if self.every:
            stamp = int(moment.timestamp()) // self.every * self.every + self.every
            return datetime.fromtimestamp(stamp, UTC)
        at = self.daily_at or time(8, 0)
        local = moment.astimezone(zone) if zone else moment.astimezone()
        candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate.astimezone(UTC)


def parse_window(text: str) -> Window:
    """ "1h", "30m", "1d" (every that long) or "daily" / "daily 07:30" (once a day, local time)."""
    compact = text.strip().lower()
    found = _DAILY.match(compact)
    if found:
        if found.group(1) is None:
            return Window(daily_at=time(8, 0))
        hour, minute = int(found.group(1)), int(found.group(2))
        if hour > 23 or minute > 59:
            raise BadInput(f"digest {text!r}: not a time of day")
        return Window(daily_at=time(hour, minute))
    try:
        seconds = parse_duration(compact)
    except BadInput:
        raise BadInput(f"digest {text!r}: use a window like 1h or 30m, or daily / daily 07:30") from None
    if not 1 <= seconds <= 7 * 86400:
        raise BadInput(f"digest {text!r}: a window must be between 1 second and 1 week")
    return Window(every=seconds)


def digest_body(entries: list[dict[str, Any]], start: datetime | None, end: datetime) -> dict[str, Any]:
    """One payload for a window: every notification in it, grouped by article in the order they came."""
    articles: dict[str, dict[str, Any]] = {}
    for body in entries:
        url = body.get("url", "")
        group = articles.setdefault(url, {"url": url, "headline": "", "tags": [], "changes": []})
        group["headline"] = body.get("headline") or group["headline"]
        group["tags"] = list(dict.fromkeys([*group["tags"], *(body.get("tags") or [])]))
        group["changes"].append(body)
    return {
        "digest": True,
        "from": iso(start) if start else None,
        "until": iso(end),
        "count": len(entries),
        "articles": list(articles.values()),
    }


def digest_message(body: dict[str, Any]) -> tuple[str, str]:
    """A plain-text title and body for a digest (chat and mail services)."""
    groups = body.get("articles") or []
    count = body.get("count", 0)
    title = (
        f"watcher: {count} change{'s' if count != 1 else ''} in {len(groups)} article{'s' if len(groups) != 1 else ''}"
    )
    lines: list[str] = []
    for group in groups:
        lines.append(f"{_line(group.get('headline') or group['url'])}")
        lines.append(f"  {group['url']}")
        for change in group["changes"]:
            edits = [Edit.from_json(e) for e in change.get("edits", [])]
            what = change.get("status", "changed")
            top = top_class(edits)
            version = f"v{change['version']} " if change.get("version") else ""
            flags = f" [{', '.join(change['flags'])}]" if change.get("flags") else ""
            lines.append(f"  - {version}{what}{', ' + top if top else ''}{flags}")
            lines += [f"    {_line(copy_line(copy))}" for copy in change.get("copies") or []]
    return title, "\n".join(lines)


def fields_of(body: dict[str, Any]) -> dict[str, str]:
    """What a template may name: the contract's top-level fields as text, plus a few derived ones."""
    edits = [Edit.from_json(e) for e in body.get("edits", [])]
    out = {k: _text(v) for k, v in body.items() if isinstance(v, (str, int, float, bool)) or v is None}
    out["flags"] = ", ".join(body.get("flags") or [])
    out["tags"] = ", ".join(body.get("tags") or [])
    out["edits_count"] = str(len(edits))
    out["class"] = top_class(edits) or ""
    if body.get("digest"):
        out["articles_count"] = str(len(body.get("articles") or []))
    return out


class _Fields(string.Formatter):
    """str.format with plain names only: a template is config, but `{x.__class__}` has no business in it."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not re.fullmatch(r"[a-z_]+", field_name):
            raise BadInput(f"template field {{{field_name}}}: only plain names like {{headline}} are allowed")
        return kwargs.get(field_name, ""), field_name


def render(template: str, body: dict[str, Any]) -> str:
    """A template filled from a payload; unknown names are left empty."""
    try:
        return _Fields().format(template, **fields_of(body))
    except (ValueError, IndexError) as exc:
        raise BadInput(f"template {template!r}: {exc}") from None


TEMPLATE_FIELDS = frozenset(
    {
        "url", "status", "checked_at", "version", "error", "flags", "edits_count", "http_status", "duration",
        "headline", "tags", "final_url", "note", "class", "digest", "from", "until", "count", "articles_count",
    }
)  # fmt: skip


def check_template(template: str) -> None:
    """BadInput for a template that can never be filled: bad braces, dotted or indexed names, conversions
    or formats, or a name that is not a field (a typo would send an empty title for ever)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise BadInput(f"template {template!r}: {exc}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if conversion or spec:
            raise BadInput(f"template field {{{name}}}: no conversions or formats (write {{{name}}})")
        if name not in TEMPLATE_FIELDS:
            raise BadInput(f"template field {{{name}}} is not one of the fields: {', '.join(sorted(TEMPLATE_FIELDS))}")
    render(template, {"url": "https://example.org/", "edits": []})


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _line(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= 120 else text[:119].rstrip() + "…"
