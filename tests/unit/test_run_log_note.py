"""`watcher run`'s log line carries what `check` says under a result: a section page's advice, why a change was not
stored."""

from __future__ import annotations

from datetime import UTC, datetime

from watcher.app.live import log_line
from watcher.models import CheckResult

T0 = datetime(2026, 12, 7, 23, 5, tzinfo=UTC)
URL = "http://127.0.0.1:8931/news/politics"
ADVICE = (
    f"{URL} looks like a home or section page, not an article; to watch the stories it lists, use: watcher follow {URL}"
)


def test_a_first_check_of_a_section_page_logs_its_advice():
    line = log_line(CheckResult(URL, "new", T0, version=1, headline="Politics", note=ADVICE)).plain
    assert line.endswith(f" — Politics; {ADVICE}"), line


def test_an_error_logs_its_advice_after_the_error():
    line = log_line(CheckResult(URL, "error", T0, error=f"no article found on {URL}", note=ADVICE)).plain
    assert line.endswith(f": no article found on {URL}; {ADVICE}"), line


def test_a_note_is_one_line_of_plain_text():
    line = log_line(CheckResult(URL, "unchanged", T0, version=1, note="two\nlines \x1b[31m")).plain
    assert "\n" not in line and "\x1b" not in line, line
