"""Waiting for a loaded page to settle: DOM still, no request in flight, no timer about to fire.

A fixed sleep after load made every check pay the worst case; most pages are done well before it.
The page-side halves live in settle.js, read once at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

# After the load event a page counts as settled once its DOM has been still this long with no
# request in flight and no timer due before the settle cap. settle_ms caps the whole wait for
# pages that never go still (tickers, ad rotations, polling).
QUIET_MS = 150


def _scripts(path: Path) -> dict[str, str]:
    """settle.js's sections (`//# name` lines start each), without their leading comment lines."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("//# "):
            current = sections.setdefault(line[4:].strip(), [])
        elif current is not None and (current or not line.lstrip().startswith("//")):
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}


_SCRIPTS = _scripts(Path(__file__).with_name("settle.js"))
TIMER_WATCH = _SCRIPTS["timer_watch"]
STILL_PAGE = _SCRIPTS["still_page"]
PAGE_HTML = _SCRIPTS["page_html"]


async def page_html(page: Any) -> str:
    """The page's HTML as page.content() gives it, read in the page's own world (content() builds a second one
    first); content() itself where the watcher's natives are missing."""
    html = await page.evaluate(PAGE_HTML)
    return html if isinstance(html, str) else await page.content()


async def watch_activity(page: Any) -> set[Any]:
    """Start watching what `settle` waits for; call before navigating. Returns the requests in flight."""
    await page.add_init_script(script=f"({TIMER_WATCH})()")
    in_flight: set[Any] = set()
    # Playwright wants plain functions as handlers (it tags them), not bound builtins.
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    return in_flight


async def settle(page: Any, in_flight: set[Any], until: float) -> None:
    """Wait until the page is still (DOM unchanged for QUIET_MS, no timer due before `until`, no
    request in flight) or `until` (a time.monotonic() moment)."""
    while (left := until - time.monotonic()) > 0:
        quiet = min(QUIET_MS / 1000, left)
        try:
            # A page can break evaluate (its own setTimeout replaced, a busy loop): bound it here.
            await asyncio.wait_for(page.evaluate(STILL_PAGE, [quiet * 1000, left * 1000]), left + 0.2)
        except TimeoutError:
            return
        except Exception:
            if page.is_closed():
                return
            # The page navigated itself (a script redirect): let the new document load, then judge it.
            with contextlib.suppress(Exception):
                await page.wait_for_load_state("load", timeout=max(0.05, until - time.monotonic()) * 1000)
            await asyncio.sleep(0.02)  # a page that breaks evaluate for good must not make this spin
            continue
        if not in_flight:
            return
        while in_flight and time.monotonic() < until:
            await asyncio.sleep(0.02)
