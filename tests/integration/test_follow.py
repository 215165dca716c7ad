"""Following feeds end to end: `watcher follow`/`list`/`unfollow`, and the run loop turning new feed items into
watched articles (real Chromium, local server, real store)."""

from __future__ import annotations

import asyncio
import time
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from support.cli import data_dir_with, fast_config
from support.site_server import Site

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.app.live import run_with
from watcher.config import load_config
from watcher.monitor.check import Services
from watcher.monitor.loop import Runner
from watcher.store import open_store


# Feeds polled every second; articles rechecked rarely, since one host's pages are fetched one at a time.
def follow_config(max_new: int) -> str:
    return fast_config(
        retries=0,
        deadline=10,
        settle_ms=None,
        fetch="concurrency = 4",
        extra=f'[schedule]\ntiers = [{{ until = "1d", every = "30s" }}]\njitter = 0\n\n[feeds]\nmax_new_per_poll = {max_new}\n',
    )


def article_html(slug: str) -> str:
    """A small but real article page whose headline names the slug."""
    headline = f"Story {slug}: council votes on the river barrier"
    body = "".join(
        f"<p>Paragraph {n} of story {slug}: the council met on Tuesday evening and residents spoke for hours "
        f"about the cost of the barrier and the floods of the past five years.</p>"
        for n in range(1, 4)
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{headline}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{headline}</h1>{body}</article></body></html>"
    )


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>{escape(link)}</link><guid isPermaLink='false'>g{i}</guid></item>"
        for i, link in enumerate(links)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Daily</title>"
        f"<link>http://example.invalid/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def atom(links: list[str]) -> bytes:
    entries = "".join(
        f"<entry><title>t{i}</title><id>urn:x:{i}</id><updated>2026-11-20T08:00:00Z</updated>"
        f"<link rel='alternate' href='{escape(link)}'/></entry>"
        for i, link in enumerate(links)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Tech</title>"
        f"<id>urn:x</id><updated>2026-11-20T08:00:00Z</updated>{entries}</feed>"
    ).encode()


def sitemap(links: list[str], root: str = "urlset", entry: str = "url") -> bytes:
    entries = "".join(f"<{entry}><loc>{escape(link)}</loc></{entry}>" for link in links)
    return (
        f"<?xml version='1.0' encoding='utf-8'?>"
        f"<{root} xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</{root}>"
    ).encode()


def sitemap_index(children: list[str]) -> bytes:
    return sitemap(children, root="sitemapindex", entry="sitemap")


XML = "application/xml"


def watcher(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), *args], Environment(stdout=out, stderr=err, width=200))
    return exited.value.code, out.getvalue(), err.getvalue()


def make_data_dir(tmp_path: Path, max_new: int = 50) -> Path:
    return data_dir_with(tmp_path / "data", follow_config(max_new))


def services(data_dir: Path, fetcher) -> Services:
    return Services(fetcher=fetcher, store=open_store(data_dir), config=load_config(data_dir / "watcher.toml"))


async def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def polls_of(svc: Services, count: int) -> list:
    """The first `count` feed polls of a Runner on `svc` (stopped then)."""
    polls: list = []
    runner = Runner(svc, on_feed=polls.append)

    async def scenario() -> None:
        task = asyncio.create_task(runner.run())
        try:
            await wait_until(lambda: len(polls) >= count, 20, f"{count} polls")
        finally:
            runner.stop()
            await task

    asyncio.run(scenario())
    return polls


def test_new_feed_items_are_watched_once_each_tagged_and_captured(site, fetcher, tmp_path):
    data_dir = make_data_dir(tmp_path)
    u = {slug: site.url(f"/news/{slug}") for slug in ("a1", "a2", "a3", "b1", "b2", "c1", "c2", "d1")}
    for slug in u:
        site.page(f"/news/{slug}", article_html(slug))
    site.bytes("/rss.xml", rss([u["a1"], u["a2"]]), "application/rss+xml")
    site.bytes("/atom.xml", atom([u["b1"]]), "application/atom+xml")
    site.bytes("/sitemap-index.xml", sitemap_index([site.url("/sitemap-child.xml")]), XML)
    site.bytes("/sitemap-child.xml", sitemap([u["c1"]]), XML)
    site.bytes("/sitemap.xml", sitemap([u["d1"]]), XML)
    tags = {"/rss.xml": "world", "/atom.xml": "tech", "/sitemap-index.xml": "archive", "/sitemap.xml": "pages"}
    for path, tag in tags.items():
        code, _, err = watcher(data_dir, "follow", site.url(path), "--every", "1s", "--tag", tag)
        assert code == 0, err
    assert "(sitemapindex, 1 child sitemaps now" in watcher(data_dir, "follow", site.url("/sitemap-index.xml"))[2]

    svc = services(data_dir, fetcher)
    store = svc.store
    results = []
    runner = Runner(svc, on_result=results.append)

    def captured(*slugs: str) -> bool:
        watched = {a.url for a in store.list_articles()}
        return all(u[s] in watched and store.latest_version(u[s]) is not None for s in slugs)

    async def scenario() -> None:
        task = asyncio.create_task(runner.run())
        try:
            first = ("a1", "a2", "b1", "c1", "d1")
            await wait_until(lambda: captured(*first), 25, "first items")
            polls_before = {p: site.hits(p) for p in tags}
            # The feeds grow: new stories, a story listed twice, a story again with tracking parameters,
            # and one feed listing a story another feed already brought in.
            site.bytes(
                "/rss.xml",
                rss([u["a3"], u["a1"], u["a1"], u["a1"] + "?utm_source=rss&utm_medium=feed", u["a2"] + "#comments"]),
                "application/rss+xml",
            )
            site.bytes(
                "/atom.xml", atom([u["b2"], u["b1"] + "?utm_campaign=x&fbclid=abc", u["a1"]]), "application/atom+xml"
            )
            site.bytes("/sitemap-child.xml", sitemap([u["c1"], u["c2"]]), XML)
            site.bytes("/sitemap.xml", sitemap([u["d1"] + "?utm_content=top", u["d1"]]), XML)
            later = ("a3", "b2", "c2")
            await wait_until(lambda: captured(*later), 25, "grown items")
            # Every feed was polled again after growing, and nothing more arrived.
            await wait_until(lambda: all(site.hits(p) >= polls_before[p] + 2 for p in tags), 10, "more polls")
        finally:
            runner.stop()
            await task

    asyncio.run(scenario())

    articles = {a.url: a for a in store.list_articles()}
    assert sorted(articles) == sorted(u.values())  # no tracking-parameter or fragment variants
    expected_tags = {"a": ["world"], "b": ["tech"], "c": ["archive"], "d": ["pages"]}
    for slug, url in u.items():
        # a1 is listed by the Atom feed too: still one article, carrying both feeds' tags.
        assert articles[url].tags == (["world", "tech"] if slug == "a1" else expected_tags[slug[0]]), slug
        versions = store.list_versions(url)
        assert versions[0].number == 1 and versions[0].article.headline.startswith(f"Story {slug}:")
        firsts = [r for r in results if r.url == url and r.status == "new"]
        assert len(firsts) == 1 and firsts[0].version == 1, (slug, firsts)
        assert not [r for r in results if r.url == url and r.status not in ("new", "unchanged")], slug
    feeds = {f.url: f for f in store.list_feeds()}
    added = {path: feeds[site.url(path)].articles_added for path in tags}
    assert added == {"/rss.xml": 3, "/atom.xml": 2, "/sitemap-index.xml": 2, "/sitemap.xml": 1}
    assert all(f.last_status == "ok" for f in feeds.values())


def test_new_articles_per_poll_are_capped(site, fetcher, tmp_path):
    data_dir = make_data_dir(tmp_path, max_new=3)
    links = [site.url(f"/flood/{n}") for n in range(8)]  # not served: their checks fail fast, polls go on
    site.bytes("/rss.xml", rss(links), "application/rss+xml")
    # --no-poll: every poll, the first included, is then the Runner's, so the cap shows on each.
    assert watcher(data_dir, "follow", site.url("/rss.xml"), "--every", "1s", "--no-poll")[0] == 0
    svc = services(data_dir, fetcher)
    polls = polls_of(svc, 4)
    assert [len(p.added) for p in polls[:4]] == [3, 3, 2, 0]
    assert [p.added for p in polls[:3]] == [links[0:3], links[3:6], links[6:8]]  # feed order, oldest listed first
    assert sorted(a.url for a in svc.store.list_articles()) == sorted(links)

    # follow's own first poll keeps to the same cap: the first three listed, the rest left to `run`.
    other = data_dir_with(tmp_path / "other", follow_config(3))
    code, _, err = watcher(other, "follow", site.url("/rss.xml"), "--every", "1s")
    assert code == 0 and "(rss, 8 links now): watching 3 new articles" in err, err
    # ... and says so, with how to change it.
    assert "the feed lists 8 new stories; 3 are watched now, the rest at the next polls" in err, err
    assert "[feeds] max_new_per_poll" in err
    assert sorted(a.url for a in open_store(other).list_articles()) == sorted(links[0:3])


def test_follow_refuses_what_is_not_a_feed_with_one_line(site, tmp_path):
    data_dir = make_data_dir(tmp_path)
    site.page("/front", article_html("front"))
    site.bytes(
        "/broken.xml",
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>unclosed</channel>",
        XML,
    )
    site.bytes("/empty.xml", b"", XML)

    # A web page is searched for feeds (tests/integration/test_discovery.py); this one leads nowhere.
    code, out, err = watcher(data_dir, "follow", site.url("/front"))
    assert code == 2 and err.strip().splitlines() == [
        f'watcher: error: {site.url("/front")} is a web page that links no feed (no <link rel="alternate">, '
        "no Sitemap: in robots.txt, no /sitemap.xml): give the feed's own URL"
    ]
    code, _, err = watcher(data_dir, "follow", site.url("/broken.xml"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a valid RSS/Atom feed or sitemap" in err
    code, _, err = watcher(data_dir, "follow", site.url("/empty.xml"))
    assert code == 2 and "empty response, not a feed" in err
    code, _, err = watcher(data_dir, "follow", site.url("/missing.xml"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "HTTP 404" in err
    code, _, err = watcher(data_dir, "follow", "ftp://127.0.0.1/feed.xml")
    assert code == 2 and "ftp" in err
    assert "Traceback" not in err
    assert open_store(data_dir).list_feeds() == []  # nothing refused was stored


def test_list_shows_feeds_and_unfollow_removes_them(site, tmp_path):
    data_dir = make_data_dir(tmp_path)
    site.bytes("/rss.xml", rss([site.url("/news/1"), site.url("/news/2")]), "application/rss+xml")
    site.bytes("/atom.xml", atom([site.url("/news/3")]), "application/atom+xml")
    # --no-poll: this test is about the feeds' own rows, not the articles a first poll would add.
    code, _, err = watcher(data_dir, "follow", site.url("/rss.xml"), "--every", "15m", "--tag", "world", "--no-poll")
    assert code == 0 and f"following {site.url('/rss.xml')} (rss, 2 links now" in err
    assert watcher(data_dir, "follow", site.url("/atom.xml"), "--no-poll")[0] == 0
    code, _, err = watcher(data_dir, "follow", site.url("/rss.xml") + "#top", "--no-poll")
    assert code == 0 and "already following" in err

    code, out, _ = watcher(data_dir, "list")
    assert code == 0
    rows = [line for line in out.splitlines() if "127.0.0.1" in line]
    assert len(rows) == 2
    rss_row = next(r for r in rows if "/rss.xml" in r)
    assert "15m" in rss_row and "10m" in next(r for r in rows if "/atom.xml" in r)  # config default_every 600 s

    code, _, err = watcher(data_dir, "unfollow", site.url("/rss.xml"))
    assert code == 0 and "unfollowed" in err
    assert [f.url for f in open_store(data_dir).list_feeds()] == [site.url("/atom.xml")]
    code, _, err = watcher(data_dir, "unfollow", site.url("/rss.xml"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    out = watcher(data_dir, "list")[1]
    assert "/rss.xml" not in out and "/atom.xml" in out


def test_run_survives_feeds_that_break_hang_or_are_huge(site, fetcher, tmp_path):
    data_dir = make_data_dir(tmp_path, max_new=5)
    config = data_dir / "watcher.toml"
    # Feed downloads time out after 30 s: far longer than this test runs, so the hanging feed stays unanswered.
    config.write_text(config.read_text().replace("nav_timeout = 5", "nav_timeout = 30"))
    live = site.url("/news/live", host="localhost")
    site.page("/news/live", article_html("live"))
    assert watcher(data_dir, "add", live, "--every", "1s")[0] == 0
    huge = [site.url(f"/big/{n}") for n in range(10_000)]
    site.bytes("/huge.xml", rss(huge), "application/rss+xml")
    site.bytes("/turns-html.xml", rss([site.url("/news/x")]), "application/rss+xml")
    site.bytes("/turns-broken.xml", rss([site.url("/news/y")]), "application/rss+xml")
    # --no-poll: the run's own polls are what this test watches.
    code, _, err = watcher(data_dir, "follow", site.url("/huge.xml"), "--every", "1h", "--no-poll")
    assert code == 0 and "(rss, 10000 links now" in err
    site.bytes("/turns-hang.xml", rss([site.url("/news/z")]), "application/rss+xml")
    for path in ("/turns-html.xml", "/turns-broken.xml", "/turns-hang.xml"):
        assert watcher(data_dir, "follow", site.url(path), "--every", "1s", "--no-poll")[0] == 0
    # After being followed, one feed URL starts serving the site's front page, one breaks mid-document
    # and one never answers.
    site.page("/turns-html.xml", "<!doctype html><html><body><h1>Front page</h1></body></html>")
    site.bytes("/turns-broken.xml", b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>half a story", XML)
    site.hang("/turns-hang.xml")

    svc = services(data_dir, fetcher)
    out, err = StringIO(), StringIO()
    env = Environment(stdout=out, stderr=err, width=300)
    started = time.monotonic()
    stats = asyncio.run(
        run_with(
            svc,
            env,
            dashboard=False,
            as_json=False,
            # The article's own checks, not its page's hits: `add` fetched it once already, so a third hit could be
            # the second check, and under load the feeds reached their third poll first.
            until=lambda: (
                min(site.hits(p) for p in ("/turns-broken.xml", "/turns-html.xml")) >= 3
                and svc.store.get_article(live).checks_total >= 3
                and any(f.url.endswith("/huge.xml") and f.last_polled for f in svc.store.list_feeds())
            ),
        )
    )
    assert time.monotonic() - started < 25  # the run ended while the hanging feed was still unanswered
    text = out.getvalue()
    # The article kept being checked on its 1 s schedule while one feed hung.
    assert svc.store.get_article(live).checks_total >= 3
    assert "turns-hang" not in text and site.hits("/turns-hang.xml") == 2  # follow's read, then one poll
    assert (
        f"feed error {site.url('/turns-html.xml')}: {site.url('/turns-html.xml')} is an HTML page, not a feed" in text
    )
    assert f"feed error {site.url('/turns-broken.xml')}: " in text and "not a valid RSS/Atom feed" in text
    assert f"feed +5 {site.url('/huge.xml')}" in text
    assert "Traceback" not in text + err.getvalue()
    feeds = {f.url: f for f in svc.store.list_feeds()}
    assert feeds[site.url("/turns-html.xml")].last_status == "error"
    assert feeds[site.url("/turns-broken.xml")].last_status == "error"
    assert feeds[site.url("/huge.xml")].last_status == "ok" and feeds[site.url("/huge.xml")].articles_added == 5
    assert sorted(a.url for a in svc.store.list_articles()) == sorted(huge[:5] + [live])
    assert stats.feeds_polled >= 5


def test_feed_links_robots_txt_disallows_are_skipped_and_said_once(site, fetcher, tmp_path):
    site.bytes("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    links = [site.url("/news/1"), site.url("/private/2"), site.url("/private/3")]
    site.bytes("/rss.xml", rss(links), "application/rss+xml")

    # follow's own first poll: the allowed link is watched, the others are counted in one line with the rule.
    data_dir = make_data_dir(tmp_path)
    code, _, err = watcher(data_dir, "follow", site.url("/rss.xml"), "--every", "1s")
    assert code == 0 and "(rss, 3 links now): watching 1 new article" in err, err
    [line] = [line for line in err.splitlines() if "robots.txt" in line]
    assert "2 new links skipped" in line and f"{site.url('/robots.txt')} disallows" in line
    assert [a.url for a in open_store(data_dir).list_articles()] == [links[0]]

    # The run's polls: the same, said on the poll that first lists them and never again.
    other = make_data_dir(tmp_path / "other")
    assert watcher(other, "follow", site.url("/rss.xml"), "--every", "1s", "--no-poll")[0] == 0
    svc = services(other, fetcher)
    polls = polls_of(svc, 2)
    assert [p.added for p in polls[:2]] == [[links[0]], []]
    assert "2 new links skipped" in (polls[0].skipped or "") and polls[1].skipped is None
    assert [a.url for a in svc.store.list_articles()] == [links[0]]


def test_feed_links_refused_while_robots_txt_is_unreadable_are_watched_once_it_answers(site, fetcher, tmp_path):
    # A 503 for robots.txt means "nothing for now", not "never": that poll's stories must not be lost.
    stories = Site()  # the stories' server (same site, another port), its robots.txt failing for now
    try:
        stories.status("/robots.txt", 503)
        links = [stories.url("/news/1"), stories.url("/news/2")]
        site.bytes("/rss.xml", rss(links), "application/rss+xml")
        data_dir = make_data_dir(tmp_path)
        code, _, err = watcher(data_dir, "follow", site.url("/rss.xml"), "--every", "1s")
        assert code == 0 and "2 new links skipped" in err and "answered 503" in err, err
        assert open_store(data_dir).list_articles() == []

        stories.bytes("/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain")
        svc = services(data_dir, fetcher)
        [poll] = polls_of(svc, 1)
        assert sorted(poll.added) == sorted(links) and poll.skipped is None
        assert sorted(a.url for a in svc.store.list_articles()) == sorted(links)
    finally:
        stories.close()
