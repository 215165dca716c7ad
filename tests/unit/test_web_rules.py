"""The web view's pure rules: who may bind where, tokens, sign-in and CSRF values, the page language, ids."""

from __future__ import annotations

import pytest

from watcher.app.web.security import Guard, check_binding, configured_token, host_allowed, is_loopback, same_origin
from watcher.app.web.views import ARTICLE_ID, Query
from watcher.app.web.words import edit_lang, ui_lang
from watcher.errors import BadInput

TOKEN = "0123456789abcdef-token"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_need_no_token(host):
    assert is_loopback(host)
    check_binding(host, None, read_only=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "example.org"])
def test_other_addresses_need_a_token_or_read_only(host):
    assert not is_loopback(host)
    with pytest.raises(BadInput, match="without a token"):
        check_binding(host, None, read_only=False)
    check_binding(host, None, read_only=True)
    check_binding(host, TOKEN, read_only=False)


def test_the_environment_token_wins_and_short_ones_are_refused():
    assert configured_token({}, None) is None
    assert configured_token({}, TOKEN) == TOKEN
    assert configured_token({"WATCHER_SERVE_TOKEN": "x" * 20}, TOKEN) == "x" * 20
    with pytest.raises(BadInput) as refused:
        configured_token({"WATCHER_SERVE_TOKEN": "short"}, None)
    assert "short" not in str(refused.value)  # a token is never repeated back


def test_guard_checks_bearer_session_and_csrf():
    guard = Guard(TOKEN)
    assert guard.bearer_ok(f"Bearer {TOKEN}") and guard.bearer_ok(f"bearer {TOKEN}")
    assert not guard.bearer_ok(None) and not guard.bearer_ok(f"Basic {TOKEN}") and not guard.bearer_ok("Bearer nope")
    session = guard.session_value()
    assert TOKEN not in session and guard.signed_in(session) and not guard.signed_in("forged")
    csrf = guard.csrf_value()
    assert guard.csrf_ok(session, csrf, None, "127.0.0.1:8765")
    assert guard.csrf_ok(session, csrf, "http://127.0.0.1:8765", "127.0.0.1:8765")
    assert not guard.csrf_ok(session, csrf, "http://evil.example", "127.0.0.1:8765")
    assert not guard.csrf_ok(session, csrf, "null", "127.0.0.1:8765")
    assert not guard.csrf_ok(session, "0" * 32, None, "127.0.0.1:8765")
    assert not guard.csrf_ok(None, csrf, None, "127.0.0.1:8765")
    assert Guard("another-token-0123456789").csrf_value() != csrf
    nobody = Guard(None)
    assert not nobody.writable and not nobody.bearer_ok("Bearer x") and not nobody.signed_in("x")
    assert same_origin(None, "h") and not same_origin("null", "h")


def test_page_language_and_edit_labels():
    assert ui_lang("auto", None, "zh-TW,zh;q=0.9,en;q=0.8") == "zh-Hant"
    assert ui_lang("auto", None, "en-GB,zh-TW;q=0.5") == "en"
    assert ui_lang("auto", None, "") == "en"
    assert ui_lang("zh-Hant", None, "en") == "zh-Hant"
    assert ui_lang("zh-Hant", "en", "") == "en"  # the reader's choice wins
    assert ui_lang("auto", "fr", "zh-TW") == "zh-Hant"  # an unknown choice is ignored
    assert edit_lang("en", "auto", "zh-Hant") == "zh-Hant"  # as `report --lang auto`
    assert edit_lang("en", "auto", None) is None
    assert edit_lang("en", "en", "zh-Hant") is None
    assert edit_lang("zh-Hant", "auto", "en") == "zh-Hant"


@pytest.mark.parametrize("ident", ["../etc", "0123456789abcdef0123456789", "ABCDEF", "abc", "abcd/ef", ""])
def test_ids_are_hex_digits_only(ident):
    assert not ARTICLE_ID.match(ident)


def test_queries_refuse_unknown_choices():
    assert Query.parse({"q": " Bridge ", "tag": "a", "sort": "headline", "page": "3"}).params() == {
        "q": "Bridge",
        "tag": "a",
        "sort": "headline",
        "page": "3",
    }
    for bad in ({"status": "nope"}, {"class": "huge"}, {"flag": "x"}, {"sort": "random"}, {"page": "two"}):
        with pytest.raises(BadInput):
            Query.parse(bad)


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LOCALHOST", "[::1]:8765", "127.0.0.2"])
def test_a_view_on_this_machine_answers_to_its_own_names(host):
    assert host_allowed(host, loopback_only=True)


@pytest.mark.parametrize("host", ["evil.example:8765", "evil.example", "127.0.0.1.evil.example", "", None, "[::1"])
def test_a_view_on_this_machine_refuses_other_host_names(host):
    # A page on evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding) would read it otherwise.
    assert not host_allowed(host, loopback_only=True)


def test_a_view_beyond_this_machine_answers_to_any_name():
    assert host_allowed("news-desk.internal:8765", loopback_only=False)
