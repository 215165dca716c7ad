"""A full disk while a version is written, and a store file edited by hand into invalid JSON."""

from __future__ import annotations

import base64
import json
import os
import shutil

import pytest
from conftest import WATCHED, folder_state, run_cli
from support.cli import data_dir_with, fast_config
from support.pages import article_html
from support.tmpfs import tmpfs

FAST_CONFIG = fast_config(nav_timeout=6, deadline=10, settle_ms=None)


def page(paragraphs: list[str]) -> str:
    return article_html("Storm closes the harbour", paragraphs)


SMALL = page(
    [
        "The harbour closed at noon as the storm arrived from the west.",
        "Ferries to the islands were cancelled until Thursday, the operator said.",
        "Police asked drivers to keep away from the sea front during high tide.",
    ]
)


def big_page() -> str:
    # Random words compress poorly, so the version cannot squeeze into the space left.
    words = base64.b64encode(os.urandom(120_000)).decode()
    paras = [" ".join(words[i + j : i + j + 9] for j in range(0, 8000, 9)) for i in range(0, 160_000, 8000)]
    return page(["The harbour closed at noon as the storm arrived from the west."] + paras)


@pytest.mark.browser  # Chromium in a `watcher` subprocess
def test_disk_full_while_writing_a_version(site, tmp_path):
    with tmpfs(tmp_path / "small", "2m") as mount:
        data = data_dir_with(mount / "data", FAST_CONFIG)
        site.page_versions("/storm", {"small": SMALL, "big": big_page()})
        url = site.url("/storm")
        assert run_cli("--data-dir", str(data), "add", url).code == 0
        first = run_cli("--data-dir", str(data), "check", url, "--json")
        assert first.code == 0 and json.loads(first.out)["status"] == "new", first

        # Leave ~60 KB: enough for the small files of a check, not for the new version's text.
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        filler = mount / "filler"
        filler.write_bytes(b"\0" * max(0, free - 60_000))
        before = folder_state(data)
        site.set_version("/storm", "big")
        full = run_cli("--data-dir", str(data), "check", url, "--json")
        assert full.code == 2, full
        lines = full.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("watcher: error: ") and "disk is full" in lines[0], full.err
        assert "Traceback" not in full.err and full.out == ""
        assert folder_state(data) == before  # the previous store, byte for byte
        history = run_cli("--data-dir", str(data), "history", url, "--json")
        assert [v["version"] for v in json.loads(history.out)] == [1]

        filler.unlink()  # space freed: the next check stores the edit
        after = run_cli("--data-dir", str(data), "check", url, "--json")
        assert after.code == 0 and json.loads(after.out)["status"] == "changed", after
        assert json.loads(after.out)["version"] == 2


# --- the store file corrupted by hand -----------------------------------------------------------

COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["history", WATCHED],
    ["diff", WATCHED],
    ["report"],
    ["add", "https://news.example/new"],
    ["remove", WATCHED],
    ["check", WATCHED],
    ["reextract", WATCHED],
    ["prune", "--keep-raw", "1"],
    ["unfollow", "https://news.example/feed.xml"],
    ["run", "--max-checks", "1"],
    ["card", WATCHED, "-o", "CARD"],
]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not-a-table"])
def test_store_edited_into_invalid_json(data_dir, tmp_path, damage):
    path = data_dir / "watcher.json"
    backup = data_dir / "watcher.json.bak"
    good = path.read_bytes()
    assert backup.exists()
    broken = {
        "truncated": good[: len(good) // 2],
        "garbage": b'{"articles": {"1": oops',
        "empty": b"",
        "not-a-table": b"[1, 2, 3]",
    }[damage]
    path.write_bytes(broken)
    state = folder_state(data_dir)
    for args in COMMANDS:
        args = [str(tmp_path / "card.png") if a == "CARD" else a for a in args]
        outcome = run_cli("--data-dir", str(data_dir), *args)
        assert outcome.code == 2, (args, outcome)
        lines = outcome.err.splitlines()
        assert len(lines) == 1 and "Traceback" not in outcome.err, (args, outcome.err)
        # Names the file and the way back from the automatic backup.
        assert str(path) in lines[0] and f"cp {backup} {path}" in lines[0], (args, lines[0])
        assert path.read_bytes() == broken, f"{args} overwrote the corrupt file"
    assert folder_state(data_dir) == state

    # Following the advice brings every stored version back.
    shutil.copyfile(backup, path)
    history = run_cli("--data-dir", str(data_dir), "history", WATCHED, "--json")
    assert history.code == 0, history
    assert [v["version"] for v in json.loads(history.out)] == [1, 2]
    listed = json.loads(run_cli("--data-dir", str(data_dir), "list", "--json").out)
    assert [a["url"] for a in listed] == [WATCHED]
