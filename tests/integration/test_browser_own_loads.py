"""What Chromium loads by itself, outside any route handler, reaches nothing the handler would not allow.

Speculation rules (inline, script-inserted, document rules, a `Speculation-Rules:` header), preconnect and
DNS prefetch hints, Link-header preloads, service workers and WebRTC all make the browser process open
connections that Playwright's routing never sees. Each test below is one such channel from a public page
(on 127.0.0.2, declared public as in test_private_addresses.py) aimed at an internal service on 127.0.0.1:
the internal service receives nothing, and its text is never read as the page.

The speculation pages then send the page to the internal URL, as the attack did to activate what the
browser had prefetched; that navigation is refused by the rule's name. (Before the gate of
watcher/fetch/gate.py, the internal page was fetched by the browser and stored as the article.)
"""

from __future__ import annotations

import json
import time

import pytest
from support.closing import closing_fixture
from support.listeners import Listeners
from support.pages import article_html
from support.site_server import Site

from watcher import errors

pytestmark = pytest.mark.browser

SECRET = "token=hunter2 SECRET"
RULE = "watcher fetches only public addresses unless allowed"
STORY = ["The ferry to the outer islands will run four times a day from June.", "The council said fuel costs rose."]


@pytest.fixture
def internal(site) -> Site:
    """A service on the loopback address that must hear nothing."""
    site.page("/secret", f"<html><body><p>{SECRET}</p></body></html>")
    return site


sockets = closing_fixture(Listeners, "A TCP and a UDP port on 127.0.0.1 that count what reaches them.")


@pytest.fixture
def fetcher(make_fetcher):
    # Long enough a settle for the page's timers (the navigation after its rules) to fire.
    return make_fetcher(settle_ms=1500)


def story(extra: str = "", head: str = "") -> str:
    return article_html("Ferry timetable cut", STORY, extra=extra, head=head)


def then_go(url: str) -> str:
    """The attack's second step: send the page to the URL the browser was told to fetch ahead."""
    return f"<script>setTimeout(() => {{ location.href = {json.dumps(url)}; }}, 300)</script>"


def rules(action: str, urls: list[str]) -> str:
    return json.dumps({action: [{"source": "list", "urls": urls, "eagerness": "immediate"}]})


def refused_navigation(fetcher, url: str, internal: Site) -> None:
    """The page's own navigation to the internal URL is refused by name, and nothing internal was read."""
    with pytest.raises(errors.PrivateAddress, match=RULE):
        fetcher.fetch_sync(url)
    time.sleep(0.3)  # a prefetch the browser started late would still have arrived by now
    assert internal.hits("/secret") == 0


def test_inline_speculation_rules_prefetch(public, internal, fetcher):
    secret = internal.url("/secret")
    public.page(
        "/story", story(f"<script type='speculationrules'>{rules('prefetch', [secret])}</script>{then_go(secret)}")
    )
    refused_navigation(fetcher, public.url("/story"), internal)


def test_inline_speculation_rules_prerender(public, internal, fetcher):
    secret = internal.url("/secret")
    public.page(
        "/story", story(f"<script type='speculationrules'>{rules('prerender', [secret])}</script>{then_go(secret)}")
    )
    refused_navigation(fetcher, public.url("/story"), internal)


def test_script_inserted_speculation_rules(public, internal, fetcher):
    secret = internal.url("/secret")
    both = json.dumps({**json.loads(rules("prefetch", [secret])), **json.loads(rules("prerender", [secret]))})
    insert = (
        "<script>const s = document.createElement('script'); s.type = 'speculationrules';"
        f"s.textContent = {json.dumps(both)}; document.head.append(s);</script>"
    )
    public.page("/story", story(insert + then_go(secret)))
    refused_navigation(fetcher, public.url("/story"), internal)


def test_document_rules_over_the_pages_own_links(public, internal, fetcher):
    secret = internal.url("/secret")
    where = {"source": "document", "where": {"selector_matches": "a"}, "eagerness": "immediate"}
    document_rules = json.dumps({"prefetch": [where], "prerender": [where]})
    links = f"<a href='{secret}'>Read more</a> <a href='{internal.url('/secret?b')}'>More</a>"
    public.page("/story", story(f"{links}<script type='speculationrules'>{document_rules}</script>{then_go(secret)}"))
    refused_navigation(fetcher, public.url("/story"), internal)


def test_speculation_rules_header(public, internal, fetcher):
    secret = internal.url("/secret")
    both = {**json.loads(rules("prefetch", [secret])), **json.loads(rules("prerender", [secret]))}
    public.bytes("/rules.json", json.dumps(both).encode(), "application/speculationrules+json")
    public.page("/story", story(then_go(secret)), headers={"Speculation-Rules": '"/rules.json"'})
    refused_navigation(fetcher, public.url("/story"), internal)


def test_preconnect_and_dns_prefetch_hints(public, sockets, fetcher):
    target = f"http://127.0.0.1:{sockets.tcp_port}"
    hints = (
        f"<link rel='preconnect' href='{target}'><link rel='preconnect' href='http://localhost:{sockets.tcp_port}'>"
        f"<link rel='dns-prefetch' href='//localhost:{sockets.tcp_port}'>"
    )
    public.page("/story", story(head=hints), headers={"Link": f"<{target}>; rel=preconnect"})
    snapshot = fetcher.fetch_sync(public.url("/story"))
    assert "ferry to the outer islands" in snapshot.html
    time.sleep(0.3)
    assert sockets.connections == 0


def test_link_header_preload_prefetch_and_preconnect(public, internal, sockets, fetcher):
    links = ", ".join(
        [
            f"<{internal.url('/secret')}>; rel=preload; as=fetch; crossorigin",
            f"<{internal.url('/secret')}>; rel=prefetch",
            f"<{internal.url('/secret')}>; rel=modulepreload",
            f"<http://127.0.0.1:{sockets.tcp_port}>; rel=preconnect",
        ]
    )
    public.page("/story", story(), headers={"Link": links})
    snapshot = fetcher.fetch_sync(public.url("/story"))
    assert "ferry to the outer islands" in snapshot.html and "hunter2" not in snapshot.html
    time.sleep(0.3)
    assert internal.hits("/secret") == 0 and sockets.connections == 0


def test_service_workers_never_run(public, internal, fetcher):
    secret = internal.url("/secret")
    public.bytes(
        "/sw.js",
        f"fetch({json.dumps(secret)}); self.addEventListener('fetch', e => e.respondWith(fetch({json.dumps(secret)})));".encode(),
        "text/javascript",
    )
    # Registered the ordinary way, and through a fresh frame's own ServiceWorkerContainer.
    register = (
        "<script>navigator.serviceWorker.register('/sw.js').catch(() => {});"
        "const f = document.createElement('iframe'); document.body.append(f);"
        "f.contentWindow.ServiceWorkerContainer.prototype.register.call(navigator.serviceWorker, '/sw.js?b')"
        ".catch(() => {});</script>"
    )
    public.page("/story", story(register))
    snapshot = fetcher.fetch_sync(public.url("/story"))
    assert "ferry to the outer islands" in snapshot.html and "hunter2" not in snapshot.html
    time.sleep(0.3)
    assert public.hits("/sw.js") == 0 and internal.hits("/secret") == 0


def test_webrtc_sends_nothing_to_a_local_stun_or_turn_server(public, sockets, fetcher):
    servers = [
        {"urls": f"stun:127.0.0.1:{sockets.udp_port}"},
        {"urls": f"turn:127.0.0.1:{sockets.udp_port}?transport=udp", "username": "u", "credential": "p"},
        {"urls": f"turn:127.0.0.1:{sockets.tcp_port}?transport=tcp", "username": "u", "credential": "p"},
    ]
    script = (
        f"<p id='state'></p><script>const pc = new RTCPeerConnection({{iceServers: {json.dumps(servers)}}});"
        "pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o))"
        ".then(() => { document.getElementById('state').textContent = 'gathering'; });</script>"
    )
    public.page("/story", story(script))
    snapshot = fetcher.fetch_sync(public.url("/story"))
    assert "gathering" in snapshot.html  # the page did ask for candidates
    time.sleep(0.5)
    assert sockets.datagrams == 0 and sockets.connections == 0
    assert snapshot.requests.get("private address", 0) >= 1  # the TURN connection, refused, is in the check log


def test_a_check_of_a_prefetching_page_stores_nothing_internal(public, internal, fetcher, tmp_path):
    from support.cli import checked, data_dir_with, watcher

    from watcher.store import open_store

    secret = internal.url("/secret")
    prefetching = story(f"<script type='speculationrules'>{rules('prefetch', [secret])}</script>")
    activating = story(f"<script type='speculationrules'>{rules('prefetch', [secret])}</script>{then_go(secret)}")
    public.page("/quiet", prefetching)
    public.page("/loud", activating)
    data_dir = data_dir_with(tmp_path / "data")
    for path in ("/quiet", "/loud"):
        assert watcher(data_dir, "add", public.url(path)).returncode == 0
    quiet, loud = checked(data_dir, fetcher, public.url("/quiet"), public.url("/loud"))
    assert quiet.status == "new", quiet
    assert loud.status == "error" and RULE in (loud.error or ""), loud
    assert internal.hits("/secret") == 0
    store = open_store(data_dir)
    assert [v.article.body for v in store.list_versions(public.url("/quiet"))] == [STORY]
    assert store.list_versions(public.url("/loud")) == []
