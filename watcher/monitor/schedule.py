"""When to check an article next: age tiers, a reset on edit, error backoff, jitter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from watcher.config import ScheduleSettings


def next_interval(
    *,
    now: datetime,
    added_at: datetime,
    last_changed: datetime | None,
    every: int | None,
    consecutive_errors: int,
    settings: ScheduleSettings,
) -> timedelta | None:
    """The wait before the next check, or None when the article is old and quiet enough to stop watching."""
    if consecutive_errors > 0:
        # A failure says nothing about whether the story is still being edited, so it is retried
        # (never stopped) and backs off so a dead site is not hammered.
        delay = settings.error_backoff * 2 ** min(consecutive_errors - 1, 32)
        return timedelta(seconds=min(delay, settings.max_error_backoff))
    if every:
        return timedelta(seconds=every)
    # An edit shows the story is alive again: age counts from the last change, back to the frequent tier.
    since = max(added_at, last_changed or added_at)
    age = (now - since).total_seconds()
    for tier in sorted(settings.tiers, key=lambda t: t.until):
        if age < tier.until:
            return timedelta(seconds=tier.every)
    return None


def next_due(now: datetime, interval: timedelta, jitter: float, rng: random.Random) -> datetime:
    """`now + interval`, moved by up to ± `jitter` (a fraction) of the interval so checks do not bunch up."""
    jitter = min(max(jitter, 0.0), 0.9)
    factor = 1.0 + rng.uniform(-jitter, jitter)
    # At least a second, so a zero or tiny interval cannot make a busy loop.
    seconds = max(interval.total_seconds() * factor, 1.0)
    return now + timedelta(seconds=seconds)
