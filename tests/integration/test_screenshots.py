"""A picture of each version: real Chromium renders a local page, the check stores a screenshot of that same
render (when on, globally or for the site), capped on a very tall page; the HTML report shows it beside the
diff with the changed paragraph outlined where it stood on the page; pruning the raw HTML removes it."""

from __future__ import annotations

import base64
import io
import os
import re
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.cli import checked, data_dir_with, fast_config

from watcher.config import load_config
from watcher.fetch.screenshot import ScreenshotPolicy
from watcher.models import Screenshot, text_key
from watcher.report.collect import build_report
from watcher.report.shots import OUTLINE_GAP as GAP
from watcher.store import open_store
from watcher.times import utcnow

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator, Page

# Every test renders in Chromium, some through `watcher` subprocesses that name no browser fixture.
pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]

# Every block of the test page has a fixed place: the page's own layout says where paragraph N is, so the
# outline's position is checked against the page, not against what watcher measured.
HEAD_PX = 200  # the headline block
PARA_PX = 100  # each paragraph's height
WIDTH = 1280  # Chromium's default viewport

STYLE = (
    "<style>body{margin:0;font:16px sans-serif} h1{margin:0;height:200px;font-size:40px}"
    " p{margin:0;height:100px;overflow:hidden} nav{position:absolute;top:0;right:0}</style>"
)


def story(paragraphs: list[str], extra_height: int = 0) -> str:
    filler = f'<div style="height:{extra_height}px"></div>' if extra_height else ""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<html><head><title>Harbour bridge closed</title>{STYLE}</head><body><article>"
        f"<h1>Harbour bridge closed</h1>{body}</article>{filler}</body></html>"
    )


PARAS = [
    f"Paragraph {n}: the harbour bridge stays closed to traffic while engineers inspect the cables again."
    for n in range(1, 9)
]
EDITED = [
    *PARAS[:4],
    "Paragraph 5: the harbour bridge reopened to traffic on Friday after engineers passed it.",
    *PARAS[5:],
]


def config(archive: str = "", sites: str = "") -> str:
    return fast_config(retries=0, extra=f"[archive]\n{archive}\n\n{sites}")


def run_checks(tmp_path: Path, browser, site, toml: str, path: str = "/bridge", versions=None, apart=False):
    """A new version, then (with two page versions) an edit; `apart`: the edit in a later second than version 1
    (capture times are kept to the second, and pruning cuts by them)."""
    data = data_dir_with(tmp_path / "data", toml)
    site.page_versions(path, versions or {"v1": story(PARAS), "v2": story(EDITED)})
    url = site.url(path)
    store = open_store(data)
    store.add_article(url)
    fetcher = browser.fetcher(None, ScreenshotPolicy.from_config(load_config(data / "watcher.toml")))
    assert checked(data, fetcher, url)[0].status == "new"
    if len(versions or "ab") > 1:
        site.set_version(path, "v2")
        if apart:
            first = int(time.time())
            while int(time.time()) == first:
                time.sleep(0.02)
        assert checked(data, fetcher, url)[0].status == "changed"
    return data, url, open_store(data)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker, read independently of watcher."""
    stream = io.BytesIO(data)
    assert stream.read(2) == b"\xff\xd8", "not a JPEG"
    while True:
        marker, length = struct.unpack(">2sH", stream.read(4))
        if marker[1] in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">xHH", stream.read(5))
            return width, height
        stream.seek(length - 2, 1)


def test_each_stored_version_keeps_a_screenshot_of_its_render(tmp_path, browser, site):
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    versions = store.list_versions(url)
    assert [v.number for v in versions] == [1, 2]
    for version in versions:
        shot = version.screenshot
        assert shot is not None
        image = store.get_screenshot(version)
        assert image is not None and len(image) == shot.size
        assert jpeg_size(image) == (WIDTH, HEAD_PX + 8 * PARA_PX) == (shot.width, shot.height)
    # The changed paragraph was found on the page where the page's layout put it (the 5th paragraph).
    new = versions[1].screenshot
    assert new is not None
    x, y, w, h = new.boxes[text_key(EDITED[4])]
    assert (y, h) == (HEAD_PX + 4 * PARA_PX, PARA_PX) and x == 0 and w == WIDTH
    assert new.boxes[text_key("Harbour bridge closed")][1] == 0
    # history --json and report JSON say what the picture is, never its bytes.
    listed = versions[1].to_json()["screenshot"]
    assert listed == {
        "digest": f"sha256:{new.digest}",
        "media_type": "image/jpeg",
        "width": WIDTH,
        "height": HEAD_PX + 8 * PARA_PX,
        "bytes": new.size,
        "cut": False,
    }
    report = build_report(
        store, urls=[url], tags=[], start=None, end=None, window="", fmt="json", include_cosmetic=False
    )
    assert f'"digest": "sha256:{new.digest}"' in report and "base64" not in report


def test_with_screenshots_on_versions_are_rendered_and_unchanged_checks_still_asked_of_the_server(
    tmp_path, browser, site
):
    """Fast checks (auto mode) store a static page's versions from its raw HTML, which no picture can show: with
    screenshots on, the first version and an edit come from a render (each with its picture), while a check
    that finds the story unchanged is still answered by the server alone."""
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    assert [(v.source_name, v.screenshot is not None) for v in store.list_versions(url)] == [
        ("browser", True),
        ("browser", True),
    ]
    fetcher = browser.fetcher(None, ScreenshotPolicy.from_config(load_config(data / "watcher.toml")))
    again = checked(data, fetcher, url)[0]
    assert (again.status, again.source) == ("unchanged", "http")


def test_no_screenshot_when_off_globally_or_for_the_site(tmp_path, browser, site):
    _, url, store = run_checks(tmp_path / "off", browser, site, config())
    assert all(v.screenshot is None for v in store.list_versions(url))
    on_but_not_here = config("screenshots = true", '[[sites]]\ndomain = "127.0.0.1"\nscreenshots = false\n')
    _, url, store = run_checks(tmp_path / "site-off", browser, site, on_but_not_here, path="/b2")
    assert all(v.screenshot is None for v in store.list_versions(url))
    # ...and the other way round: off in general, on for this site.
    only_here = config("", '[[sites]]\ndomain = "127.0.0.1"\nscreenshots = true\n')
    _, url, store = run_checks(tmp_path / "site-on", browser, site, only_here, path="/b3")
    assert all(v.screenshot is not None for v in store.list_versions(url))


def test_a_very_tall_page_is_cut_at_the_height_and_byte_caps(tmp_path, browser, site):
    tall = {"v1": story(PARAS, extra_height=40_000)}
    toml = config("screenshots = true\nscreenshot_max_height = 3000\nscreenshot_max_bytes = 60000")
    _, url, store = run_checks(tmp_path, browser, site, toml, versions=tall)
    (version,) = store.list_versions(url)
    shot = version.screenshot
    assert shot is not None
    image = store.get_screenshot(version)
    assert image is not None and len(image) <= 60000
    width, height = jpeg_size(image)
    assert width == WIDTH and height <= 3000 and (width, height) == (shot.width, shot.height)
    assert shot.page_height >= 40_000 + HEAD_PX and version.to_json()["screenshot"]["cut"] is True


def test_the_html_report_shows_the_page_with_the_changed_paragraph_outlined(tmp_path, browser, site):
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    old, new = store.list_versions(url)
    html = build_report(store, urls=[url], tags=[], start=None, end=None, window="", fmt="html", include_cosmetic=False)
    after = re.search(r'<figure class="shot shot-after"[^>]*data-version="2"[^>]*>(.*?)</figure>', html, re.S)
    assert after is not None, "no picture of v2 beside the diff"
    figure = after.group(1)
    # The picture itself, embedded (a self-contained report), once per version.
    image = store.get_screenshot(new)
    assert image is not None
    assert f'href="data:image/jpeg;base64,{base64.b64encode(image).decode()}"' in figure
    # One outline, around the 5th paragraph's place on the page (GAP clear of its text): in the cropped view
    # and on the whole page.
    rects = re.findall(r'<rect class="shot-new" x="(-?\d+)" y="(\d+)" width="(\d+)" height="(\d+)">', figure)
    outline = (str(-GAP), str(HEAD_PX + 4 * PARA_PX - GAP), str(WIDTH + 2 * GAP), str(PARA_PX + 2 * GAP))
    assert rects == [outline] * 2
    # The cropped view is around that paragraph, and the whole page is one click away.
    top, height = map(int, re.search(r'viewBox="0 (\d+) 1280 (\d+)"', figure).groups())  # full-width text
    assert top <= HEAD_PX + 4 * PARA_PX and top + height >= HEAD_PX + 5 * PARA_PX
    assert "<details" in figure and 'viewBox="0 0 1280 1000"' in figure
    # The page before: the replaced paragraph outlined where it stood.
    before = re.search(r'<figure class="shot shot-before"[^>]*data-version="1"[^>]*>(.*?)</figure>', html, re.S)
    assert before is not None
    old_rects = re.findall(r'<rect class="shot-old" x="-?\d+" y="(\d+)"', before.group(1))
    assert old_rects == [str(HEAD_PX + 4 * PARA_PX - GAP)] * 2
    # --no-screenshots (and other formats) leave pictures out.
    plain = build_report(
        store,
        urls=[url],
        tags=[],
        start=None,
        end=None,
        window="",
        fmt="html",
        include_cosmetic=False,
        screenshots=False,
    )
    assert "shot-after" not in plain and "data:image" not in plain
    # A damaged image (a disk error, a hand edit) costs that picture only, never the report.
    assert old.screenshot is not None
    (data / "blobs" / old.screenshot.digest[:2] / f"{old.screenshot.digest[2:]}.gz").write_bytes(b"not gzip")
    damaged = build_report(
        store, urls=[url], tags=[], start=None, end=None, window="", fmt="html", include_cosmetic=False
    )
    assert "shot-after" in damaged and "shot-before" not in damaged


def test_pruning_raw_html_removes_the_screenshots(tmp_path, browser, site):
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    versions = store.list_versions(url)
    blobs = [data / "blobs" / v.screenshot.digest[:2] / f"{v.screenshot.digest[2:]}.gz" for v in versions]
    assert all(path.is_file() for path in blobs)
    assert store.prune_raw(utcnow() + timedelta(seconds=1)) == 2
    store = open_store(data)
    pruned = store.list_versions(url)
    assert all(v.screenshot is None and store.get_screenshot(v) is None for v in pruned)
    assert not any(path.exists() for path in blobs)
    assert all(v.article.body for v in pruned)  # the versions themselves stay


def test_pruning_keeps_the_screenshots_of_newer_versions(tmp_path, browser, site):
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"), apart=True)
    old, new = store.list_versions(url)
    assert store.prune_raw(new.captured_at) == 1
    store = open_store(data)
    old, new = store.list_versions(url)
    assert old.screenshot is None and new.screenshot is not None
    assert store.get_screenshot(new) is not None


def test_the_web_view_shows_the_screenshots_under_its_csp(tmp_path, browser, site):
    from playwright.sync_api import sync_playwright
    from support.web import Served, article_id

    from watcher.fetch.browser import find_browser

    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    old, new = store.list_versions(url)
    ident = article_id(url)
    with Served(data) as served, sync_playwright() as p:
        path = find_browser().path
        chromium = p.chromium.launch(headless=True, **({"executable_path": path} if path else {}))
        try:
            tab = chromium.new_page()
            refused: list[str] = []
            tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            images: dict[str, bytes] = {}
            tab.on("response", lambda r: images.__setitem__(r.url, r.body()) if "/screenshot" in r.url else None)
            tab.goto(f"{served.url}/a/{ident}/diff/1/2")
            after = tab.locator("figure.shot-after")
            assert after.is_visible() and after.get_attribute("data-version") == "2"
            rect = after.locator("svg.shot-view").first.locator("rect.shot-new")
            outline = [str(v) for v in (-GAP, 600 - GAP, 1280 + 2 * GAP, 100 + 2 * GAP)]
            assert [rect.get_attribute(k) for k in ("x", "y", "width", "height")] == outline
            # The outline is drawn on screen around the 5th paragraph's place in the picture, scaled with it.
            box = rect.bounding_box()
            view = after.locator("svg.shot-view").first.bounding_box()
            assert box is not None and view is not None
            assert box["width"] == pytest.approx(view["width"] * (1280 + 2 * GAP) / 1280, abs=2)
            assert tab.locator("figure.shot-before rect.shot-old").count() == 2
            tab.wait_for_load_state("networkidle")
            assert images[f"{served.url}/a/{ident}/v/2/screenshot"] == store.get_screenshot(new)
            assert images[f"{served.url}/a/{ident}/v/1/screenshot"] == store.get_screenshot(old)
            # The version page shows the whole picture as an image the browser decoded.
            tab.goto(f"{served.url}/a/{ident}/v/2")
            shown = tab.locator("img.screenshot")
            assert shown.evaluate("img => img.complete && img.naturalWidth") == 1280
            assert refused == []
            # A version without one answers 404, not an empty image.
            store.prune_raw(utcnow() + timedelta(seconds=1))
            assert served.get(f"/a/{ident}/v/2/screenshot").status_code == 404
        finally:
            chromium.close()


def test_notifications_carry_the_screenshot_when_a_target_asks(tmp_path, site, receiver):
    """`watcher check` (its own Chromium): a webhook target with attach_screenshot gets the image in the JSON
    it receives, an Apprise target (json://, a real Apprise plugin) as an attachment; a target without the
    option gets only what the picture is."""
    host = receiver.url.removeprefix("http://")
    targets = (
        f'[[notify]]\nurl = "{receiver.url}/with"\nattach_screenshot = true\n\n'
        f'[[notify]]\nurl = "{receiver.url}/without"\n\n'
        f'[[notify]]\nurl = "json://{host}/apprise"\nattach_screenshot = true\n'
    )
    data = data_dir_with(tmp_path / "data", config("screenshots = true", targets))
    site.page_versions("/bridge", {"v1": story(PARAS), "v2": story(EDITED)})
    url = site.url("/bridge")
    from support.cli import ok

    ok(data, "add", url)
    ok(data, "check", url)
    site.set_version("/bridge", "v2")
    ok(data, "check", url)
    assert receiver.wait_for(lambda: len(receiver.posts) >= 3, timeout=30), receiver.posts
    store = open_store(data)
    new = store.list_versions(url)[1]
    image = store.get_screenshot(new)
    assert image is not None and new.screenshot is not None
    (with_image,) = receiver.got("/with")
    assert with_image["version"] == 2 and with_image["screenshot"]["digest"] == f"sha256:{new.screenshot.digest}"
    assert base64.b64decode(with_image["screenshot"]["data"]) == image
    (without,) = receiver.got("/without")
    assert without["screenshot"]["digest"] == f"sha256:{new.screenshot.digest}" and "data" not in without["screenshot"]
    # history --json, as a user runs it: what each picture is, not the picture.
    import json

    listed = json.loads(ok(data, "history", "--json", url))
    assert [v["screenshot"]["digest"] for v in listed] == [
        f"sha256:{v.screenshot.digest}" for v in store.list_versions(url) if v.screenshot
    ]
    assert all("data" not in v["screenshot"] for v in listed)
    (apprise,) = receiver.got("/apprise")
    (attached,) = apprise["attachments"]
    assert attached["filename"] == "watcher-v2-screenshot.jpg" and attached["mimetype"] == "image/jpeg"
    assert base64.b64decode(attached["base64"]) == image


def test_the_card_shows_a_thumbnail_with_the_edit_outlined(tmp_path, browser, site):
    from watcher.report import ReportEntry, card_html
    from watcher.report.shots import data_uri

    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"))
    old, new = store.list_versions(url)
    entry = ReportEntry(article=store.get_article(url), old=old, new=new)
    image = data_uri(store.get_screenshot)(new)
    assert image is not None and image.startswith("data:image/jpeg;base64,")
    html = card_html(entry, image=image)
    thumb = re.search(r'<figure class="thumb">(.*?)</figure>', html, re.S)
    assert thumb is not None and f'href="{image}"' in thumb.group(1)
    assert re.findall(r'<rect class="shot-new" x="-?\d+" y="(\d+)"', thumb.group(1)) == [
        str(HEAD_PX + 4 * PARA_PX - GAP)
    ]
    assert "thumb" not in card_html(entry)  # --no-screenshot, or none kept
    png = browser.fetcher().render_png_sync(html, 1200)
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24])[0] == 1200


# A story as a newsroom lays it out (a narrow column, a photo, a dek and byline), for the README's picture.
NEWS_CSS = (
    "<style>body{margin:0;font:18px Georgia,serif;color:#222;background:#fafaf7}"
    " header.site{background:#123;color:#fff;padding:14px 40px;font:bold 22px sans-serif}"
    " main{max-width:720px;margin:30px auto} h1{font-size:38px;line-height:1.15;margin:0 0 10px}"
    " .dek{font-size:21px;color:#555} .byline{font:14px sans-serif;color:#777;margin:14px 0 24px}"
    " p{line-height:1.55} figure{margin:20px 0;background:#ccd;height:260px}"
    " figcaption{font:13px sans-serif;color:#666;padding-top:270px}</style>"
)
NEWS = [
    "The city's harbour bridge will stay closed to all traffic until at least next Monday, officials said on"
    " Wednesday, after engineers found corrosion in two of its main suspension cables.",
    "Around 40,000 vehicles cross the bridge each day. Commuters were told to expect delays of up to an hour on"
    " the ring road and the two ferry lines, which will run extra services.",
    "\u201cSafety comes first, and we will not reopen the bridge until every cable has been checked,\u201d said"
    " the transport minister, Ana Ruiz.",
    "The inspection began after a routine survey in October flagged unusual wear near the northern tower.",
    "Repairs are expected to cost about 12 million euros, according to the city's engineering office.",
    "Shop owners near the southern ramp said trade had already fallen since the lane closures began last month.",
    "The bridge, opened in 1964, was last fully refurbished in 2009.",
]
NEWS_EDITED = [
    NEWS[0],
    NEWS[1].replace("40,000", "55,000").replace("an hour", "two hours"),
    *NEWS[2:4],
    NEWS[4]
    .replace("12 million euros", "18 million euros")
    .replace("office.", "office, which had earlier said 12 million."),
    *NEWS[5:],
]


def news_page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:3])
    body += "<figure><figcaption>The harbour bridge seen from the north shore.</figcaption></figure>"
    body += "".join(f"<p>{p}</p>" for p in paragraphs[3:])
    return (
        f"<html><head><title>Harbour bridge to stay closed</title>{NEWS_CSS}</head><body>"
        "<header class=site>The Daily Tide</header><main><article><h1>Harbour bridge to stay closed until Monday</h1>"
        "<p class=dek>Engineers found corrosion in two main cables</p><p class=byline>By Jo Marsh</p>"
        f"{body}</article></main></body></html>"
    )


@contextmanager
def news_report_in_chromium(tmp_path: Path, browser, site) -> Iterator[tuple[Page, Screenshot]]:
    """The HTML report of the news page whose 2nd and 5th paragraphs were edited, as a reader's Chromium draws
    it at 1280x1000: yields the tab and the newer version's stored screenshot."""
    from playwright.sync_api import sync_playwright

    from watcher.fetch.browser import find_browser

    versions = {"v1": news_page(NEWS), "v2": news_page(NEWS_EDITED)}
    data, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"), versions=versions)
    html = build_report(
        store, urls=[url], tags=[], start=None, end=None, window="last 7d", fmt="html", include_cosmetic=False
    )
    new = store.list_versions(url)[1].screenshot
    assert new is not None
    with sync_playwright() as p:
        path = find_browser().path
        chromium = p.chromium.launch(headless=True, **({"executable_path": path} if path else {}))
        try:
            tab = chromium.new_page(viewport={"width": 1280, "height": 1000})
            tab.set_content(html, wait_until="load")
            yield tab, new
        finally:
            chromium.close()


def after_picture(tab: Page) -> tuple[float, float, FloatRect, float, Locator]:
    """The report's first "after" picture as the browser drew it: the page position (left, top) its view starts
    at, its box on screen, the screen pixels per page pixel, and its outlines of new text."""
    view = tab.locator("figure.shot-after svg.shot-view").first
    left, top, width, _ = map(float, (view.get_attribute("viewBox") or "").split())
    frame = view.bounding_box()
    assert frame is not None
    return left, top, frame, frame["width"] / width, view.locator("rect.shot-new")


def test_in_the_rendered_report_each_outline_sits_on_its_paragraph_in_the_picture(tmp_path, browser, site):
    """The report as a reader's browser draws it: each outline lies over the changed paragraph's place in the
    scaled picture (WATCHER_SCREENSHOTS=docs also saves it as docs/report-screenshot.png for the README)."""
    with news_report_in_chromium(tmp_path, browser, site) as (tab, new):
        wanted = sorted(new.boxes[text_key(t)][1] for t in (NEWS_EDITED[1], NEWS_EDITED[4]))
        left, top, frame, scale, rects = after_picture(tab)
        assert rects.count() == 2
        for n, y in enumerate(wanted):
            drawn = rects.nth(n).bounding_box()
            assert drawn is not None
            # Where the paragraph stood on the page, scaled into the picture as the browser drew it.
            assert drawn["y"] == pytest.approx(frame["y"] + (y - GAP - top) * scale, abs=2)
            assert frame["x"] <= drawn["x"] and drawn["x"] + drawn["width"] <= frame["x"] + frame["width"] + 1
        folder = os.environ.get("WATCHER_SCREENSHOTS")
        if folder:
            target = Path(folder) if Path(folder).is_absolute() else REPO / folder
            tab.screenshot(path=str(target / "report-screenshot.png"), full_page=True)


def test_in_the_rendered_report_no_outline_covers_the_text_it_points_at(tmp_path, browser, site):
    """The picture is drawn at about a quarter of its size while an outline's stroke keeps its width on screen:
    drawn on the paragraph's own box, the stroke's inner half hid the changed line under an orange bar. Each
    stroke, as the reader's browser draws it, must lie wholly outside the paragraph it outlines."""
    with news_report_in_chromium(tmp_path, browser, site) as (tab, new):
        paragraphs = sorted(new.boxes[text_key(t)] for t in (NEWS_EDITED[1], NEWS_EDITED[4]))
        paragraphs.sort(key=lambda b: b[1])
        left, top, frame, scale, rects = after_picture(tab)
        assert rects.count() == len(paragraphs)
        for n, (x, y, w, h) in enumerate(paragraphs):
            drawn = rects.nth(n).bounding_box()  # the rect's geometry; its stroke is centred on that edge
            assert drawn is not None
            half = float(rects.nth(n).evaluate("r => parseFloat(getComputedStyle(r).strokeWidth)")) / 2
            text_top = frame["y"] + (y - top) * scale
            text_bottom = frame["y"] + (y + h - top) * scale
            text_left = frame["x"] + (x - left) * scale
            text_right = frame["x"] + (x + w - left) * scale
            assert drawn["y"] + half <= text_top, (drawn, text_top)
            assert drawn["y"] + drawn["height"] - half >= text_bottom, (drawn, text_bottom)
            assert drawn["x"] + half <= text_left and drawn["x"] + drawn["width"] - half >= text_right


def test_the_whole_page_opens_at_full_size_so_its_text_can_be_read(tmp_path, browser, site):
    """Beside the diff the picture is a quarter of its size, too small to read or quote a line from; "Whole page"
    drew the page at that same width. Opened, it must show the page pixel for pixel (scrolling in its frame)."""
    with news_report_in_chromium(tmp_path, browser, site) as (tab, new):
        figure = tab.locator("figure.shot-after").first
        figure.locator("details.shot-whole summary").click()
        whole = figure.locator("details.shot-whole svg.shot-view")
        drawn = whole.evaluate("e => [e.clientWidth, e.clientHeight]")  # inside its 1 px border
        assert drawn == [new.width, new.height]
        # ... inside a frame that scrolls, not spilling over the diff beside it or off the report.
        frame, beside = (
            figure.bounding_box(),
            tab.locator("figure.shot-after").first.evaluate("f => f.closest('.shots').getBoundingClientRect().right"),
        )
        frame_box = figure.locator("details.shot-whole").bounding_box()
        assert frame is not None and frame_box is not None and frame_box["x"] + frame_box["width"] <= beside + 1


def test_paragraphs_parted_by_line_breaks_and_table_rows_are_found_each_in_its_place(tmp_path, browser, site):
    """Layouts without a paragraph element per paragraph: text parted by <br><br> in one element, and a table
    whose rows extraction reads as paragraphs; each text gets its own box, in page order."""
    lines = [f"Line {n} of a story written in one block and parted by line breaks, as old blogs do." for n in range(6)]
    rows = "".join(f"<tr><td>{n}</td><td>Driver {n}</td><td>{5000 - n}</td></tr>" for n in range(1, 4))
    html = (
        "<html><head><title>Race results</title></head><body><article><h1>Race results</h1>"
        f"<div class=post>{'<br><br>'.join(lines)}</div><table>{rows}</table></article></body></html>"
    )
    _, url, store = run_checks(tmp_path, browser, site, config("screenshots = true"), versions={"v1": html})
    (version,) = store.list_versions(url)
    shot = version.screenshot
    assert shot is not None
    body = version.article.body
    assert lines[0] in body and len(body) >= len(lines)
    tops = [shot.boxes[text_key(p)][1] for p in body if text_key(p) in shot.boxes]
    assert len(tops) == len(body), (len(tops), body)
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # each its own place, in reading order


def test_a_diff_read_backwards_shows_each_side_with_its_own_picture(tmp_path, browser, site):
    """/diff/2/1 shows v2 as "before" and v1 as "after": the pictures follow the diff's own sides, each with the
    texts of its side outlined, not the versions' order."""
    from support.web import Served, article_id

    data, url, _ = run_checks(tmp_path, browser, site, config("screenshots = true"))
    with Served(data) as served:
        page = served.get(f"/a/{article_id(url)}/diff/2/1").text
    after = re.search(r'<figure class="shot shot-after"[^>]*>', page)
    before = re.search(r'<figure class="shot shot-before"[^>]*>', page)
    assert after is not None and 'data-version="1"' in after.group() and 'data-outlines="1"' in after.group()
    assert before is not None and 'data-version="2"' in before.group()
