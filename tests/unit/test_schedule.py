"""The interval rule: frequent while young, backing off with age, reset on edit, error backoff, stop, jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from watcher.config import ScheduleSettings, Tier
from watcher.models import WatchedArticle
from watcher.monitor.schedule import MAX_INTERVAL, after_check, next_due, next_interval, replan, set_paused

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


# --- clock jumps and late checks ------------------------------------------------------------------


def watched(**kw) -> WatchedArticle:
    return WatchedArticle(url="https://news.example/a", added_at=ADDED, **kw)


def test_a_check_a_month_late_does_not_age_the_article_into_stopping():
    # Checked at once, next due ten minutes later, but the next check comes 31 days on (the clock
    # jumped forward during the first check, or the machine slept): still the frequent tier.
    article = watched(last_checked=ADDED, next_check=ADDED + timedelta(minutes=10))
    later = ADDED + timedelta(days=31)
    after_check(article, now=later, changed=False, settings=ScheduleSettings(), rng=random.Random(1))
    assert not article.stopped
    assert timedelta(minutes=9) <= article.next_check - later <= timedelta(minutes=11)
    # ... and from there it ages normally: three hours of checks later, hourly.
    for _ in range(19):
        now = article.next_check
        after_check(article, now=now, changed=False, settings=ScheduleSettings(), rng=random.Random(1))
    assert timedelta(minutes=54) <= article.next_check - now <= timedelta(minutes=66)


def test_an_article_watched_on_time_still_stops_past_the_last_tier():
    article = watched(next_check=ADDED + timedelta(days=30))
    after_check(
        article, now=ADDED + timedelta(days=30), changed=False, settings=ScheduleSettings(), rng=random.Random()
    )
    assert article.stopped and article.next_check is None


def test_an_edit_forgets_the_time_not_watched():
    article = watched(next_check=ADDED, unwatched=5 * D)
    after_check(article, now=ADDED + timedelta(days=6), changed=True, settings=ScheduleSettings(), rng=random.Random())
    assert article.unwatched == 0 and article.last_changed == ADDED + timedelta(days=6)


def test_a_huge_interval_is_clamped_instead_of_overflowing_the_date():
    due = next_due(ADDED, timedelta(weeks=1_000_000), 0.1, random.Random(1))
    assert due - ADDED <= MAX_INTERVAL
    assert interval(timedelta(0), every=1_000_000 * 7 * D) == MAX_INTERVAL


def test_clock_gone_back_brings_a_far_next_check_back_to_the_schedule():
    # Checked at what the clock said was a year ahead; the clock is set right again.
    ahead = ADDED + timedelta(days=365)
    article = watched(last_checked=ahead, next_check=ahead + timedelta(minutes=10))
    plan = replan(article, ADDED + timedelta(minutes=1), ScheduleSettings())
    assert plan is not None and not plan.stopped
    assert plan.next_check <= ADDED + timedelta(minutes=11)


def test_schedule_changes_reach_articles_already_scheduled():
    article = watched(last_checked=ADDED, next_check=ADDED + timedelta(minutes=10))
    now = ADDED + timedelta(minutes=1)
    assert replan(article, now, ScheduleSettings()) is None  # nothing changed: left alone
    faster = ScheduleSettings(tiers=[Tier(until=3 * H, every=120)])
    assert replan(article, now, faster).next_check == ADDED + timedelta(minutes=2)
    slower = ScheduleSettings(tiers=[Tier(until=3 * H, every=3600)])
    assert replan(article, now, slower).next_check == ADDED + timedelta(hours=1)
    # A stopped article is watched again when the new tiers reach further ...
    old = watched(last_checked=ADDED + timedelta(days=30), stopped=True)
    longer = ScheduleSettings(tiers=[Tier(until=60 * D, every=D)])
    plan = replan(old, ADDED + timedelta(days=31), longer)
    assert plan is not None and not plan.stopped and plan.next_check == ADDED + timedelta(days=31)
    # ... and a paused one stays paused.
    assert replan(watched(last_checked=ADDED, paused=True, next_check=None), now, faster) is None


def test_an_overdue_article_is_not_stopped_by_replanning_after_a_forward_jump():
    article = watched(last_checked=ADDED, next_check=ADDED + timedelta(minutes=10))
    assert replan(article, ADDED + timedelta(days=31), ScheduleSettings()) is None  # left due, not stopped


def test_pause_and_resume_are_one_rule_for_the_cli_and_the_dashboard():
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    article = WatchedArticle(url="https://example.com/a", added_at=now, next_check=now + timedelta(hours=5))
    assert set_paused(article, True, now) and article.paused
    assert not set_paused(article, True, now)  # already paused: nothing to change, nothing to say
    assert set_paused(article, False, now)
    assert not article.paused and article.next_check == now  # resumed articles are due at once
    article.stopped = True  # past its last schedule tier
    assert set_paused(article, False, now) and not article.stopped
    assert not set_paused(article, False, now)


def test_an_article_never_checked_is_called_the_same_in_list_and_dashboard():
    from watcher.app.dashboard.model import status_label
    from watcher.render.tables import watch_status

    article = WatchedArticle(url="https://example.com/a", added_at=datetime(2026, 12, 7, tzinfo=UTC))
    assert watch_status(article) == status_label(article) == "never"
