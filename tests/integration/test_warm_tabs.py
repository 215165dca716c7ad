"""A render reuses its host's last tab, wiped: nothing one check's page left reaches the next check's page."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from support.site_server import Response, Site

from watcher.urls import host_of

# Reports what it finds of an earlier load, then leaves all of it behind for the next one.
STATEFUL = """<!DOCTYPE html><html><head><title>State</title></head><body><article><h1>Harbour report</h1>
<p id="found">pending</p></article><script>
var found = {cookie: document.cookie, local: localStorage.getItem("k"), session: sessionStorage.getItem("k"),
  name: window.name, history: history.length, idb: "?"};
document.cookie = "script=1; max-age=99999"; localStorage.setItem("k", "1"); sessionStorage.setItem("k", "1");
window.name = "left behind";
var open = indexedDB.open("kept", 1);
open.onupgradeneeded = function () { open.result.createObjectStore("x"); found.idb = "new"; };
open.onsuccess = function () {
  if (found.idb === "?") found.idb = "kept";
  document.getElementById("found").textContent = JSON.stringify(found);
};
</script></body></html>"""


def _found(html: str) -> dict[str, Any]:
    match = re.search(r'<p id="found">(\{.*?\})</p>', html)
    assert match, html
    return json.loads(match.group(1).replace("&quot;", '"'))


def _kept_pages(browser, url: str) -> set[int]:
    """The pages of the tabs kept for the host of `url` (other tests' tabs may be kept or wiped meanwhile)."""
    host = host_of(url)

    async def pages() -> set[int]:
        return {id(tab.page) for key, _, tab in browser._root._handle._warm if key[0] == host}

    return browser.run(pages())


def _wait_kept(browser, url: str, count: int) -> set[int]:
    deadline = time.monotonic() + 10
    while len(kept := _kept_pages(browser, url)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return kept


def test_a_reused_tab_carries_nothing_from_one_check_to_the_next(site, browser, fetcher):
    site.set("/story", Response(STATEFUL.encode(), headers={"Set-Cookie": "server=1; Max-Age=99999"}))
    url = site.url("/story")
    first = _found(fetcher.fetch_sync(url).html)
    # A fresh tab: its own response's cookie only, no storage, no name, the IndexedDB made now.
    assert {**first, "history": None} == {
        "cookie": "server=1",
        "local": None,
        "session": None,
        "name": "",
        "history": None,
        "idb": "new",
    }
    kept = _wait_kept(browser, url, 1)
    assert len(kept) == 1  # the tab was kept for this host...
    second = _found(fetcher.fetch_sync(url).html)
    assert not kept & _kept_pages(browser, url)  # ... taken by the second check (kept again once wiped) ...
    assert _wait_kept(browser, url, 1) == kept
    # ... whose page still finds nothing the first one left: no cookie of the script's, no storage, no window
    # name, no IndexedDB, no longer history.
    assert second == first


def test_a_reused_tab_asks_for_a_cached_script_again(site, browser, fetcher):
    site.page(
        "/story",
        '<html><body><article><h1>Ferry</h1><p id="p">Old.</p></article><script src="/s.js"></script></body></html>',
    )
    site.set(
        "/s.js",
        Response(
            b"document.getElementById('p').textContent = 'One.';",
            content_type="text/javascript",
            headers={"Cache-Control": "max-age=3600"},
        ),
    )
    url = site.url("/story")
    assert "One." in fetcher.fetch_sync(url).html
    assert len(_wait_kept(browser, url, 1)) == 1
    site.set(
        "/s.js",
        Response(
            b"document.getElementById('p').textContent = 'Two.';",
            content_type="text/javascript",
            headers={"Cache-Control": "max-age=3600"},
        ),
    )
    # A script-only edit is seen at once, as by a fresh context: no HTTP cache passes from check to check.
    assert "Two." in fetcher.fetch_sync(url).html
    assert site.hits("/s.js") == 2


def test_a_check_of_another_host_gets_another_tab(site, browser, fetcher):
    with Site() as other:  # another port: another host
        for server in (site, other):
            server.page("/a", "<html><body><article><h1>A</h1><p>One.</p></article></body></html>")
        fetcher.fetch_sync(site.url("/a"))
        fetcher.fetch_sync(other.url("/a"))
        one, two = _wait_kept(browser, site.url("/a"), 1), _wait_kept(browser, other.url("/a"), 1)
        assert len(one) == len(two) == 1 and one != two
