"""When to check an article next: age tiers, a reset on edit, error backoff, jitter, and clock jumps.

An article's age is the time watcher has been watching it since it was added or last changed. Time
in which no check could happen (watcher not running, the machine asleep, the clock jumping forward)
is kept in `WatchedArticle.unwatched` and not counted: a check that comes far later than it was due
must not find the story a month older and stop watching it. A clock jumping back leaves next checks
far in the future; `replan` brings any beyond the longest possible wait back to the schedule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from watcher.config import MAX_DURATION, ScheduleSettings
from watcher.models import WatchedArticle

# The longest wait the schedule ever sets (the longest duration the input accepts); it also keeps
# `now + interval` inside datetime's range for intervals stored before that limit existed.
MAX_INTERVAL = timedelta(seconds=MAX_DURATION)
# A check this much later than it was due counts the rest of the delay as time not watched. Loose
# enough that a long queue of due checks in a busy run still ages its articles.
LATE_GRACE = timedelta(minutes=10)


def next_interval(
    *,
    now: datetime,
    added_at: datetime,
    last_changed: datetime | None,
    every: int | None,
    consecutive_errors: int,
    settings: ScheduleSettings,
    unwatched: float = 0.0,
) -> timedelta | None:
    """The wait before the next check, or None when the article is old and quiet enough to stop watching."""
    if consecutive_errors > 0:
        # A failure says nothing about whether the story is still being edited, so it is retried
        # (never stopped) and backs off so a dead site is not hammered.
        delay = settings.error_backoff * 2 ** min(consecutive_errors - 1, 32)
        return _clamp(timedelta(seconds=max(min(delay, settings.max_error_backoff), 1)))
    if every:
        return _clamp(timedelta(seconds=every))
    # An edit shows the story is alive again: age counts from the last change, back to the frequent tier.
    since = max(added_at, last_changed or added_at)
    age = (now - since).total_seconds() - max(unwatched, 0.0)
    for tier in sorted(settings.tiers, key=lambda t: t.until):
        if age < tier.until:
            return _clamp(timedelta(seconds=tier.every))
    return None


def next_due(now: datetime, interval: timedelta, jitter: float, rng: random.Random) -> datetime:
    """`now + interval`, moved by up to ± `jitter` (a fraction) of the interval so checks do not bunch up."""
    jitter = min(max(jitter, 0.0), 0.9)
    factor = 1.0 + rng.uniform(-jitter, jitter)
    # At least a second, so a zero or tiny interval cannot make a busy loop; at most MAX_INTERVAL, so a
    # huge one (an old store's `--every 1000000w`) cannot overflow the date.
    seconds = min(max(interval.total_seconds() * factor, 1.0), MAX_INTERVAL.total_seconds())
    return now + timedelta(seconds=seconds)


def after_check(
    article: WatchedArticle, *, now: datetime, changed: bool, settings: ScheduleSettings, rng: random.Random
) -> None:
    """Set the article's next check (or stop it) after a check at `now`; `changed` when it found new text.

    `article.next_check` is still the time this check was due, and `consecutive_errors` already counts it."""
    if changed:
        article.last_changed = now
        article.unwatched = 0.0
    elif article.next_check is not None:
        late = now - article.next_check - LATE_GRACE
        if late > timedelta(0):
            article.unwatched = max(article.unwatched, 0.0) + late.total_seconds()
    interval = next_interval(
        now=now,
        added_at=article.added_at,
        last_changed=article.last_changed,
        every=article.every,
        consecutive_errors=article.consecutive_errors,
        settings=settings,
        unwatched=article.unwatched,
    )
    article.next_check = None if interval is None else next_due(now, interval, settings.jitter, rng)
    article.stopped = interval is None


@dataclass
class Plan:
    """A schedule correction for one article: its next check and whether it is past the last tier."""

    next_check: datetime | None
    stopped: bool


def replan(article: WatchedArticle, now: datetime, settings: ScheduleSettings) -> Plan | None:
    """What the current settings say about an article scheduled earlier, None when its schedule stands.

    Run at the start of `watcher run` (so schedule changes in the config reach articles already
    scheduled) and after the clock jumps. Errors keep their backoff; paused articles stay paused."""
    if getattr(article, "paused", False) or article.consecutive_errors > 0 or article.last_checked is None:
        return None
    base = min(article.last_checked, now)  # a last check "in the future" means the clock went back
    unwatched = article.unwatched
    if article.next_check is not None and now - article.next_check > LATE_GRACE:
        # Overdue (the clock jumped ahead, or no run for a while): as after_check will count it.
        unwatched += (now - article.next_check - LATE_GRACE).total_seconds()
    interval = next_interval(
        now=now,
        added_at=article.added_at,
        last_changed=article.last_changed,
        every=article.every,
        consecutive_errors=0,
        settings=settings,
        unwatched=unwatched,
    )
    if interval is None:
        return None if article.stopped else Plan(next_check=None, stopped=True)
    jitter = min(max(settings.jitter, 0.0), 0.9)
    earliest = base + interval * (1 - jitter) - timedelta(seconds=1)
    latest = base + interval * (1 + jitter) + timedelta(seconds=1)
    current, target = article.next_check, max(base + interval, now)
    if not article.stopped and current is not None:
        if earliest <= current <= latest or (current <= now and target <= now):
            return None
    return Plan(next_check=target, stopped=False)


def _clamp(interval: timedelta) -> timedelta:
    return min(interval, MAX_INTERVAL)


def set_paused(article: WatchedArticle, paused: bool, now: datetime) -> bool:
    """Pause or resume automatic checks of an article (`watcher pause/resume`, the dashboard's key); resuming
    also restarts an article past its last tier and makes it due now. False when there was nothing to change."""
    if paused == article.paused and (paused or not article.stopped):
        return False
    article.paused = paused
    if not paused:
        article.stopped = False
        article.next_check = now
    return True
