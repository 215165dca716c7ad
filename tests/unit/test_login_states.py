"""Saved login states (watcher/fetch/logins.py): reading cookies.txt and storage-state files, keeping only the
site's own cookies, the file modes, which URLs a state covers, and the Cookie header for the HTTP fetcher."""

from __future__ import annotations

import json
import stat

import pytest

from watcher.errors import BadInput
from watcher.fetch.logins import (
    LoginStates,
    covers,
    for_site,
    path_matches,
    read_state_file,
    site_name,
    without_cookies,
)
from watcher.models import Snapshot
from watcher.times import utcnow

JAR = (
    "# Netscape HTTP Cookie File\n"
    "#HttpOnly_.news.example\tTRUE\t/\tTRUE\t0\tsession\tabc123\n"
    "www.news.example\tFALSE\t/account\tFALSE\t4102444800\tpref\tdark\n"
    ".tracker.example\tTRUE\t/\tFALSE\t0\tad\tother\n"
)


def test_a_cookies_txt_keeps_the_sites_cookies_only(tmp_path):
    path = tmp_path / "cookies.txt"
    path.write_text(JAR)
    state, kind = read_state_file(path)
    assert kind == "cookies.txt" and len(state["cookies"]) == 3
    session = state["cookies"][0]
    assert session["domain"] == ".news.example" and session["httpOnly"] and session["secure"]
    assert session["expires"] == -1  # 0 in cookies.txt: a session cookie
    mine, left_out = for_site(state, "www.news.example")
    assert [c["name"] for c in mine["cookies"]] == ["session", "pref"] and left_out == 1


def test_a_playwright_storage_state_is_read_with_its_origins(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps(
            {
                "cookies": [{"name": "s", "value": "v", "domain": "news.example", "sameSite": "lax"}],
                "origins": [
                    {"origin": "https://news.example", "localStorage": [{"name": "t", "value": "1"}]},
                    {"origin": "https://elsewhere.example", "localStorage": []},
                ],
            }
        )
    )
    state, kind = read_state_file(path)
    assert kind == "storage state" and state["cookies"][0]["sameSite"] == "Lax" and state["cookies"][0]["path"] == "/"
    mine, _ = for_site(state, "news.example")
    assert [o["origin"] for o in mine["origins"]] == ["https://news.example"]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{not json", "not valid JSON"),
        ('{"origins": []}', "not a Playwright storage state"),
        ("news.example\tTRUE\t/\n", "not a cookies.txt line"),
        ("news.example\tTRUE\t/\tFALSE\tsoon\tn\tv\n", "is not a number"),
    ],
)
def test_a_file_that_is_neither_is_refused_in_one_line(tmp_path, text, problem):
    path = tmp_path / "bad"
    path.write_text(text)
    with pytest.raises(BadInput, match=problem):
        read_state_file(path)


def test_site_names_and_what_they_cover():
    assert site_name("https://www.News.example/world/story") == "www.news.example"
    assert site_name("127.0.0.1:8001") == "127.0.0.1:8001"
    with pytest.raises(BadInput):
        site_name("  ")
    assert covers("news.example", "https://news.example/a") and covers("news.example", "https://www.news.example/a")
    assert not covers("news.example", "https://badnews.example/a")
    assert covers("127.0.0.1:8001", "http://127.0.0.1:8001/a") and not covers(
        "127.0.0.1:8001", "http://127.0.0.1:8002/a"
    )


def test_states_are_kept_private_and_used_for_their_site_only(tmp_path):
    states = LoginStates(tmp_path / "logins")
    state = {"cookies": [{"name": "session", "value": "abc", "domain": ".news.example", "path": "/", "secure": True}]}
    states.save("news.example", {**state, "origins": []}, "cookies.txt")
    assert stat.S_IMODE((tmp_path / "logins").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "logins" / "news.example.json").stat().st_mode) == 0o600
    assert states.state_for("https://www.news.example/story") is not None
    assert states.state_for("https://other.example/story") is None
    assert states.cookie_header("https://www.news.example/story") == "session=abc"
    assert states.cookie_header("http://www.news.example/story") is None  # a Secure cookie never goes over http
    assert states.cookie_header("https://other.example/") is None
    listed = states.list()
    assert [(s.site, s.cookies, s.source) for s in listed] == [("news.example", 1, "cookies.txt")]
    assert "abc" not in json.dumps([s.to_json() for s in listed])
    assert states.forget("news.example") and states.state_for("https://news.example/") is None


def test_a_snapshot_taken_with_a_login_keeps_no_set_cookie():
    snap = Snapshot(
        requested_url="https://news.example/",
        final_url="https://news.example/",
        status=200,
        content_type="text/html",
        html="<html></html>",
        fetched_at=utcnow(),
        headers=[("Content-Type", "text/html"), ("Set-Cookie", "session=abc"), ("set-cookie", "b=c")],
    )
    assert without_cookies(snap).headers == [("Content-Type", "text/html")]


@pytest.mark.parametrize(
    "text",
    [
        '{"cookies": [{"name": "s", "value": "v", "domain": "news.example", "expires": "soon"}]}',
        '{"cookies": [{"name": "s", "value": "v", "domain": "news.example", "expires": null}]}',
        '{"cookies": [{"name": "s", "value": "v", "domain": "news.example", "expires": 1e400}]}',
        '{"cookies": [{"name": "s", "value": null, "domain": "news.example"}]}',
        '{"cookies": [{"name": "s", "value": "v", "domain": 5}]}',
        '{"cookies": [{"name": "s", "value": "v", "domain": "news.example", "secure": "TRUE"}]}',
        '{"cookies": [{"name": "s", "value": "v", "domain": "news.example", "httpOnly": 1}]}',
        "news.example\tTRUE\t/\tFALSE\tinf\tn\tv\n",
        "news.example\tTRUE\t/\tFALSE\tnan\tn\tv\n",
    ],
)
def test_a_cookie_a_browser_could_not_load_is_refused_before_it_is_saved(tmp_path, text):
    # Saved, such a cookie broke `watcher login --list` and every check of the site (a traceback each time).
    path = tmp_path / "state"
    path.write_text(text)
    with pytest.raises(BadInput, match="cookie"):
        read_state_file(path)


@pytest.mark.parametrize("typed", ["[::1", "http://[news.example/", "news.example\x1b[31m", "news\u202eelpmaxe"])
def test_a_site_name_no_host_can_have_is_a_one_line_error(typed):
    # "[::1" made urlsplit itself raise (an internal error); control and bidi characters would be saved as the
    # site's name and printed by `login --list`.
    with pytest.raises(BadInput, match="not a site name"):
        site_name(typed)


@pytest.mark.parametrize(
    "origins",
    [
        '[{"origin": "https://news.example", "localStorage": "token"}]',
        '[{"origin": "https://news.example", "localStorage": [{"name": "t", "value": 5}]}]',
        '[{"origin": 7, "localStorage": []}]',
    ],
)
def test_storage_a_browser_could_not_load_is_refused_before_it_is_saved(tmp_path, origins):
    # Saved, it made every check of the site fail when the browser context was made from it.
    path = tmp_path / "state.json"
    path.write_text(f'{{"cookies": [], "origins": {origins}}}')
    with pytest.raises(BadInput, match="localStorage"):
        read_state_file(path)


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "sent"),
    [
        ("/account", "/account", True),  # identical
        ("/account/", "/account", True),  # the next character is a slash
        ("/account/settings", "/account", True),
        ("/account/settings", "/account/", True),  # the cookie's path ends with a slash
        ("/accounts", "/account", False),  # a prefix of the name only: RFC 6265 5.1.4 does not match it
        ("/accountant/bills", "/account", False),
        ("/account", "/account/", False),  # shorter than the cookie's path
        ("/", "/", True),
        ("/anything", "/", True),
        ("", "/", True),  # no path is the path "/"
        ("/Account", "/account", False),  # paths are case-sensitive
    ],
)
def test_a_cookie_path_matches_by_path_segments_not_by_text_prefix(request_path, cookie_path, sent):
    assert path_matches(request_path, cookie_path) is sent


def test_the_cookie_header_leaves_out_a_cookie_of_a_sibling_path(tmp_path):
    states = LoginStates(tmp_path / "logins")
    cookie = {"name": "pref", "value": "dark", "domain": "news.example", "path": "/account", "secure": False}
    states.save("news.example", {"cookies": [cookie], "origins": []}, "cookies.txt")
    assert states.cookie_header("http://news.example/account/settings") == "pref=dark"
    assert states.cookie_header("http://news.example/accountant/bills") is None


def test_a_host_only_cookie_goes_to_its_own_host_only_as_the_browser_sends_it(tmp_path):
    # A cookie saved without a leading dot is host-only (RFC 6265 5.3 step 6; Playwright's form): Chromium sends it
    # to that host alone, so the HTTP fetcher must not give it to the hosts under it either.
    states = LoginStates(tmp_path / "logins")
    host_only = {"name": "sid", "value": "h", "domain": "news.example", "path": "/", "secure": False}
    shared = {"name": "pref", "value": "d", "domain": ".news.example", "path": "/", "secure": False}
    states.save("news.example", {"cookies": [host_only, shared], "origins": []}, "state.json")
    assert states.cookie_header("http://news.example/a") == "sid=h; pref=d"
    assert states.cookie_header("http://www.news.example/a") == "pref=d"


def test_a_cookies_txt_line_for_subdomains_is_a_domain_cookie_even_without_its_dot(tmp_path):
    path = tmp_path / "cookies.txt"
    path.write_text("news.example\tTRUE\t/\tFALSE\t0\tsid\tabc\nwww.news.example\tFALSE\t/\tFALSE\t0\tp\tq\n")
    state, _kind = read_state_file(path)
    assert [c["domain"] for c in state["cookies"]] == [".news.example", "www.news.example"]
