"""`watcher history` at 80 columns shows every flag and every word of what changed, however the summary wraps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from rich.console import Console

from watcher.diff import diff_articles
from watcher.models import Article, Version
from watcher.render.theme import THEME
from watcher.render.timeline import history_timeline

T0 = datetime(2026, 12, 7, 22, 48, tzinfo=UTC)
URL = "http://127.0.0.1:8931/news/typhoon.html"


def versions() -> list[Version]:
    old = Article(
        headline="颱風逼近 全台三千人撤離",
        body=["花蓮與台東地區已有三千人撤離。", "內政部長表示：「政府已經做好一切準備，請民眾不要驚慌。」"],
        lang="zh-Hant",
    )
    new = Article(
        headline="颱風逼近 全台五千人撤離",
        body=["花蓮與台東地區已有五千人撤離。", "內政部長說：「政府已經做好準備。」", "更正：本報稍早報導有誤。"],
        lang="zh-Hant",
    )
    diff = diff_articles(old, new)
    return [
        Version(URL, 1, T0, "h1", old, source="browser"),
        Version(
            URL,
            2,
            T0 + timedelta(minutes=1),
            "h2",
            new,
            edits=diff.edits,
            flags=["headline_changed", "correction_notice"],
        ),
    ]


@pytest.mark.parametrize("width", [70, 80, 100])
def test_every_flag_is_shown_whole_and_no_line_is_cut(width):
    console = Console(width=width, file=StringIO(), color_system=None, theme=THEME, legacy_windows=False)
    console.print(history_timeline(versions(), lambda t: t.strftime("%m-%d %H:%M")))
    out = console.file.getvalue()
    assert max(console.measure(line).maximum for line in out.splitlines()) <= width
    words = " ".join(out.split())
    for word in ("headline", "changed,", "correction", "notice"):
        assert word in words.split(), out
