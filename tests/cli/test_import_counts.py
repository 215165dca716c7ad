"""`watcher import` counts what it skipped in words that agree with the count."""

from __future__ import annotations

from support.cli import watcher


def test_one_skipped_entry_is_one_entry(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text("https://news.example/2026/12/07/a-story\nhttps://bad\x01host.example/x\n")
    done = watcher(tmp_path / "data", "import", str(listing))
    assert done.returncode == 0, done.stderr
    assert "imported 1 new article and 0 new feeds" in done.stderr + done.stdout
    assert "; 1 entry skipped, e.g." in done.stderr + done.stdout, done.stderr
