"""Fast checks and versions from plain HTTP through the real monitor, real Chromium and the local site (issues 18, 27).

Every page links a script, /<page>.js, that only a browser loads: its hit count is the number of renders.
What these pin down: a new page whose raw HTML carries a complete story is stored from it and rendered later; a
static page that has not changed is answered by the server (raw HTML, or a 304 to a conditional GET) with no
render; a change in its raw HTML is confirmed by a second GET and stored from HTTP, and the next check audits it
with a render (agreeing: nothing stored; disagreeing: the browser's version stored, the article and its host
relearned as needing the browser); an edit only a script makes is found by the time-bound audit; a page whose
story only the browser sees is rendered on every check and never stored from HTTP.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
from support.browser_thread import fast_settings
from support.site_server import Response

from watcher.config import BrowserSettings, Config, TrustSettings
from watcher.fetch.http_pages import HTTPFetcher
from watcher.monitor import check as monitor
from watcher.monitor import precheck
from watcher.store import open_store
from watcher.times import utcnow
from watcher.urls import host_of

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

BODY = [
    "The county council voted on Tuesday to close the old swimming baths on Mill Lane at the end of the "
    "summer, after engineers found the roof beams beyond repair.",
    "Swimmers will be sent to the leisure centre in the town centre, which is to add two early lanes on "
    "weekdays for the clubs that trained at the baths.",
    "The council said the building itself would be kept and offered to community groups once the pool "
    "hall had been made safe, a process expected to take two years.",
]
EDITED = BODY[:2] + [BODY[2].replace("two years", "three years, at a cost of 1.8 million")]


def story(body: list[str], script: str, container: bool = True) -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body) if container else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mill Lane baths to close | Valley Echo</title></head>
<body><header><a href="/">Valley Echo</a></header>
<main><article><h1>Mill Lane baths to close</h1><div class="byline">By Ruth Okafor</div>
<div class="story-body" id="story">
{paragraphs}
</div></article></main>
<script src="{script}"></script>
<footer><p>Valley Echo, all rights reserved.</p></footer></body></html>"""


def injecting(body: list[str]) -> str:
    """A script that writes the story into the page (the raw HTML has only an empty container)."""
    html = "".join(f"<p>{escape(p)}</p>" for p in body)
    return f"document.getElementById('story').innerHTML = {html!r};"


class Checker:
    def __init__(self, fetcher, data_dir: Path, **fetch):
        config = Config(trust=TrustSettings(confirm_delay=0.05), fetch=BrowserSettings(**fetch))
        self.store = open_store(data_dir)
        http = HTTPFetcher(fast_settings())
        self.now = utcnow()  # a clock the test moves: ten minutes a check, as in a story's first hours
        self.svc = monitor.Services(fetcher=fetcher, store=self.store, config=config, http=http, clock=self.clock)

    def clock(self):
        return self.now

    def add(self, url: str, mode: str | None = None) -> str:
        article, _ = self.store.add_article(url)
        if mode:
            article.mode = mode
            self.store.update_article(article)
        return article.url

    def check(self, url: str, audit: bool = False):
        self.now += timedelta(minutes=10)
        return asyncio.run(monitor.check_article(url, self.svc, audit=audit))

    def learned(self, url: str):
        """A new static page checked (stored from its raw HTML) and given its first render, as `watcher run` does."""
        assert self.check(url).source == "http"
        first = self.check(url, audit=True)
        assert (first.status, first.source, first.audit) == ("unchanged", "browser", "agreed")
        return first

    def sources(self, url: str) -> list[str | None]:
        return [v.source for v in self.store.list_versions(url)]

    def article(self, url: str):
        return self.store.get_article(url)


@pytest.fixture
def checker(make_fetcher, tmp_path):
    fetcher = make_fetcher(settle_ms=100)
    return lambda **fetch: Checker(fetcher, tmp_path / "data", **fetch)


def js(site, path: str, source: str) -> None:
    site.set(path, Response(source.encode(), content_type="text/javascript"))


def serve_edited_story(site, path: str) -> None:
    """Serves the story at `path` as version v1 (BODY) and, once the test switches to it, v2 (EDITED); its script
    changes nothing, so the raw HTML is the whole story."""
    js(site, f"{path}.js", "void 0;")
    site.page_versions(path, {"v1": story(BODY, f"{path}.js"), "v2": story(EDITED, f"{path}.js")})


def test_a_new_static_page_is_stored_from_its_raw_html_and_rendered_later(site, checker):
    c = checker()
    js(site, "/new.js", "void 0;")
    site.page("/new", story(BODY, "/new.js"))
    url = c.add(site.url("/new"))
    first = c.check(url)
    assert (first.status, first.version, first.source) == ("new", 1, "http")
    assert site.hits("/new.js") == 0  # no render before the first result
    assert c.article(url).learned_mode == "static"
    assert c.sources(url) == ["http"]
    assert precheck.first_render_pending(c.svc.config, c.article(url))
    # The low-priority first render (the run loop's): the browser agrees, nothing is stored.
    audit = c.check(url, audit=True)
    assert (audit.status, audit.version, audit.audit) == ("unchanged", 1, "agreed")
    assert site.hits("/new.js") == 1
    assert not precheck.first_render_pending(c.svc.config, c.article(url))


EXTRA = "A spokesman for the council said on Wednesday that the decision would be reviewed in the spring."


def add_story_a_script_adds_to(site, c, path: str) -> str:
    """Serves and adds the story at `path`, whose script appends EXTRA, a paragraph its raw HTML lacks: its URL."""
    js(
        site,
        f"{path}.js",
        "var p = document.createElement('p'); p.textContent = " + repr(EXTRA) + ";"
        " document.getElementById('story').appendChild(p);",
    )
    site.page(path, story(BODY, f"{path}.js"))
    return c.add(site.url(path))


def test_a_first_render_showing_more_than_the_raw_html_becomes_version_1_not_an_edit(site, checker):
    c = checker()
    url = add_story_a_script_adds_to(site, c, "/more")
    assert (c.check(url).source, c.sources(url)) == ("http", ["http"])
    first = c.check(url, audit=True)  # the low-priority first render: the script adds a paragraph
    assert (first.status, first.version, first.edits, first.audit) == ("unchanged", 1, [], "disagreed")
    assert "version 1 is now the rendered page" in first.note
    assert c.sources(url) == ["browser"]  # one version, the page as rendered: nothing announced as an edit
    assert c.store.latest_version(url).article.body[-1] == EXTRA
    assert c.article(url).learned_mode == "needs-browser"
    assert c.check(url).status == "unchanged"


def test_version_1_replaced_by_the_first_render_keeps_its_third_party_copies(site, checker):
    """The copy made of version 1 (read from the raw HTML) names the page at that time: when the first render
    takes version 1's place, the copy's address stays recorded with it, not lost."""
    c = checker()
    url = add_story_a_script_adds_to(site, c, "/copied")
    assert c.check(url).source == "http"
    copy = {"service": "wayback", "url": "https://web.archive.org/web/1/x", "saved_at": "2026-12-07T10:00:00Z"}
    c.store.record_copy(url, 1, {**copy, "error": None})
    first = c.check(url, audit=True)
    assert (first.version, first.audit) == (1, "disagreed")
    assert c.sources(url) == ["browser"]
    assert [cp["url"] for cp in c.store.get_version(url, 1).copies] == [copy["url"]]


def test_watcher_run_renders_new_static_articles_in_slots_no_due_check_wants(site, checker):
    from watcher.monitor.loop import Runner

    c = checker(per_host_delay=0)
    urls = []
    for name in ("one", "two"):
        js(site, f"/{name}.js", "void 0;")
        site.page(f"/{name}", story(BODY, f"/{name}.js"))
        urls.append(c.add(site.url(f"/{name}")))
    c.now = utcnow() + timedelta(seconds=1)  # both due (utcnow keeps whole seconds)
    results = []
    asyncio.run(Runner(c.svc, on_result=results.append, max_checks=4).run())
    # First the due checks, from the raw HTML; then, with nothing due, the low-priority first renders.
    assert [(r.status, r.source) for r in results[:2]] == [("new", "http"), ("new", "http")]
    assert [(r.status, r.source, r.audit) for r in results[2:]] == [("unchanged", "browser", "agreed")] * 2
    assert (site.hits("/one.js"), site.hits("/two.js")) == (1, 1)
    assert not any(precheck.first_render_pending(c.svc.config, c.article(u)) for u in urls)


def due_pages(site, c, monkeypatch, count: int, hosts: tuple[str, ...] = ("127.0.0.1",)) -> tuple[list[str], list]:
    """`count` static pages watched by `c` and due now, spread over `hosts`; and the list that each read of the due
    articles is noted in."""
    urls = []
    for n in range(count):
        js(site, f"/due{n}.js", "void 0;")
        site.page(f"/due{n}", story(BODY, f"/due{n}.js"))
        host = hosts[n % len(hosts)]
        urls.append(c.add(site.url(f"/due{n}", host=None if host == "127.0.0.1" else host)))
    c.now = utcnow() + timedelta(seconds=1)
    reads: list = []
    read = c.store.articles_due
    monkeypatch.setattr(c.store, "articles_due", lambda now: reads.append(now) or read(now))
    return urls, reads


def test_watcher_run_starts_checks_from_one_read_of_the_due_list_and_none_twice(site, checker, monkeypatch):
    """Reading the due articles scans the whole watch list, so the loop reads it again only after DUE_READ_SPACING
    times that read's CPU; meanwhile each article it read is started once, though the list still says it is due."""
    from watcher.monitor import loop

    monkeypatch.setattr(loop, "DUE_READ_SPACING", 1e9)  # as with a list so large that no read is repeated here
    c = checker(per_host_delay=0)
    urls, reads = due_pages(site, c, monkeypatch, 5)
    results = []
    asyncio.run(loop.Runner(c.svc, on_result=results.append, max_checks=5).run())
    assert sorted(r.url for r in results) == sorted(urls)  # every one checked, none twice
    assert {(r.status, r.source) for r in results} == {("new", "http")}
    assert len(reads) == 1


def test_watcher_run_reading_the_due_list_while_checks_run_starts_none_of_them_again(site, checker, monkeypatch):
    """A read made while checks are in flight still lists their articles as due: once those checks end they are
    not started again from that read."""
    import time

    from watcher.monitor import loop

    ticks = iter(range(1 << 30))
    monkeypatch.setattr(time, "thread_time", lambda: next(ticks) * 0.001)  # every read as dear: one every 20 ms
    c = checker(per_host_delay=0, concurrency=2)
    urls, reads = due_pages(site, c, monkeypatch, 12, hosts=("127.0.0.1", "localhost"))
    results = []
    asyncio.run(loop.Runner(c.svc, on_result=results.append, max_checks=12).run())
    assert sorted(r.url for r in results) == sorted(urls)  # every one checked, none twice
    assert len(reads) > 1


def test_a_raw_edit_of_a_static_page_is_stored_from_http_and_audited_at_the_next_check(site, checker):
    c = checker()
    serve_edited_story(site, "/baths")
    url = c.add(site.url("/baths"))
    c.learned(url)
    for _ in range(3):
        assert c.check(url).status == "unchanged"
    assert site.hits("/baths.js") == 1  # three checks, no render

    site.set_version("/baths", "v2")
    gets = site.hits("/baths")
    edit = c.check(url)
    assert (edit.status, edit.version, edit.source) == ("changed", 2, "http")
    assert any("three years" in (e.new or "") for e in edit.edits)
    assert site.hits("/baths") == gets + 2  # the GET that saw it and the second GET that confirmed it
    assert site.hits("/baths.js") == 1  # no render
    assert c.sources(url) == ["http", "http"]
    assert "three years" in " ".join(c.store.latest_version(url).article.body)

    # The next check renders once to see whether the browser agrees with the version the raw HTML gave.
    audit = c.check(url)
    assert (audit.status, audit.version, audit.source, audit.audit) == ("unchanged", 2, "browser", "agreed")
    assert site.hits("/baths.js") == 2
    assert c.article(url).learned_mode == "static"
    assert c.check(url).status == "unchanged"
    assert site.hits("/baths.js") == 2  # audited: no render again until the bound


def test_an_audit_render_disagreeing_stores_the_browsers_version_and_relearns_the_article_and_its_host(site, checker):
    c = checker()
    serve_edited_story(site, "/edit")
    js(site, "/other.js", "void 0;")
    site.page("/other", story(BODY[::-1], "/other.js"))
    url, other = c.add(site.url("/edit")), c.add(site.url("/other"))
    c.learned(url)
    c.learned(other)
    # The raw HTML gains an edit while a script now rewrites the story's first paragraph on top of it.
    site.set_version("/edit", "v2")
    js(site, "/edit.js", "document.querySelectorAll('#story p')[0].textContent = " + repr(BODY[0] + " Updated.") + ";")
    assert (c.check(url).status, c.sources(url)) == ("changed", ["http", "http"])
    audit = c.check(url)  # the audit after the version from HTTP
    assert (audit.status, audit.version, audit.source, audit.audit) == ("changed", 3, "browser", "disagreed")
    assert "the browser shows text the raw HTML does not carry" in audit.note
    assert json.loads(json.dumps(audit.to_json()))["audit"] == "disagreed"
    assert c.sources(url) == ["http", "http", "browser"]
    assert BODY[0] + " Updated." in c.store.latest_version(url).article.body
    assert c.article(url).learned_mode == "needs-browser"
    assert c.article(other).learned_mode == "needs-browser"  # its host's other article too
    assert precheck.host_modes(c.store.learned_modes()) == {host_of(url): "needs-browser"}
    renders = site.hits("/edit.js")
    assert c.check(url).status == "unchanged"
    assert site.hits("/edit.js") == renders + 1  # rendered from now on
    # A new article on that host is rendered at its first check, not stored from its raw HTML.
    js(site, "/third.js", "void 0;")
    site.page("/third", story(BODY, "/third.js"))
    third = c.check(c.add(site.url("/third")))
    assert (third.status, third.source) == ("new", "browser")
    assert site.hits("/third.js") == 1


def test_versions_from_http_follow_the_same_rules_a_revert_and_an_ab_headline(site, checker):
    c = checker()
    js(site, "/rules.js", "void 0;")
    other = story(BODY, "/rules.js").replace("Mill Lane baths to close", "Baths on Mill Lane will shut")
    site.page_versions(
        "/rules",
        {
            "v1": story(BODY, "/rules.js"),
            "v2": story(EDITED, "/rules.js"),
            # Two headlines taking turns from load to load: an A/B test, not an edit.
            "ab": [Response(page.encode()) for page in [other, story(BODY, "/rules.js")] * 6],
        },
    )
    url = c.add(site.url("/rules"))
    c.learned(url)
    site.set_version("/rules", "v2")
    assert (c.check(url).status, c.check(url).audit) == ("changed", "agreed")  # stored from HTTP, then audited
    site.set_version("/rules", "v1")
    back = c.check(url)
    assert (back.status, back.version, back.source) == ("revert", 3, "http")
    assert c.check(url).audit == "agreed"
    site.set_version("/rules", "ab")
    rotating = c.check(url)
    assert (rotating.status, rotating.flags, rotating.source) == ("unchanged", ["ab_test"], "http")
    assert c.store.latest_version(url).number == 3  # nothing stored
    assert "Baths on Mill Lane will shut" in c.article(url).headline_variants


def test_an_audit_render_agreeing_stores_nothing(site, checker):
    c = checker()
    serve_edited_story(site, "/agree")
    url = c.add(site.url("/agree"))
    c.learned(url)
    site.set_version("/agree", "v2")
    assert c.check(url).source == "http"
    versions = len(c.store.list_versions(url))
    audit = c.check(url)
    assert (audit.status, audit.audit, audit.edits) == ("unchanged", "agreed", [])
    assert len(c.store.list_versions(url)) == versions
    assert c.article(url).learned_mode == "static"


def test_script_only_edit_is_found_by_the_time_bound_audit(site, checker):
    c = checker()  # the default audit bound: a static page is rendered at least once a day
    bound = timedelta(seconds=BrowserSettings().audit_max_age)
    js(site, "/audit.js", "void 0;")
    site.page("/audit", story(BODY, "/audit.js"))
    url = c.add(site.url("/audit"))
    c.learned(url)
    rendered = c.article(url).rendered_at
    assert rendered == c.now

    # The raw HTML stays the same; only the script now rewrites the story's last paragraph.
    rewrite = "document.querySelectorAll('#story p')[2].textContent = " + repr(EDITED[2]) + ";"
    js(site, "/audit.js", rewrite)
    before = site.hits("/audit.js")
    checks = 0
    while c.now + timedelta(minutes=10) < rendered + bound:
        assert c.check(url).status == "unchanged"  # the raw HTML cannot show what only a script does
        checks += 1
    assert checks > 100 and site.hits("/audit.js") == before  # a day of checks every ten minutes, no render
    audited = c.check(url)  # the first check a day after the render: the audit
    assert (audited.status, audited.version, audited.source, audited.audit) == ("changed", 2, "browser", "disagreed")
    assert "three years" in " ".join(c.store.latest_version(url).article.body)
    # Raw and rendered now disagree: the article is re-learned as needing the browser, and rendered from now on.
    assert c.article(url).learned_mode == "needs-browser"
    renders = site.hits("/audit.js")
    assert c.check(url).status == "unchanged"
    assert site.hits("/audit.js") > renders


def test_a_page_whose_raw_html_lacks_the_story_is_never_stored_from_http(site, checker):
    c = checker()
    teaser = [BODY[0]]  # the raw HTML has the first paragraph; a script writes the story
    js(site, "/teaser.js", injecting(BODY))
    site.page("/teaser", story(teaser, "/teaser.js"))
    url = c.add(site.url("/teaser"))
    first = c.check(url)
    assert (first.status, first.source) == ("new", "browser")
    assert site.hits("/teaser.js") == 1
    assert c.article(url).learned_mode == "needs-browser"
    for _ in range(3):
        assert c.check(url).status == "unchanged"
    js(site, "/teaser.js", injecting(EDITED))
    assert (c.check(url).status, c.check(url).status) == ("changed", "unchanged")
    assert c.sources(url) == ["browser", "browser"]
    assert site.hits("/teaser.js") >= 6  # every check rendered


def test_same_story_in_other_bytes_is_unchanged_without_a_render_and_an_edit_in_them_is_found(site, checker):
    """A page whose every response differs is compared by what extraction reads of it: a nonce, a request id in a
    script or a comment change nothing read; a request id in the footer's text is read, and the story extracted
    from those bytes is the stored one."""
    c = checker()
    js(site, "/nonce.js", "void 0;")
    pages = {
        f"v{n}": story(BODY, f"/nonce.js?{n}").replace(
            "</head>", f'<script nonce="n{n}">window.rid="{n}";</script><!-- built in {n} ms --></head>'
        )
        for n in range(3)
    }
    pages["v3"] = story(BODY, "/nonce.js?3").replace("reserved.", "reserved. Served by edge-7 in 41 ms.")
    pages["edited"] = story(EDITED, "/nonce.js?9")
    site.page_versions("/nonce", pages)
    url = c.add(site.url("/nonce"))
    assert c.check(url).status == "new"
    renders = site.hits("/nonce.js")
    for n in range(1, 4):
        site.set_version("/nonce", f"v{n}")
        assert c.check(url).status == "unchanged"
    assert site.hits("/nonce.js") == renders  # other bytes, same story: no render
    assert c.check(url).status == "unchanged"  # the same bytes as the last check: answered by their digest
    assert site.hits("/nonce.js") == renders
    site.set_version("/nonce", "edited")
    assert (c.check(url).status, c.store.latest_version(url).number) == ("changed", 2)


def test_page_needing_the_browser_is_rendered_every_time(site, checker):
    c = checker()
    js(site, "/inject.js", injecting(BODY))
    site.page("/inject", story(BODY, "/inject.js", container=False))
    url = c.add(site.url("/inject"))
    assert c.check(url).status == "new"
    assert c.article(url).learned_mode == "needs-browser"
    for n in range(2, 4):
        assert c.check(url).status == "unchanged"
        assert site.hits("/inject.js") == n
    js(site, "/inject.js", injecting(EDITED))
    assert c.check(url).status == "changed"


def test_a_page_needing_the_browser_is_learned_static_once_its_raw_html_carries_the_story(site, checker):
    """Unchanged renders of the same raw bytes keep what was learned of them; other bytes are read again."""
    c = checker()
    js(site, "/late.js", injecting(BODY))
    site.page_versions("/late", {"empty": story(BODY, "/late.js", container=False), "served": story(BODY, "/late.js")})
    url = c.add(site.url("/late"))
    assert c.check(url).status == "new"
    for _ in range(2):
        assert c.check(url).status == "unchanged"
        assert c.article(url).learned_mode == "needs-browser"
    site.set_version("/late", "served")  # the site now sends the story in its HTML too: the same story rendered
    assert c.check(url).status == "unchanged"
    assert c.article(url).learned_mode == "static"
    renders = site.hits("/late.js")
    answered = c.check(url)
    assert (answered.status, answered.source) == ("unchanged", "http")
    assert site.hits("/late.js") == renders


def test_unchanged_behind_a_conditional_get(site, checker):
    c = checker()
    js(site, "/etag.js", "void 0;")
    site.page("/etag", story(BODY, "/etag.js"), headers={"ETag": '"v1"'})
    url = c.add(site.url("/etag"))
    c.learned(url)
    assert c.article(url).etag == '"v1"'
    again = c.check(url)
    assert (again.status, again.http_status) == ("unchanged", 304)
    assert site.hits("/etag.js") == 1
    assert c.article(url).checks_since_render == 1


def test_browser_mode_always_renders(site, checker):
    c = checker()
    js(site, "/always.js", "void 0;")
    site.page("/always", story(BODY, "/always.js"))
    url = c.add(site.url("/always"), mode="browser")
    c.check(url)
    c.check(url)
    assert site.hits("/always.js") == 2


def test_cli_mode_learning_and_override_are_shown(site, tmp_path):
    from support.cli import data_dir_with, ok

    data = data_dir_with(tmp_path / "cli")
    js(site, "/a.js", "void 0;")
    js(site, "/b.js", "void 0;")
    site.page("/a", story(BODY, "/a.js"))
    site.page("/b", story(BODY, "/b.js"))
    ok(data, "add", "--no-probe", site.url("/a"))
    ok(data, "add", "--no-probe", "--mode", "browser", site.url("/b"))
    ok(data, "check", "--all")
    ok(data, "check", "--all")
    # The auto article was stored from its raw HTML and then answered by the server (its first render is left
    # to `watcher run`, at low priority); the browser one was rendered on both checks.
    assert (site.hits("/a.js"), site.hits("/b.js")) == (0, 2)
    listed = {a["url"]: a["fetch"] for a in json.loads(ok(data, "list", "--json"))}
    assert listed[site.url("/a")] == {
        "mode": "auto",
        "learned": "static",
        "host_learned": "static",
        "checks_since_render": 2,
    }
    assert listed[site.url("/b")]["mode"] == "browser"
    assert "fetch mode auto: the raw HTML carries the story" in ok(data, "history", site.url("/a"))
    history = json.loads(ok(data, "history", "--json", site.url("/a")))
    assert [v["source"] for v in history] == ["http"]
    assert [v["source"] for v in json.loads(ok(data, "history", "--json", site.url("/b")))] == ["browser"]


def test_watcher_check_of_a_static_page_starts_no_chromium_process(site, tmp_path):
    """Polled the way a user's `ps` sees it: every process under the `watcher check`, while it runs."""
    import os
    import subprocess
    import sys
    import time

    import psutil
    from support.cli import data_dir_with, ok

    data = data_dir_with(tmp_path / "cli")
    serve_edited_story(site, "/ps")
    ok(data, "add", "--no-probe", site.url("/ps"))
    # The browser's version is recorded once (setup.sh does it; so does any process's first User-Agent):
    # after that, no `watcher` process starts the browser to learn it, whatever test ran before this one.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from watcher.config import FetchSettings; from watcher.fetch.base import user_agent; "
            "user_agent(FetchSettings())",
        ],
        check=True,
        timeout=60,
    )

    def check() -> tuple[str, set[str]]:
        env = {**os.environ, "WATCHER_ALLOW_PRIVATE": "1"}
        command = [sys.executable, "-m", "watcher", "--data-dir", str(data), "check", "--all", "--json"]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        seen: set[str] = set()
        me = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                for child in me.children(recursive=True):
                    try:
                        seen.add(" ".join(child.cmdline())[:200])
                    except psutil.Error:
                        pass  # gone between the listing and the look
            except psutil.Error:
                break
            time.sleep(0.005)
        out, err = proc.communicate()
        assert proc.returncode == 0, err.decode()
        return out.decode(), seen

    for expected in ("new", "unchanged"):
        out, seen = check()
        assert (json.loads(out)["status"], json.loads(out)["source"]) == (expected, "http")
        assert not [c for c in seen if "chrom" in c.lower()], seen
    site.set_version("/ps", "v2")  # an edit: found, confirmed and stored from the raw HTML, still no browser
    out, seen = check()
    assert (json.loads(out)["status"], json.loads(out)["source"]) == ("changed", "http")
    assert not [c for c in seen if "chrom" in c.lower()], seen
    assert site.hits("/ps.js") == 0


def test_the_browser_is_closed_when_idle_and_started_again_for_the_next_render(site):
    import psutil

    from watcher.fetch import Fetcher

    site.page("/idle", story(BODY, "/idle.js"))
    me = psutil.Process()

    def browsers() -> int:
        count = 0
        for child in me.children(recursive=True):
            try:
                count += "chrom" in child.name()
            except psutil.NoSuchProcess:
                pass  # a renderer that exited between the listing and the look: not running
        return count

    async def go() -> None:
        async with Fetcher(fast_settings()) as fetcher:
            fetcher._handle.idle_after = 0.3
            before = browsers()
            assert (await fetcher.fetch(site.url("/idle"))).status == 200
            assert browsers() > before
            await asyncio.sleep(1.5)
            assert browsers() == before  # nothing to render: no Chromium left running
            assert (await fetcher.fetch(site.url("/idle"))).status == 200

    asyncio.run(go())


def test_http_mode_never_renders(site, checker):
    c = checker()
    serve_edited_story(site, "/raw")
    url = c.add(site.url("/raw"), mode="http")
    assert c.check(url).status == "new"
    assert c.check(url).status == "unchanged"
    site.set_version("/raw", "v2")
    assert c.check(url).status == "changed"
    assert "three years" in " ".join(c.store.latest_version(url).article.body)
    assert site.hits("/raw.js") == 0


def test_the_same_bytes_under_another_charset_header_are_read_again(site, checker):
    """A site that fixes its Content-Type charset changes no byte of the page, but the page now reads as the
    browser shows it: the check reads the story again (the repair is found from the raw HTML), instead of calling
    the old bytes' digest unchanged until an audit renders the page, disagrees and relearns the whole host."""
    c = checker()
    js(site, "/cafe.js", "void 0;")
    page = story(BODY, "/cafe.js").replace("Mill Lane baths", "Café on Mill Lane").encode("utf-8")
    site.page_versions(
        "/cafe",
        {
            "latin": [Response(page, content_type="text/html; charset=iso-8859-1")],
            "fixed": [Response(page, content_type="text/html; charset=utf-8")],
        },
        current="latin",
    )
    url = c.add(site.url("/cafe"))
    c.learned(url)
    assert c.check(url).status == "unchanged"
    assert c.store.latest_version(url).article.headline.startswith("CafÃ©")  # as the browser read it too
    site.set_version("/cafe", "fixed")
    repaired = c.check(url)
    assert (repaired.status, repaired.source) == ("changed", "http")
    assert c.store.latest_version(url).article.headline.startswith("Café on Mill Lane")
    assert c.article(url).learned_mode == "static"


def test_show_and_diff_name_where_the_version_came_from(site, tmp_path):
    """`show` prints one stored version and `diff` compares two: like history and reports, both say the version was
    read from the raw HTML (`source` in their JSON, as history --json and report JSON have it)."""
    from support.cli import data_dir_with, ok

    data = data_dir_with(tmp_path / "cli")
    serve_edited_story(site, "/shown")
    url = site.url("/shown")
    ok(data, "add", "--no-probe", url)
    ok(data, "check", url)
    site.set_version("/shown", "v2")
    assert json.loads(ok(data, "check", "--json", url))["source"] == "http"
    assert json.loads(ok(data, "show", "--json", url))["source"] == "http"
    assert json.loads(ok(data, "show", "--json", "--version", "1", url))["source"] == "http"
    assert "from the raw HTML" in ok(data, "show", url).splitlines()[0]
    assert json.loads(ok(data, "diff", "--json", url))["source"] == "http"


def serve_story_a_script_adds_to(site, path: str) -> None:
    """The story at `path` as v1 (BODY) and v2 (EDITED), its script appending EXTRA, a paragraph the raw HTML lacks."""
    js(
        site,
        f"{path}.js",
        "var p = document.createElement('p'); p.textContent = " + repr(EXTRA) + ";"
        " document.getElementById('story').appendChild(p);",
    )
    site.page_versions(path, {"v1": story(BODY, f"{path}.js"), "v2": story(EDITED, f"{path}.js")})


def test_a_first_render_after_an_edit_stored_from_the_raw_html_announces_no_second_edit(site, checker):
    """An article stored from its raw HTML and edited before its first render (`watcher check` from cron leaves that
    render to the audit): the paragraph a script adds was there all along, never seen to change, so the audit's
    render is no edit to announce; the edit the raw HTML showed stays version 2's, now read as rendered."""
    c = checker()
    serve_story_a_script_adds_to(site, "/later")
    url = c.add(site.url("/later"))
    assert c.check(url).source == "http"
    site.set_version("/later", "v2")
    edit = c.check(url)
    assert (edit.status, edit.version, edit.source) == ("changed", 2, "http")
    audit = c.check(url)  # the audit after a version from HTTP: the article's first render
    assert (audit.status, audit.version, audit.edits, audit.audit) == ("unchanged", 2, [], "disagreed")
    assert "version 2 is now the rendered page" in audit.note
    assert c.sources(url) == ["http", "browser"]
    latest = c.store.latest_version(url)
    assert latest.article.body[-1] == EXTRA and "three years" in " ".join(latest.article.body)
    assert any("three years" in (e.new or "") for e in latest.edits)  # the edit announced at version 2 stays
    assert c.article(url).learned_mode == "needs-browser"
    assert c.check(url).status == "unchanged"


def test_a_first_render_that_also_sees_an_edit_of_the_raw_html_announces_the_edit(site, checker):
    """The raw HTML itself changed between the first check and the first render: that edit is no text a script
    adds, so it is announced (with the script's paragraph beside it), not folded into version 1 unseen."""
    c = checker()
    serve_story_a_script_adds_to(site, "/both")
    url = c.add(site.url("/both"))
    assert c.check(url).source == "http"
    site.set_version("/both", "v2")
    first = c.check(url, audit=True)  # the run loop's low-priority first render
    assert (first.status, first.version, first.source, first.audit) == ("changed", 2, "browser", "disagreed")
    assert any("three years" in (e.new or "") for e in first.edits)
    assert c.sources(url) == ["http", "browser"]
