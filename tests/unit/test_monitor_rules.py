"""Check rules as pure functions: is a redirect target the same story, what a returning headline means, and
which notification targets hear of moves."""

from __future__ import annotations

import pytest
from support.fixture_sites import fixture_versions

from watcher.diff.similarity import story_overlap
from watcher.extract import extract
from watcher.models import Article
from watcher.monitor.check import SAME_STORY_OVERLAP


def fixture(site: str, version: str = "v1") -> Article:
    return extract(fixture_versions(site)[version], "https://news.test/story")


# Written for this test: a Chinese story unrelated to the zh-daily fixture, sharing its common characters.
OTHER_ZH = Article(
    body=[
        "台北市政府週三宣布，明年起將在市中心試辦夜間公車路線，每晚十一點至凌晨兩點之間行駛，票價與日間相同。",
        "交通局表示，試辦期間為六個月，若搭乘人數達到預期，將擴大至其他行政區。",
    ]
)
OTHER_EN = Article(
    body=[
        "A community choir from the old mill district won the regional festival on Saturday with a set of sea shanties.",
        "The choir's forty singers rehearse twice a week in the library basement.",
    ]
)


@pytest.mark.parametrize("site", ["en-daily/story", "zh-daily/story"])
def test_an_edited_version_is_the_same_story(site):
    # Chinese has no spaces between words: comparing whole paragraphs would call any edit another story.
    assert story_overlap(fixture(site), fixture(site, "v2")) > SAME_STORY_OVERLAP


def test_one_edited_paragraph_of_a_one_paragraph_story_is_the_same_story():
    text = fixture("zh-daily/story").body[0]
    assert story_overlap(Article(body=[text]), Article(body=[text.replace("10", "20")])) > SAME_STORY_OVERLAP


@pytest.mark.parametrize("site, other", [("en-daily/story", OTHER_EN), ("zh-daily/story", OTHER_ZH)])
def test_another_story_in_the_same_language_is_not(site, other):
    assert story_overlap(fixture(site), other) < SAME_STORY_OVERLAP


def test_an_empty_body_shares_nothing():
    assert story_overlap(Article(body=[]), Article(body=[])) == 0.0
    assert story_overlap(Article(body=["", " "]), OTHER_EN) == 0.0


# --- headlines that come back, and moves for notification targets -------------------------------------


def versions_with(*headlines: str):
    from datetime import UTC, datetime

    from watcher.models import Version

    return [
        Version("u", n, datetime(2026, 11, 25, tzinfo=UTC), str(n), Article(headline=h))
        for n, h in enumerate(headlines, 1)
    ]


def test_a_headline_back_once_is_a_revert_and_twice_alternating_an_ab_test():
    from watcher.monitor.masking import headline_return

    assert headline_return(versions_with("A"), "B", []) is None  # never seen: an edit
    assert headline_return(versions_with("A", "B"), "A", []) == "revert"  # one walk-back
    assert headline_return(versions_with("A", "B", "A"), "B", []) == "ab_test"  # A B A B: rotating
    assert headline_return(versions_with("A", "B", "C"), "A", []) == "revert"
    assert headline_return(versions_with("A", "B", "C", "A"), "B", []) == "ab_test"
    assert headline_return(versions_with("A", "B"), "C", ["C", "B"]) == "ab_test"  # a known variant


def test_min_class_moved_hears_of_moves_but_not_typos():
    from datetime import UTC, datetime

    from watcher.config import NotifyTarget
    from watcher.models import CheckResult, Edit
    from watcher.notify.notifier import matches

    def result(cls: str) -> CheckResult:
        edit = Edit("body", "move" if cls == "moved" else "replace", "a", "b", cls)  # type: ignore[arg-type]
        return CheckResult("https://news.test/a", "changed", datetime(2026, 11, 25, tzinfo=UTC), 2, edits=[edit])

    target = NotifyTarget(url="https://hooks.test/", min_class="moved")
    assert matches(target, result("moved"), []) and matches(target, result("substantive"), [])
    assert not matches(target, result("typo"), [])


def test_min_class_moved_is_accepted_in_the_config_file(tmp_path):
    from watcher.config import load_config

    path = tmp_path / "watcher.toml"
    path.write_text('[[notify]]\nurl = "https://hooks.test/"\nmin_class = "moved"\n')
    assert load_config(path).notify[0].min_class == "moved"


def test_the_terminal_says_why_a_change_was_not_stored_and_where_a_redirect_led():
    from datetime import UTC, datetime

    from rich.console import Console

    from watcher.models import CheckResult
    from watcher.render.edits import render_check
    from watcher.render.theme import THEME

    console = Console(theme=THEME, no_color=True, width=200, record=True)
    when = datetime(2026, 11, 25, tzinfo=UTC)
    unconfirmed = CheckResult("https://news.test/a", "unchanged", when, 1, flags=["unconfirmed"], note="not stored")
    moved = CheckResult("https://news.test/a", "redirected", when, 2, final_url="https://news.test/front")
    console.print(render_check(unconfirmed))
    console.print(render_check(moved))
    text = console.export_text()
    assert "not stored" in text and "now at https://news.test/front" in text


def test_diffing_a_long_rewrite_leaves_the_event_loop_free():
    import asyncio
    import time

    from watcher.monitor import check

    words = "harbour pier divers cracks engineers lorries repairs crews basin council budget".split()
    old = Article(body=[" ".join(words[(i + j) % len(words)] for j in range(40)) + f" {i}." for i in range(100)])
    new = Article(body=[p.replace("pier", "quay", 1) + " More." for p in old.body[::-1]])

    async def main() -> tuple[int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.perf_counter()
        await check._diff(old, new)
        task.cancel()
        return ticks, time.perf_counter() - started

    ticks, took = asyncio.run(main())
    # The loop kept turning while the diff ran in its thread (the GIL is shared, so not at full speed, but
    # never frozen: on the loop itself the ticker would not have ticked at all).
    assert took > 0.05 and ticks >= took / 0.01 / 10
