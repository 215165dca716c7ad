"""`watcher serve` in a real browser: Playwright drives the project's Chromium through the served pages.

WATCHER_SCREENSHOTS=docs also saves the README's screenshots (docs/web-list.png, docs/web-diff.png).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from support.web import EN_URL, HOSTILE_URL, TOKEN, ZH_URL, Served, article_id, build_store

from watcher.fetch.browser import find_browser
from watcher.store import open_store

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    choice = find_browser()
    with sync_playwright() as p:
        kwargs = {"executable_path": choice.path} if choice.path else {}
        browser = p.chromium.launch(headless=True, **kwargs)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return Path(build_store(tmp_path_factory.mktemp("serve-browser") / "data"))


@pytest.fixture(scope="module")
def served(data_dir):
    with Served(data_dir, "--lang", "auto") as server:
        yield server


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="en-US", viewport={"width": 1100, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


def test_list_to_article_to_diff_and_the_permalink_in_a_fresh_context(served, page, chromium, tmp_path):
    page.goto(served.url + "/")
    assert page.locator("table.articles tbody tr").count() == 3
    shots = Path(os.environ.get("WATCHER_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(tmp_path / "web-list.png"), full_page=True)
    page.get_by_role("link", name="Council approves bridge repairs after heated debate").click()
    assert page.locator("h1").inner_text() == "Council approves bridge repairs after heated debate"
    assert page.locator("tr.version").count() == 2
    page.locator("a.diff-link").first.click()
    assert urlsplit(page.url).path == f"/a/{article_id(EN_URL)}/diff/1/2"
    diffs = page.locator(".diffs")
    assert "June" in diffs.locator("ins").all_inner_texts()
    assert "May" in diffs.locator("del").all_inner_texts()
    moved = page.locator('.edit[data-op="move"]')
    assert moved.count() == 1 and "covered by the city alone" in moved.locator("ins").inner_text()  # edit inside a move
    assert page.locator('.edit[data-class="cosmetic"]').count() == 0  # hidden unless asked
    page.get_by_role("link", name="Show cosmetic edits").click()
    assert page.locator('.edit[data-class="cosmetic"]').count() == 1
    page.get_by_role("link", name="Side by side").click()
    table = page.locator("table.side-by-side")
    assert "May" in table.locator("td.old del").all_inner_texts()
    assert "June" in table.locator("td.new ins").all_inner_texts()
    page.screenshot(path=str(tmp_path / "web-diff.png"), full_page=True)
    shared = page.locator("a.permalink").get_attribute("href")
    seen = table.inner_text()
    fresh = chromium.new_context()  # a colleague opening the link: no cookies, no history
    try:
        other = fresh.new_page()
        other.goto(served.url + shared)
        assert other.locator("table.side-by-side").inner_text() == seen
        assert other.locator(".message.warn").count() == 0  # the history is the one the link was made from
    finally:
        fresh.close()
    if os.environ.get("WATCHER_SCREENSHOTS"):
        shots.mkdir(parents=True, exist_ok=True)
        for name in ("web-list.png", "web-diff.png"):
            shutil.copy(tmp_path / name, shots / name)


def test_filters_search_and_sort(served, page):
    page.goto(served.url + "/")
    page.select_option('select[name="tag"]', "taiwan")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.articles tbody tr")
    assert rows.count() == 1 and "颱風" in rows.inner_text()
    page.goto(served.url + "/")
    page.fill('input[name="q"]', "BRIDGE")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.articles tbody tr").count() == 1
    assert "Council approves" in page.locator("table.articles tbody").inner_text()
    page.goto(served.url + "/")
    page.select_option('select[name="flag"]', "headline_changed")
    page.select_option('select[name="host"]', "news.example")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.articles tbody tr").count() == 1
    page.select_option('select[name="host"]', "evil.example")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("p.empty").inner_text() == "No article matches."
    page.goto(served.url + "/?sort=headline")
    headlines = page.locator("a.headline").all_inner_texts()
    assert headlines == sorted(headlines, key=str.casefold)


def test_traditional_chinese_labels(served, chromium):
    context = chromium.new_context(locale="zh-TW", extra_http_headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    try:
        tab = context.new_page()
        tab.goto(served.url + "/")
        assert tab.locator("h1").inner_text() == "報導"
        tab.goto(served.url + f"/a/{article_id(ZH_URL)}/diff/1/2")
        assert tab.locator("h2").first.inner_text() == "第 1 → 2 版"
        assert any(label.startswith("內文") for label in tab.locator(".diffs .label").all_inner_texts())
        assert "今天深夜" in tab.locator(".diffs ins").all_inner_texts()[0]
        tab.get_by_role("link", name="English").click()
        assert tab.locator("nav a").nth(1).inner_text() == "Articles"
    finally:
        context.close()


def test_a_hostile_headline_and_raw_page_never_run_or_load_anything(served, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    loaded: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(r.url))
    refused: list[tuple[str, str | None]] = []
    page.on("requestfailed", lambda r: refused.append((r.url, r.failure)))
    ident = article_id(HOSTILE_URL)
    for path in ("/", f"/a/{ident}", f"/a/{ident}/diff/1/2", f"/a/{ident}/diff/1/2?view=side", f"/a/{ident}/v/1"):
        page.goto(served.url + path)
        assert page.evaluate("window.__pwned") is None, path
    headline = page.locator("h1").inner_text()
    assert "<script>" in headline  # shown, as text
    frame = page.frame_locator("iframe.raw")
    assert frame.locator("h1").inner_text() == "raw page"  # the captured page is shown...
    assert page.evaluate("window.__pwned") is None  # ...its script never ran
    assert dialogs == []
    assert {urlsplit(u).hostname for u in loaded} == {"127.0.0.1"}  # nothing loaded from anywhere else:
    assert sorted(refused) == [("https://cdn.evil.example/x.css", "csp"), ("https://evil.example/beacon.png", "csp")]


def test_write_actions_need_the_token(data_dir, chromium, site):
    site.page(
        "/fresh",
        "<html><head><title>Fresh story</title></head><body><article><h1>Fresh story</h1><p>"
        + "The council met on Tuesday to discuss the plan. " * 12
        + "</p></article></body></html>",
    )
    with Served(data_dir) as readonly:
        tab = chromium.new_page()
        tab.goto(readonly.url + f"/a/{article_id(EN_URL)}")
        assert tab.locator("form[method=post]").count() == 0
        assert tab.get_by_role("link", name="Sign in").count() == 0
        assert tab.get_by_text("read-only").count() == 1
        tab.close()
    with Served(data_dir, token=TOKEN) as writable:
        context = chromium.new_context()
        tab = context.new_page()
        tab.goto(writable.url + f"/a/{article_id(EN_URL)}")
        assert tab.get_by_role("button", name="Pause").count() == 0  # not signed in
        tab.get_by_role("link", name="Sign in").click()
        tab.fill('input[name="token"]', "wrong-token-0123456789")
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("alert")).to_have_count(1)
        tab.fill('input[name="token"]', TOKEN)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.get_by_role("button", name="Sign out")).to_have_count(1)
        tab.goto(writable.url + f"/a/{article_id(EN_URL)}")
        tab.get_by_role("button", name="Pause").click()
        expect(tab.locator(".timeline .status").first).to_have_text("paused")
        assert open_store(data_dir).get_article(EN_URL).paused
        tab.get_by_role("button", name="Resume").click()
        expect(tab.get_by_role("button", name="Pause")).to_have_count(1)
        assert not open_store(data_dir).get_article(EN_URL).paused
        tab.goto(writable.url + "/")
        tab.fill('input[name="url"]', site.url("/fresh"))
        tab.get_by_role("button", name="Add", exact=True).click()
        expect(tab.locator("h1")).to_have_text(site.url("/fresh"))
        tab.get_by_role("button", name="Check now").click()
        expect(tab.get_by_role("status")).to_contain_text("checked: new", timeout=90_000)
        expect(tab.locator("h1")).to_have_text("Fresh story")
        tab.get_by_role("button", name="Remove").click()
        expect(tab.locator("h1")).to_have_text("Articles")
        assert site.url("/fresh") not in open_store(data_dir).article_keys()
        context.close()
