"""The interval rule: frequent while young, backing off with age, reset on edit, error backoff, stop, jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from watcher.config import ScheduleSettings, Tier
from watcher.monitor.schedule import next_due, next_interval

ADDED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
H = 3600
D = 86400


def interval(age: timedelta, *, last_changed=None, every=None, errors=0, settings=None):
    return next_interval(
        now=ADDED + age,
        added_at=ADDED,
        last_changed=last_changed,
        every=every,
        consecutive_errors=errors,
        settings=settings or ScheduleSettings(),
    )


def test_young_article_is_checked_every_ten_minutes():
    assert interval(timedelta(0)) == timedelta(minutes=10)
    assert interval(timedelta(hours=2, minutes=59)) == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(seconds=3 * H - 1), timedelta(minutes=10)),
        (timedelta(seconds=3 * H), timedelta(hours=1)),
        (timedelta(seconds=2 * D - 1), timedelta(hours=1)),
        (timedelta(seconds=2 * D), timedelta(hours=6)),
        (timedelta(seconds=7 * D - 1), timedelta(hours=6)),
        (timedelta(seconds=7 * D), timedelta(days=1)),
        (timedelta(seconds=30 * D - 1), timedelta(days=1)),
    ],
)
def test_interval_backs_off_at_each_tier_boundary(age, expected):
    assert interval(age) == expected


def test_watching_stops_past_the_last_tier():
    assert interval(timedelta(days=30)) is None
    assert interval(timedelta(days=400)) is None


def test_an_edit_resets_to_the_frequent_tier():
    changed = ADDED + timedelta(days=20)
    assert interval(timedelta(days=20, minutes=5), last_changed=changed) == timedelta(minutes=10)
    # ... and the article ages again from that edit, not from when it was added.
    assert interval(timedelta(days=20, hours=4), last_changed=changed) == timedelta(hours=1)
    assert interval(timedelta(days=49), last_changed=changed) == timedelta(days=1)
    assert interval(timedelta(days=50), last_changed=changed) is None


def test_a_change_time_before_added_at_does_not_age_the_article():
    before = ADDED - timedelta(days=100)
    assert interval(timedelta(minutes=1), last_changed=before) == timedelta(minutes=10)


def test_fixed_every_overrides_tiers_and_never_stops():
    assert interval(timedelta(0), every=900) == timedelta(seconds=900)
    assert interval(timedelta(days=365), every=900) == timedelta(seconds=900)


@pytest.mark.parametrize(
    ("errors", "expected"),
    [(1, 300), (2, 600), (3, 1200), (4, 2400), (7, 19200), (8, 6 * H)],
)
def test_errors_back_off_exponentially_up_to_the_cap(errors, expected):
    assert interval(timedelta(0), errors=errors) == timedelta(seconds=expected)


def test_error_backoff_is_capped_and_never_overflows():
    assert interval(timedelta(0), errors=9) == timedelta(hours=6)
    assert interval(timedelta(0), errors=10_000) == timedelta(hours=6)


def test_errors_are_retried_even_when_the_article_is_too_old():
    assert interval(timedelta(days=90), errors=1) == timedelta(minutes=5)
    assert interval(timedelta(days=90), errors=1, every=60) == timedelta(minutes=5)


def test_custom_tiers_are_used_in_order_of_their_limit():
    settings = ScheduleSettings(tiers=[Tier(until=60, every=20), Tier(until=10, every=2)])
    assert interval(timedelta(seconds=5), settings=settings) == timedelta(seconds=2)
    assert interval(timedelta(seconds=30), settings=settings) == timedelta(seconds=20)
    assert interval(timedelta(seconds=60), settings=settings) is None


def test_jitter_stays_within_its_bounds_and_varies():
    rng = random.Random(42)
    now = ADDED
    step = timedelta(minutes=10)
    dues = [next_due(now, step, 0.1, rng) for _ in range(500)]
    offsets = [(d - now).total_seconds() for d in dues]
    assert min(offsets) >= 540 and max(offsets) <= 660
    assert len(set(offsets)) > 100
    # both sides of the nominal interval are used
    assert min(offsets) < 560 and max(offsets) > 640


def test_jitter_is_reproducible_with_a_seeded_rng():
    step = timedelta(hours=1)
    first = [next_due(ADDED, step, 0.2, random.Random(7)) for _ in range(3)]
    assert first[0] == first[1] == first[2]


def test_no_jitter_gives_the_exact_interval():
    assert next_due(ADDED, timedelta(minutes=10), 0.0, random.Random(1)) == ADDED + timedelta(minutes=10)


def test_next_due_is_never_immediate():
    assert next_due(ADDED, timedelta(0), 0.5, random.Random(1)) >= ADDED + timedelta(seconds=1)
