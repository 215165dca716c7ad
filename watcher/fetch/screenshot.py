"""Screenshots of the render a check reads: which pages get one ([archive] screenshots, [[sites]]), and taking it
from the same page the HTML came from, capped in height and bytes, as JPEG, with the boxes of the page's text.

JPEG because Chromium encodes it itself (no image library), its quality is a dial that brings an image under
the byte cap without cutting the page (PNG has none), every browser and mail client shows it, and it is
smaller than PNG at a quality where text stays legible: 1.2x on real pages with their photographs not loaded
(bench/screenshots.py), more where photographs are; Playwright's screenshots offer no WebP.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from watcher.models import PageImage
from watcher.urls import hostname_of, on_domain

log = logging.getLogger(__name__)

MEDIA_TYPE = "image/jpeg"
# A second try at a page whose image is over the byte cap: this quality first, then half the height.
LOWER_QUALITY = 40
# Text blocks measured at most (a page of 30,000 elements measures its first ones), and their text kept.
MAX_BLOCKS = 6000
MAX_BLOCK_TEXT = 4000
# Time kept back for the screenshot from a check's deadline; with less left, the render goes without one.
NEEDS_SECONDS = 1.0

# Every element holding text of its own, and the block elements whose text is spread over their children,
# each with its text as shown and its box on the page (document coordinates). Read-only: nothing on the
# page is changed. The page's scripts run in the same world and could lie about boxes; boxes only place
# outlines, and are clamped to the image.
_BLOCKS_JS = """
(limit) => {
  const blockTags = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "BLOCKQUOTE", "FIGCAPTION",
    "DD", "DT", "TR", "TD", "TH", "PRE", "ADDRESS", "CAPTION", "DIV", "TIME", "SPAN", "A"]);
  const out = [];
  const sx = window.scrollX, sy = window.scrollY;
  const add = (text, r) => {
    if (r.width > 0 && r.height > 0 && r.top + sy < limit.height && text.trim()) {
      out.push([text.slice(0, limit.text),
                [Math.round(r.left + sx), Math.round(r.top + sy), Math.round(r.width), Math.round(r.height)]]);
    }
  };
  const root = document.body || document.documentElement;
  if (!root) return out;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.currentNode; el && out.length < limit.count; el = walker.nextNode()) {
    const own = [];
    for (const n of el.childNodes) {
      if (n.nodeType === 3 && n.data.trim()) own.push(n);
    }
    if (!own.length && !blockTags.has(el.tagName)) continue;
    const text = el.innerText || "";
    add(text, el.getBoundingClientRect());
    // Text that shares its element with other text (paragraphs parted by <br> in one element): each run
    // of it has a box of its own too.
    if (own.length && own.some((n) => n.data.trim().length < text.trim().length)) {
      for (const n of own) {
        if (out.length >= limit.count) break;
        const range = document.createRange();
        range.selectNodeContents(n);
        add(n.data, range.getBoundingClientRect());
      }
    }
  }
  return out;
}
"""
_HEIGHT_JS = """
() => Math.max(document.documentElement ? document.documentElement.scrollHeight : 0,
               document.body ? document.body.scrollHeight : 0)
"""


@dataclass
class ScreenshotPolicy:
    """Which pages get a screenshot, and its limits: [archive] screenshots and its caps, [[sites]] screenshots."""

    enabled: bool = False
    sites: dict[str, bool] = field(default_factory=dict)  # domain -> on/off (subdomains included)
    max_height: int = 12000
    max_bytes: int = 1_500_000
    quality: int = 70

    @classmethod
    def from_config(cls, config: Any) -> ScreenshotPolicy:
        archive = config.archive
        return cls(
            enabled=archive.screenshots,
            sites={
                site.domain.lower().strip("."): site.screenshots
                for site in config.sites
                if site.screenshots is not None
            },
            max_height=archive.screenshot_max_height,
            max_bytes=archive.screenshot_max_bytes,
            quality=archive.screenshot_quality,
        )

    def wants(self, url: str) -> bool:
        """Whether a render of `url` is photographed: its site's setting (the most specific domain), else the
        global one."""
        host = hostname_of(url).lower()
        matching = [domain for domain in self.sites if on_domain(host, domain)]
        if matching:
            return self.sites[max(matching, key=len)]
        return self.enabled


async def take(page: Any, policy: ScreenshotPolicy, deadline: float) -> PageImage | None:
    """A screenshot of the page as it now stands (the render its HTML was just read from), within the check's
    `deadline` (time.monotonic()); None when it cannot be had in time or within the byte cap. Never raises:
    a check does not fail for want of a picture."""
    if deadline - time.monotonic() < NEEDS_SECONDS:
        log.info("no screenshot of %s: the check's deadline is too near", page.url)
        return None
    try:
        return await asyncio.wait_for(_take(page, policy), deadline - time.monotonic())
    except Exception as exc:  # a page that navigated away, a crashed tab, the deadline
        log.info("no screenshot of %s: %s", page.url, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None


async def _take(page: Any, policy: ScreenshotPolicy) -> PageImage | None:
    viewport = page.viewport_size or {"width": 1280, "height": 720}
    width, view_height = int(viewport["width"]), int(viewport["height"])
    page_height = max(int(await page.evaluate(_HEIGHT_JS) or 0), 1)
    height = min(page_height, policy.max_height)
    raw = await page.evaluate(_BLOCKS_JS, {"count": MAX_BLOCKS, "height": height, "text": MAX_BLOCK_TEXT})
    quality = policy.quality
    while True:
        data = await page.screenshot(
            type="jpeg",
            quality=quality,
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
            caret="hide",
        )
        if len(data) <= policy.max_bytes:
            break
        if quality > LOWER_QUALITY:
            quality = LOWER_QUALITY
        elif height > view_height:
            height = max(view_height, height // 2)
        else:
            log.info("no screenshot of %s: over %d bytes even at its smallest", page.url, policy.max_bytes)
            return None
    return PageImage(
        data=data,
        media_type=MEDIA_TYPE,
        width=width,
        height=height,
        page_height=page_height,
        blocks=_clamped(raw, width, height),
    )


def _clamped(raw: Any, width: int, height: int) -> list[tuple[str, list[int]]]:
    """The blocks the page reported, as (text, [x, y, w, h]) inside the image; anything malformed is left out."""
    blocks: list[tuple[str, list[int]]] = []
    for item in raw if isinstance(raw, list) else ():
        try:
            text, (x, y, w, h) = item
            x, y, w, h = (int(v) for v in (x, y, w, h))
        except (TypeError, ValueError):
            continue
        if not isinstance(text, str) or y >= height or x >= width:
            continue
        left, top = max(0, x), max(0, y)
        right, bottom = min(x + w, width), min(y + h, height)
        if right > left and bottom > top:
            blocks.append((text, [left, top, right - left, bottom - top]))
    return blocks
