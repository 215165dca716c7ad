"""README's "Use watcher from Python" check example, run as written against a local page (real Chromium, real store)."""

from __future__ import annotations

import contextlib
import io

from support.readme import python_blocks

STORY = """<html lang="en"><head><title>Council delays vote</title></head><body><article>
<h1>Council delays vote on the transit budget</h1>
<p>The city council delayed its vote on the transit budget for a third week on Monday, citing new estimates.</p>
<p>Members said they would meet again next Tuesday to hear from the transit authority and residents.</p>
</article></body></html>"""


def test_the_readme_check_example_stores_and_lists_a_version(site, tmp_path, monkeypatch):
    site.page("/news/story", STORY)
    example = python_blocks("Use watcher from Python")[1]
    assert "https://example.com/news/story" in example and "watcher.load_config(None)" in example
    # The reader's URL becomes the local page; the defaults become quick ones (no 5 s wait to confirm).
    config = tmp_path / "watcher.toml"
    config.write_text("[fetch]\nper_host_delay = 0\nsettle_ms = 100\n\n[trust]\nconfirm_delay = 0\n")
    example = example.replace("https://example.com/news/story", site.url("/news/story"))
    example = example.replace("watcher.load_config(None)", f"watcher.load_config({str(config)!r})")
    monkeypatch.chdir(tmp_path)  # "snapshots" is made here, as it would be in the reader's folder
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "new 1"
    assert '"status": "new"' in lines[1] or "'status': 'new'" in lines[1]
    assert lines[2].startswith("1 ") and lines[2].endswith("Council delays vote on the transit budget")
    assert (tmp_path / "snapshots").is_dir()
