"""`watcher serve` over HTTP: the API's JSON against the CLI's, the Atom feeds parsed as XML, the safety rules.

Each test talks to a real `watcher serve` (uvicorn in a subprocess) on 127.0.0.1 over a real store.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import lxml.html
import pytest
from lxml import etree
from support.web import EN_URL, HOSTILE_URL, TOKEN, ZH_URL, Served, article_id, build_store

from watcher.models import Article
from watcher.store import open_store

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return Path(build_store(tmp_path_factory.mktemp("serve") / "data"))


@pytest.fixture(scope="module")
def readonly(data_dir):
    with Served(data_dir) as served:
        yield served


@pytest.fixture(scope="module")
def writable(data_dir):
    with Served(data_dir, token=TOKEN) as served:
        yield served


def cli_json(data_dir: Path, *args: str):
    out = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def page(response: httpx.Response):
    assert response.status_code == 200, response.text[:300]
    return lxml.html.fromstring(response.text)


def test_list_history_show_and_diff_answer_as_the_cli_does(readonly, data_dir):
    api = readonly.get("/api/articles?sort=added&per_page=10")
    assert api.headers["content-type"].startswith("application/json")
    assert api.headers["x-total-count"] == "3"
    cli = cli_json(data_dir, "list")
    served = api.json()
    assert [a["url"] for a in served] == [a["url"] for a in cli]
    for mine, theirs in zip(served, cli, strict=True):
        assert mine.keys() == theirs.keys()
        assert mine["id"].startswith(theirs["id"])  # the full id, of which the CLI shows the shortest unique part
        assert {k: v for k, v in mine.items() if k != "id"} == {k: v for k, v in theirs.items() if k != "id"}
    ident = article_id(EN_URL)
    assert readonly.get(f"/api/articles/{ident}/history").json() == cli_json(data_dir, "history", EN_URL)
    assert readonly.get(f"/api/articles/{ident}/checks").json() == cli_json(data_dir, "history", EN_URL, "--checks")
    assert readonly.get(f"/api/articles/{ident}/show?version=1").json() == cli_json(
        data_dir, "show", EN_URL, "--version", "1"
    )
    assert readonly.get(f"/api/articles/{ident}/diff").json() == cli_json(data_dir, "diff", EN_URL)
    with_cosmetic = readonly.get(f"/api/articles/{ident}/diff?from=1&to=2&all=1").json()
    assert with_cosmetic == cli_json(data_dir, "diff", EN_URL, "--from", "1", "--to", "2", "--all")
    assert len(with_cosmetic["edits"]) > len(readonly.get(f"/api/articles/{ident}/diff").json()["edits"])
    # The CLI's short id names the article too.
    assert readonly.get(f"/api/articles/{cli[0]['id']}/history").status_code == 200


def test_the_apis_history_carries_the_machine_written_summaries_as_the_clis_does(tmp_path):
    data_dir = Path(build_store(tmp_path / "data"))
    from watcher.machine_summary import MachineSummary, SummaryCache

    SummaryCache(data_dir).add(MachineSummary(EN_URL, 2, "The council now says the city pays alone.", "stand-in"))
    cli = cli_json(data_dir, "history", EN_URL)
    assert any(v.get("machine_summary", {}).get("text", "").startswith("The council") for v in cli)
    with Served(data_dir) as served:
        assert served.get(f"/api/articles/{article_id(EN_URL)}/history").json() == cli


def test_api_filters_and_errors(readonly):
    tagged = readonly.get("/api/articles?tag=politics").json()
    assert sorted(a["url"] for a in tagged) == sorted([EN_URL, HOSTILE_URL])
    assert [a["url"] for a in readonly.get("/api/articles?q=typhoon").json()] == [ZH_URL]
    assert [a["url"] for a in readonly.get("/api/articles?host=tw.news.example").json()] == [ZH_URL]
    assert readonly.get("/api/articles?flag=headline_changed").json()[0]["url"] == EN_URL
    bad = readonly.get("/api/articles?status=nonsense")
    assert bad.status_code == 400 and "status must be one of" in bad.json()["error"]
    missing = readonly.get("/api/articles/0123456789abcdef01234567/history")
    assert missing.status_code == 404 and missing.json() == {"error": "not found"}


def test_an_articles_timeline_shows_versions_flags_and_the_check_log_with_errors(readonly):
    doc = page(readonly.get(f"/a/{article_id(EN_URL)}"))
    versions = doc.xpath('//tr[@class="version"]')
    assert [v.get("id") for v in versions] == ["v2", "v1"]  # newest first
    newest = versions[0].text_content()
    assert "Headline changed" in newest and "Stealth edit" in newest
    assert versions[0].xpath('.//a[@class="diff-link"]')[0].get("href") == f"/a/{article_id(EN_URL)}/diff/1/2"
    checks = doc.xpath('//tr[contains(@class, "check")]')
    assert [c.xpath("./td")[1].text_content() for c in checks] == ["error", "changed (v2)"]
    assert checks[0].xpath('./td[@class="error"]')[0].text_content() == "HTTP 503 Service Unavailable"


def _feed(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        assert root.find(ATOM + name) is not None
    for entry in root.findall(ATOM + "entry"):
        for name in ("id", "title", "updated", "content"):
            assert entry.find(ATOM + name) is not None, name
    return root


def _entry_changes(root: etree._Element) -> list[tuple[str, list[str], list[str]]]:
    """(link, deleted texts, inserted texts) of each entry, read from its HTML content."""
    out = []
    for entry in root.findall(ATOM + "entry"):
        content = lxml.html.fromstring(entry.find(ATOM + "content").text)
        link = entry.find(ATOM + "link").get("href")
        out.append(
            (link, [d.text_content() for d in content.iter("del")], [i.text_content() for i in content.iter("ins")])
        )
    return out


def test_feeds_carry_each_change_and_are_linked_from_the_pages(readonly):
    everything = _entry_changes(_feed(readonly.get("/feeds/all.atom")))
    assert sorted(link for link, _, _ in everything) == sorted([EN_URL, ZH_URL, HOSTILE_URL])
    en = next(e for e in everything if e[0] == EN_URL)
    assert "May" in en[1] and "June" in en[2]
    assert "covered by the city alone" in en[2]  # the edit inside the moved paragraph
    zh = next(e for e in everything if e[0] == ZH_URL)
    assert "明天清晨" in "".join(zh[1]) and "今天深夜" in "".join(zh[2])
    politics = _entry_changes(_feed(readonly.get("/feeds/tag/politics.atom")))
    assert sorted(link for link, _, _ in politics) == sorted([EN_URL, HOSTILE_URL])
    host = _entry_changes(_feed(readonly.get("/feeds/host/tw.news.example.atom")))
    assert [link for link, _, _ in host] == [ZH_URL]
    one = _entry_changes(_feed(readonly.get(f"/a/{article_id(EN_URL)}/feed.atom")))
    assert [link for link, _, _ in one] == [EN_URL]
    # Every page names its feeds for feed readers.
    for path in ("/", f"/a/{article_id(EN_URL)}", "/?tag=politics"):
        doc = page(readonly.get(path))
        hrefs = [link.get("href") for link in doc.xpath('//link[@rel="alternate"][@type="application/atom+xml"]')]
        assert "/feeds/all.atom" in hrefs
        for href in hrefs:
            _feed(readonly.get(href))
    assert "/feeds/tag/politics.atom" in [
        link.get("href") for link in page(readonly.get("/?tag=politics")).xpath('//link[@rel="alternate"]')
    ]


def test_every_answer_has_a_strict_csp_and_raw_html_is_sandboxed(readonly):
    ident = article_id(HOSTILE_URL)
    for path in (
        "/",
        "/edits?window=week",
        f"/a/{ident}",
        f"/a/{ident}/diff/1/2",
        f"/a/{ident}/v/1",
        "/nope",
        "/api/articles",
    ):
        response = readonly.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
    raw = readonly.get(f"/a/{ident}/v/1/raw")
    assert raw.status_code == 200 and "<script>parent.__pwned=3</script>" in raw.text  # kept as captured...
    csp = [p.strip() for p in raw.headers["content-security-policy"].split(";")]
    assert "sandbox" in csp and "default-src 'none'" in csp  # ...and never run, nothing loaded


def test_hostile_page_text_stays_text(readonly):
    ident = article_id(HOSTILE_URL)
    for path in (
        "/",
        f"/a/{ident}",
        f"/a/{ident}/diff/1/2",
        f"/a/{ident}/diff/1/2?view=side",
        f"/a/{ident}/v/2",
        "/edits?window=week",
    ):
        doc = page(readonly.get(path))
        assert not doc.xpath("//script"), path
        assert not doc.xpath("//*[@onerror]"), path
        assert not doc.xpath("//body//img"), path
        text = doc.text_content()
        assert "\x1b" not in text, path  # ESC is shown as a stand-in
    headline = page(readonly.get(f"/a/{ident}")).xpath("//h1/bdi")[0].text_content()
    assert headline.startswith("Mayor <script>window.__pwned=1</script>")  # shown as the text it is
    assert "\u202e" in headline and "␛" in headline  # the bidi override isolated in <bdi>; ESC visible


def test_a_foreign_host_name_is_refused_on_this_machine(readonly):
    # DNS rebinding: another site's name pointed at 127.0.0.1 makes the browser send that name as Host.
    port = readonly.url.rsplit(":", 1)[1]
    refused = readonly.get("/api/articles", headers={"host": f"evil.example:{port}"})
    assert refused.status_code == 400
    assert "url" not in refused.text and EN_URL not in refused.text
    assert readonly.get("/", headers={"host": f"evil.example:{port}"}).status_code == 400
    assert readonly.get("/api/articles", headers={"host": f"localhost:{port}"}).status_code == 200


def test_a_link_cannot_put_its_own_words_on_an_article_page(readonly):
    ident = article_id(EN_URL)
    forged = page(readonly.get(f"/a/{ident}", params={"done": "Your token expired: sign in at evil.example"}))
    assert not forged.xpath("//*[contains(text(), 'evil.example')]")
    assert page(readonly.get(f"/a/{ident}?done=paused")).xpath("//p[@role='status']/text()") == ["paused"]


def test_ids_cannot_reach_outside_the_store(readonly, data_dir):
    for path in (
        "/a/..%2F..%2Fetc%2Fpasswd",
        "/a/../../watcher.json",
        "/api/articles/..%2Fwatcher.json/history",
        "/a/%2e%2e/v/1/raw",
        f"/a/{article_id(EN_URL)}/v/99",
        "/feeds/host/..%2F..%2Fetc.atom",
    ):
        response = readonly.get(path)
        assert response.status_code in (404, 405), path
        assert "root:" not in response.text and '"articles"' not in response.text
    # A path that looks like another host never becomes a link to it.
    doc = lxml.html.fromstring(readonly.get("//evil.example/x").text)
    assert not [a for a in doc.xpath("//a/@href") if "evil.example" in a]


def test_writes_are_refused_without_a_token_and_the_pages_offer_none(readonly, data_dir):
    ident = article_id(EN_URL)
    for method, path in (
        ("POST", "/api/articles"),
        ("POST", f"/api/articles/{ident}/pause"),
        ("POST", f"/api/articles/{ident}/resume"),
        ("POST", f"/api/articles/{ident}/check"),
        ("DELETE", f"/api/articles/{ident}"),
        ("POST", f"/a/{ident}/pause"),
        ("POST", "/ui/add"),
        ("POST", "/signin"),
    ):
        response = httpx.request(
            method,
            readonly.url + path,
            headers={"Authorization": f"Bearer {TOKEN}"},
            json={"url": "https://x.example/"},
        )
        assert response.status_code == 403, (method, path)
    for path in ("/", f"/a/{ident}"):
        doc = page(readonly.get(path))
        assert not doc.xpath('//form[@method="post"]'), path
    assert len(open_store(data_dir).list_articles()) == 3


def test_api_writes_need_the_token(data_dir, site):
    writable = Served(data_dir, token=TOKEN)
    site.page(
        "/story",
        "<html><head><title>A story</title></head><body><article><h1>A story</h1><p>"
        + "Words. " * 40
        + "</p></article></body></html>",
    )
    url = site.url("/story")
    wrong = httpx.post(
        writable.url + "/api/articles", json={"url": url}, headers={"Authorization": "Bearer wrong-token-0123456789"}
    )
    assert wrong.status_code == 403
    auth = {"Authorization": f"Bearer {TOKEN}"}
    added = httpx.post(writable.url + "/api/articles", json={"url": url, "tags": ["local"]}, headers=auth)
    assert added.status_code == 201, added.text
    ident = added.json()["id"]
    assert added.json()["tags"] == ["local"]
    paused = httpx.post(writable.url + f"/api/articles/{ident}/pause", headers=auth).json()
    assert paused == {"url": url, "paused": True, "changed": True}
    assert open_store(data_dir).get_article(url).paused
    assert httpx.post(writable.url + f"/api/articles/{ident}/resume", headers=auth).json()["changed"] is True
    checked = httpx.post(writable.url + f"/api/articles/{ident}/check", headers=auth, timeout=120)
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "new" and checked.json()["version"] == 1
    assert open_store(data_dir).latest_version(url).article.headline == "A story"
    removed = httpx.delete(writable.url + f"/api/articles/{ident}", headers=auth)
    assert removed.json() == {"url": url, "removed": True}
    assert url not in open_store(data_dir).article_keys()
    stderr = writable.close()
    assert TOKEN not in stderr


def test_form_writes_need_sign_in_and_the_csrf_value(writable, data_dir):
    ident = article_id(ZH_URL)
    with httpx.Client(base_url=writable.url) as anon:
        assert not page(anon.get(f"/a/{ident}")).xpath(f'//form[@action="/a/{ident}/pause"]')
        assert anon.post(f"/a/{ident}/pause", data={"csrf": "x"}).status_code == 403
    with httpx.Client(base_url=writable.url) as browser:
        assert browser.post("/signin", data={"token": "not-the-token-at-all"}).status_code == 403
        signed = browser.post("/signin", data={"token": TOKEN})
        assert signed.status_code == 303
        assert TOKEN not in signed.headers.get("set-cookie", "")
        form = page(browser.get(f"/a/{ident}")).xpath(f'//form[@action="/a/{ident}/pause"]')[0]
        csrf = form.xpath('.//input[@name="csrf"]')[0].get("value")
        assert browser.post(f"/a/{ident}/pause", data={}).status_code == 403  # no CSRF value
        other_site = browser.post(f"/a/{ident}/pause", data={"csrf": csrf}, headers={"Origin": "http://evil.example"})
        assert other_site.status_code == 403
        assert not open_store(data_dir).get_article(ZH_URL).paused
        done = browser.post(f"/a/{ident}/pause", data={"csrf": csrf})
        assert done.status_code == 303
        assert open_store(data_dir).get_article(ZH_URL).paused
        assert browser.post(f"/a/{ident}/resume", data={"csrf": csrf}).status_code == 303
        assert not open_store(data_dir).get_article(ZH_URL).paused


def test_new_versions_show_on_reload_without_a_restart(readonly, data_dir):
    ident = article_id(ZH_URL)
    permalink = f"/a/{ident}/diff/1/2?h=" + _stamp(data_dir, ZH_URL, 1, 2)
    before = etree.tostring(page(readonly.get(permalink)).xpath('//div[@class="diffs"]')[0])
    _save_new_headline(
        data_dir, ZH_URL, "颱風登陸 全台停班停課"
    )  # another process's writes, as `watcher run` makes them
    doc = page(readonly.get(f"/a/{ident}"))
    assert doc.xpath('//tr[@id="v3"]')
    # The permalink made before shows the same diff, and no warning: its history was only added to.
    again = page(readonly.get(permalink))
    assert etree.tostring(again.xpath('//div[@class="diffs"]')[0]) == before
    assert not again.xpath('//p[contains(@class, "warn")]')
    # Any two versions, either way round: computed from the stored texts.
    across = readonly.get(f"/api/articles/{ident}/diff?from=1&to=3").json()
    assert {e["field"] for e in across["edits"]} == {"headline", "body"}
    backwards = readonly.get(f"/api/articles/{ident}/diff?from=3&to=1").json()
    assert [(e["old"], e["new"]) for e in backwards["edits"]] == [(e["new"], e["old"]) for e in across["edits"]]
    assert "颱風登陸" in page(readonly.get(f"/a/{ident}/diff/2/3")).text_content()
    deadline = time.monotonic() + 10
    while "颱風登陸" not in readonly.get("/").text:  # the list's index is re-read in the background
        assert time.monotonic() < deadline, "the list never showed the new headline"
        time.sleep(0.2)


def _save_new_headline(location: Path | str, url: str, headline: str) -> None:
    """A third version whose headline alone changed, saved as `watcher run` would, a second after the second."""
    from watcher.diff import diff_articles

    store = open_store(location)
    old = store.latest_version(url)
    new = Article(headline=headline, lang=old.article.lang, body=old.article.body)
    store.save_version(
        url, new, html=None, diff=diff_articles(old.article, new), captured_at=datetime.now(UTC) + timedelta(seconds=1)
    )


def _stamp(data_dir: Path, url: str, old: int, new: int) -> str:
    store = open_store(data_dir)
    return f"{store.get_version(url, old).content_hash[:8]}-{store.get_version(url, new).content_hash[:8]}"


def test_a_permalink_to_a_rewritten_history_says_so(readonly, data_dir):
    ident = article_id(EN_URL)
    doc = page(readonly.get(f"/a/{ident}/diff/1/2?h=00000000-00000000"))
    assert "rewritten" in doc.xpath('//p[contains(@class, "warn")]')[0].text_content()


def test_binding_beyond_this_machine_needs_a_token(data_dir):
    refused = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0
    assert "without a token" in refused.stderr and "--read-only" in refused.stderr
    assert refused.stdout == ""


@pytest.mark.postgres
def test_serves_a_postgresql_store_while_another_process_writes(postgres):
    dsn = postgres.fresh_dsn("t_")
    build_store(dsn)
    with Served(dsn) as served:
        ident = article_id(EN_URL)
        assert served.get(f"/api/articles/{ident}/history").json() == json.loads(
            subprocess.run(
                [sys.executable, "-m", "watcher", "--store", dsn, "history", EN_URL, "--json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        diff = page(served.get(f"/a/{ident}/diff/1/2"))
        assert "June" in [i.text_content() for i in diff.iter("ins")]
        _save_new_headline(dsn, EN_URL, "Bridge repairs delayed")
        assert "Bridge repairs delayed" in page(served.get(f"/a/{ident}/diff/2/3")).text_content()
        entries = _entry_changes(_feed(served.get(f"/a/{ident}/feed.atom")))
        assert len(entries) == 2


def test_a_diff_page_says_what_changed_in_words_as_the_timeline_does(readonly):
    ident = article_id(EN_URL)
    timeline = page(readonly.get(f"/a/{ident}"))
    summary = timeline.xpath('//tr[@class="version"]')[0].xpath('.//a[@class="diff-link"]')[0].text_content()
    doc = page(readonly.get(f"/a/{ident}/diff/1/2"))
    said = doc.xpath('//p[@class="what-changed"]')
    assert [p.text_content() for p in said] == [summary], summary


def test_a_version_page_says_how_the_page_was_read(tmp_path):
    """As `show` and the reports do: a version stored from the raw HTML, and one read in the browser."""
    store = open_store(tmp_path / "data")
    store.add_article(EN_URL)
    first = Article(headline="Ferry fares rise", lang="en", body=["Fares rise by 4% in May."])
    stamp = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    store.save_version(EN_URL, first, html=None, diff=None, captured_at=stamp, source="http")
    second = Article(headline="Ferry fares rise", lang="en", body=["Fares rise by 5% in May."])
    later = stamp + timedelta(hours=1)
    store.save_version(EN_URL, second, html=None, diff=None, captured_at=later, source="browser")
    ident = article_id(EN_URL)
    with Served(tmp_path / "data") as served:
        said = [page(served.get(f"/a/{ident}/v/{n}")).xpath('//p[@class="muted"]')[0].text_content() for n in (1, 2)]
        assert "read from the raw HTML" in said[0] and "browser" not in said[0]
        assert "read in the browser" in said[1]
        chinese = page(served.get(f"/a/{ident}/v/1?lang=zh-Hant")).xpath('//p[@class="muted"]')[0].text_content()
        assert "讀自原始 HTML" in chinese
