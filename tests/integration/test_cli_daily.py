"""Daily use of the command line as a user types it: ids and prefixes, a quiet `check`, the history timeline,
`show`, confirmation before deleting, pause/resume, and `add`'s answers. Stores are built by real checks
(real Chromium on the local site); commands run in-process through watcher.app.cli.main, with `check`
given the session's browser instead of launching its own."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from support.cli import checked, data_dir_with, fast_config
from support.closing import closing_fixture
from support.pages import article_html
from support.site_server import Site

from watcher.app.articles import article_ids
from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.app.context import App
from watcher.store import open_store
from watcher.times import utcnow

CONFIG = fast_config(retries=0, settle_ms=None, confirm_delay=0)


FLOOD = article_html(
    "Council approves flood barrier",
    [
        "The city council on Tuesday approved a movable flood barrier for the estuary after a long debate.",
        "The vote followed a four-hour session in which more than 60 residents spoke about the plan.",
        "Construction is expected to begin next spring and take about three years to complete.",
    ],
)
FLOOD_V2 = FLOOD.replace("more than 60 residents", "more than 80 residents")
TRAM = article_html(
    "Tram line extension delayed again",
    [
        "The extension of the tram line to the airport has been delayed for a third time, officials said.",
        "Contractors blamed a shortage of steel and a dispute over the depot site near the river.",
    ],
)
SCHOOL = article_html(
    "New school opens in Quayside",
    [
        "A new primary school opened its doors in the Quayside district on Monday morning to 300 pupils.",
        "Parents said the school would spare their children a long bus ride across the city each day.",
    ],
)


@pytest.fixture
def use_session_browser(monkeypatch, fetcher):
    """`watcher check` on the session's Chromium (a real browser; only the launch is shared)."""
    monkeypatch.setattr(App, "fetcher", lambda self: fetcher)


def run(data_dir: Path, *args: str, width: int = 100) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), "--tz", "UTC", *args], Environment(stdout=out, stderr=err, width=width))
    return exited.value.code, out.getvalue(), err.getvalue()


def ok(data_dir: Path, *args: str, width: int = 100) -> tuple[str, str]:
    code, out, err = run(data_dir, *args, width=width)
    assert code == 0, (args, err)
    return out, err


PAGES = {
    "flood": ("/2026/11/25/council-approves-flood-barrier", FLOOD),
    "tram": ("/2026/11/24/tram-line-extension-delayed", TRAM),
    "school": ("/2026/11/20/new-school-opens", SCHOOL),
}


shared_site = closing_fixture(
    Site, "One local site for the module: the store template below holds its URLs (and port).", scope="module"
)


@pytest.fixture(scope="module")
def template(shared_site, browser, tmp_path_factory) -> Path:
    """Three articles watched and checked once by real checks (built once; each test gets a copy)."""
    for path, html in PAGES.values():
        shared_site.page(path, html)
    folder = data_dir_with(tmp_path_factory.mktemp("cli-daily") / "data", CONFIG)
    urls = {name: shared_site.url(path) for name, (path, _) in PAGES.items()}
    ok(folder, "add", urls["flood"], "--tag", "city", "--every", "2h", "--no-probe")
    ok(folder, "add", urls["tram"], urls["school"], "--tag", "transport", "--no-probe")
    assert [r.status for r in checked(folder, browser.fetcher(), *urls.values())] == ["new"] * 3
    return folder


@pytest.fixture
def site(shared_site) -> Site:
    """The module's site with every page back at its first text."""
    for path, html in PAGES.values():
        shared_site.page(path, html)
    return shared_site


@pytest.fixture
def data_dir(template, tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(template, folder)
    return folder


@pytest.fixture
def newsroom(site, data_dir) -> tuple[dict[str, str], dict[str, str]]:
    """The three articles' URLs and ids: the flood story tagged city on 2h, the others tagged transport."""
    urls = {name: site.url(path) for name, (path, _) in PAGES.items()}
    ids = article_ids(list(urls.values()))
    return urls, {name: ids[url] for name, url in urls.items()}


def test_list_shows_ids_urls_tags_and_intervals_and_filters(site, data_dir, newsroom):
    urls, ids = newsroom
    out, _ = ok(data_dir, "list", width=80)
    lines = out.splitlines()
    flood_row = next(n for n, line in enumerate(lines) if line.startswith(ids["flood"]))
    assert "Council approves flood barrier" in lines[flood_row] and "2h" in lines[flood_row]
    assert "new" in lines[flood_row]
    host = urls["flood"].split("://")[1].split("/")[0]
    assert lines[flood_row + 1].split()[0] == f"{host}/2026/11/25/council-approves-flood-barrier"
    assert "#city" in lines[flood_row + 1]
    assert max(len(line) for line in lines) <= 80
    tram_row = next(line for line in lines if line.startswith(ids["tram"]))
    assert "auto" in tram_row

    narrow, _ = ok(data_dir, "list", width=60)
    assert "/…" in narrow and "new-school-opens" in narrow  # path cut in the middle, slug kept

    out, _ = ok(data_dir, "list", "--tag", "city")
    assert ids["flood"] in out and ids["tram"] not in out
    out, _ = ok(data_dir, "list", "--host", "127.0.0.1")
    assert all(i in out for i in ids.values())
    out, err = ok(data_dir, "list", "--host", "elsewhere.example")
    assert out == "" and "no article matches (of 3 watched)" in err
    out, _ = ok(data_dir, "list", "--sort", "headline")
    order = [line.split()[0] for line in out.splitlines() if line[:6] in ids.values()]
    assert order == [ids["flood"], ids["school"], ids["tram"]]
    listed = json.loads(ok(data_dir, "list", "--json", "--status", "new")[0])
    assert {a["id"] for a in listed} == set(ids.values())
    flood = next(a for a in listed if a["url"] == urls["flood"])
    assert flood["every"] == 7200 and flood["tags"] == ["city"] and flood["versions"] == 1


def test_every_command_takes_an_id_a_prefix_or_match(site, data_dir, newsroom):
    urls, ids = newsroom
    by_id = json.loads(ok(data_dir, "history", ids["flood"], "--json")[0])
    by_prefix = json.loads(ok(data_dir, "history", ids["flood"][:4], "--json")[0])
    by_url_prefix = json.loads(ok(data_dir, "history", urls["flood"].split("://")[1][:-10], "--json")[0])
    by_match = json.loads(ok(data_dir, "history", "--match", "FLOOD barrier", "--json")[0])
    assert by_id == by_prefix == by_url_prefix == by_match
    assert by_id[0]["headline"] == "Council approves flood barrier"
    out, _ = ok(data_dir, "show", "--match", "tram")
    assert "Contractors blamed a shortage of steel" in out

    code, _, err = run(data_dir, "history", urls["flood"].replace("flood-barrier", "flod-barier"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "not watching" in err and f"did you mean {ids['flood']} {urls['flood']}" in err
    code, _, err = run(data_dir, "diff", urls["flood"].split("/2026")[0] + "/2026/11/2")
    assert code == 2 and "matches 3 articles" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(data_dir, "history", "--match", "nothing like this")
    assert code == 2 and "no watched headline contains" in err
    code, _, err = run(data_dir, "history", "--match", "o")
    assert code == 2 and "--match 'o' matches 3 articles" in err


def test_check_prints_changes_and_errors_and_counts_the_rest(site, data_dir, newsroom, use_session_browser):
    urls, ids = newsroom
    site.page("/2026/11/25/council-approves-flood-barrier", FLOOD_V2)
    site.status("/2026/11/20/new-school-opens", 500)
    code, out, _ = run(data_dir, "check")
    assert code == 1  # one check failed
    assert f"changed v2 {urls['flood']}" in out and "80" in out
    assert f"error v1 {urls['school']}" in out and "HTTP 500" in out
    assert urls["tram"] not in out  # unchanged: only counted
    assert out.strip().splitlines()[-1] == "checked 3 articles: 1 changed, 1 error, 1 unchanged"

    site.page("/2026/11/20/new-school-opens", SCHOOL)
    code, out, _ = run(data_dir, "check", "--tag", "transport", "-v")
    assert code == 0 and f"unchanged v1 {urls['tram']}" in out and f"unchanged v1 {urls['school']}" in out
    assert out.strip().splitlines()[-1] == "checked 2 articles: 2 unchanged"
    assert urls["flood"] not in out
    code, _, err = run(data_dir, "check", "--tag", "sports")
    assert code == 2 and "no watched article is tagged sports" in err


def test_history_is_a_timeline_with_checks_and_show_prints_a_version(site, data_dir, newsroom, fetcher):
    urls, ids = newsroom
    path = "/2026/11/25/council-approves-flood-barrier"
    site.page(path, FLOOD_V2)
    assert checked(data_dir, fetcher, urls["flood"])[0].status == "changed"
    site.page(path, FLOOD)
    assert checked(data_dir, fetcher, urls["flood"])[0].status == "revert"
    site.status(path, 503)
    assert checked(data_dir, fetcher, urls["flood"])[0].status == "error"

    out, _ = ok(data_dir, "history", ids["flood"], width=120)
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert "first version" in rows["1"] and "3 paragraphs" in rows["1"]
    assert "substantive" in rows["2"] and "residents: 60 → 80 (¶2)" in rows["2"]  # what changed, from its facts
    assert "revert" in rows["3"] and "back to v1" in rows["3"]
    timeline = json.loads(ok(data_dir, "history", ids["flood"], "--json")[0])
    assert [v["class"] for v in timeline] == [None, "substantive", "substantive"]
    assert timeline[2]["reverted_to"] == 1 and timeline[2]["event"] == "revert"

    out, _ = ok(data_dir, "history", ids["flood"], "--checks", width=120)
    assert "HTTP 503" in out and "error" in out and out.count("new") == 1
    log = json.loads(ok(data_dir, "history", ids["flood"], "--checks", "--json")[0])
    assert [c["status"] for c in log] == ["new", "changed", "revert", "error"]
    assert log[-1]["http_status"] == 503 and "503" in log[-1]["error"]

    out, _ = ok(data_dir, "diff", ids["flood"], "--from", "1", "--to", "2", width=120)
    assert "more than ⟦-60-⟧⟦+80+⟧ residents" in out and " UTC → " in out  # no colour on a pipe: markers
    out, _ = ok(data_dir, "show", ids["flood"], "--version", "2", width=120)
    assert "v2 · from the raw HTML · captured" in out and "UTC" in out
    assert "more than 80 residents spoke" in out and "take about three years to complete" in out
    shown = json.loads(ok(data_dir, "show", ids["flood"], "--version", "1", "--json")[0])
    assert shown["version"] == 1 and "more than 60 residents" in shown["article"]["body"][1]
    raw, _ = ok(data_dir, "show", ids["flood"], "--raw")
    assert "<h1>Council approves flood barrier</h1>" in raw
    code, _, err = run(data_dir, "show", ids["flood"], "--version", "9")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_remove_asks_first_and_refuses_without_a_terminal(data_dir, newsroom):
    urls, ids = newsroom
    code, _, err = run(data_dir, "remove", ids["tram"])
    assert code == 2 and "pass --yes" in err
    assert len(open_store(data_dir).list_articles()) == 3  # nothing deleted

    def on_terminal(*args: str, answer: bytes) -> tuple[int, str]:
        """`watcher remove` with its stdin a real terminal (a pty), answering the prompt."""
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "remove", *args],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.close(follower)
        os.write(leader, answer)
        _, err = proc.communicate(timeout=30)
        os.close(leader)
        return proc.returncode, err.decode()

    code, err = on_terminal(ids["tram"], ids["school"], answer=b"n\n")
    assert code == 1 and "Remove 2 articles and delete 2 stored version(s)? [y/N]" in err and "nothing removed" in err
    assert len(open_store(data_dir).list_articles()) == 3
    code, err = on_terminal(ids["tram"], answer=b"y\n")
    assert code == 0 and f"removed {urls['tram']}" in err
    _, err = ok(data_dir, "remove", "--match", "school", "--yes")
    assert f"removed {urls['school']}" in err
    assert [a.url for a in open_store(data_dir).list_articles()] == [urls["flood"]]


@pytest.mark.browser
def test_checks_progress_bar_never_runs_into_the_result_lines_on_a_terminal(data_dir, newsroom, site):
    import re

    urls, _ = newsroom
    site.page(PAGES["flood"][0], FLOOD_V2)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "check", *urls.values()],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,  # one terminal for both, as a person sees them
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    lines = re.split(r"[\r\n]", screen)
    results = [line for line in lines if "unchanged" in line or "changed v2" in line or "checked 3" in line]
    assert any("changed v2" in line for line in results), screen
    for line in results:
        assert "━" not in line and "checking" not in line, line


def test_pause_resume_and_what_add_says(site, data_dir, newsroom):
    urls, ids = newsroom
    _, err = ok(data_dir, "pause", "--tag", "transport")
    assert err.count("paused ") == 2
    listed = {a["id"]: a for a in json.loads(ok(data_dir, "list", "--json")[0])}
    assert listed[ids["tram"]]["status"] == "paused" and listed[ids["flood"]]["status"] == "new"
    assert "paused" in next(line for line in ok(data_dir, "list")[0].splitlines() if line.startswith(ids["tram"]))
    from watcher.monitor.loop import is_due
    from watcher.times import utcnow

    tram = open_store(data_dir).get_article(urls["tram"])
    assert tram.paused and not is_due(tram, utcnow())
    _, err = ok(data_dir, "resume", ids["tram"])
    assert f"resumed {urls['tram']}" in err
    tram = open_store(data_dir).get_article(urls["tram"])
    assert not tram.paused and is_due(tram, utcnow())

    _, err = ok(data_dir, "add", urls["flood"], "--tag", "council", "--every", "30m")
    assert (
        err.strip() == f"already watching {urls['flood']}: tags now city, council (added council); interval 2h -> 30m"
    )
    _, err = ok(data_dir, "add", urls["flood"])
    assert "(nothing changed)" in err
    code, _, err = run(data_dir, "add", site.url("/new"), "--every", "0")
    assert code == 2 and "--every '0'" in err
    assert site.url("/new") not in [a.url for a in open_store(data_dir).list_articles()]
    _, err = ok(data_dir, "add", site.url("/gone"))
    assert f"warning: {site.url('/gone')} answers HTTP 404 now" in err


def test_reextract_says_when_no_raw_html_is_left(data_dir, newsroom):
    urls, ids = newsroom
    _, err = ok(data_dir, "reextract", ids["flood"])
    assert "1 of 1 versions had raw HTML; 1 version now" in err  # not "1 versions"
    ok(data_dir, "prune", "--keep-raw", "0")
    code, _, err = run(data_dir, "reextract", ids["flood"])
    assert code == 2 and "its one version has no raw HTML left" in err


def test_prune_keep_raw_0_drops_raw_html_captured_in_the_same_second(data_dir, newsroom):
    # Captures are stored to the second, as a check's clock gives them: one taken earlier in the second the
    # prune runs must still count as older than "now" (this made the test above fail when it ran fast).
    urls, _ = newsroom
    store = open_store(data_dir)
    first = store.latest_version(urls["flood"])
    assert first is not None
    time.sleep(1.02 - time.time() % 1)  # just past a second boundary, so the capture and the prune share it
    edited = replace(first.article, headline="Council approves movable flood barrier")
    fresh = store.save_version(urls["flood"], edited, html=FLOOD_V2, diff=None, captured_at=utcnow())
    ok(data_dir, "prune", "--keep-raw", "0")
    assert [open_store(data_dir).get_html(v) for v in open_store(data_dir).list_versions(urls["flood"])] == [None, None]
    assert fresh.number == 2


def test_bare_watcher_prints_help_and_exits_0(data_dir):
    code, out, err = run(data_dir)
    assert code == 0 and "Usage: watcher" in out and "error" not in err


def test_extract_explain_says_where_fields_came_from_and_why_blocks_lost(site, data_dir, use_session_browser):
    site.serve_fixture("/front", "no-article/page")
    code, out, _ = run(data_dir, "extract", site.url(PAGES["flood"][0]), "--explain", width=120)
    assert code == 0
    headline = next(line for line in out.splitlines() if line.startswith("headline"))
    assert "✓ <h1>" in headline and "Council approves flood barrier" in headline
    assert "✓ article" in out and "holds the story" in out
    explained = json.loads(run(data_dir, "extract", site.url(PAGES["flood"][0]), "--explain", "--json")[1])
    assert explained["headline"] == "Council approves flood barrier"
    assert any(c["used"] and c["source"].startswith("<h1>") for c in explained["explain"]["fields"]["headline"])

    code, out, err = run(data_dir, "extract", site.url("/front"), "--explain", width=120)
    assert code == 1 and "no article found" in err
    assert "mostly links" in out and '[[sites]] domain = "127.0.0.1"' in out


@pytest.mark.browser
def test_dates_show_in_the_display_zone_and_explain_knows_one_instant(site, data_dir, use_session_browser):
    taipei = '<meta property="article:published_time" content="2026-11-20T09:30:00+08:00">'
    site.page(
        "/taipei",
        article_html("Typhoon nears", ["The typhoon is expected to make landfall on Wednesday."] * 3, head=taipei),
    )
    out, _ = ok(data_dir, "--tz", "Asia/Taipei", "extract", site.url("/taipei"))
    published = next((line for line in out.splitlines() if "published" in line), out)
    assert "2026-11-20 09:30 CST (2026-11-20T01:30:00Z)" in published, published  # the page's own local time
    explained = json.loads(run(data_dir, "extract", site.url("/taipei"), "--explain", "--json")[1])
    (candidate,) = explained["explain"]["fields"]["published"]
    assert candidate["used"] and "differs" not in (candidate.get("note") or ""), candidate


def test_errors_are_in_watchers_words(site, data_dir, use_session_browser):
    dead = "http://127.0.0.1:9/story"  # the discard port: nothing listens there
    ok(data_dir, "add", dead, "--no-probe")
    code, out, _ = run(data_dir, "check", dead)
    assert code == 1
    assert "cannot connect (no connection could be made" in out or "the server refused the connection" in out
    assert "Route.fetch" not in out and "ECONNREFUSED" not in out and "net::" not in out


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>{items}</channel></rss>".encode()


def test_follow_adds_what_the_feed_lists_at_once(site, data_dir):
    fresh = [site.url("/2026/11/26/first"), site.url("/2026/11/26/second")]
    site.bytes("/rss.xml", rss(*fresh, site.url(PAGES["flood"][0])), "application/rss+xml")
    _, err = ok(data_dir, "follow", site.url("/rss.xml"), "--tag", "feed")
    assert "(rss, 3 links now): watching 2 new articles" in err
    listed = {a["url"]: a for a in json.loads(ok(data_dir, "list", "--json")[0])}
    assert all(listed[u]["tags"] == ["feed"] for u in fresh) and len(listed) == 5

    site.bytes("/other.xml", rss(site.url("/2026/11/27/third")), "application/rss+xml")
    _, err = ok(data_dir, "follow", site.url("/other.xml"), "--no-poll")
    assert "its articles are added by `watcher run`" in err
    assert len(json.loads(ok(data_dir, "list", "--json")[0])) == 5

    code, _, err = run(data_dir, "follow", site.url("/missing.xml"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "HTTP 404" in err


def test_times_for_people_follow_tz_config_and_TZ_json_stays_utc(data_dir, newsroom, monkeypatch):
    urls, ids = newsroom

    def captured(*options: str) -> str:
        out, err = StringIO(), StringIO()
        with pytest.raises(SystemExit):
            main(["--data-dir", str(data_dir), *options, "show", ids["flood"]], Environment(stdout=out, stderr=err))
        return out.getvalue().splitlines()[0]

    checked_at = json.loads(ok(data_dir, "list", "--json")[0])[0]["last_checked"]
    assert checked_at.endswith("Z")
    assert captured("--tz", "UTC").endswith("UTC")
    assert captured("--tz", "Asia/Taipei").endswith("CST")
    (data_dir / "watcher.toml").write_text(
        fast_config(retries=0, settle_ms=None, confirm_delay=0, extra='[display]\ntz = "Europe/London"\n')
    )
    assert captured().endswith(("GMT", "BST"))
    (data_dir / "watcher.toml").write_text(CONFIG)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert captured().endswith("JST")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    code, _, err = run(data_dir, "--tz", "Nowhere/Special", "list")
    assert code == 2 and "unknown time zone 'Nowhere/Special'" in err


def test_report_title_and_markdown_before_after(site, data_dir, newsroom, fetcher):
    urls, ids = newsroom
    site.page(PAGES["flood"][0], FLOOD_V2)
    assert checked(data_dir, fetcher, urls["flood"])[0].status == "changed"
    md, _ = ok(data_dir, "report", "--format", "md", "--title", "Edits this week", "--match", "flood")
    assert md.startswith("# Edits this week\n")
    assert "  - Before: The vote followed a four-hour session in which more than ~~60~~ residents" in md
    assert "  - After: The vote followed a four-hour session in which more than **80** residents" in md
    html, _ = ok(data_dir, "report", "--title", "Edits this week")
    assert "<title>Edits this week</title>" in html
