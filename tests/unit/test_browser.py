"""Which Chromium watcher launches, decided from the environment and files alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher import errors
from watcher.fetch.browser import LAUNCH_ARGS, BrowserChoice, _playwright_revisions, bundled_chromium, find_browser


def make_exe(path: Path, executable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755 if executable else 0o644)
    return path


@pytest.fixture
def bare(tmp_path: Path) -> dict:
    """Arguments for a machine with no browser anywhere: empty PATH, empty cache, no setup record."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    environ = {"PATH": str(empty_bin), "HOME": str(tmp_path / "home"), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "pw")}
    return {"environ": environ, "prefix": str(tmp_path / "venv"), "revisions": {"chromium": "1255"}, "system_paths": []}


def test_nothing_installed_says_what_to_install(bare):
    with pytest.raises(errors.BrowserMissing) as info:
        find_browser(**bare)
    assert "apt-get install chromium" in str(info.value)
    assert "WATCHER_BROWSER" in str(info.value)


def test_env_override_wins_over_everything(bare, tmp_path):
    chrome = make_exe(tmp_path / "custom" / "chrome")
    make_exe(tmp_path / "bin" / "chromium")
    bare["environ"]["WATCHER_BROWSER"] = str(chrome)
    assert find_browser(**bare) == BrowserChoice(str(chrome), "env")


def test_env_override_that_is_not_executable_is_an_error_not_a_fallback(bare, tmp_path):
    make_exe(tmp_path / "bin" / "chromium")
    bare["environ"]["WATCHER_BROWSER"] = str(make_exe(tmp_path / "custom" / "chrome", executable=False))
    with pytest.raises(errors.BrowserMissing, match="WATCHER_BROWSER"):
        find_browser(**bare)
    bare["environ"]["WATCHER_BROWSER"] = str(tmp_path / "nowhere")
    with pytest.raises(errors.BrowserMissing, match="nowhere"):
        find_browser(**bare)


def test_playwright_bundled_chromium_of_the_expected_revision(bare, tmp_path):
    make_exe(tmp_path / "bin" / "chromium")
    chrome = make_exe(tmp_path / "pw" / "chromium-1255" / "chrome-linux64" / "chrome")
    assert find_browser(**bare) == BrowserChoice(str(chrome), "playwright")


def test_headless_shell_is_preferred_when_both_are_bundled(bare, tmp_path):
    make_exe(tmp_path / "pw" / "chromium-1255" / "chrome-linux" / "chrome")
    shell = make_exe(tmp_path / "pw" / "chromium_headless_shell-1255" / "chrome-linux" / "headless_shell")
    bare["revisions"] = {"chromium": "1255", "chromium_headless_shell": "1255"}
    assert find_browser(**bare).path == str(shell)


def test_bundled_chromium_of_another_revision_is_ignored(bare, tmp_path):
    make_exe(tmp_path / "pw" / "chromium-1100" / "chrome-linux" / "chrome")
    system = make_exe(tmp_path / "bin" / "chromium")
    assert find_browser(**bare) == BrowserChoice(str(system), "system")


def test_default_cache_folder_is_under_home(tmp_path):
    chrome = make_exe(tmp_path / "home" / ".cache" / "ms-playwright" / "chromium-7" / "chrome-linux" / "chrome")
    assert bundled_chromium({"HOME": str(tmp_path / "home")}, {"chromium": "7"}) == str(chrome)


def test_setup_record_naming_playwright_leaves_the_choice_to_playwright(bare, tmp_path):
    make_exe(tmp_path / "bin" / "chromium")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "watcher-browser").write_text("playwright\n")
    assert find_browser(**bare) == BrowserChoice(None, "playwright")


def test_setup_record_with_a_path(bare, tmp_path):
    recorded = make_exe(tmp_path / "opt" / "chromium")
    make_exe(tmp_path / "bin" / "chromium")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "watcher-browser").write_text(f"{recorded}\n")
    assert find_browser(**bare) == BrowserChoice(str(recorded), "setup")


def test_stale_setup_record_falls_through_to_the_system_browser(bare, tmp_path):
    system = make_exe(tmp_path / "bin" / "chromium")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "watcher-browser").write_text(str(tmp_path / "removed" / "chrome"))
    assert find_browser(**bare) == BrowserChoice(str(system), "system")


def test_system_browser_found_on_path_under_any_usual_name(bare, tmp_path):
    chrome = make_exe(tmp_path / "bin" / "google-chrome")
    assert find_browser(**bare) == BrowserChoice(str(chrome), "system")


def test_system_headless_shell_is_preferred_over_a_full_chromium(bare, tmp_path):
    make_exe(tmp_path / "bin" / "chromium")
    shell = make_exe(tmp_path / "bin" / "chromium-headless-shell")
    assert find_browser(**bare) == BrowserChoice(str(shell), "system")


def test_system_browser_found_in_usual_place_when_path_is_minimal(bare, tmp_path):
    chrome = make_exe(tmp_path / "usr-bin" / "chromium")
    bare["system_paths"] = [str(tmp_path / "usr-bin" / "missing"), str(chrome)]
    assert find_browser(**bare) == BrowserChoice(str(chrome), "system")


def test_installed_playwright_manifest_names_a_chromium_revision():
    assert _playwright_revisions().get("chromium", "").isdigit()


def test_launch_args_keep_chromium_quiet_and_container_safe():
    for flag in (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--no-first-run",
    ):
        assert flag in LAUNCH_ARGS
