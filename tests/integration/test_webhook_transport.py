"""Webhook delivery over the shared HTTP client: redirects are failures with their reason, slow drips end."""

from __future__ import annotations

import time

import pytest

from watcher.config import NotifyTarget
from watcher.notify.notifier import send_test


@pytest.mark.parametrize(
    "location, status",
    [("ftp://127.0.0.1/upload", 301), ("RECEIVER", 301), ("RECEIVER", 307), ("/other-path", 302)],
)
def test_a_webhook_redirect_is_a_delivery_failure_that_says_so(site, receiver, location, status):
    target_url = f"{receiver.url}/ok" if location == "RECEIVER" else location
    site.redirect("/hook", target_url, status=status)
    [(shown, ok, error)] = send_test([NotifyTarget(url=site.url("/hook"), retries=0)])
    assert not ok
    assert f"HTTP {status} redirect to" in error and "webhooks do not follow redirects" in error
    assert receiver.posts == []
    assert site.hits("/hook") == 1 and site.hits("/other-path") == 0


def test_a_webhook_that_drips_its_answer_ends_at_the_total_deadline(site):
    site.drip("/hook", b"x" * 1000, content_type="text/plain", every=0.05)
    started = time.monotonic()
    [(_, ok, error)] = send_test([NotifyTarget(url=site.url("/hook"), timeout=0.5, retries=0)])
    assert not ok and "no answer within 0.5 s" in error
    assert time.monotonic() - started < 1.5


def test_a_webhook_answer_is_delivered_as_before(receiver):
    [(_, ok, error)] = send_test([NotifyTarget(url=f"{receiver.url}/ok")])
    assert ok and error is None
    assert len(receiver.posts) == 1
