"""The dashboard as a user drives it, through Textual's headless pilot, over stores built by real checks."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from dashboard_stores import NOW, T0, Checker, page
from rich.console import Console

from watcher.app.dashboard.app import DashboardApp
from watcher.app.dashboard.articles_table import ArticlesTable
from watcher.app.dashboard.dialogs import ConfirmScreen
from watcher.app.dashboard.diff_screen import DiffScreen
from watcher.app.dashboard.edits_table import EditsTable
from watcher.app.dashboard.help_screen import HelpScreen
from watcher.app.dashboard.status_bar import StatusBar
from watcher.app.dashboard.timeline_screen import ChecksTable, TimelineScreen, VersionsTable
from watcher.config import load_config
from watcher.render.theme import THEME
from watcher.store import open_store

SMALL, LARGE = (80, 24), (160, 45)


def dashboard(data_dir: Path, **kwargs) -> DashboardApp:
    kwargs.setdefault("clock", lambda: NOW)
    return DashboardApp(open_store(data_dir), **kwargs)


def rows(table) -> list[str]:
    """What each row of a table says, its cells joined by " | "."""
    return [" | ".join(str(cell) for cell in table.get_row_at(n)) for n in range(table.row_count)]


def shown(renderable, width: int = 100) -> str:
    console = Console(width=width, record=True, theme=THEME, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


async def wait_for(pilot, condition, seconds: float = 30.0) -> bool:
    """Let the app run until condition() holds (a loaded machine is slow; a quiet one returns at once)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        await pilot.pause(0.05)
    return True


async def opened(pilot, app: DashboardApp, kind) -> None:
    """Wait until the screen a key opened is on top and drawn (on a loaded machine that is not at once)."""
    assert await wait_for(pilot, lambda: isinstance(app.screen, kind) and getattr(app.screen, "ready", False))


async def open_timeline(pilot, app: DashboardApp, row_matches) -> None:
    """Open the timeline of the first article whose row in the articles table matches."""
    table = app.screen.query_one(ArticlesTable)
    table.move_cursor(row=[row_matches(r) for r in rows(table)].index(True))
    await pilot.press("enter")
    await opened(pilot, app, TimelineScreen)


def drive(app: DashboardApp, script, size=LARGE):
    async def go():
        async with app.run_test(size=size) as pilot:
            assert await wait_for(pilot, lambda: getattr(app.screen, "ready", False))  # the main screen is drawn
            await script(pilot)

    asyncio.run(go())


def test_articles_and_the_stores_edits_newest_first(english_store):
    app = dashboard(english_store)

    async def script(pilot):
        articles = rows(app.screen.query_one(ArticlesTable))
        assert len(articles) == 5
        assert any("Harbor city approves" in r and "politics" in r and "substantive" in r for r in articles)
        assert any("/news/broken" in r and "error" in r for r in articles)
        edits = rows(app.screen.query_one(EditsTable))
        # Edits from checks made before this app started: the edits list reads the store.
        assert [r.split("\n")[0] for r in edits] == ["1h ago", "2h ago", "3h ago", "4h ago"]
        assert "Old bridge to close" in edits[0] and "removed" in edits[0]
        assert "goverment" in edits[1] and "government" in edits[1] and "typo" in edits[1]
        assert "60" in edits[3] and "80" in edits[3] and "correction" in edits[3]
        status = str(app.status_line())
        assert "articles 5" in status and "errors 1" in status

    drive(app, script)


def test_fits_80x24_with_room_for_the_edits_list(english_store):
    app = dashboard(english_store)

    async def script(pilot):
        articles, edits = app.screen.query_one(ArticlesTable), app.screen.query_one(EditsTable)
        assert edits.region.height >= 7 and edits.region.bottom <= 22
        harbor = next(r for r in rows(articles) if r.startswith("Harbor"))
        assert "…" in harbor.split(" | ")[0] and "substantive" in harbor
        assert rows(edits)[0].split(" | ")[1].startswith("removed")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "ctrl+c")

    drive(app, script, size=SMALL)
    assert app.return_code == 0


def test_filters_and_search(english_store):
    app = dashboard(english_store)

    async def script(pilot):
        edits = app.screen.query_one(EditsTable)

        def headlines():
            return [r.split(" | ")[2].split("\n")[0] for r in rows(edits)]

        await pilot.press("c")  # substantive only
        assert headlines() == [
            "Market hall opens to traders",
            "Harbor city approves $48 million flood barrier after decade of debate",
        ]
        await pilot.press("c")  # moves
        assert headlines() == ["Market hall opens to traders"]
        await pilot.press("c")  # typos
        assert headlines() == ["Library keeps Sunday hours"]
        await pilot.press("c", "f", "f")  # all classes; flag: correction
        assert headlines() == ["Harbor city approves $48 million flood barrier after decade of debate"]
        await pilot.press("f", "f")  # revert: none; removed
        assert headlines() == ["Old bridge to close for repairs"]
        await pilot.press("escape", "t", "t")  # tags in order: city, culture... t twice: culture
        assert app.screen.filters.tag == "culture"
        assert headlines() == ["Library keeps Sunday hours"]
        assert len(rows(app.screen.query_one(ArticlesTable))) == 1
        await pilot.press("escape", "slash", *"market", "enter")
        assert [r.split(" | ")[0] for r in rows(app.screen.query_one(ArticlesTable))] == [
            "Market hall opens to traders"
        ]
        assert headlines() == ["Market hall opens to traders"]
        await pilot.press("escape")
        assert len(rows(app.screen.query_one(ArticlesTable))) == 5

    drive(app, script)


def test_class_and_flag_filters_narrow_the_articles_too_and_home_end_move_in_the_feed(english_store):
    app = dashboard(english_store)

    async def script(pilot):
        articles, edits = app.screen.query_one(ArticlesTable), app.screen.query_one(EditsTable)

        def headlines():
            return sorted(r.split(" | ")[0] for r in rows(articles))

        await pilot.press("c")  # substantive only: the articles with such a change, as the edits list shows
        assert headlines() == [
            "Harbor city approves $48 million flood barrier after decade of debate",
            "Market hall opens to traders",
        ]
        await pilot.press("c", "c", "c", "f", "f")  # all classes; flag: correction
        assert headlines() == ["Harbor city approves $48 million flood barrier after decade of debate"]
        await pilot.press("escape")
        assert len(rows(articles)) == 5
        edits.focus()
        await pilot.press("end")
        assert edits.cursor_row == edits.row_count - 1 > 0
        await pilot.press("home")
        assert edits.cursor_row == 0

    drive(app, script)


def test_timeline_diff_side_by_side_and_full_text(english_store):
    app = dashboard(english_store)

    async def script(pilot):
        await open_timeline(pilot, app, lambda row: row.startswith("Market hall"))
        versions = rows(app.screen.query_one(VersionsTable))
        # Each version's time over how its page was read (these were rendered).
        assert versions[0].startswith("v2 | 2026-11-24 11:00 UTC\nfrom the browser | substantive")
        assert versions[1].startswith("v1 | 2026-11-24 08:10 UTC\nfrom the browser")
        checks = rows(app.screen.query_one(ChecksTable))
        assert [c.split(" | ")[1] for c in checks] == ["changed", "new"]
        await pilot.press("enter")
        await opened(pilot, app, DiffScreen)
        text = shown(app.screen.view)
        assert "v1 → v2" in text and "moved" in text and "45" in text and "40" in text
        await pilot.press("s")
        side = shown(app.screen.view)
        assert "v1 · 2026-11-24 08:10 UTC" in side and "v2 · 2026-11-24 11:00 UTC" in side
        await pilot.press("v")
        full = shown(app.screen.view)
        assert "4 paragraphs" in full and "sold 45 stalls" in full and "40 stalls" not in full
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, (DiffScreen, TimelineScreen))
        # The article that only ever failed: its check log says why.
        await open_timeline(pilot, app, lambda row: "/news/broken" in row)
        checks = rows(app.screen.query_one(ChecksTable))
        assert len(checks) == 1 and "error" in checks[0] and "500" in checks[0]
        assert checks[0].split(" | ")[4].strip()  # the message, not only the word "error"

    drive(app, script)


def test_chinese_diff_is_readable(chinese_store):
    app = dashboard(chinese_store)

    async def script(pilot):
        edits = app.screen.query_one(EditsTable)
        edits.focus()
        edits.move_cursor(
            row=[("piggy" in k.value or "撲滿" in r) for k, r in zip(edits.rows, rows(edits))].index(True)
        )
        await pilot.press("enter")
        await opened(pilot, app, DiffScreen)
        text = shown(app.screen.view)
        assert "10" in text and "12" in text and "更正" in text

    drive(app, script, size=LARGE)


def test_the_timeline_lists_what_checks_learned_changes_on_every_load(english_copy):
    store = open_store(english_copy)
    market = next(a for a in store.list_articles() if a.headline.startswith("Market hall"))
    market.volatile = ["most read now: ferry timetable changes for winter", "0 comments"]
    store.update_article(market)
    app = dashboard(english_copy)

    async def script(pilot):
        await open_timeline(pilot, app, lambda row: row.startswith("Market hall"))
        head = shown(app.screen.query_one("#head").render(), width=160)
        assert "2 volatile, left out of comparison: 0 comments; most read now: ferry timetable" in head

    drive(app, script)


def test_pause_resume_and_remove_with_confirmation(english_copy):
    store = open_store(english_copy)
    app = dashboard(english_copy)
    url = next(a.url for a in store.list_articles() if a.url.endswith("/news/library-sundays"))

    async def script(pilot):
        table = app.screen.query_one(ArticlesTable)
        table.move_cursor(row=table.get_row_index(url))
        await pilot.press("p")
        assert store.get_article(url).paused
        assert rows(table)[table.get_row_index(url)].split(" | ")[5:7] == ["paused", "paused"]
        await pilot.press("p")
        article = store.get_article(url)
        assert not article.paused and article.next_check == NOW
        assert rows(table)[table.get_row_index(url)].split(" | ")[5:7] == ["due", "changed"]
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert store.get_article(url).versions == 2
        await pilot.press("x", "y")
        await pilot.pause()
        assert url not in {a.url for a in store.list_articles()}
        assert url not in {k.value for k in table.rows}

    drive(app, script)


def test_add_url_open_it_and_write_a_report_and_a_card(english_copy, tmp_path, browser, monkeypatch):
    store = open_store(english_copy)
    out = tmp_path / "out"
    out.mkdir()
    opened = []
    # The user's own browser is outside the test; what is asked of it is recorded instead.
    monkeypatch.setattr("webbrowser.open", lambda url, new=0: opened.append(url) or True)
    app = dashboard(english_copy, out_dir=out, fetcher_factory=browser.fetcher)

    async def script(pilot):
        await pilot.press("a", *"http://127.0.0.9:47931/news/new-one", "enter")
        await pilot.pause()
        assert "http://127.0.0.9:47931/news/new-one" in {a.url for a in store.list_articles()}
        edits = app.screen.query_one(EditsTable)
        edits.focus()
        await pilot.press("down", "r")  # the typo fix
        written = list(out.glob("*.html"))
        assert len(written) == 1 and "Library keeps Sunday hours" in written[0].read_text()
        assert any("wrote" in m for m in app.messages)
        await pilot.press("o")
        assert opened == [store.list_articles()[2].url]
        await pilot.press("k")
        await wait_for(pilot, lambda: list(out.glob("*.png")))
        card = list(out.glob("*.png"))
        assert len(card) == 1 and card[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    drive(app, script)


def test_check_now(tmp_path, site, browser):
    checker = Checker(tmp_path / "data", browser.fetcher())
    site.page_versions("/now", {"v1": page("Council meets tonight", ["The council meets at seven tonight. " * 4])})
    url = site.url("/now")
    checker.add(url)
    app = dashboard(tmp_path / "data", fetcher_factory=browser.fetcher, config=checker.svc.config)

    async def script(pilot):
        await pilot.press("n")
        assert await wait_for(pilot, lambda: checker.store.get_article(url).versions == 1)
        assert await wait_for(
            pilot, lambda: any(r.startswith("Council meets tonight") for r in rows(app.screen.query_one(ArticlesTable)))
        )

    drive(app, script)


def test_sees_what_another_writer_adds(english_copy, fetcher, site):
    """Read-only over a store another checker is writing (a second store object, as another process has)."""
    app = dashboard(english_copy, refresh_seconds=0.1)
    site.page_versions("/elsewhere", {"v1": page("Ferry timetable changes", ["Ferries run every hour now. " * 4])})
    other = Checker(english_copy, fetcher)

    async def script(pilot):
        before = len(rows(app.screen.query_one(ArticlesTable)))
        url = site.url("/elsewhere")

        def write():
            other.add(url)
            other.check(url, timedelta(hours=5, minutes=50))

        thread = threading.Thread(target=write)
        thread.start()
        while thread.is_alive():
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: any("Ferry timetable" in r for r in rows(app.screen.query_one(ArticlesTable))))
        articles = rows(app.screen.query_one(ArticlesTable))
        assert len(articles) == before + 1 and any("Ferry timetable" in r for r in articles)

    drive(app, script)


def test_run_mode_checks_reports_failures_inside_and_quits_mid_check(tmp_path, site, browser, receiver, capfd):
    """`watcher run --dashboard`: checks run in the app, failures of feeds, notifications and libraries are
    shown in it (not on stderr), and q during a check records nothing on that article."""
    checker = Checker(tmp_path / "data", browser.fetcher())
    config = tmp_path / "data" / "watcher.toml"
    config.write_text(config.read_text() + f'[[notify]]\nurl = "{receiver.url}/fail"\nretries = 0\n')
    quick = site.url("/quick")
    site.page_versions(
        "/quick", {"v1": page("Quick story", ["The rain will stop by noon, forecasters said today. " * 3])}
    )
    site.hang("/slow")
    site.status("/feed.xml", 500)
    checker.add(quick)
    assert checker.check(quick, timedelta(0)).status == "new"
    site.page_versions(
        "/quick", {"v2": page("Quick story", ["The rain will stop by evening, forecasters said today. " * 3])}
    )
    checker.store.add_feed(site.url("/feed.xml"), now=T0)
    slow = site.url("/slow")
    app = dashboard(
        tmp_path / "data",
        clock=lambda: T0 + timedelta(hours=1),
        run_checks=True,
        fetcher_factory=browser.fetcher,
        config=load_config(config),
        refresh_seconds=0.1,
    )

    async def script(pilot):
        logging.getLogger("watcher.test").warning("a library complains")
        await wait_for(
            pilot,
            lambda: (
                app.runner
                and app.runner.stats.checks
                and app.feed_errors
                and any("not delivered" in m for m in app.messages)
            ),
        )
        assert app.runner.stats.checks == 1 and app.runner.stats.edits == 1
        assert any("Quick story" in r and "changed" in r for r in rows(app.screen.query_one(ArticlesTable)))
        status = str(app.screen.query_one(StatusBar).render())
        assert "checks 1" in status and "edits 1" in status and "feed error" in status and "500" in status
        assert any("a library complains" in m for m in app.messages)
        # The notification that failed: kept in the store's outbox for the next run, and said so in the app.
        assert any("not delivered" in m and quick in m and "kept for the next run" in m for m in app.messages)
        checker.add(slow)
        await wait_for(pilot, lambda: app.runner.stats.in_flight)
        assert app.runner.stats.in_flight == 1
        table = app.screen.query_one(ArticlesTable)
        assert await wait_for(pilot, lambda: "checking" in rows(table)[table.get_row_index(slow)])
        await pilot.press("q")

    drive(app, script)
    assert app.return_code == 0
    assert open_store(tmp_path / "data").recent_checks(slow) == []
    # What could not be delivered waits in the store for the next run instead of dying with the app.
    assert [e["body"]["url"] for e in open_store(tmp_path / "data").outbox_pending()] == [quick]
    err = capfd.readouterr().err
    assert "not delivered" not in err and "a library complains" not in err and "Traceback" not in err


def test_over_postgresql(postgres, site, browser, tmp_path):
    """The same views over the PostgreSQL store: the dashboard reads only through the store protocol."""
    dsn = postgres.fresh_dsn("dash_")
    checker = Checker(tmp_path / "config", browser.fetcher(), location=dsn)
    url = site.url("/pg")
    site.page_versions(
        "/pg", {"v1": page("Tram fares frozen", ["Fares stay at 2 euros until June, the city said. " * 3])}
    )
    checker.add(url, "transport")
    assert checker.check(url, timedelta(0)).status == "new"
    site.page_versions(
        "/pg", {"v2": page("Tram fares frozen", ["Fares stay at 3 euros until June, the city said. " * 3])}
    )
    assert checker.check(url, timedelta(hours=1)).status == "changed"
    app = DashboardApp(open_store(dsn), clock=lambda: T0 + timedelta(hours=2))

    async def script(pilot):
        assert rows(app.screen.query_one(ArticlesTable))[0].startswith("Tram fares frozen")
        edits = rows(app.screen.query_one(EditsTable))
        assert len(edits) == 1 and "2" in edits[0] and "3" in edits[0] and "substantive" in edits[0]
        await pilot.press("enter")
        await opened(pilot, app, TimelineScreen)
        assert [r.split(" | ")[0] for r in rows(app.screen.query_one(VersionsTable))] == ["v2", "v1"]

    drive(app, script)


def test_dashboard_needs_a_terminal(english_store):
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(english_store), "dashboard"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "needs a terminal" in done.stderr
