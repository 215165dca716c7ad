"""Screenshots on real layouts: what a picture per version costs and how often the story is found on it.

usage: python bench/screenshots.py [--set dev|dev2|both] [--pages N]

Reads the real pages of shared/extraction-dev(-2) where they are (never copying them) and serves each from
127.0.0.1. Per page, in the same run and on the same browser:
  - the seconds of a render with screenshots off and of one with them on (default caps), as a ratio;
  - the JPEG watcher keeps (quality 70) against a PNG of the same clip, as a size ratio;
  - the share of the extracted story's texts (headline, dek, byline, paragraphs, captions) given a box, in all
    and on pages that fit under the height cap (below the cut a text cannot have one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from common import REPO  # noqa: F401 - puts the repository on sys.path and allows 127.0.0.1
from pages import PageHandler, PageServers
from real_layouts import SETS

from watcher.config import BrowserSettings
from watcher.extract import extract
from watcher.extract.boxes import locate, story_texts
from watcher.fetch import Fetcher
from watcher.fetch import screenshot as shots
from watcher.fetch.screenshot import ScreenshotPolicy
from watcher.models import text_key


async def measure(urls: list[str]) -> None:
    settings = BrowserSettings(nav_timeout=15, deadline=40, retries=0, per_host_delay=0, settle_ms=300)
    off = Fetcher(settings)
    on = off.derive(settings, ScreenshotPolicy(enabled=True))
    timings: list[tuple[float, float]] = []
    sizes: list[tuple[int, int]] = []
    texts = found = texts_uncut = found_uncut = 0
    async with off:
        for url in urls:
            try:
                started = time.monotonic()
                await off.fetch(url)
                plain = time.monotonic() - started
                started = time.monotonic()
                snapshot = await on.fetch(url)
                shot_seconds = time.monotonic() - started
                article = extract(snapshot.html, snapshot.final_url)
            except Exception as exc:  # a page that times out or holds no article is left out, and said so
                print(f"  left out {url}: {type(exc).__name__}", file=sys.stderr)
                continue
            image = snapshot.image
            if image is None:
                print(f"  no screenshot of {url}", file=sys.stderr)
                continue
            timings.append((plain, shot_seconds))
            png = await png_size(on, url)
            if png:
                sizes.append((len(image.data), png))
            keys = {text_key(t) for t in story_texts(article)}
            hits = len(keys & set(locate(article, image).boxes))
            texts, found = texts + len(keys), found + hits
            if image.height >= image.page_height:
                texts_uncut, found_uncut = texts_uncut + len(keys), found_uncut + hits
    ratio = statistics.median(s / p for p, s in timings)
    size_ratio = statistics.median(png / jpeg for jpeg, png in sizes)
    print(f"pages measured: {len(timings)}")
    print(f"render with screenshot / without: median {ratio:.2f}x")
    print(
        f"PNG / JPEG bytes of the same clip: median {size_ratio:.1f}x (JPEG median {statistics.median(j for j, _ in sizes) / 1000:.0f} kB)"
    )
    print(
        f"story texts with a box: {found}/{texts} ({found / max(texts, 1):.1%}); on pages under the cap: "
        f"{found_uncut}/{texts_uncut} ({found_uncut / max(texts_uncut, 1):.1%})"
    )


async def png_size(fetcher: Fetcher, url: str) -> int:
    """The bytes of a PNG of the clip watcher's JPEG shows, taken on the same render right after it (a third
    load of the page; bench only: watcher keeps no PNG)."""
    taken: list[int] = []
    jpeg = shots._take

    async def with_png(page: Any, policy: ScreenshotPolicy) -> Any:
        image = await jpeg(page, policy)
        if image is not None:
            clip = {"x": 0, "y": 0, "width": image.width, "height": image.height}
            taken.append(len(await page.screenshot(type="png", full_page=True, clip=clip)))
        return image

    shots._take = with_png
    try:
        await fetcher.fetch(url)
    finally:
        shots._take = jpeg
    return taken[0] if taken else 0


@contextlib.contextmanager
def serve_pages(pages: dict[str, bytes]) -> Iterator[str]:
    """The pages (path -> HTML bytes) on a free port of 127.0.0.1; yields the base URL."""

    class Handler(PageHandler):
        def do_GET(self) -> None:  # http.server's naming
            body = pages.get(self.path)
            if body is None:
                self.send_page(b"not found", 404, "text/plain")
            else:
                self.send_page(body, 200, "text/html; charset=utf-8")

    with PageServers(hosts=1, handler=Handler) as served:
        host, port = served.servers[0].server_address[:2]
        yield f"http://{host}:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["dev", "dev2", "both"], default="dev")
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    folders = [SETS["dev"], SETS["dev2"]] if args.set == "both" else [SETS[args.set]]
    if not all(f.is_dir() for f in folders):
        sys.exit(f"the real pages are not here ({', '.join(map(str, folders))}); nothing to measure")
    files = [p for folder in folders for p in sorted((folder / "html").glob("*.html.gz"))[: args.pages]]
    with serve_pages({f"/{i}": gzip.decompress(p.read_bytes()) for i, p in enumerate(files)}) as base:
        asyncio.run(measure([f"{base}/{i}" for i in range(len(files))]))


if __name__ == "__main__":
    main()
