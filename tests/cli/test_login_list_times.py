"""`watcher login --list` shows when a login was saved and when its first cookie expires in the display zone, as
every time shown to people is (`--tz`); `--json` keeps UTC."""

from __future__ import annotations

import json
import re

from support.cli import watcher


def test_login_list_times_are_in_the_display_zone(tmp_path):
    jar = tmp_path / "cookies.txt"
    jar.write_text("news.example\tFALSE\t/\tFALSE\t4102444800\tsid\tsecret\n")  # expires 2100-01-01 00:00 UTC
    data = tmp_path / "data"
    assert watcher(data, "login", "news.example", "--import", str(jar)).returncode == 0
    shown = watcher(data, "--tz", "Asia/Taipei", "login", "--list")
    assert shown.returncode == 0, shown.stderr
    line = shown.stdout + shown.stderr
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", line), line  # no stored ISO form
    assert "first cookie expires 2100-01-01 08:00" in line, line
    listed = json.loads(watcher(data, "login", "--list", "--json").stdout)
    assert listed[0]["expires"] == "2100-01-01T00:00:00Z"
