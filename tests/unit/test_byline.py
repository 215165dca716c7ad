"""The author's name on a byline or meta line, apart from its dates, times and counters (watcher.extract.byline)."""

from __future__ import annotations

import pytest
from lxml import html

from watcher.extract.byline import byline_name, credit_line, meta_text, name_like, parts


@pytest.mark.parametrize(
    ("line", "name"),
    [
        # Parts set apart only by spaces: the date, the time and the counter are told by their shapes.
        ("陳怡君 2026-04-08 評論 12", "陳怡君"),
        ("陳怡君　2026年4月8日 09:30　留言 3", "陳怡君"),
        ("Marta Lindqvist 08/04/2026 09:30 12 comentários", "Marta Lindqvist"),
        ("Von Jonas Weber 08.04.2026, 09:30 Uhr 7 Kommentare", "Von Jonas Weber"),
        ("By Ruth Okafor April 8, 2026 12 comments", "By Ruth Okafor"),
        ("Marta de Almeida 8 de abril de 2026 Comentários (3)", "Marta de Almeida"),
        ("Marta Lindqvist 12 comentários", "Marta Lindqvist"),  # the count's label is after it, not the surname
        ("Ruth Okafor 4 min read", "Ruth Okafor"),
        ("陳怡君 12 則回應", "陳怡君"),
        # Chinese reporter credits keep their credit words, as the reader sees them.
        ("記者陳怡君／高雄報導 2026-04-08", "記者陳怡君／高雄報導"),
        ("文／陳怡君 2026-04-08 09:30", "文／陳怡君"),
        ("撰文：陳怡君　2026年4月8日", "撰文：陳怡君"),
        ("陳怡君 報導 2026/04/08", "陳怡君 報導"),
        # Separated parts, and a name before a comma.
        ("Por Marta Lindqvist, 08/04/2026 às 09h30 — 12 comentários", "Por Marta Lindqvist"),
        ("Redação · 08/04/2026 · 2 comentários", "Redação"),
        # No name on the line.
        ("Monday, April 8, 2026 · 12 comments", ""),
        ("Published on Monday, April 8, 2026 · 12 comments", ""),
        ("Atualizado em 08/04/2026 09h30", ""),
        ("港都新聞網 4月8日报道", ""),  # a dateline: two characters after the date are a credit word, not a name
        ("發布時間：2026-04-08", ""),  # a label before its date
        ("08/04/2026 9:30 PM PST BY HARBOUR STAFF", "BY HARBOUR STAFF"),  # the time zone goes with the time
    ],
)
def test_the_name_on_a_meta_line_is_kept_and_its_date_time_and_counters_are_not(line: str, name: str) -> None:
    assert byline_name(line) == name


def test_parts_drop_dates_times_and_counted_labels_in_either_order() -> None:
    assert parts("陳怡君 2026-04-08 評論 12") == ["陳怡君"]
    assert parts("Marta Lindqvist 08/04/2026 12 comentários") == ["Marta Lindqvist"]


def test_a_name_shape_needs_capitals_or_a_short_chinese_name() -> None:
    assert name_like("Ruth Okafor and Jonas Weber")
    assert not name_like("Published on Monday")
    assert not name_like("Comments")
    assert not name_like("on Monday")  # one capitalised word
    assert not name_like("Harbour Ferry Timetable Winter Changes")  # a row of tags, not a name
    assert name_like("記者陳怡君、王大明／綜合報導")
    assert not name_like("高雄市政府今天宣布新的交通計畫")


def test_a_credit_line_stands_alone_only_with_its_credit_words() -> None:
    assert credit_line("記者陳怡君／高雄報導")
    assert credit_line("文／陳怡君")
    assert not credit_line("陳怡君")  # a bare name could be a subhead or a caption
    assert not credit_line("高雄報導了一則新聞，引起市民熱烈討論與關注")


def test_meta_text_cuts_where_elements_meet_without_a_space() -> None:
    el = html.fromstring("<div><span>Marta Lindqvist</span><span>08/04/2026</span><span>12 comentários</span></div>")
    assert byline_name(meta_text(el)) == "Marta Lindqvist"
    el = html.fromstring('<div>Por <a href="/autor/marta">Marta Lindqvist</a> · 08/04/2026</div>')
    assert byline_name(meta_text(el)) == "Por Marta Lindqvist"
