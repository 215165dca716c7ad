"""`watcher add` on a URL already watched says what it changed (issue 33 item 7)."""

from __future__ import annotations

from support.cli import watcher


def test_allow_private_on_a_watched_url_says_what_it_changed(tmp_path):
    data = tmp_path / "data"
    url = "http://127.0.0.1:9/news/story"
    assert watcher(data, "add", url, "--no-probe").returncode == 0
    again = watcher(data, "add", url, "--no-probe", "--allow-private")
    assert again.returncode == 0
    assert "nothing changed" not in again.stderr
    assert "may now be on a private or loopback address (--allow-private)" in again.stderr, again.stderr
    same = watcher(data, "add", url, "--no-probe", "--allow-private")
    assert "(nothing changed)" in same.stderr
