"""`watcher show` and `watcher extract` print each paragraph beside its number, wrapped lines indented under it."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from watcher.models import Article
from watcher.render.tables import article_panel
from watcher.render.theme import THEME

CHINESE = "中央氣象署今天上午發布陸上颱風警報，花蓮與台東地區已有五千人撤離，預計今晚風雨最為強烈，請民眾注意安全。"
ENGLISH = (
    "The U.S. Supreme Court on Monday upheld a state rule limiting groundwater pumping, ruling 6-3 that the "
    "state had acted within its powers."
)


def panel_rows(article: Article, width: int = 60) -> list[str]:
    """The panel's inner lines, its borders cut off."""
    console = Console(width=width, file=StringIO(), color_system=None, theme=THEME, legacy_windows=False)
    console.print(article_panel(article))
    return [line[1:-1].rstrip() for line in console.file.getvalue().splitlines() if line.startswith("│")]


@pytest.mark.parametrize("paragraph", [CHINESE, ENGLISH])
def test_a_long_paragraph_starts_beside_its_number_and_wraps_indented(paragraph):
    rows = panel_rows(Article(headline="H", body=[paragraph], lang="en"))
    start = next(i for i, row in enumerate(rows) if paragraph[:8] in row)
    assert rows[start].split()[0] == "1", rows  # the number and the paragraph's first words on one line
    column = rows[start].index(paragraph[:8])
    wrapped = rows[start + 1 :]
    assert wrapped, rows
    # Every wrapped line starts in the paragraph's own column, never under its number.
    for row in wrapped:
        assert row[:column].strip() == "" and row[column:].strip(), rows
