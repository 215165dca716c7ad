"""`watcher login`: a site's browser state (cookies, storage) imported or captured for its checks, listed, forgotten."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from watcher.app.commands import file_option, json_option
from watcher.app.context import App, pass_app
from watcher.errors import BadInput

if TYPE_CHECKING:
    from watcher.fetch.logins import LoginStates


@click.command()
@click.argument("site", required=False)
@file_option(
    "--import",
    "source",
    help="Read the state from FILE: a Netscape cookies.txt or a Playwright storage-state JSON.",
)
@click.option("--list", "listing", is_flag=True, help="List the sites with a saved state (never their values).")
@click.option("--forget", "forget", is_flag=True, help="Delete SITE's saved state; its checks start fresh again.")
@json_option()
@pass_app
def login(app: App, site: str | None, source: Path | None, listing: bool, forget: bool, as_json: bool) -> None:
    """Use a login for SITE's checks only: `--import FILE`, or sign in in a visible browser (needs a display).

    The state is kept in the data folder's logins/ folder (0700, one 0600 file per site), is loaded only
    into the browser contexts (and HTTP requests) of SITE's own checks, and never appears in output,
    reports, logs or WARC files. Other sites' checks start with no state, as always.
    """
    from watcher.fetch.logins import for_site, read_state_file, site_name

    states = app.runtime.logins()
    if states is None:
        raise BadInput("logins are kept in a data folder; this store has none (pass --data-dir)")
    if listing:
        if site or source or forget:
            raise BadInput("--list takes no SITE, --import or --forget")
        _list(app, states, as_json)
        return
    if not site:
        raise BadInput("name a site: `watcher login SITE --import FILE`, `watcher login --forget SITE` or `--list`")
    name = site_name(site)
    if forget:
        if source:
            raise BadInput("--forget and --import do not go together")
        if not states.forget(name):
            raise BadInput(f"no login saved for {name} (see `watcher login --list`)")
        _say(app, as_json, {"site": name, "forgotten": True}, f"forgot the login for {name}")
        return
    if source is not None:
        state, kind = read_state_file(source)
        mine, others = for_site(state, name)
        if not mine["cookies"] and not mine["origins"]:
            raise BadInput(f"{source} holds no cookies or storage for {name}")
        saved = states.save(name, mine, kind)
    else:
        # Only the site's own part is kept, as with an import (a sign-in may pass through other sites).
        mine, others = for_site(_capture(app, name, states.folder), name)
        saved = states.save(name, mine, "browser")
    left = f"; {others} cookie(s) of other sites left out" if others else ""
    text = f"saved a login for {name}: {saved.cookies} cookie(s), {saved.origins} origin(s) with storage{left}"
    _say(app, as_json, {**saved.to_json(), "left_out": others}, text)


def _say(app: App, as_json: bool, body: dict[str, object], text: str) -> None:
    if as_json:
        app.env.print_json(body)
    else:
        app.env.info(text)


def _list(app: App, states: LoginStates, as_json: bool) -> None:
    saved = states.list()
    if as_json:
        app.env.print_json([s.to_json() for s in saved])
        return
    if not saved:
        app.env.info("no logins saved (`watcher login SITE --import cookies.txt`)")
        return
    for s in saved:
        # In the display zone, as every time shown to people; --json keeps the stored UTC form.
        saved_at = app.long_time(datetime.fromtimestamp(s.saved_at, UTC))
        expiry = f", first cookie expires {app.long_time(datetime.fromtimestamp(s.expires, UTC))}" if s.expires else ""
        app.env.out.print(
            f"{s.site}: {s.cookies} cookie(s), {s.origins} origin(s), from {s.source}, saved {saved_at}{expiry}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def has_display() -> bool:
    """Whether a visible browser window can be opened here (an X or Wayland display)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("darwin", "win32")


def _capture(app: App, site: str, folder: Path) -> dict[str, object]:
    """Open a visible browser on the site, let the user sign in, and keep the state once they close it."""
    if not has_display():
        raise BadInput(
            f"no display to open a browser on (DISPLAY and WAYLAND_DISPLAY are unset); sign in to {site} in a "
            f"browser elsewhere, export its cookies (cookies.txt) and run `watcher login {site} --import FILE`"
        )
    import asyncio
    import contextlib

    from watcher.fetch.browser import find_browser

    async def run() -> dict[str, object]:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            choice = find_browser()
            browser = await pw.chromium.launch(headless=False, executable_path=choice.path)
            try:
                context = await browser.new_context()
                page = await context.new_page()
                with contextlib.suppress(Exception):  # a site that does not answer there: the user navigates
                    await page.goto(f"https://{site}/")
                app.env.info(f"sign in to {site} in the browser window, then close the window")
                await page.wait_for_event("close", timeout=0)
                state = await context.storage_state()
            finally:
                await browser.close()
        return dict(state)

    try:
        return asyncio.run(run())
    except BadInput:
        raise
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadInput(f"could not open a visible browser for {site}: {reason}") from None


COMMANDS = [login]
