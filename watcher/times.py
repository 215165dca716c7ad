"""Every way watcher writes a moment: the contract's ISO form, and the forms people read; and spans of
time as settings and options spell them ("90s", "10m", "1h30m").

All times are UTC. Naive datetimes (from older stores) are taken as UTC rather than local time, so a
store written on one machine reads the same on another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from watcher.errors import BadInput


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(moment: datetime) -> datetime:
    """The moment as an aware UTC datetime; comparing naive with aware ones would raise."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None, *, timespec: str = "seconds") -> str | None:
    """A datetime as the JSON contract's ISO 8601 form with a trailing Z ("2026-11-25T10:00:00Z")."""
    if moment is None:
        return None
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def parse_iso(text: str | None) -> datetime | None:
    """Inverse of iso(); accepts any ISO 8601 string, naive values taken as UTC."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def display_time(moment: datetime | None, missing: str = "unknown time") -> str:
    """A moment for people, to the minute: "2026-11-25 10:00 UTC"."""
    if moment is None:
        return missing
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def short_time(moment: datetime | None, missing: str = "—") -> str:
    """Month, day and minute, "11-25 10:00": enough to read a schedule in a table column."""
    if moment is None:
        return missing
    return as_utc(moment).strftime("%m-%d %H:%M")


def ago(moment: datetime | None, now: datetime, missing: str = "—") -> str:
    """How far a moment is from now in its largest whole unit: "5m ago", "in 2h"."""
    if moment is None:
        return missing
    seconds = int((as_utc(now) - as_utc(moment)).total_seconds())
    if seconds < 0:
        seconds = -seconds
        prefix, suffix = "in ", ""
    else:
        prefix, suffix = "", " ago"
    if seconds < 60:
        span = f"{seconds}s"
    elif seconds < 3600:
        span = f"{seconds // 60}m"
    elif seconds < 86400:
        span = f"{seconds // 3600}h"
    else:
        span = f"{seconds // 86400}d"
    return f"{prefix}{span}{suffix}"


# --- times for people in a chosen zone (the terminal; JSON stays UTC) ------------------------------------


def zone(name: str | None) -> tzinfo:
    """The zone called `name` ("Asia/Taipei", "UTC", "+08:00"); None, "" or "local": this machine's (TZ)."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from watcher.errors import BadInput

    text = (name or "").strip()
    if not text or text.lower() == "local":
        return datetime.now().astimezone().tzinfo or UTC
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    offset = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0)))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"unknown time zone {text!r} (use e.g. Asia/Taipei, Europe/London, UTC or +08:00)") from None


def _zone_name(moment: datetime) -> str:
    return moment.strftime("%Z") or moment.strftime("%z")


def display_time_in(moment: datetime | None, tz: tzinfo, missing: str = "unknown time") -> str:
    """A moment for people in zone `tz`, to the minute, with the zone: "2026-11-25 18:00 CST"."""
    if moment is None:
        return missing
    local = as_utc(moment).astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M ") + _zone_name(local)


def short_time_in(moment: datetime | None, tz: tzinfo, now: datetime | None = None, missing: str = "—") -> str:
    """A table cell in zone `tz`: "11-25 18:00" this year, "2025-11-25 18:00" otherwise (never ambiguous)."""
    if moment is None:
        return missing
    local = as_utc(moment).astimezone(tz)
    this_year = as_utc(now or utcnow()).astimezone(tz).year
    return local.strftime("%m-%d %H:%M" if local.year == this_year else "%Y-%m-%d %H:%M")


# ----- spans of time -------------------------------------------------------------------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


# The longest span accepted anywhere (intervals, windows, timeouts): ten years. Longer ones cannot be
# meant, and a date that far out overflows (`--every 1000000w` was an OverflowError in the run).
MAX_DURATION = 3660 * 86400


class DurationTooLong(BadInput):
    """A span of time over MAX_DURATION."""


def parse_duration(text: str | int | float) -> int:
    """Seconds in "90s", "10m", "2h", "1d", "1w", "1h30m" or a plain number; BadInput on anything else."""
    return int(round(duration_seconds(text)))


def duration_seconds(text: str | int | float) -> float:
    """parse_duration without the rounding, so float settings keep "0.5s"; at most MAX_DURATION."""
    seconds = _any_duration_seconds(text)
    if seconds > MAX_DURATION:
        raise DurationTooLong(f"invalid duration {text!r}: longer than 10 years (at most 3660d)")
    return seconds


def _any_duration_seconds(text: str | int | float) -> float:
    problem = f"invalid duration {text!r}: use a number of seconds or e.g. 90s, 10m, 2h, 1d, 1w"
    if isinstance(text, bool):
        raise BadInput(problem)
    if isinstance(text, (int, float)):
        if not 0 <= text < float("inf"):  # also refuses NaN
            raise BadInput(f"invalid duration {text!r}: must be a positive number of seconds")
        return float(text)
    if not isinstance(text, str):
        raise BadInput(problem)
    compact = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        return float(compact)
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise BadInput(problem)
    return sum(float(n) * _UNITS[u] for n, u in parts)
