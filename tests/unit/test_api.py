"""The public library API: what `import watcher` offers, that it stays light, and README's example runs."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from support.readme import python_blocks

import watcher


def test_every_exported_name_resolves():
    assert set(watcher.__all__) - {"__version__"} == set(watcher._EXPORTS)
    for name in watcher.__all__:
        assert getattr(watcher, name) is not None, name
    assert callable(watcher.extract_article) and callable(watcher.diff_articles) and callable(watcher.open_store)


def test_import_watcher_stays_light():
    # A fresh interpreter: what `import watcher` loads before any name is used.
    heavy = "{'watcher', 'playwright', 'rich', 'lxml', 'tinydb', 'httpx', 'apprise'}"
    code = f"import sys, watcher; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['watcher']"


def test_the_readme_example_without_a_browser_runs_and_prints_the_edits():
    first = python_blocks("Use watcher from Python")[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(first, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "['headline_changed', 'stealth']"
    assert lines[1] == "headline replace (substantive): 'Fire downtown' -> 'Fire downtown injures five'"
    assert lines[2].startswith("body replace (substantive): 'Three people were hurt") and "'Five people" in lines[2]
