"""The fixture sites' pages (tests/fixtures/sites/<site>/<page>/): v1.html as written, and each later version made
from the one before it by the edits in edits.toml, so what changes between versions is written down once, exactly."""

from __future__ import annotations

import tomllib
from pathlib import Path

FIXTURE_SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


def fixture_versions(fixture: str) -> dict[str, str]:
    """{"v1": html, "v2": html, ...} of tests/fixtures/sites/<fixture>, in order."""
    folder = FIXTURE_SITES / fixture
    html = (folder / "v1.html").read_bytes().decode("utf-8")
    versions = {"v1": html}
    edits_file = folder / "edits.toml"
    if edits_file.exists():
        for name, edits in tomllib.loads(edits_file.read_text(encoding="utf-8")).items():
            for edit in edits:
                html = _edited(html, edit["old"], edit["new"], f"{edits_file} [{name}]")
            versions[name] = html
    return versions


def _edited(html: str, old: str, new: str, where: str) -> str:
    # Text standing twice would leave it unclear which place the edit means.
    if (count := html.count(old)) != 1:
        raise ValueError(f"{where}: {old!r} stands {count} times in the page, not once")
    return html.replace(old, new)
