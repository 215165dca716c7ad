"""Stories behind a login: a site's cookies imported with `watcher login SITE --import FILE` are used by real
Chromium checks of that site only (another site gets no cookie, and the default stays a fresh context), and
the cookie's value appears in no output: CLI output, history --json, reports, WARC files, the store."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest
from support.cli import data_dir_with, fast_config, ok, one_line_error, watcher
from support.closing import closing_fixture
from support.standins import SESSION, STORY, Newsroom

pytestmark = pytest.mark.browser

CONFIG = fast_config(retries=0, extra="[archive]\nwarc = true\n")


newsroom = closing_fixture(Newsroom, "A local news site whose stories need the session cookie.")
elsewhere = closing_fixture(Newsroom, "A second newsroom: another site.")


def cookies_txt(domain: str) -> str:
    return (
        "# Netscape HTTP Cookie File\n"
        f"#HttpOnly_{domain}\tFALSE\t/\tFALSE\t0\tsession\t{SESSION}\n"
        f".tracker.example\tTRUE\t/\tFALSE\t0\tad\tother-site-cookie\n"
    )


def grep_folder(folder, needle: str, skip: set[str]) -> list[str]:
    """Files under `folder` (gzip ones read decompressed too) holding `needle`, the `skip` folder left out."""
    found = []
    for root, _dirs, files in os.walk(folder):
        if skip & set(root.split(os.sep)):
            continue
        for name in files:
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            if data[:2] == b"\x1f\x8b":
                data += gzip.decompress(data)
            if needle.encode() in data:
                found.append(path)
    return found


def test_an_imported_login_reads_the_story_for_its_site_only(newsroom, elsewhere, tmp_path):
    # The other site is another port of 127.0.0.1: a browser sends a cookie of 127.0.0.1 to every port, so only
    # keeping the state out of that site's contexts keeps the cookie from it.
    data = data_dir_with(tmp_path / "data", CONFIG)
    story, other = f"{newsroom.base}/story", f"{elsewhere.base}/other"
    outputs: list[str] = []

    def run(*args: str) -> str:
        result = watcher(data, *args)
        outputs.extend([result.stdout, result.stderr])
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    # Without a login the check reads the paywall, and no cookie is sent.
    run("add", story, other)
    run("check", story)
    assert STORY not in run("show", story)
    assert newsroom.cookies_sent("/story") == [""] * len(newsroom.cookies_sent("/story"))

    (tmp_path / "browser").mkdir()
    jar = tmp_path / "browser" / "cookies.txt"  # the user's export: the one file outside logins/ holding it
    jar.write_text(cookies_txt(newsroom.base.split("//")[1].split(":")[0]))
    site = newsroom.base.split("//")[1]  # 127.0.0.1:PORT
    said = run("login", site, "--import", str(jar), "--json")
    saved = json.loads(said)
    assert saved["site"] == site and saved["cookies"] == 1 and saved["left_out"] == 1

    folder = data / "logins"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()] == [0o600]

    checked = run("check", story, other)
    shown = run("show", story)
    assert STORY in shown, checked
    assert newsroom.cookies_sent("/story")[-1] == f"session={SESSION}"
    # The other site gets no cookie at all (its check's context starts with no state).
    assert elsewhere.base != newsroom.base
    assert elsewhere.cookies_sent("/other") and set(elsewhere.cookies_sent("/other")) == {""}

    listed = run("login", "--list", "--json")
    assert [entry["site"] for entry in json.loads(listed)] == [site]
    run("login", "--list")
    run("history", story, "--json")
    run("history", story)
    run("report", "--format", "json")
    report = tmp_path / "report.html"
    run("report", "-o", str(report))
    run("export", "--warc", str(tmp_path / "out.warc.gz"), story)

    assert not [o for o in outputs if SESSION in o]
    assert SESSION not in report.read_text()
    assert list((data / "warc").glob("*.warc.gz")), "the [archive] warc folder was written"
    assert grep_folder(tmp_path, SESSION, skip={"logins", "browser"}) == []

    run("login", "--forget", site)
    assert run("login", "--list", "--json").strip() == "[]"


def test_login_without_a_display_says_so(tmp_path):
    data = data_dir_with(tmp_path / "data", CONFIG)
    env_free = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data), "login", "example.org"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env_free,
    )
    line = one_line_error(result)
    assert "no display" in line and "--import" in line


def test_an_import_without_the_sites_cookies_is_refused(tmp_path):
    data = data_dir_with(tmp_path / "data", CONFIG)
    jar = tmp_path / "cookies.txt"
    jar.write_text(cookies_txt("news.example"))
    line = one_line_error(watcher(data, "login", "other.example", "--import", str(jar)))
    assert "no cookies or storage for other.example" in line
    assert not (data / "logins").exists() or not list((data / "logins").iterdir())
    assert "other-site-cookie" not in ok(data, "login", "--list")


def fetch_over_http_logged_in(tmp_path, newsroom: Newsroom, urls: list[str]) -> list:
    """`urls` fetched in turn by watcher's HTTP fetcher holding a cookies.txt login for `newsroom`'s site."""
    import asyncio

    from watcher.config import FetchSettings
    from watcher.fetch.http_pages import HTTPFetcher
    from watcher.fetch.logins import LoginStates, read_cookies_txt

    site = newsroom.base.split("//")[1]
    states = LoginStates(tmp_path / "logins")
    states.save(site, {"cookies": read_cookies_txt(cookies_txt("127.0.0.1")), "origins": []}, "cookies.txt")

    async def fetch_all() -> list:
        settings = FetchSettings(per_host_delay=0, retries=0)
        async with HTTPFetcher(settings, robots=None, logins=states) as fetcher:
            return [await fetcher.fetch(url) for url in urls]

    return asyncio.run(fetch_all())


def test_the_http_fetcher_sends_the_cookie_to_its_site_only(newsroom, elsewhere, tmp_path):
    newsroom.away = f"{elsewhere.base}/landing"
    story, away = fetch_over_http_logged_in(tmp_path, newsroom, [f"{newsroom.base}/story", f"{newsroom.base}/away"])
    assert STORY in story.html
    assert not [v for k, v in story.headers if k.lower() == "set-cookie"]  # the renewed session is not kept
    assert newsroom.cookies_sent("/story") == [f"session={SESSION}"]
    assert newsroom.cookies_sent("/away") == [f"session={SESSION}"]
    # The redirect led to another site (another port of 127.0.0.1, which cookies alone would not tell apart).
    assert away.final_url == f"{elsewhere.base}/landing" and elsewhere.cookies_sent("/landing") == [""]


def test_a_redirect_onto_the_login_site_keeps_no_set_cookie_either(newsroom, elsewhere, tmp_path):
    """Another site's link that leads to the login site: the cookie goes to the login site's hop, and the session
    it renews there must not be kept with the page (stored, WARC, WACZ) any more than on a direct fetch."""
    elsewhere.away = f"{newsroom.base}/story"
    [led] = fetch_over_http_logged_in(tmp_path, newsroom, [f"{elsewhere.base}/away"])
    assert led.final_url == f"{newsroom.base}/story" and newsroom.cookies_sent("/story") == [f"session={SESSION}"]
    assert not [v for k, v in led.headers if k.lower() == "set-cookie"]
    assert SESSION.encode() not in b"".join(f"{k}: {v}".encode() for k, v in led.headers)
