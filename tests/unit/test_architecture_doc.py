"""docs/architecture.md's module table against the modules themselves: a row for every module, a module
for every row, and each row saying what the module's docstring says (its first paragraph)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def table_rows() -> dict[str, str]:
    """path -> job, from the "## Modules" section (a `### watcher/folder/` heading, then `| file | job |` rows)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Modules") :]
    section = section[: section.index("\n## ", 5)]
    rows: dict[str, str] = {}
    folder = None
    for line in section.splitlines():
        heading = re.match(r"### `(watcher/[^`]*)`", line)
        if heading:
            folder = heading.group(1).rstrip("/") + "/"
            continue
        row = re.match(r"\| `([^`]+)` \| (.*) \|$", line)
        if row and folder:
            rows[folder + row.group(1)] = row.group(2)
    return rows


def first_paragraph(path: Path) -> str | None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    return " ".join(doc.split("\n\n")[0].split()) if doc else None


def test_every_module_has_a_row_and_every_row_a_file() -> None:
    rows = table_rows()
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "watcher").rglob("*.py")}
    assert sorted(modules - set(rows)) == [], "modules without a row in docs/architecture.md"
    assert sorted(p for p in rows if not (ROOT / p).exists()) == [], "rows naming files that are not there"


def test_each_row_says_what_the_module_docstring_says() -> None:
    differ = {
        path: (job, first_paragraph(ROOT / path))
        for path, job in table_rows().items()
        if path.endswith(".py") and (ROOT / path).exists() and first_paragraph(ROOT / path) != job
    }
    assert differ == {}, "rows that differ from the module's docstring (row, docstring)"
