"""Fast checks through the real monitor, real Chromium and the local site (issue 18).

Every page links a script, /<page>.js, that only a browser loads: its hit count is the number of renders.
What these pin down: a static page that has not changed is answered by the server (raw HTML, or a 304 to
a conditional GET) with no render; a change in the raw HTML renders and stores a version as before; an edit
only a script makes is found by the audit render within `audit_every` checks; a page whose story only the
browser sees is rendered on every check.
"""

from __future__ import annotations

import asyncio
import json
from html import escape
from pathlib import Path

import pytest
from support.browser_thread import fast_settings
from support.site_server import Response

from watcher.config import BrowserSettings, Config, TrustSettings
from watcher.fetch.http_pages import HTTPFetcher
from watcher.monitor import check as monitor
from watcher.store import open_store

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
        self.svc = monitor.Services(fetcher=fetcher, store=self.store, config=config, http=http)

    def add(self, url: str, mode: str | None = None) -> str:
        article, _ = self.store.add_article(url)
        if mode:
            article.mode = mode
            self.store.update_article(article)
        return article.url

    def check(self, url: str):
        return asyncio.run(monitor.check_article(url, self.svc))

    def article(self, url: str):
        return self.store.get_article(url)


@pytest.fixture
def checker(make_fetcher, tmp_path):
    fetcher = make_fetcher(settle_ms=100)
    return lambda **fetch: Checker(fetcher, tmp_path / "data", **fetch)


def js(site, path: str, source: str) -> None:
    site.set(path, Response(source.encode(), content_type="text/javascript"))


def test_static_page_unchanged_is_not_rendered_and_a_raw_edit_is(site, checker):
    c = checker()
    js(site, "/baths.js", "void 0;")
    site.page_versions("/baths", {"v1": story(BODY, "/baths.js"), "v2": story(EDITED, "/baths.js")})
    url = c.add(site.url("/baths"))

    assert c.check(url).status == "new"
    assert site.hits("/baths.js") == 1
    assert c.article(url).learned_mode == "static"
    for _ in range(3):
        assert c.check(url).status == "unchanged"
    assert site.hits("/baths.js") == 1  # three checks, no render
    assert site.hits("/baths") == 4

    site.set_version("/baths", "v2")
    edit = c.check(url)
    assert (edit.status, edit.version) == ("changed", 2)
    assert "three years" in " ".join(c.store.latest_version(url).article.body)
    assert site.hits("/baths.js") == 3  # the render and its confirming re-render
    assert c.check(url).status == "unchanged"
    assert site.hits("/baths.js") == 3


def test_script_only_edit_is_found_at_the_audit_within_the_default_bound(site, checker):
    c = checker()  # the default audit: a render at least every audit_every checks
    bound = BrowserSettings().audit_every
    js(site, "/audit.js", "void 0;")
    site.page("/audit", story(BODY, "/audit.js"))
    url = c.add(site.url("/audit"))
    assert c.check(url).status == "new"
    assert c.check(url).status == "unchanged"

    # The raw HTML stays the same; only the script now rewrites the story's last paragraph.
    rewrite = "document.querySelectorAll('#story p')[2].textContent = " + repr(EDITED[2]) + ";"
    js(site, "/audit.js", rewrite)
    before = site.hits("/audit.js")
    for _ in range(bound - 2):
        assert c.check(url).status == "unchanged"  # a pre-check cannot see what only a script does
    assert site.hits("/audit.js") == before
    audited = c.check(url)  # the bound-th check since the render: a full render
    assert (audited.status, audited.version) == ("changed", 2)
    assert "three years" in " ".join(c.store.latest_version(url).article.body)
    # Raw and rendered now disagree: the article is re-learned as needing the browser, and rendered from now on.
    assert c.article(url).learned_mode == "needs-browser"
    renders = site.hits("/audit.js")
    assert c.check(url).status == "unchanged"
    assert site.hits("/audit.js") > renders


def test_same_story_in_other_bytes_is_unchanged_without_a_render_and_an_edit_in_them_is_found(site, checker):
    """A page whose every response differs (a nonce, a request id) is compared by its extracted story."""
    c = checker()
    js(site, "/nonce.js", "void 0;")
    pages = {f"v{n}": story(BODY, f"/nonce.js?{n}") for n in range(4)}
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


def test_unchanged_behind_a_conditional_get(site, checker):
    c = checker()
    js(site, "/etag.js", "void 0;")
    site.page("/etag", story(BODY, "/etag.js"), headers={"ETag": '"v1"'})
    url = c.add(site.url("/etag"))
    assert c.check(url).status == "new"
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
    # The auto article was rendered once (then answered by the server), the browser one on both checks.
    assert (site.hits("/a.js"), site.hits("/b.js")) == (1, 2)
    listed = {a["url"]: a["fetch"] for a in json.loads(ok(data, "list", "--json"))}
    assert listed[site.url("/a")] == {
        "mode": "auto",
        "learned": "static",
        "host_learned": "static",
        "checks_since_render": 1,
    }
    assert listed[site.url("/b")]["mode"] == "browser"
    assert "fetch mode auto: the raw HTML carries the story" in ok(data, "history", site.url("/a"))


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
    js(site, "/raw.js", "void 0;")
    site.page_versions("/raw", {"v1": story(BODY, "/raw.js"), "v2": story(EDITED, "/raw.js")})
    url = c.add(site.url("/raw"), mode="http")
    assert c.check(url).status == "new"
    assert c.check(url).status == "unchanged"
    site.set_version("/raw", "v2")
    assert c.check(url).status == "changed"
    assert "three years" in " ".join(c.store.latest_version(url).article.body)
    assert site.hits("/raw.js") == 0
