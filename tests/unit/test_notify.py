"""Notification filters, payload, message text, and the Notifier's queueing, retries and shutdown."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from watcher.config import NotifyTarget
from watcher.models import CheckResult, Edit
from watcher.notify import notifier as notify
from watcher.notify.notifier import DeliveryFailed, Notifier, matches, message, payload, send_test
from watcher.notify.redact import redact, scrub

WHEN = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def edit(cls="substantive", field="body", op="replace", old="Ten people were hurt.", new="Twelve people were hurt."):
    return Edit(field=field, op=op, old=old, new=new, cls=cls, inline=[("-", "Ten"), ("+", "Twelve")])


def result(status="changed", classes=("substantive",), flags=(), url="https://news.test/a"):
    return CheckResult(
        url=url,
        status=status,
        checked_at=WHEN,
        version=3,
        flags=list(flags),
        edits=[edit(c) for c in classes],
        headline="Flood hits the valley",
    )


@pytest.mark.parametrize("status", ["new", "unchanged", "error"])
def test_statuses_that_are_not_edits_never_notify(status):
    assert not matches(NotifyTarget(url="https://x.test/", min_class="cosmetic"), result(status), [])


@pytest.mark.parametrize("status", ["removed", "redirected", "restored", "revert"])
def test_events_notify_without_edits(status):
    assert matches(NotifyTarget(url="https://x.test/"), result(status, classes=()), [])


@pytest.mark.parametrize(
    ("min_class", "classes", "expected"),
    [
        ("substantive", ("cosmetic", "typo"), False),
        ("substantive", ("cosmetic", "substantive"), True),
        ("typo", ("cosmetic",), False),
        ("typo", ("typo",), True),
        ("typo", ("substantive",), True),
        ("cosmetic", ("cosmetic",), True),
        ("cosmetic", (), False),  # "changed" with nothing to show is not worth a message
    ],
)
def test_min_class_uses_the_most_serious_edit(min_class, classes, expected):
    assert matches(NotifyTarget(url="https://x.test/", min_class=min_class), result(classes=classes), []) is expected


def test_flags_filter_is_any_of():
    target = NotifyTarget(url="https://x.test/", flags=["stealth", "headline_changed"])
    assert matches(target, result(flags=["stealth"]), [])
    assert matches(target, result(flags=["correction_notice", "headline_changed"]), [])
    assert not matches(target, result(flags=["correction_notice"]), [])
    assert not matches(target, result(flags=[]), [])


def test_tags_filter_is_any_of():
    target = NotifyTarget(url="https://x.test/", tags=["politics", "asia"])
    assert matches(target, result(), ["asia"])
    assert not matches(target, result(), ["sport"])
    assert not matches(target, result(), [])
    assert matches(NotifyTarget(url="https://x.test/"), result(), [])


def test_payload_is_the_json_contract_plus_headline_and_tags():
    res = result(flags=["stealth"])
    body = payload(res, "Flood hits the valley", ["asia"])
    assert body == {**res.to_json(), "headline": "Flood hits the valley", "tags": ["asia"]}
    assert body["checked_at"] == "2026-11-25T10:00:00Z"
    assert body["edits"][0]["class"] == "substantive"
    assert payload(res, "", [])["headline"] == "Flood hits the valley"  # falls back to the result's headline


def test_message_summarises_the_edit_in_plain_text():
    res = result(classes=("typo", "substantive"), flags=["stealth"])
    res.edits.append(Edit(field="caption", op="insert", old=None, new="Rescuers\nat dawn", cls="substantive"))
    title, text = message(payload(res, "Flood hits the valley", []))
    assert title == "Edited: Flood hits the valley"
    lines = text.splitlines()
    assert lines[0] == "https://news.test/a (version 3; substantive; flags: stealth)"
    assert '- body, substantive: "Ten people were hurt." -> "Twelve people were hurt."' in lines
    assert '- caption (insert), substantive: "Rescuers at dawn"' in lines


def test_message_shortens_long_paragraphs_and_many_edits():
    res = result(classes=("substantive",) * 9)
    res.edits[0] = edit(old="x" * 1000, new="y" * 1000)
    title, text = message(payload(res, "H" * 500, []))
    assert len(title) < 140 and title.endswith("…")
    assert max(len(line) for line in text.splitlines()) < 400
    assert text.splitlines()[-1] == "... and 4 more edits"


def test_message_neutralises_control_and_bidi_characters_of_page_text_and_copy_addresses():
    res = result(classes=("substantive",))
    res.edits[0] = edit(old="Ten \x1b[2J hurt", new="Twelve \u202e hurt")
    body = payload(res, "Flood\u202ehits \x1b]0;owned\x07 valley", [])
    body["copies"] = [{"service": "wayback", "url": "https://web.archive.example/web/1/x\u2066y", "saved_at": None}]
    title, text = message(body)
    for shown in (title, text):
        assert not any(ch in shown for ch in ("\x1b", "\x07", "\u202e", "\u2066")), shown
    assert title.startswith("Edited: Flood\\u202ehits ␛]0;owned\\u0007 valley")


def test_message_for_a_removal():
    title, text = message(payload(result("removed", classes=()), "Flood hits the valley", []))
    assert title == "Removed: Flood hits the valley"
    assert text == "https://news.test/a (version 3)"


# Every supported scheme: (target URL, what may be shown, the secrets that must not be).
TARGETS = [
    ("mailto://user:app-password@gmail.com", "mailto://…@gmail.com", ["user", "app-password"]),
    ("mailtos://alerts@example.org?pass=hunter22&to=desk@example.org", "mailtos://…@example.org/…", ["hunter22"]),
    ("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/…", ["T000", "XXXXSECRET"]),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "slack://…", ["T1JJ3T3L2", "TIiajkdnlazkcOXrIdevi7FQ"]),
    ("discord://1234567890/secret-token", "discord://…", ["1234567890", "secret-token"]),
    ("pbul://o.AbCdEfGhIjKlMnOpQrStUvWxYz012345", "pbul://…", ["o.AbCdEfGh", "AbCdEfGhIjKlMnOp"]),
    ("prowl://0123456789abcdef0123456789abcdef01234567", "prowl://…", ["0123456789abcdef"]),
    ("join://abcdefghijklmnopqrstuvwxyz012345/my-phone", "join://…", ["abcdefghijkl", "my-phone"]),
    ("pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi", "pover://…", ["uQiRzpo4", "azGDORe"]),
    ("ifttt://WebHookID123456@NewsEdit", "ifttt://…", ["WebHookID123456", "NewsEdit"]),
    ("ntfy://my-private-topic-8812", "ntfy://…", ["my-private-topic"]),
    ("ntfys://ntfy.example.com/private-topic-8812", "ntfys://ntfy.example.com/…", ["private-topic"]),
    (
        "ntfys://reader:pw-9922@ntfy.example.com/desk?token=tk_abcdef123",
        "ntfys://…@ntfy.example.com/…",
        ["reader", "pw-9922", "tk_abcdef"],
    ),
    ("json://127.0.0.1:8080/path?x=1", "json://127.0.0.1:8080/…", ["path"]),
]


@pytest.mark.parametrize(
    ("url", "shown", "secrets"), TARGETS, ids=[t[1].split(":")[0] + str(i) for i, t in enumerate(TARGETS)]
)
def test_redact_hides_every_credential_bearing_part(url, shown, secrets):
    redacted = redact(url)
    text, _, suffix = redacted.rpartition(" ")
    assert text == shown
    assert len(suffix) == 8 and suffix.startswith("[") and suffix.endswith("]")  # a short stable fingerprint
    assert redact(url) == redacted
    for secret in secrets:
        assert secret not in redacted


def test_two_targets_never_redact_to_the_same_text():
    urls = [url for url, _, _ in TARGETS] + ["pbul://o.AnotherTokenForAnotherPhone999", "ntfy://another-topic-4471"]
    assert len({redact(u) for u in urls}) == len(urls)


def test_nothing_to_hide_is_shown_as_it_is_and_junk_is_refused():
    assert redact("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert redact("no scheme at all") == "<invalid notification URL>"
    assert redact("pbul://\x1b[31mtoken") == redact("pbul://\x1b[31mtoken") and "\x1b" not in redact("pbul://\x1b[31m")


def test_scrub_cuts_a_targets_secrets_out_of_an_error_and_neutralises_escapes():
    url = "pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi"
    error = "Failed to send Pushover notification to azGDORePK8gMaC0QOYAMyEEuzJnyUi: 401 \x1b]0;pwned\x07 Unauthorized"
    cleaned = scrub(error, url)
    assert "azGDORe" not in cleaned and "\x1b" not in cleaned and "\x07" not in cleaned
    assert cleaned.startswith("Failed to send Pushover notification to …: 401 ␛]0;pwned")
    assert scrub("HTTP 500 Internal Server Error", "https://hook.example/fail") == "HTTP 500 Internal Server Error"


# --- Notifier, with delivery replaced by a recorder ------------------------------------------------


class Recorder:
    def __init__(self, failures=0, retryable=True, block: threading.Event | None = None):
        self.calls: list[tuple[str, dict]] = []
        self.failures = failures
        self.retryable = retryable
        self.block = block
        self.delivered = threading.Event()

    def __call__(self, target, body):
        self.calls.append((target.url, body))
        if self.block is not None:
            self.block.wait(10)
        if len(self.calls) <= self.failures:
            raise DeliveryFailed("HTTP 500 Internal Server Error", self.retryable)
        self.delivered.set()


@pytest.fixture
def lines():
    return []


def test_submit_delivers_only_to_matching_targets(monkeypatch, lines):
    rec = Recorder()
    monkeypatch.setattr(notify, "deliver", rec)
    targets = [NotifyTarget(url="https://all.test/"), NotifyTarget(url="https://stealth.test/", flags=["stealth"])]
    notifier = Notifier(targets, log=lines.append)
    notifier.submit(result(), "Flood", ["asia"])
    notifier.submit(result(classes=("typo",)), "Flood", [])  # below min_class: held back everywhere
    notifier.close(timeout=5)
    assert [url for url, _ in rec.calls] == ["https://all.test/"]
    assert rec.calls[0][1]["headline"] == "Flood" and rec.calls[0][1]["tags"] == ["asia"]
    assert lines == []


def test_failures_are_retried_with_exponential_backoff_then_logged_once(monkeypatch, lines):
    rec = Recorder(failures=10)
    waits: list[float] = []
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier(
        [NotifyTarget(url="https://hooks.test/secret-token", retries=3)],
        log=lines.append,
        sleep=waits.append,
        backoff=0.5,
    )
    notifier.submit(result(), "Flood", [])
    notifier.close(timeout=5)
    assert len(rec.calls) == 4
    assert waits == [0.5, 1.0, 2.0]
    assert len(lines) == 1
    assert f"{redact('https://hooks.test/secret-token')}: gave up" in lines[0] and "secret-token" not in lines[0]
    assert "after 4 attempts" in lines[0] and "HTTP 500" in lines[0] and "https://news.test/a" in lines[0]


def test_a_failure_that_retrying_cannot_fix_is_not_retried(monkeypatch, lines):
    rec = Recorder(failures=10, retryable=False)
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/", retries=3)], log=lines.append, sleep=lambda s: None)
    notifier.submit(result(), "Flood", [])
    notifier.close(timeout=5)
    assert len(rec.calls) == 1 and "after 1 attempt:" in lines[0]


def test_success_after_a_retry_logs_nothing(monkeypatch, lines):
    rec = Recorder(failures=1)
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/", retries=2)], log=lines.append, sleep=lambda s: None)
    notifier.submit(result(), "Flood", [])
    notifier.close(timeout=5)
    assert len(rec.calls) == 2 and lines == []


def test_a_crashing_delivery_does_not_kill_the_worker(monkeypatch, lines):
    calls = []

    def boom(target, body):
        calls.append(body["url"])
        if body["url"].endswith("/first"):
            raise RuntimeError("bug")

    monkeypatch.setattr(notify, "deliver", boom)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/", retries=0)], log=lines.append)
    notifier.submit(result(url="https://news.test/first"), "A", [])
    notifier.submit(result(url="https://news.test/second"), "B", [])
    notifier.close(timeout=5)
    assert calls == ["https://news.test/first", "https://news.test/second"]
    assert len(lines) == 1 and "RuntimeError: bug" in lines[0]


def test_submit_never_waits_for_a_stuck_delivery_and_close_is_bounded(monkeypatch, lines):
    release = threading.Event()
    rec = Recorder(block=release)
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/")], log=lines.append)
    try:
        started = time.monotonic()
        for i in range(20):
            notifier.submit(result(url=f"https://news.test/{i}"), "H", [])
        assert time.monotonic() - started < 0.5
        started = time.monotonic()
        notifier.close(timeout=0.3)
        assert time.monotonic() - started < 2.5
        assert lines == ["notify: stopped with 20 notification(s) not delivered"]
    finally:
        release.set()


def test_close_cuts_a_backoff_wait_short(monkeypatch, lines):
    rec = Recorder(failures=10)
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/", retries=5)], log=lines.append, backoff=60)
    notifier.submit(result(), "H", [])
    time.sleep(0.1)
    started = time.monotonic()
    notifier.close(timeout=0.3)
    assert time.monotonic() - started < 2.5
    assert len(rec.calls) == 1


def test_submit_after_close_is_ignored(monkeypatch, lines):
    rec = Recorder()
    monkeypatch.setattr(notify, "deliver", rec)
    notifier = Notifier([NotifyTarget(url="https://hooks.test/")], log=lines.append)
    notifier.close(timeout=1)
    notifier.submit(result(), "H", [])
    time.sleep(0.05)
    assert rec.calls == []


def test_send_test_reports_each_target(monkeypatch):
    def fake(target, body):
        assert body["status"] == "changed" and body["edits"]
        if "bad" in target.url:
            raise DeliveryFailed("HTTP 404 Not Found", retryable=False)

    monkeypatch.setattr(notify, "deliver", fake)
    outcome = send_test([NotifyTarget(url="https://good.test/hook"), NotifyTarget(url="https://bad.test/")])
    assert outcome == [
        (redact("https://good.test/hook"), True, None),
        ("https://bad.test", False, "HTTP 404 Not Found"),
    ]
    assert outcome[0][0].startswith("https://good.test/… [")


def test_an_unknown_apprise_scheme_fails_without_retrying(lines):
    notifier = Notifier([NotifyTarget(url="nosuchservice://x/y", retries=3)], log=lines.append, sleep=lambda s: None)
    notifier.submit(result(), "H", [])
    notifier.close(timeout=5)
    assert len(lines) == 1 and "after 1 attempt:" in lines[0] and "Apprise" in lines[0]
