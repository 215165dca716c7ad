"""A page without a marked story body whose in-article lists change on every load (issue 26), through real Chromium.

Built on the shape of the real page that made the harness's last false alert: a feature page whose <main> holds
the story as sections (a heading, a paragraph, "Try it now" / "Learn more" links), with a "most read now" line and
a "More great stories" list with comment counts inside it. The line rotates every few minutes, the list reorders
and re-counts on every load. Trafilatura keeps or drops whole sections depending on how long the rotating line is,
and the choice between its reading and the DOM's weighed the in-article lines the DOM leaves out, so the body
flipped between loads of an unchanged page, and two loads flipped alike stored a version. Every text is ours.
"""

from __future__ import annotations

import pytest
from support.journey import EDITED_FROM, EDITED_TO, STORY, feature_page
from support.site_server import Response
from test_trust_pages import Checker

from watcher.config import Config, TrustSettings


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def test_in_article_lists_changing_on_every_load_store_no_version_and_an_edit_is_stored_at_once(site, checker):
    loads = 60
    site.page_versions(
        "/f",
        {
            "story": [Response(feature_page(n)) for n in range(loads)],
            "edited": [Response(feature_page(loads + n, edited=True)) for n in range(loads)],
        },
    )
    url = checker.add(site.url("/f"))
    results = [checker.check(url) for _ in range(9)]
    assert results[0].status == "new"
    # The whole story, every section of it, and none of the lists or the rotating line.
    assert checker.store.latest_version(url).article.body == STORY
    assert [r.status for r in results[1:]] == ["unchanged"] * 8, [(r.status, r.flags, r.edits) for r in results]
    assert len(checker.store.list_versions(url)) == 1

    site.set_version("/f", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2), (real.status, real.flags, real.note)
    assert [e.field for e in real.edits] == ["body"], real.edits
    changed = {(op, text) for op, text in real.edits[0].inline if op != "="}
    assert ("-", "20") in changed and ("+", "25") in changed, real.edits[0].inline
    assert checker.store.latest_version(url).article.body == [p.replace(EDITED_FROM, EDITED_TO) for p in STORY]
