"""The demo newsroom: scripted edits change exactly the intended text, chrome changes on every request and only
there, the server serves pages and a feed on 127.0.0.1, and the extractor reads the stories without chrome."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from watcher.app.demo.newsroom import STORIES, TIMELINE, Newsroom, render_story
from watcher.app.demo.newsroom import chrome as chrome_data
from watcher.app.demo.newsroom.render import VOLATILE_END, VOLATILE_START
from watcher.app.demo.newsroom.stories import story_by_slug
from watcher.app.demo.newsroom.timeline import Change, apply_change, expected_edits, state_after, state_at, step_times
from watcher.extract import extract
from watcher.normalize import normalize_text

STEPS = len(TIMELINE)
VOLATILE = re.compile(re.escape(VOLATILE_START) + ".*?" + re.escape(VOLATILE_END), re.S)


def strip_volatile(html: str) -> str:
    return VOLATILE.sub("", html)


def page(slug: str, step: int, seed: int) -> str:
    return render_story(story_by_slug(slug), state_after(step)[slug], seed, base_url="http://127.0.0.1:9")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


# --- the timeline -------------------------------------------------------------------------------------------------


def test_edits_are_spread_between_ten_and_eighty_percent_of_the_duration() -> None:
    times = step_times(60.0)
    assert times[0] == pytest.approx(6.0) and times[-1] == pytest.approx(48.0)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps == pytest.approx([gaps[0]] * len(gaps))
    assert step_times(20.0)[-1] == pytest.approx(16.0)


def test_state_is_a_function_of_elapsed_time() -> None:
    first = {s.slug: s.first for s in STORIES}
    assert state_at(0.0, 60.0) == first
    assert state_at(5.99, 60.0) == first
    assert state_at(6.0, 60.0) == state_after(1) != first
    assert state_at(48.0, 60.0) == state_after(STEPS)
    assert state_at(1e6, 60.0) == state_after(STEPS)
    # A shorter demo plays the same script faster.
    assert state_at(3.0, 30.0) == state_after(1)


def test_script_covers_every_kind_of_edit_the_demo_promises() -> None:
    edits = expected_edits(60.0)
    assert {e.cls for e in edits} >= {"typo", "substantive"}
    assert {e.field for e in edits} >= {"headline", "body", "caption"}
    assert "move" in {e.op for e in edits} and "insert" in {e.op for e in edits}
    flags = {f for e in edits for f in e.flags}
    assert {"headline_changed", "correction_notice"} <= flags
    languages = {story_by_slug(e.slug).lang for e in edits if "correction_notice" in e.flags}
    assert languages == {"en", "zh-Hant"}
    assert [e.step for e in edits] == sorted(e.step for e in edits)
    assert edits[0].at == pytest.approx(6.0)


@pytest.mark.parametrize("step", range(STEPS))
def test_each_step_changes_exactly_the_intended_story_text(step: int) -> None:
    before, after = state_after(step), state_after(step + 1)
    expects = TIMELINE[step].expect
    touched = {c.slug for c in TIMELINE[step].changes}
    assert touched == {e.slug for e in expects}
    for slug in before:
        if slug not in touched:
            assert before[slug] == after[slug], f"step {step} changed {slug} too"
    for slug in touched:
        old, new = before[slug], after[slug]
        mine = [e for e in expects if e.slug == slug]
        by_field = Counter(e.field for e in mine)
        assert (old.headline != new.headline) == ("headline" in by_field)
        assert old.dek == new.dek and old.byline == new.byline
        changed_captions = [(a, b) for a, b in zip(old.captions(), new.captions()) if a != b]
        assert len(changed_captions) == by_field["caption"]
        removed = [p for p in old.paragraphs() if p not in new.paragraphs()]
        added = [p for p in new.paragraphs() if p not in old.paragraphs()]
        body = [e for e in mine if e.field == "body"]
        assert len(removed) == sum(e.op == "replace" for e in body)
        assert len(added) == sum(e.op in ("replace", "insert") for e in body)
        for e in mine:
            if e.field == "headline":
                assert e.old_contains in old.headline and e.new_contains in new.headline
            elif e.field == "caption":
                assert e.old_contains in changed_captions[0][0] and e.new_contains in changed_captions[0][1]
            elif e.op == "replace":
                assert any(e.old_contains in p for p in removed) and any(e.new_contains in p for p in added)
            elif e.op == "insert":
                assert any(e.new_contains in p for p in added)
            elif e.op == "move":
                assert sorted(old.paragraphs()) == sorted(new.paragraphs())
                assert old.paragraphs() != new.paragraphs()
                phrase = next(c.old for c in TIMELINE[step].changes if c.action == "move")
                moved_old = next(i for i, p in enumerate(old.paragraphs()) if phrase in p)
                moved_new = next(i for i, p in enumerate(new.paragraphs()) if phrase in p)
                assert moved_old != moved_new
        if not by_field["body"]:
            assert old.blocks == new.blocks


@pytest.mark.parametrize("step", range(STEPS))
def test_rendered_pages_change_only_for_the_edited_story(step: int) -> None:
    touched = {c.slug for c in TIMELINE[step].changes}
    for story in STORIES:
        same = page(story.slug, step, seed=7) == page(story.slug, step + 1, seed=7)
        assert same == (story.slug not in touched)
    for e in TIMELINE[step].expect:
        html = page(e.slug, step + 1, seed=7)
        assert e.new_contains is None or e.new_contains in html


def test_a_change_whose_anchor_is_ambiguous_or_missing_is_refused() -> None:
    state = story_by_slug("harbor-district-storm").first
    with pytest.raises(ValueError):
        apply_change(state, Change("harbor-district-storm", "text", old="the", new="a"))
    with pytest.raises(ValueError):
        apply_change(state, Change("harbor-district-storm", "text", old="no such phrase", new="x"))


# --- chrome ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [s.slug for s in STORIES])
def test_two_requests_at_the_same_step_differ_only_in_chrome(slug: str) -> None:
    for step in (0, STEPS):
        one, two = page(slug, step, seed=1), page(slug, step, seed=2)
        assert one != two
        assert strip_volatile(one) == strip_volatile(two)
        # The parts that change must never hold story text, or the demo would prove nothing.
        volatile = " ".join(VOLATILE.findall(one))
        state = state_after(step)[slug]
        for text in [state.headline, *state.paragraphs(), *state.captions()]:
            assert text not in volatile


def test_chrome_changes_what_a_reader_sees_not_just_ids() -> None:
    seeds = range(20)
    zh = {tuple(chrome_data.make_chrome(s).popular) for s in seeds}
    en = {tuple(chrome_data.make_chrome(s).trending) for s in seeds}
    views = {chrome_data.make_chrome(s).views for s in seeds}
    assert len(zh) > 1 and len(en) > 1 and len(views) > 1
    html = page("booksale-letters", 0, seed=3)
    assert "快訊" in html and "熱門新聞" in html and "超人氣" in html and "延伸閱讀" in html
    assert "記者林雨澄／綜合報導" in html
    english = page("mill-street-bridge-vote", 0, seed=3)
    for marker in (
        '"@type": "NewsArticle"',
        'property="og:title"',
        "<figcaption>",
        "Trending",
        "Related",
        "cookie-banner",
        "ad-slot",
        "Comments (",
        "Share this story",
    ):
        assert marker in english


def test_captions_appear_as_alt_text_and_as_figcaption() -> None:
    state = story_by_slug("booksale-letters").first
    html = page("booksale-letters", 0, seed=1)
    caption = state.captions()[0]
    assert html.count(caption) == 2
    assert f'alt="{caption}"' in html and f"<figcaption>{caption}</figcaption>" in html


# --- the server --------------------------------------------------------------------------------------------------


def test_server_serves_front_page_feed_stories_and_images_on_localhost() -> None:
    with Newsroom(duration=60.0, clock=FakeClock()) as newsroom:
        assert newsroom.base_url.startswith("http://127.0.0.1:")
        urls = newsroom.story_urls()
        assert len(urls) == len(STORIES)
        status, ctype, front = get(newsroom.base_url + "/")
        assert status == 200 and ctype.startswith("text/html")
        for story in STORIES:
            assert story.first.headline in front and story.path in front
        status, ctype, feed = get(newsroom.feed_url)
        assert status == 200 and "rss" in ctype
        channel = ET.fromstring(feed).find("channel")
        assert [item.findtext("link") for item in channel.iter("item")] == urls
        for url, story in zip(urls, STORIES):
            status, ctype, html = get(url)
            assert status == 200 and "charset=utf-8" in ctype
            assert story.first.headline in html
        status, ctype, svg = get(newsroom.base_url + "/img/booksale-1.svg")
        assert status == 200 and ctype == "image/svg+xml" and svg.startswith("<svg")
        assert get(newsroom.base_url + "/news/nope")[0] == 404
        assert all(e.url in urls for e in newsroom.expected_edits())
    with pytest.raises(RuntimeError):
        newsroom.base_url


def test_server_chrome_changes_on_every_request() -> None:
    with Newsroom(clock=FakeClock()) as newsroom:
        url = newsroom.url_for("mill-street-bridge-vote")
        pages = [get(url)[2] for _ in range(3)]
        assert len(set(pages)) == 3
        assert len({strip_volatile(p) for p in pages}) == 1
        ids = {re.search(r'data-request-id="([0-9a-f]+)"', p).group(1) for p in pages}
        assert len(ids) == 3


def test_server_applies_edits_as_its_clock_advances_and_obeys_manual_steps() -> None:
    clock = FakeClock()
    with Newsroom(duration=60.0, clock=clock) as newsroom:
        storm = newsroom.url_for("harbor-district-storm")
        old_headline = story_by_slug("harbor-district-storm").first.headline
        assert old_headline in get(storm)[2]
        headline_step = next(i for i, s in enumerate(TIMELINE) if s.changes[0].action == "headline")
        clock.now += newsroom.step_times[headline_step] - 0.01
        assert newsroom.current_step() == headline_step
        assert old_headline in get(storm)[2]
        clock.now += 0.02
        html = get(storm)[2]
        assert old_headline not in html and state_after(headline_step + 1)["harbor-district-storm"].headline in html
        assert state_after(headline_step + 1)["harbor-district-storm"].headline in get(newsroom.feed_url)[2]
        newsroom.advance_to(0)
        clock.now += 1000
        assert old_headline in get(storm)[2]
        with pytest.raises(ValueError):
            newsroom.advance_to(STEPS + 1)


def test_two_newsrooms_get_their_own_free_ports() -> None:
    with Newsroom() as one, Newsroom() as two:
        assert one.base_url != two.base_url
        assert get(one.base_url + "/")[0] == get(two.base_url + "/")[0] == 200


# --- extraction of the newsroom's pages ------------------------------------------------------------------------

CHROME_PHRASES = [
    *chrome_data.ZH_TICKER,
    *(cap for cap, _, _ in chrome_data.ZH_HOT),
    *(t for _, t, _ in chrome_data.ZH_HOT),
    *chrome_data.ZH_POPULAR,
    *chrome_data.ZH_RELATED,
    *chrome_data.EN_TRENDING,
    *chrome_data.EN_RELATED,
    *chrome_data.EN_COMMENTS,
    "瀏覽數",
    "Advertisement",
    "We use cookies",
    "minutes ago",
    "Share this story",
    "拖拉類別",
    "上一則",
    "熱門新聞",
    "超人氣",
]


@pytest.mark.parametrize("step", range(STEPS + 1))
def test_extract_reads_each_story_at_each_step_without_chrome(step: int) -> None:
    for story in STORIES:
        state = state_after(step)[story.slug]
        articles = [extract(page(story.slug, step, seed), "http://127.0.0.1:9" + story.path) for seed in (11, 12)]
        assert articles[0] == articles[1], "chrome changed what the extractor saw"
        article = articles[0]
        assert article.headline == normalize_text(state.headline)
        subheads = {normalize_text(b.text) for b in state.blocks if b.kind == "h2"}
        assert [p for p in article.body if p not in subheads] == [normalize_text(p) for p in state.paragraphs()]
        assert article.captions == [normalize_text(c) for c in state.captions()]
        everything = " ".join([article.headline, article.dek, article.byline, *article.body, *article.captions])
        leaked = [phrase for phrase in CHROME_PHRASES if phrase in everything]
        assert not leaked
