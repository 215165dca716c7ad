"""A release that reads pages differently must not alert: the first check after it reads the stored raw HTML with
the new rules too, so only what the page itself changed is an edit (real Chromium, a real store, a local page)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support import tidewater
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings
from watcher.monitor.check import REREAD_NOTE
from watcher.normalize import content_hash

pytestmark = pytest.mark.browser

EDITED = [*tidewater.BODY[:2], tidewater.BODY[2].replace("2.4 million", "3.9 million"), tidewater.BODY[3]]
# What an earlier release kept as story that this one leaves out (a tag row read as a last paragraph).
OLD_RULES_LINE = "Filed under: Harbour | Piers | Council"


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def stored_by_older_rules(checker: Checker, url: str) -> None:
    """Version 1 as an earlier release stored it from the same raw HTML: with a line today's rules leave out."""
    (first,) = checker.store.list_versions(url)
    older = replace(first.article, body=[*first.article.body, OLD_RULES_LINE])
    checker.store.replace_versions(url, [replace(first, article=older, content_hash=content_hash(older))])


def test_the_first_check_after_a_release_with_other_rules_is_no_edit(site, checker):
    site.page("/pier", tidewater.story())
    url = checker.add(site.url("/pier"))
    assert checker.check(url).status == "new"
    stored_by_older_rules(checker, url)

    result = checker.check(url)
    assert (result.status, result.version, result.edits) == ("unchanged", 1, []), (result.status, result.edits)
    assert result.note == REREAD_NOTE
    (only,) = checker.store.list_versions(url)
    assert only.article.body == tidewater.BODY  # read again: later checks compare like with like
    assert checker.check(url).note == ""


def test_a_real_edit_after_a_release_with_other_rules_is_the_only_edit(site, checker):
    site.page_versions("/pier", {"v1": tidewater.story(), "v2": tidewater.story(body=EDITED)})
    url = checker.add(site.url("/pier"))
    assert checker.check(url).status == "new"
    stored_by_older_rules(checker, url)

    site.set_version("/pier", "v2")
    result = checker.check(url)
    assert (result.status, result.version) == ("changed", 2), (result.status, result.note)
    # The figure the newsroom changed, and not the tag row the rules stopped reading as story.
    assert [e.field for e in result.edits] == ["body"] and ("+", "3.9") in result.edits[0].inline
    assert all(OLD_RULES_LINE not in (e.old or "") for e in result.edits)


def test_without_raw_html_the_stored_text_is_compared_as_before(site, checker):
    site.page("/pier", tidewater.story())
    url = checker.add(site.url("/pier"))
    assert checker.check(url).status == "new"
    stored_by_older_rules(checker, url)
    (first,) = checker.store.list_versions(url)
    checker.store.replace_versions(url, [replace(first, html_hash=None)])

    result = checker.check(url)
    # Nothing to read again: the line the rules dropped shows as removed, as it did before this was written.
    assert result.status == "changed" and result.note != REREAD_NOTE
