"""Digests and templates: window boundaries, grouping by article, and safe templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from watcher.errors import BadInput
from watcher.notify.digest import digest_body, digest_message, parse_window, render


def test_windows_align_to_the_clock_and_daily_times_to_the_zone():
    hourly = parse_window("1h")
    assert hourly.end_after(datetime(2026, 5, 1, 10, 20, tzinfo=UTC)) == datetime(2026, 5, 1, 11, 0, tzinfo=UTC)
    assert hourly.end_after(datetime(2026, 5, 1, 11, 0, tzinfo=UTC)) == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    taipei = timezone(timedelta(hours=8))
    daily = parse_window("daily 07:30")
    assert daily.daily_at == time(7, 30)
    # 23:00 UTC is 07:00 in Taipei: the digest goes half an hour later, the same local morning.
    assert daily.end_after(datetime(2026, 5, 1, 23, 0, tzinfo=UTC), taipei) == datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    assert daily.end_after(datetime(2026, 5, 1, 23, 45, tzinfo=UTC), taipei) == datetime(2026, 5, 2, 23, 30, tzinfo=UTC)
    for bad in ("sometimes", "daily 25:00", "0s", "2w"):
        with pytest.raises(BadInput, match="digest"):
            parse_window(bad)


def test_a_digest_groups_changes_by_article_in_arrival_order():
    entries = [
        {"url": "https://n.example/a", "headline": "A", "status": "changed", "version": 2, "edits": [], "tags": ["x"]},
        {"url": "https://n.example/b", "headline": "B", "status": "removed", "edits": [], "tags": []},
        {"url": "https://n.example/a", "headline": "A, updated", "status": "changed", "version": 3, "edits": []},
    ]
    body = digest_body(entries, datetime(2026, 5, 1, 10, tzinfo=UTC), datetime(2026, 5, 1, 11, tzinfo=UTC))
    assert body["count"] == 3 and [g["url"] for g in body["articles"]] == ["https://n.example/a", "https://n.example/b"]
    assert [c["version"] for c in body["articles"][0]["changes"]] == [2, 3]
    assert body["articles"][0]["headline"] == "A, updated"
    title, text = digest_message(body)
    assert title == "watcher: 3 changes in 2 articles"
    assert "  - v2 changed" in text and "  - removed" in text


def test_templates_fill_contract_fields_and_refuse_attribute_access():
    body = {"url": "https://n.example/a", "headline": "Budget", "status": "changed", "version": 4, "flags": ["stealth"]}
    assert render("{status} v{version}: {headline} [{flags}] {nothing}", body) == "changed v4: Budget [stealth] "
    with pytest.raises(BadInput, match="only plain names"):
        render("{headline.__class__}", body)
    with pytest.raises(BadInput, match="template"):
        render("{unclosed", body)


def test_a_template_naming_no_field_or_converting_is_refused_by_name():
    from watcher.notify.digest import check_template

    check_template("{status}: {headline} ({class}, {edits_count} edits)")
    for bad, said in (("{headline!r}", "no conversions"), ("{nosuchfield}", "not one of the fields"), ("{}", "{}")):
        with pytest.raises(BadInput, match=re.escape(said)):
            check_template(bad)
