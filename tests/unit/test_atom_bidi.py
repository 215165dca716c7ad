"""An Atom entry's plain-text title keeps a page's bidi controls inside the part they came with, as <bdi> does in HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.etree

from watcher.diff import diff_articles
from watcher.models import Article, Version, WatchedArticle
from watcher.report import ReportEntry, ReportOptions, render_report

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
URL = "https://news.example/mayor"
FSI, PDI = "\u2068", "\u2069"


def version(number: int, headline: str, body: list[str], edits=()) -> Version:
    return Version(URL, number, T0, f"h{number}", Article(headline=headline, body=body, lang="en"), edits=list(edits))


def reported(fmt: str, headline: str, old_body: list[str], new_body: list[str]) -> str:
    """The report (`fmt`) of one article whose body went from `old_body` to `new_body` under `headline`."""
    old = version(1, headline, old_body)
    edits = diff_articles(old.article, Article(headline=headline, body=new_body, lang="en")).edits
    entry = ReportEntry(WatchedArticle(URL, T0), old, version(2, headline, new_body, edits))
    return render_report([entry], fmt, ReportOptions(generated_at=T0))


def test_an_override_in_a_headline_cannot_reorder_the_rest_of_the_entry_title():
    # An override with no end: in plain text it reverses everything after it, the summary included.
    headline = "Mayor quits \u202egnp.exe over scandal"
    feed = reported(
        "atom",
        headline,
        ["The mayor resigned after 14 contracts went to a friend."],
        ["The mayor resigned after 41 contracts went to a friend."],
    )
    title = lxml.etree.fromstring(feed.encode()).find(".//{http://www.w3.org/2005/Atom}entry/{*}title").text
    head, _, rest = title.partition(" — ")
    # The headline is isolated, so its override ends before the dash and the summary reads in its own order.
    assert head == FSI + headline + PDI, title
    assert "14 → 41" in rest and "\u202e" not in rest, title


def test_a_title_without_bidi_controls_gains_no_marks():
    feed = reported(
        "atom", "Council votes", ["The council voted 7-2 on the plan."], ["The council voted 6-3 on the plan."]
    )
    assert FSI not in feed and PDI not in feed


def test_the_html_reports_line_of_what_changed_confines_a_quotes_override():
    import lxml.html

    html = reported(
        "html",
        "Mayor stays",
        ["He said “we will stay here” on Monday."],
        ["He said “we will \u202eleave now” on Monday."],
    )
    (said,) = lxml.html.fromstring(html).find_class("what-changed")
    assert "\u202e" in said.text_content()
    # The override sits in an isolate of its own, so it cannot reorder the report's words after the paragraph.
    assert [b for b in said.iter("bdi") if "\u202e" in b.text_content()], lxml.html.tostring(said, encoding="unicode")
