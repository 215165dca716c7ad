"""Edited paragraphs as `watcher diff` and `history` show them, pages loaded in real Chromium from the local site
(issues 26 and 33): the sentences a rewrite kept are shown unchanged, "U.S." inside a changed sentence is neither
split off nor highlighted on its own, a moved paragraph is one move with its positions, and a summary never glues
two changes into one word."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from support import tidewater
from support.cli import watcher
from support.site_server import Response

from watcher.config import Config, TrustSettings
from watcher.monitor import check as monitor
from watcher.render.edits import DELETE_MARKS, INSERT_MARKS
from watcher.store import open_store

pytestmark = pytest.mark.browser

# A developing story's paragraph recast as facts came in: four sentences rewritten, two kept.
KEPT = [
    "The pier was built in 1962.",
    '"We will not take chances," the harbour master said.',
]
OLD_PARAGRAPH = " ".join(
    [
        "Divers found the cracks during a routine inspection on Friday.",
        KEPT[0],
        "Delivery lorries have been sent to the ferry ramp.",
        KEPT[1],
        "The authority did not say when the pier would reopen.",
    ]
)
NEW_PARAGRAPH = " ".join(
    [
        "Divers working for the harbour authority found the cracks on Friday, during an inspection that had been "
        "delayed twice since the spring because of storms.",
        KEPT[0],
        "Lorries that deliver to the fish market every morning will have to unload at the ferry ramp instead, "
        "adding about an hour to each trip, according to the drivers' union.",
        KEPT[1],
        "The authority said on Tuesday that the pier would stay closed at least until the end of March, and that "
        "a full survey of the south basin would follow.",
    ]
)
# "U.S." inside a sentence that changed, a capital right after it; the sentences either side of it stay.
US_OLD = (
    "Divers worked in pairs. Crews searched the harbour until dark. Help came from the U.S. Navy, which sent two ships on Monday. "
    "The search resumes at dawn."
)
US_NEW = (
    "Divers from three towns worked in pairs through the night, in water barely above freezing. "
    "Crews searched the harbour until dark. The U.S. Coast Guard took over the search on Tuesday, after the "
    "navy ships left for their home port. The search resumes at dawn."
)


def body(paragraph: str, us: str = US_OLD) -> list[str]:
    return [tidewater.BODY[0], paragraph, us, tidewater.BODY[3]]


def edited_story(site, make_fetcher, tmp_path: Path, path: str, old: list[str], new: list[str]) -> tuple[Path, str]:
    """A story at `path` checked with body `old`, then again with body `new`: the data folder and the URL
    of its two stored versions."""
    site.page_versions(
        path,
        {"v1": [Response(tidewater.story(body=old).encode())], "v2": [Response(tidewater.story(body=new).encode())]},
    )
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    config = Config(trust=TrustSettings(confirm_delay=0.05))
    svc = monitor.Services(fetcher=make_fetcher(settle_ms=0), store=store, config=config)
    url = store.add_article(site.url(path))[0].url
    first = asyncio.run(monitor.check_article(url, svc))
    assert first.status == "new", first
    site.set_version(path, "v2")
    second = asyncio.run(monitor.check_article(url, svc))
    assert (second.status, second.version) == ("changed", 2), second
    return data_dir, url


def marked_spans(text: str) -> list[str]:
    """The texts inside ⟦-…-⟧ and ⟦+…+⟧ markers of a colourless diff."""
    spans = []
    for opening, closing in (DELETE_MARKS, INSERT_MARKS):
        at = 0
        while (start := text.find(opening, at)) >= 0:
            end = text.index(closing, start)
            spans.append(text[start + len(opening) : end])
            at = end
    return spans


def test_a_rewritten_paragraph_shows_the_sentences_it_kept_unchanged(site, make_fetcher, tmp_path):
    data_dir, url = edited_story(
        site, make_fetcher, tmp_path, "/pier", body(OLD_PARAGRAPH, US_OLD), body(NEW_PARAGRAPH, US_NEW)
    )

    out = watcher(data_dir, "diff", url)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())  # wrapped lines joined: sentences are searched whole
    spans = " ".join(" ".join(s.split()) for s in marked_spans(text))
    for kept in KEPT:
        assert text.count(kept) == 1, (kept, out.stdout)
        assert kept not in spans and "harbour master said" not in spans and "built in 1962" not in spans
    # The rewritten sentences are shown as changed, old and new.
    assert "routine inspection" in spans and "delayed twice" in spans
    assert "sent to the ferry ramp" in spans and "adding about an hour" in spans

    # The stored edits say the same in JSON: the kept sentences are in unchanged runs.
    diff = json.loads(watcher(data_dir, "diff", url, "--json").stdout)
    (rewrite,) = [e for e in diff["edits"] if e["old"] == OLD_PARAGRAPH]
    unchanged = "".join(t for op, t in rewrite["inline"] if op == "=")
    assert all(kept in unchanged for kept in KEPT)
    assert (rewrite["from"], rewrite["to"]) == (2, 2)


def test_us_in_a_changed_sentence_ends_no_sentence(site, make_fetcher, tmp_path):
    data_dir, url = edited_story(
        site, make_fetcher, tmp_path, "/search", body(OLD_PARAGRAPH, US_OLD), body(OLD_PARAGRAPH, US_NEW)
    )

    out = watcher(data_dir, "diff", url)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    spans = [" ".join(s.split()) for s in marked_spans(text)]
    # The sentences around the changed one stay unmarked.
    for kept in ("Crews searched the harbour until dark.", "The search resumes at dawn."):
        assert text.count(kept) == 1 and not any(kept in s for s in spans), out.stdout
    # The changed sentence is one sentence: "U.S." is never a change of its own, nor where one starts or ends.
    assert spans, out.stdout
    for span in spans:
        assert span not in ("U.S.", "U.S", "S.", "U.") and not span.endswith("U.S.") and not span.startswith("S."), span
    assert any("Navy, which sent two ships on Monday" in s for s in spans)
    assert any("Coast Guard took over the search on Tuesday" in s for s in spans)
    diff = json.loads(watcher(data_dir, "diff", url, "--json").stdout)
    (edit,) = [e for e in diff["edits"] if e["old"] == US_OLD]
    assert not any(t.strip() == "U.S." for op, t in edit["inline"] if op != "=")


def test_history_quotes_a_two_word_softening_without_inventing_words(site, make_fetcher, tmp_path):
    quote = '"The repairs will be {} but {}," the harbour master said.'
    data_dir, url = edited_story(
        site,
        make_fetcher,
        tmp_path,
        "/quote",
        body(quote.format("painful", "honest")),
        body(quote.format("difficult", "necessary")),
    )

    history = json.loads(watcher(data_dir, "history", url, "--json").stdout)
    # The summary quotes the reworded quote whole, from the edit's facts (issue 29), never glued words.
    assert history[1]["summary"].startswith(
        "quote reworded: “The repairs will be painful but honest,” → “The repairs will be difficult but necessary,” (¶"
    )
    shown = watcher(data_dir, "history", url).stdout
    assert "painfulhonest" not in shown and "difficultnecessary" not in shown
    assert "difficult but necessary" in " ".join(shown.split())  # the table may wrap the old phrase


def test_a_paragraph_moved_above_an_edited_one_is_one_move_with_its_positions(site, make_fetcher, tmp_path):
    lede, engineers, cost, crews = tidewater.BODY
    edited = engineers.replace("for now", "for now, and cyclists from Monday")
    data_dir, url = edited_story(
        site, make_fetcher, tmp_path, "/moved", [lede, engineers, cost, crews], [cost, lede, edited, crews]
    )

    diff = json.loads(watcher(data_dir, "diff", url, "--json").stdout)
    body = [(e["op"], e.get("from"), e.get("to")) for e in diff["edits"] if e["field"] == "body"]
    assert body == [("move", 3, 1), ("replace", 2, 3)]
    shown = watcher(data_dir, "diff", url).stdout
    assert "¶1 (was ¶3) moved" in shown and shown.count("(was ¶") == 1
