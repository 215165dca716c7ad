"""The Store protocol's behaviour, through the protocol only: run against every backend in conftest.BACKENDS.

Nothing here looks at files, tables or rows; a backend passes by behaving, however it stores.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from support.store_data import OTHER, T0, URL, art, check

from watcher.errors import BadInput, RefusedScheme, StoreLocked, UnknownArticle
from watcher.models import Article, CheckRecord, Edit, VersionDiff
from watcher.store import Store
from watcher.store.docs import url_key


def test_the_store_is_a_store(store):
    assert isinstance(store, Store) and store.location


# ----- articles -----------------------------------------------------------------------------


def test_add_normalizes_and_does_not_watch_twice(store):
    first, created = store.add_article("HTTPS://News.Example:443/world/story?utm_source=tw#x", tags=["world"], now=T0)
    assert created and first.url == URL and first.added_at == T0 and first.next_check == T0
    again, created_again = store.add_article(URL + "?fbclid=abc", tags=["europe"], every=900)
    assert not created_again
    assert again.tags == ["world", "europe"] and again.every == 900
    assert [a.url for a in store.list_articles()] == [URL]


def test_add_refuses_bad_urls_and_stores_nothing(store):
    with pytest.raises(RefusedScheme):
        store.add_article("file:///etc/passwd")
    with pytest.raises(BadInput):
        store.add_article("https://user:pw@news.example/x")
    assert store.list_articles() == []


def test_articles_list_in_the_order_added(store):
    urls = [f"https://news.example/{i}" for i in (3, 1, 2)]
    for url in urls:
        store.add_article(url, now=T0, feed="https://news.example/rss")
    listed = store.list_articles()
    assert [a.url for a in listed] == urls and {a.feed for a in listed} == {"https://news.example/rss"}


def test_articles_can_be_listed_one_at_a_time_and_by_url(store):
    urls = [f"https://news.example/{i}" for i in range(5)]
    for url in urls:
        store.add_article(url, now=T0)
    store.remove_article(urls[1])
    kept = urls[:1] + urls[2:]
    assert list(store.article_keys()) == kept and store.article_keys()[kept[0]] == url_key(kept[0])
    first = next(iter(store.iter_articles()))
    assert first.url == urls[0] and [a.url for a in store.iter_articles()] == kept
    assert [a.url for a in store.list_articles()] == kept


def test_unknown_article_errors_name_the_url(store):
    with pytest.raises(UnknownArticle, match="not watching https://nowhere.example/"):
        store.get_article("https://nowhere.example/")
    for call in (store.latest_version, store.list_versions, store.recent_checks, store.remove_article):
        with pytest.raises(UnknownArticle):
            call("https://nowhere.example/")
    store.add_article(URL, now=T0)
    with pytest.raises(UnknownArticle, match="no version 3 of .* \\(it has 0\\)"):
        store.get_version(URL, 3)


def test_remove_article_deletes_history_and_readding_starts_fresh(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html="<p>x</p>", diff=None, captured_at=T0)
    store.record_check(check("new", version=1))
    removed = store.remove_article(URL)
    assert removed.url == URL and store.list_articles() == []
    with pytest.raises(UnknownArticle):
        store.remove_article(URL)
    store.add_article(URL, now=T0)
    assert store.latest_version(URL) is None and store.list_versions(URL) == [] and store.recent_checks(URL) == []
    assert store.get_article(URL).versions == 0 and store.get_article(URL).checks_total == 0


def test_update_article_keeps_store_counters(store):
    stale, _ = store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    store.record_check(check("new", T0 + timedelta(minutes=1), version=1))
    stale.next_check = T0 + timedelta(hours=1)
    stale.tags = ["kept"]
    saved = store.update_article(stale)  # a caller's old copy must not roll back counters
    assert saved.versions == 1 and saved.checks_total == 1
    assert saved.last_checked == T0 + timedelta(minutes=1) and saved.last_changed == T0
    reread = store.get_article(URL)
    assert reread.next_check == T0 + timedelta(hours=1) and reread.tags == ["kept"] and reread.versions == 1


def test_every_field_of_a_watched_article_round_trips(store_factory):
    store = store_factory()
    watched, _ = store.add_article(URL, now=T0)
    watched.headline_variants = ["Variant A", "Variant B"]
    watched.stopped = True
    watched.every = 1800
    watched.last_status = "unchanged"
    watched.next_check = T0 + timedelta(hours=2)
    store.update_article(watched)
    again = store_factory().get_article(URL)
    assert again.headline_variants == ["Variant A", "Variant B"] and again.stopped is True
    assert again.every == 1800 and again.next_check == T0 + timedelta(hours=2)


# ----- versions -----------------------------------------------------------------------------


def test_versions_are_numbered_and_round_trip(store):
    store.add_article(URL, now=T0)
    v1 = store.save_version(
        URL,
        art(byline="By A. Writer", published="2026-03-01T08:00:00Z", lang="en"),
        html="<html>one</html>",
        diff=None,
        captured_at=T0,
    )
    edit = Edit(
        "body",
        "replace",
        "Second paragraph.",
        "Second paragraph, corrected.",
        "substantive",
        [("=", "Second paragraph"), ("-", "."), ("+", ", corrected.")],
    )
    diff = VersionDiff(edits=[edit], flags=["stealth"])
    v2 = store.save_version(
        URL,
        art(body=("First paragraph.", "Second paragraph, corrected.")),
        html="<html>two</html>",
        diff=diff,
        captured_at=T0 + timedelta(hours=1),
    )
    assert (v1.number, v2.number) == (1, 2)
    latest = store.latest_version(URL)
    assert latest.number == 2 and latest.edits == [edit] and latest.flags == ["stealth"]
    assert latest.article.body == ["First paragraph.", "Second paragraph, corrected."]
    assert latest.article.captions == ["A caption."]
    first = store.get_version(URL, 1)
    assert first.article.byline == "By A. Writer" and first.article.lang == "en" and first.captured_at == T0
    assert first.content_hash != latest.content_hash
    assert [v.number for v in store.list_versions(URL)] == [1, 2]
    assert store.get_html(first) == "<html>one</html>"
    watched = store.get_article(URL)
    assert watched.versions == 2 and watched.headline == "Headline"
    assert watched.last_changed == T0 + timedelta(hours=1)
    assert watched.last_edit_summary == "1 edit, substantive (stealth)"


def test_event_versions_are_kept_in_history(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    removed = store.save_version(
        URL, Article(), html=None, diff=None, captured_at=T0 + timedelta(hours=1), event="removed"
    )
    assert removed.event == "removed"
    assert [v.event for v in store.list_versions(URL)] == [None, "removed"]
    watched = store.get_article(URL)
    assert watched.headline == "Headline"  # an empty removal page does not erase the headline
    assert watched.last_edit_summary == "removed"


def test_long_edit_lists_round_trip(store):
    store.add_article(URL, now=T0)
    edits = [Edit("body", "insert", None, f"paragraph {i} " * 20, "substantive") for i in range(30)]
    store.save_version(URL, art(), html=None, diff=VersionDiff(edits=edits), captured_at=T0)
    assert store.get_version(URL, 1).edits == edits
    brief = store.list_versions(URL, full=False)[0]
    assert brief.number == 1 and brief.article.headline == "Headline"


def test_odd_text_round_trips(store):
    store.add_article(URL, now=T0)
    html = "<p>\ud800 lone surrogate, 中文，\u202e bidi, \x1b[31m ansi</p>"
    version = store.save_version(
        URL, art(headline="[bold]not markup[/bold] 更正"), html=html, diff=None, captured_at=T0
    )
    assert store.get_html(version) == html
    assert store.latest_version(URL).article.headline == "[bold]not markup[/bold] 更正"


def test_versions_since_filters_by_capture_time(store):
    store.add_article(URL, now=T0)
    store.add_article(OTHER, now=T0)
    for hours in (0, 24, 48):
        store.save_version(
            URL, art(headline=f"h{hours}"), html=None, diff=None, captured_at=T0 + timedelta(hours=hours)
        )
    store.save_version(OTHER, art(headline="o"), html=None, diff=None, captured_at=T0 + timedelta(hours=30))
    found = store.versions_since(T0 + timedelta(hours=12), T0 + timedelta(hours=40))
    assert [(v.url, v.number) for v in found] == [(URL, 2), (OTHER, 1)]
    assert len(store.versions_since(None)) == 4


def test_list_versions_last_n(store):
    store.add_article(URL, now=T0)
    count = 103  # past any chunk or page size a backend is likely to pick
    with store.transaction():
        for i in range(count):
            store.save_version(
                URL, art(headline=f"h{i + 1}"), html=None, diff=None, captured_at=T0 + timedelta(minutes=i)
            )
    assert [v.number for v in store.list_versions(URL, last=5)] == list(range(count - 4, count + 1))
    assert [v.article.headline for v in store.list_versions(URL, last=2)] == [f"h{count - 1}", f"h{count}"]
    assert len(store.list_versions(URL, last=1000)) == count
    assert store.list_versions(URL, last=0) == []
    assert [v.number for v in store.list_versions(URL)] == list(range(1, count + 1))


def test_a_copy_is_recorded_in_its_version_and_replaces_its_services_earlier_record(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html="<html>one</html>", diff=None, captured_at=T0)
    store.save_version(URL, art(body=("Other text.",)), html=None, diff=None, captured_at=T0 + timedelta(hours=1))
    failed = {"service": "wayback", "url": None, "saved_at": None, "error": "HTTP 500"}
    store.record_copy(URL, 1, failed)
    saved = {"service": "wayback", "url": "https://web.archive.org/web/2026/x", "saved_at": "2026-12-07T10:00:00Z"}
    today = {"service": "archive_today", "url": "https://archive.ph/abcde", "saved_at": "2026-12-07T10:00:01Z"}
    store.record_copy(URL, 1, saved)
    after = store.record_copy(URL, 1, today)
    assert after.copies == [saved, today]
    assert store.get_version(URL, 1).copies == [saved, today]  # the earlier failure replaced
    assert store.get_version(URL, 1).article.body == art().body  # the rest of the version untouched
    assert store.get_html(store.get_version(URL, 1)) == "<html>one</html>"
    assert store.get_version(URL, 2).copies == []
    assert [v.copies for v in store.list_versions(URL, full=False)] == [[saved, today], []]
    with pytest.raises(UnknownArticle):
        store.record_copy(URL, 3, saved)


def test_replace_versions_rewrites_history_keeping_raw_html(store):
    store.add_article(URL, now=T0)
    for i in range(3):
        store.save_version(
            URL, art(headline=f"h{i}"), html=f"<html>{i}</html>", diff=None, captured_at=T0 + timedelta(hours=i)
        )
    old = store.list_versions(URL)
    kept = [
        replace(old[0], article=art(headline="re-extracted 0")),
        replace(old[2], article=art(headline="re-extracted 2")),
    ]
    saved = store.replace_versions(URL, kept)
    assert [v.number for v in saved] == [1, 2]
    again = store.list_versions(URL)
    assert [v.article.headline for v in again] == ["re-extracted 0", "re-extracted 2"]
    assert [store.get_html(v) for v in again] == ["<html>0</html>", "<html>2</html>"]
    assert again[1].captured_at == T0 + timedelta(hours=2)
    watched = store.get_article(URL)
    assert watched.versions == 2 and watched.headline == "re-extracted 2"
    next_version = store.save_version(
        URL, art(headline="next"), html=None, diff=None, captured_at=T0 + timedelta(hours=5)
    )
    assert next_version.number == 3


def test_prune_raw_drops_old_html_keeps_versions(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(headline="a"), html="<html>old</html>", diff=None, captured_at=T0)
    store.save_version(URL, art(headline="b"), html="<html>new</html>", diff=None, captured_at=T0 + timedelta(days=10))
    assert store.prune_raw(T0 + timedelta(days=5)) == 1
    old, new = store.list_versions(URL)
    assert store.get_html(old) is None and old.article.headline == "a" and old.article.body
    assert store.get_html(new) == "<html>new</html>"
    assert store.prune_raw(T0 + timedelta(days=5)) == 0


def test_prune_keeps_html_shared_with_a_kept_version(store):
    store.add_article(URL, now=T0)
    store.add_article(OTHER, now=T0)
    store.save_version(URL, art(), html="<html>same</html>", diff=None, captured_at=T0)
    kept = store.save_version(OTHER, art(), html="<html>same</html>", diff=None, captured_at=T0 + timedelta(days=10))
    assert store.prune_raw(T0 + timedelta(days=5)) == 1
    assert store.get_html(kept) == "<html>same</html>"
    assert store.get_html(store.get_version(URL, 1)) is None


# ----- the check log ------------------------------------------------------------------------


def test_unchanged_check_adds_no_version_and_log_is_bounded(store):
    store.add_article(URL, now=T0)
    store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    for i in range(12):
        store.record_check(check(at=T0 + timedelta(minutes=i), version=1, http_status=200, duration=0.5))
    watched = store.get_article(URL)
    assert watched.versions == 1 and watched.checks_total == 12 and watched.last_status == "unchanged"
    assert watched.last_checked == T0 + timedelta(minutes=11)
    log = store.recent_checks(URL)
    assert len(log) == 5  # check_log_size
    assert log[-1] == CheckRecord(
        checked_at=T0 + timedelta(minutes=11), status="unchanged", version=1, http_status=200, duration=0.5
    )
    assert log[0].checked_at == T0 + timedelta(minutes=7)
    assert len(store.list_versions(URL)) == 1


def test_errors_count_consecutively_and_reset(store):
    store.add_article(URL, now=T0)
    store.record_check(check("error", error="timed out after 20s"))
    second = store.record_check(check("error", T0 + timedelta(minutes=1), error="x" * 5000, flags=["retried"]))
    assert second.consecutive_errors == 2
    last = store.recent_checks(URL)[-1]
    assert last.error == "x" * 500 and last.flags == ["retried"] and last.status == "error"  # error text is capped
    assert store.record_check(check("unchanged", T0 + timedelta(minutes=2))).consecutive_errors == 0


def test_record_check_on_unknown_url(store):
    with pytest.raises(UnknownArticle):
        store.record_check(check(url="https://nowhere.example/"))


def test_an_older_check_does_not_move_last_checked_back(store):
    store.add_article(URL, now=T0)
    store.record_check(check(at=T0 + timedelta(hours=1)))
    assert store.record_check(check(at=T0)).last_checked == T0 + timedelta(hours=1)


# ----- feeds --------------------------------------------------------------------------------


def test_feeds_and_seen_links(store):
    feed, created = store.add_feed("https://news.example/rss.xml", every=300, tags=["rss"], now=T0)
    assert created and store.add_feed(feed.url)[1] is False
    assert feed.next_poll == T0
    feed.last_polled = T0 + timedelta(minutes=5)
    feed.articles_added = 3
    store.update_feed(feed)
    [listed] = store.list_feeds()
    assert listed.last_polled == T0 + timedelta(minutes=5) and listed.articles_added == 3 and listed.tags == ["rss"]
    assert store.seen_feed_links(feed.url) == set()
    store.mark_feed_links(feed.url, ["https://news.example/a", "https://news.example/b"])
    store.mark_feed_links(feed.url, ["https://news.example/b", "https://news.example/c"])
    assert store.seen_feed_links(feed.url) == {f"https://news.example/{c}" for c in "abc"}
    assert store.remove_feed(feed.url).url == feed.url
    assert store.list_feeds() == []
    with pytest.raises(UnknownArticle):
        store.seen_feed_links(feed.url)
    with pytest.raises(UnknownArticle):
        store.remove_feed(feed.url)


def test_removing_a_feed_keeps_its_articles(store):
    feed, _ = store.add_feed("https://news.example/rss.xml", now=T0)
    store.add_article(URL, now=T0, feed=feed.url)
    store.remove_feed(feed.url)
    assert store.get_article(URL).feed == feed.url


# ----- transactions, handles, locks ---------------------------------------------------------


def test_transaction_groups_writes_and_rolls_back(store):
    store.add_article(URL, now=T0)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
            store.record_check(check("new", version=1))
            store.add_article(OTHER, now=T0)
            raise RuntimeError("monitor crashed mid-check")
    assert store.get_article(URL).versions == 0 and store.list_versions(URL) == []
    assert [a.url for a in store.list_articles()] == [URL] and store.recent_checks(URL) == []
    with store.transaction():
        with store.transaction():  # nested: the outermost commits
            store.save_version(URL, art(), html=None, diff=None, captured_at=T0)
        store.record_check(check("new", version=1))
    assert store.get_article(URL).versions == 1 and store.get_article(URL).checks_total == 1


def test_a_second_handle_sees_another_writers_changes(store_factory):
    reader, writer = store_factory(), store_factory()
    writer.add_article(URL, now=T0)
    assert reader.get_article(URL).checks_total == 0
    writer.record_check(check())
    assert reader.get_article(URL).checks_total == 1
    writer.save_version(URL, art(), html=None, diff=None, captured_at=T0)
    assert reader.latest_version(URL).number == 1
    writer.remove_article(URL)
    assert reader.list_articles() == []


def test_other_threads_never_see_an_open_transaction(store):
    store.add_article(URL, now=T0)
    inside, release = threading.Event(), threading.Event()

    def writer():
        with store.transaction():
            store.add_article("https://news.example/uncommitted", now=T0)
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    assert inside.wait(5)
    try:
        assert [a.url for a in store.list_articles()] == [URL]
    finally:
        release.set()
        thread.join(5)
    assert len(store.list_articles()) == 2


def test_run_lock_refuses_a_second_run(store_factory):
    first, second = store_factory(), store_factory()
    with first.run_lock():
        with pytest.raises(StoreLocked) as info:
            with second.run_lock():
                pass
        assert f"pid {os.getpid()}" in str(info.value)
    with second.run_lock():
        pass


def test_saving_the_newest_text_again_stores_nothing(store_factory):
    # Two checks that saw the same edit at once each save it; the second gets the version the first stored.
    first, second = store_factory(), store_factory()
    first.add_article(URL, now=T0)
    first.save_version(URL, art(headline="60%"), html=None, diff=None, captured_at=T0)
    a = first.save_version(URL, art(headline="80%"), html=None, diff=None, captured_at=T0 + timedelta(minutes=1))
    b = second.save_version(URL, art(headline="80%"), html=None, diff=None, captured_at=T0 + timedelta(minutes=2))
    assert a.number == b.number == 2 and b.captured_at == a.captured_at
    assert [v.article.headline for v in first.list_versions(URL)] == ["60%", "80%"]
    assert first.get_article(URL).versions == 2
    # The same text as an event (the page removed, its last text kept) is a new version; so is a revert.
    assert (
        first.save_version(URL, art(headline="80%"), html=None, diff=None, captured_at=T0, event="removed").number == 3
    )
    assert first.save_version(URL, art(headline="60%"), html=None, diff=None, captured_at=T0).number == 4


def test_the_served_page_is_kept_byte_for_byte_survives_rewrites_and_goes_with_pruning(store):
    from watcher.models import ServedPage

    page = ServedPage(
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=[("Content-Type", "text/html; charset=big5"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        body="<html><body>台北 \x00 story</body></html>".encode("big5", "replace") + b"\xff\xfe raw",
    )
    store.add_article(URL, now=T0)
    first = store.save_version(URL, art(), html="<html>rendered</html>", diff=None, captured_at=T0, served=page)
    store.save_version(URL, art("Later"), html=None, diff=VersionDiff(), captured_at=T0 + timedelta(days=9))
    assert store.get_served(store.get_version(URL, 1)) == page
    assert store.get_served(store.get_version(URL, 2)) is None  # none was kept for it
    assert store.get_served(first) == page
    rewritten = store.replace_versions(URL, store.list_versions(URL))
    assert store.get_served(rewritten[0]) == page
    assert store.prune_raw(T0 + timedelta(days=5)) == 1
    assert store.get_served(store.get_version(URL, 1)) is None and store.get_html(store.get_version(URL, 1)) is None


def test_the_outbox_keeps_notifications_until_delivered(store):
    ids = store.outbox_put([("target-a", {"url": URL, "version": 2}), ("target-b", {"url": OTHER})])
    assert len(set(ids)) == 2
    pending = store.outbox_pending()
    assert [(e["id"], e["target"], e["body"]) for e in pending] == [
        (ids[0], "target-a", {"url": URL, "version": 2}),
        (ids[1], "target-b", {"url": OTHER}),
    ]
    assert store.outbox_failed(ids[1], "HTTP 500") == 1
    assert store.outbox_failed(ids[1], "HTTP 503") == 2
    store.outbox_done(ids[0])
    (left,) = store.outbox_pending()
    assert left["id"] == ids[1] and left["attempts"] == 2 and left["last_error"] == "HTTP 503"
    store.outbox_done(ids[1])
    assert store.outbox_pending() == []


def test_articles_due_are_the_never_checked_and_the_overdue_but_not_stopped_or_paused(store):
    urls = [f"https://news.example/due/{i}" for i in range(5)]
    for url in urls:
        store.add_article(url, now=T0)
    later_on, overdue, stopped, paused = (store.get_article(u) for u in urls[1:])
    later_on.last_checked, later_on.next_check = T0, T0 + timedelta(hours=1)
    overdue.last_checked, overdue.next_check = T0, T0 + timedelta(minutes=10)
    stopped.last_checked, stopped.next_check, stopped.stopped = T0, None, True
    paused.paused = True
    for article in (later_on, overdue, stopped, paused):
        store.update_article(article)
    now = T0 + timedelta(minutes=10, seconds=0.5)
    assert sorted(a.url for a in store.articles_due(now)) == sorted([urls[0], urls[2]])
    assert sorted(a.url for a in store.articles_due(T0 + timedelta(hours=2))) == sorted(urls[:3])


def test_a_screenshot_is_kept_with_its_version_survives_rewrites_and_goes_with_pruning(store):
    from watcher.models import Screenshot, text_key

    image = b"\xff\xd8\xff\xe0 not really a JPEG, but bytes kept byte for byte \x00\xff"
    shot = Screenshot(
        digest="",
        media_type="image/jpeg",
        width=1280,
        height=900,
        size=0,
        page_height=4000,
        boxes={text_key("A paragraph."): [8, 120, 700, 40]},
        data=image,
    )
    store.add_article(URL, now=T0)
    first = store.save_version(URL, art(), html="<html>a</html>", diff=None, captured_at=T0, screenshot=shot)
    shared = store.save_version(
        URL,
        art("Later"),
        html="<html>b</html>",
        diff=VersionDiff(),
        captured_at=T0 + timedelta(days=9),
        screenshot=shot,
    )
    store.save_version(URL, art("Last"), html=None, diff=VersionDiff(), captured_at=T0 + timedelta(days=10))
    kept = store.get_version(URL, 1).screenshot
    assert kept is not None and kept.data is None  # the image is in the store, not on the model
    assert (kept.width, kept.height, kept.page_height, kept.size) == (1280, 900, 4000, len(image))
    assert kept.boxes == {text_key("A paragraph."): [8, 120, 700, 40]} and first.screenshot == kept
    assert store.get_screenshot(store.get_version(URL, 1)) == image
    assert store.get_version(URL, 3).screenshot is None and store.get_screenshot(store.get_version(URL, 3)) is None
    rewritten = store.replace_versions(URL, store.list_versions(URL))
    assert rewritten[0].screenshot == kept and store.get_screenshot(rewritten[0]) == image
    assert store.prune_raw(T0 + timedelta(days=5)) == 1
    assert store.get_version(URL, 1).screenshot is None
    assert store.get_screenshot(shared) == image  # the same image, still kept for the newer version
