"""The dashboard's pure parts: column sizing, snippets cut by terminal cells, filter cycling."""

from __future__ import annotations

from rich.cells import cell_len

from watcher.app.dashboard.articles_table import ArticlesTable
from watcher.app.dashboard.edits_table import around_changes
from watcher.app.dashboard.model import CLASS_FILTERS, cycle
from watcher.app.dashboard.table_base import GAP, SCROLLBAR, fit, widths


def test_columns_fit_the_width_and_the_optional_one_goes_first():
    for total in (80, 120, 200):
        sizes = widths(ArticlesTable.COLUMNS, total)
        assert sum(sizes.values()) + GAP * len(sizes) <= total - SCROLLBAR + 1
        assert sizes["headline"] >= 20
    assert "checked" not in widths(ArticlesTable.COLUMNS, 80)
    assert "checked" in widths(ArticlesTable.COLUMNS, 120)
    assert widths(ArticlesTable.COLUMNS, 200)["host"] == 22  # capped; the headline takes the rest


def test_fit_ellipsizes_by_cells():
    assert str(fit("Harbor city approves $48 million flood barrier", 12)) == "Harbor city…"
    assert cell_len(str(fit("反制中國 川普組6國聯盟簽「矽土和平」宣言", 11))) <= 11


def test_snippets_keep_the_change_in_sight_in_chinese_too():
    ops = [("=", "美國俄亥俄州一名退休教師上月在波特蘭的舊書攤以"), ("-", "10"), ("+", "12"), ("=", "美元買下一只皮箱")]
    trimmed = around_changes(ops, keep=12)
    assert trimmed[0][1] == "…蘭的舊書攤以"  # 12 cells: six Chinese characters
    assert trimmed[1:3] == [("-", "10"), ("+", "12")]
    assert around_changes([("=", "short"), ("+", "x")]) == [("=", "short"), ("+", "x")]


def test_filters_cycle_and_wrap():
    assert [cycle(c, CLASS_FILTERS) for c in CLASS_FILTERS] == ["substantive", "moves", "typos", "all"]
    assert cycle("gone", ["", "city"]) == ""
