"""A score, vote, range, ratio or season written with a joiner between numbers is one figure in the facts."""

from __future__ import annotations

import pytest

from watcher.diff.align import make_edit
from watcher.diff.facts import edit_facts
from watcher.diff.summary import summarize
from watcher.models import Edit


def numbers(old: str, new: str, lang: str = "en") -> list[tuple[str, str | None, str | None, str]]:
    edit = make_edit("body", "replace", old, new, lang=lang)
    return [(f.change, f.old, f.new, f.context) for f in edit_facts(edit) if f.kind == "number"]


def dates(old: str, new: str) -> list[tuple[str, str | None, str | None]]:
    return [(f.change, f.old, f.new) for f in edit_facts(make_edit("body", "replace", old, new)) if f.kind == "date"]


def summary(old: str, new: str, lang: str | None = None) -> str:
    return summarize([make_edit("body", "replace", old, new, lang=lang or "en")], lang)


def test_a_vote_tally_is_one_figure_each_side_as_the_page_wrote_it():
    assert numbers("The council voted 7-2 to approve the plan.", "The council voted 6-3 to approve the plan.") == [
        ("changed", "7-2", "6-3", "council voted")
    ]
    assert summary("The council voted 7-2 to approve it.", "The council voted 6-3 to approve it.") == (
        "council voted: 7-2 → 6-3"
    )
    # The dash is the page's own: an en dash stays an en dash.
    assert numbers("The council voted 7–2 in favour.", "The council voted 6–3 in favour.") == [
        ("changed", "7–2", "6–3", "council voted")
    ]


@pytest.mark.parametrize(
    ("old", "new", "shown_old", "shown_new"),
    [
        # Only one side of the figure changed: the whole figure is still shown, not "3 → 2".
        ("Arsenal won 3:1 on Sunday.", "Arsenal won 2:1 on Sunday.", "3:1", "2:1"),
        ("The team won 7-2 at home.", "The team won 7-3 at home.", "7-2", "7-3"),
        ("The clinic is open 24/7 now.", "The clinic is open 12/7 now.", "24/7", "12/7"),
        ("Children aged 10-12 years were hurt.", "Children aged 10-14 years were hurt.", "10-12", "10-14"),
        ("He signed in the 2024-25 season.", "He signed in the 2023-24 season.", "2024-25", "2023-24"),
        ("Prices rose 3–5 percent.", "Prices rose 4–6 percent.", "3–5", "4–6"),
        ("Rents rose 10-12 million dollars.", "Rents rose 10-15 million dollars.", "10-12 million", "10-15 million"),
    ],
)
def test_scores_ratios_ranges_and_seasons_are_whole(old, new, shown_old, shown_new):
    found = numbers(old, new)
    assert [(o, n) for _c, o, n, _x in found] == [(shown_old, shown_new)], found


def test_chinese_scores_and_ranges():
    assert numbers("最終比分2:1。", "最終比分1:1。", "zh-Hant") == [("changed", "2:1", "1:1", "比分")]
    assert summary("最終比分2:1。", "最終比分1:1。", "zh-Hant") == "比分：2:1 → 1:1"
    assert [(o, n) for _c, o, n, _x in numbers("議會以7比2通過。", "議會以6比3通過。", "zh-Hant")] == [("7比2", "6比3")]
    assert [(o, n) for _c, o, n, _x in numbers("年齡10～12歲。", "年齡10～14歲。", "zh-Hant")] == [("10～12", "10～14")]


def test_a_figure_added_or_removed_is_whole():
    edit = Edit("body", "insert", None, "The council voted 7-2 on Monday.", "fact")
    assert [(f.change, f.new) for f in edit_facts(edit) if f.kind == "number"] == [("added", "7-2")]
    assert numbers("The bill passed.", "The bill passed 7-2.") == [("added", None, "7-2", "bill passed")]


def test_a_date_stays_a_date_and_is_not_cut_into_numbers():
    old, new = "The event is on 2024-05-01 at noon.", "The event is on 2024-05-02 at noon."
    assert numbers(old, new) == []
    assert summary(old, new) == "2024-05-01 → 2024-05-02"
    assert dates("Polls close at 8:30 tonight.", "Polls close at 9:30 tonight.") == [
        ("removed", "8:30", None),
        ("added", None, "9:30"),
    ]
    assert numbers("Polls close at 8:30 tonight.", "Polls close at 9:30 tonight.") == []
    # A bare year is still a date, a season of two years a figure.
    assert dates("It opens in 2026.", "It opens in 2027.") == [("removed", "2026", None), ("added", None, "2027")]
    assert dates("The 2024-25 season.", "The 2023-24 season.") == []


def test_phone_numbers_and_negative_numbers_stay_whole():
    assert [(o, n) for _c, o, n, _x in numbers("Call 555-123-4567 for help.", "Call 555-123-9999 for help.")] == [
        ("555-123-4567", "555-123-9999")
    ]
    assert numbers("It fell to -5 degrees.", "It fell to -8 degrees.") == [("changed", "-5", "-8", "degrees")]
    # The sign alone changing is a changed number.
    assert numbers("It was −5 degrees.", "It was 5 degrees.") == [("changed", "−5", "5", "degrees")]
    # A hyphen after a word is no minus sign, and numbers apart are not one figure.
    assert numbers("The COVID-19 ward had 12 beds.", "The COVID-19 ward had 15 beds.") == [
        ("changed", "12", "15", "beds")
    ]
    assert numbers("Buses: 12 in service, 3 - 4 late.", "Buses: 15 in service, 3 - 4 late.") == [
        ("changed", "12", "15", "Buses")
    ]


def test_two_counts_still_read_as_two_facts():
    assert numbers("Five dead and 12 hurt.", "Seven dead and 15 hurt.") == [
        ("changed", "Five", "Seven", "dead"),
        ("changed", "12", "15", "hurt"),
    ]


def test_a_span_of_times_is_dates_not_a_count():
    old, new = "The meeting runs 1:30-2:30 p.m. on Friday.", "The meeting runs 1:30-3:30 p.m. on Friday."
    assert numbers(old, new) == []
    assert summary(old, new) == "2:30 p.m. → 3:30 p.m."


def test_the_card_reports_and_notifications_show_the_vote_as_one_fact():
    """Where a reporter reads the facts: the card's line of what changed, the HTML and Markdown reports, and a
    notification's "What changed" line all say "council voted: 7-2 → 6-3", never "7 → 6; ... 2 → 3"."""
    from datetime import UTC, datetime, timedelta

    import lxml.html

    from watcher.diff import diff_articles
    from watcher.models import Article, CheckResult, Version, WatchedArticle
    from watcher.notify.notifier import message
    from watcher.report import ReportEntry, ReportOptions, card_html, render_report

    at, url = datetime(2026, 11, 20, 8, 0, tzinfo=UTC), "https://news.example/2026/bridge"
    before = Article(headline="Bridge plan passes", body=["The council voted 7-2 on Tuesday.", "Work starts soon."])
    after = Article(headline="Bridge plan passes", body=["The council voted 6-3 on Tuesday.", "Work starts soon."])
    old = Version(url=url, number=1, captured_at=at, content_hash="a", article=before)
    new = Version(url=url, number=2, captured_at=at + timedelta(hours=1), content_hash="b", article=after)
    new.edits = list(diff_articles(before, after).edits)
    entry = ReportEntry(WatchedArticle(url=url, added_at=at), old, new)
    fact = "council voted: 7-2 → 6-3 (¶1)"

    card = lxml.html.document_fromstring(card_html(entry))
    assert card.find_class("what-changed")[0].text_content() == fact
    for fmt in ("html", "md"):
        report = render_report([entry], fmt, ReportOptions(generated_at=at + timedelta(days=1), title="t", window="w"))
        assert fact in report and "7 → 6" not in report, fmt
    result = CheckResult(url=url, status="changed", checked_at=at, version=2, edits=new.edits)
    result.summary = summarize(new.edits, "en")
    _title, text = message(result.to_json())
    assert f"What changed: {fact}" in text.splitlines()


def test_the_run_log_quotes_a_score_whole():
    """A run's log line quotes the first edit: the score the page wrote, not the one digit that changed."""
    from datetime import UTC, datetime

    from watcher.app.live import log_line
    from watcher.diff import diff_articles
    from watcher.models import Article, CheckResult

    before = Article(headline="Cup final", body=["Arsenal won 3:1 on Sunday.", "Fans cheered."])
    after = Article(headline="Cup final", body=["Arsenal won 2:1 on Sunday.", "Fans cheered."])
    edits = diff_articles(before, after).edits
    at = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    line = log_line(CheckResult("https://news.example/final", "changed", at, version=2, edits=edits)).plain
    assert line.endswith("| ¶1 “3:1” → “2:1”"), line


@pytest.mark.parametrize(
    ("old", "new", "context"),
    [
        # What follows the figure is a time or a clause, not what it counts: the context is read from before it.
        (
            "The city council voted 7-2 late Tuesday to pass it.",
            "The city council voted 6-3 late Tuesday to pass it.",
            "council voted",
        ),
        (
            "The court upheld the rule, ruling 7-2 that the state acted lawfully.",
            "The court upheld the rule, ruling 6-3 that the state acted lawfully.",
            "ruling",
        ),
        ("Police said 12 who were hurt went home.", "Police said 15 who were hurt went home.", "Police"),
    ],
)
def test_a_figure_followed_by_a_clause_or_a_time_takes_its_context_from_before(old, new, context):
    assert [x for _c, _o, _n, x in numbers(old, new)] == [context]


def test_a_clause_with_no_subject_of_its_own_reads_on_back():
    assert numbers("Deaths, at 5, are rising.", "Deaths, at 7, are rising.") == [("changed", "5", "7", "Deaths")]


@pytest.mark.parametrize(
    ("old", "new", "lang", "expected"),
    [
        # A determiner is not what a figure counts: "bill", not "the bill".
        (
            "The Senate passed the bill 51-49 on Friday.",
            "The Senate passed the bill 50-50 on Friday.",
            "en",
            "bill: 51-49 → 50-50",
        ),
        # A percent sign is part of the figure; what it measures is read from before it.
        ("Unemployment rose to 4.1% in May.", "Unemployment rose to 4.3% in May.", "en", "Unemployment: 4.1% → 4.3%"),
        # 票 counts votes; 以 leads a figure in as "to" does.
        (
            "立法院以七十票比三十票通過預算案。",
            "立法院以六十票比四十票通過預算案。",
            "zh-Hant",
            "票：七十 → 六十；票：三十 → 四十",
        ),
        # A score or vote followed by a verb (通過, passed; 結束, ended) takes what it measures from before it.
        ("議會以7比2通過。", "議會以6比3通過。", "zh-Hant", "議會：7比2 → 6比3"),
    ],
)
def test_what_a_figure_measures_is_a_word_that_says_so(old, new, lang, expected):
    assert summary(old, new, lang) == expected


def test_a_pronoun_is_no_context_and_a_rate_keeps_its_percent_sign():
    assert summary("It rose 4% overall.", "It rose 5% overall.") == "4% → 5%"
    assert (
        summary("Voters approved it 55% to 45%.", "Voters approved it 52% to 48%.")
        == "Voters approved: 55% → 52%; 45% → 48%"
    )
