"""`watcher demo` end to end: the newsroom's scripted edits are all found, its churning chrome never is."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from lxml import html as lxml_html

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser


def test_short_demo_finds_every_scripted_edit_and_no_chrome(tmp_path):
    data_dir = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "--data-dir", str(data_dir), "demo", "--duration", "36", "--no-dashboard"],
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert "Traceback" not in result.stderr
    found = re.search(r"(\d+) of (\d+) scripted edits found; (\d+) false edits", result.stdout)
    assert found, result.stdout + result.stderr
    hit, total, false_edits = map(int, found.groups())
    assert total == 10
    assert (hit, false_edits) == (total, 0), result.stdout
    assert result.returncode == 0
    assert "MISSED" not in result.stdout

    report = data_dir / "demo-report.html"
    page = lxml_html.fromstring(report.read_text(encoding="utf-8"))
    assert int(page.body.get("data-edit-count")) >= total
    assert page.xpath("//del") and page.xpath("//ins")
