"""Finding a Chromium to drive, without starting Playwright's driver."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher import errors

# Flags that let Chromium run headless in containers and CI (no sandbox, no GPU) and keep it
# from phoning home, which would both slow checks and break the "no internet in tests" rule.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

# The headless shell first: it is the build Playwright itself uses for headless work. A full
# Chromium run with --headless sets up a whole browser profile for every new context, and a
# context per check is our isolation rule: measured here, 447 ms of CPU for a fresh context and
# blank page against 80 ms with the shell (Chromium 156), which is most of the cost of a check.
SYSTEM_BROWSERS = ["chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
SYSTEM_PATHS = [
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
]

MISSING_MESSAGE = (
    "no Chromium found: run `bash setup.sh none` or `apt-get install chromium-headless-shell`, "
    "or set WATCHER_BROWSER=/path/to/chrome"
)

# Where Playwright puts each build inside its revision folder; the layout changed between releases.
_BUNDLED_LAYOUTS = [
    ("chromium_headless_shell", "chrome-headless-shell-linux64/chrome-headless-shell"),
    ("chromium_headless_shell", "chrome-linux/headless_shell"),
    ("chromium", "chrome-linux64/chrome"),
    ("chromium", "chrome-linux/chrome"),
]


@dataclass(frozen=True)
class BrowserChoice:
    """The Chromium executable to launch (None: Playwright's default) and why it was chosen."""

    path: str | None
    source: str  # "env" | "playwright" | "setup" | "system"


def _executable(path: str | os.PathLike[str]) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _playwright_revisions() -> dict[str, str]:
    """Chromium revisions the installed Playwright expects, read from its browsers.json."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("playwright")
    except (ImportError, ValueError):
        return {}
    if spec is None or not spec.submodule_search_locations:
        return {}
    for location in spec.submodule_search_locations:
        manifest = Path(location) / "driver" / "package" / "browsers.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {
            b["name"].replace("-", "_"): str(b["revision"])
            for b in data.get("browsers", [])
            if isinstance(b, dict) and "name" in b and "revision" in b
        }
    return {}


def _browsers_dir(environ: Mapping[str, str]) -> Path | None:
    custom = environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if custom == "0":
        return None  # browsers live inside the package; the driver finds them itself
    if custom:
        return Path(custom)
    home = environ.get("HOME") or os.path.expanduser("~")
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return Path(cache) / "ms-playwright"


def bundled_chromium(environ: Mapping[str, str] = os.environ, revisions: Mapping[str, str] | None = None) -> str | None:
    """Path of the Chromium that Playwright downloaded for its own version, if present."""
    root = _browsers_dir(environ)
    if root is None:
        return None
    revisions = _playwright_revisions() if revisions is None else revisions
    for name, relative in _BUNDLED_LAYOUTS:
        revision = revisions.get(name)
        # Only the revision this Playwright expects: an older build may not speak its protocol.
        if revision and _executable(root / f"{name}-{revision}" / relative):
            return str(root / f"{name}-{revision}" / relative)
    return None


def _recorded(prefix: str) -> str | None:
    try:
        return (Path(prefix) / "watcher-browser").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def find_browser(
    environ: Mapping[str, str] = os.environ,
    *,
    prefix: str | None = None,
    revisions: Mapping[str, str] | None = None,
    system_paths: Sequence[str] = SYSTEM_PATHS,
) -> BrowserChoice:
    """Pick the Chromium to launch: WATCHER_BROWSER, Playwright's, setup.sh's record, then the system's."""
    override = environ.get("WATCHER_BROWSER", "").strip()
    if override:
        if not _executable(override):
            raise errors.BrowserMissing(f"WATCHER_BROWSER={override} is not an executable file")
        return BrowserChoice(override, "env")

    bundled = bundled_chromium(environ, revisions)
    if bundled:
        return BrowserChoice(bundled, "playwright")

    recorded = _recorded(sys.prefix if prefix is None else prefix)
    if recorded == "playwright":
        # setup.sh saw `playwright install` succeed; let the driver locate its own build.
        return BrowserChoice(None, "playwright")
    if recorded and _executable(recorded):
        return BrowserChoice(recorded, "setup")

    search_path = environ.get("PATH", os.defpath)
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name, path=search_path)
        if found:
            return BrowserChoice(found, "system")
    # PATH may be minimal (cron, systemd), so look in the usual places too.
    for path in system_paths:
        if _executable(path):
            return BrowserChoice(path, "system")
    raise errors.BrowserMissing(MISSING_MESSAGE)
