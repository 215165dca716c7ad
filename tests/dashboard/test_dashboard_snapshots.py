"""What the dashboard looks like, as SVG snapshots (pytest-textual-snapshot) at 80x24 and 160x45.

The stores are built by real checks at fixed times on a fixed address and the app's clock is fixed, so
the pictures only change when the dashboard does. `pytest --snapshot-update` rewrites them after a
deliberate change; look at the report it writes before committing.
"""

from __future__ import annotations

import pytest
from dashboard_stores import NOW

from watcher.app.dashboard.app import DashboardApp
from watcher.store import open_store

SIZES = [(80, 24), (160, 45)]


async def drawn(pilot) -> None:
    """Before the keys and the picture: the main screen has read the store and drawn it."""
    for _ in range(600):
        if getattr(pilot.app.screen, "ready", False):
            break
        await pilot.pause(0.05)
    await pilot.pause()


def app_over(data_dir) -> DashboardApp:
    # A refresh slower than the test: the picture is of one reading of the store.
    return DashboardApp(open_store(data_dir), clock=lambda: NOW, refresh_seconds=60)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x45"])
def test_english_main_screen(snap_compare, english_store, size):
    assert snap_compare(app_over(english_store), terminal_size=size, run_before=drawn)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x45"])
def test_chinese_main_screen(snap_compare, chinese_store, size):
    assert snap_compare(app_over(chinese_store), terminal_size=size, run_before=drawn)


def test_chinese_diff_side_by_side(snap_compare, chinese_store):
    # Tab to the feed, open the newest change (the moved and edited paragraph), side by side.
    assert snap_compare(app_over(chinese_store), terminal_size=(160, 45), press=["tab", "enter", "s"], run_before=drawn)


def test_english_timeline_80x24(snap_compare, english_store):
    # The third article in the table: the story with the correction.
    assert snap_compare(
        app_over(english_store), terminal_size=(80, 24), press=["down", "down", "enter"], run_before=drawn
    )
