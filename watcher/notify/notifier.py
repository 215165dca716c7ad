"""Telling people about edits: filters, a JSON webhook or Apprise per target, delivered off the monitor's path."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import inspect
import json
import os
import queue
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from watcher.config import NotifyTarget
from watcher.copies import OUTBOX_PREFIX as COPIES_PREFIX
from watcher.errors import FetchError, WatcherError
from watcher.labels import copy_line, status_title
from watcher.models import NOTIFY_STATUSES, CheckResult, Edit, top_class
from watcher.notify.digest import digest_body, digest_message, parse_window, render
from watcher.notify.redact import redact, scrub
from watcher.notify.rules import verdict
from watcher.untrusted import one_line, visible

# A notification still undelivered after this many runs tried it is dropped (with a log line).
MAX_DELIVERY_RUNS = 5
MAX_QUEUE = 1000  # per target: a dead target must not grow memory without bound during a long run
MAX_DIGEST = 10_000  # per digest window and target: a day of a busy newsroom's edits
_SNIPPET = 160
_EDITS_SHOWN = 5


class DeliveryFailed(Exception):
    """One attempt to deliver a notification failed."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


def matches(target: NotifyTarget, result: CheckResult, tags: Sequence[str]) -> bool:
    """True when the target's filters (status, minimum class, flags, tags, sites) and alert rules let this result
    through (rules.verdict says why)."""
    return verdict(target, result, tags).fires


def payload(result: CheckResult, article_headline: str, tags: Sequence[str]) -> dict[str, Any]:
    """The webhook body: the `check --json` contract plus "headline" and "tags"."""
    body = result.to_json()
    body["headline"] = article_headline or result.headline
    body["tags"] = list(tags)
    return body


def message(body: dict[str, Any]) -> tuple[str, str]:
    """A plain-text title and body summarising a payload, for chat and mail services."""
    status = body.get("status", "changed")
    headline = one_line(body.get("headline") or "") or body.get("url", "")
    title = f"{status_title(status)}: {_snippet(headline, 120)}"
    edits = [Edit.from_json(e) for e in body.get("edits", [])]
    facts = [f"version {body['version']}"] if body.get("version") else []
    top = top_class(edits)
    if top:
        facts.append(top)
    if body.get("flags"):
        facts.append("flags: " + ", ".join(body["flags"]))
    lines = [body.get("url", "") + (f" ({'; '.join(facts)})" if facts else "")]
    if body.get("summary"):
        lines.append("What changed: " + one_line(str(body["summary"])))
    for edit in edits[:_EDITS_SHOWN]:
        lines.append(_edit_line(edit))
    if len(edits) > _EDITS_SHOWN:
        lines.append(f"... and {len(edits) - _EDITS_SHOWN} more edits")
    for copy in body.get("copies") or []:
        lines.append(one_line(copy_line(copy)))
    # Page text and service answers reach chat and mail clients as they are: no control or bidi character goes.
    return visible(title), visible("\n".join(lines))


UNKNOWN_APPRISE = "not a notification URL Apprise understands (nor an http(s) webhook)"


def _is_webhook(url: str) -> bool:
    return urllib.parse.urlsplit(url.strip()).scheme.lower() in ("http", "https")


def _apprise_knows(url: str) -> bool:
    import apprise  # only when an Apprise target is configured

    return bool(apprise.Apprise().add(url.strip()))


def deliver(target: NotifyTarget, body: dict[str, Any], *, image: bytes | None = None) -> None:
    """One delivery attempt to one target, with the version's screenshot when `image` is given; raises
    DeliveryFailed."""
    if urllib.parse.urlsplit(target.url.strip()).scheme.lower() in ("http", "https"):
        if image is not None and isinstance(body.get("screenshot"), dict):
            body = {**body, "screenshot": {**body["screenshot"], "data": base64.b64encode(image).decode("ascii")}}
        _post_json(target, body)
    else:
        _apprise(target, body, image)


def screenshot_of(store: Any, body: dict[str, Any]) -> bytes | None:
    """The image of the screenshot a notification names (its version's, read from the store when it is sent,
    so the outbox never holds it), or None: none taken, pruned since, or the version rewritten."""
    named = body.get("screenshot")
    if store is None or not isinstance(named, dict) or not isinstance(body.get("version"), int):
        return None
    try:
        version = store.get_version(body["url"], body["version"])
        data = store.get_screenshot(version)
    except WatcherError:
        return None
    if version.screenshot is None or named.get("digest") != f"sha256:{version.screenshot.digest}":
        return None
    return data


class Notifier:
    """Delivers notifications from background threads, one per target, so the monitor never waits."""

    def __init__(
        self,
        targets: Sequence[NotifyTarget],
        *,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], Any] | None = None,
        backoff: float = 2.0,
        outbox: Any = None,
    ):
        self._targets = list(targets)
        self._log = log or _stderr
        self._backoff = backoff
        self._abandon = threading.Event()
        # Waiting on the event (not time.sleep) lets close() cut a retry's backoff short.
        self._sleep = sleep or self._abandon.wait
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        # The store's outbox (watcher.store.tiny.outbox): a notification is kept there from submit() until it
        # is delivered, so one the run could not deliver (target down, run stopped or killed) is not lost.
        self._outbox = outbox
        # Apprise URLs it does not understand are found here, in the caller's thread, once: each delivery
        # to them then fails at once without asking Apprise again from a delivery thread.
        self._unusable = {t.url for t in self._targets if not _is_webhook(t.url) and not _apprise_knows(t.url)}
        # Digest targets collect their notifications here until their window closes (watcher.notify.digest).
        self._digests: dict[int, list[tuple[int | None, dict[str, Any]]]] = {}
        self._windows = {i: parse_window(t.digest) for i, t in enumerate(self._targets) if t.digest}
        if outbox is not None:
            self._resume()
        self._digest_threads: list[threading.Thread] = []
        for index in self._windows:
            self._digests.setdefault(index, [])
            thread = threading.Thread(target=self._digest_loop, args=(index,), name=f"digest-{index}", daemon=True)
            self._digest_threads.append(thread)
            thread.start()

    def _resume(self) -> None:
        """Queue what earlier runs kept in the outbox, each for its target (by URL, not position)."""
        try:
            pending = self._outbox.outbox_pending()
        except Exception as exc:  # a damaged outbox must not stop the run; new notifications still go out
            self._log(f"notify: cannot read the notifications kept from earlier runs: {one_line(str(exc))}")
            return
        # Requests for third-party copies share the outbox (watcher/copies.py): theirs to send, not ours.
        pending = [e for e in pending if not str(e.get("target", "")).startswith(COPIES_PREFIX)]
        indexes = {_target_key(t.url): i for i, t in enumerate(self._targets)}
        orphans = 0
        for entry in pending:
            index = indexes.get(entry.get("target"))
            if index is None:
                orphans += 1
                self._forget(entry["id"])
                continue
            if index in self._windows:
                self._digests.setdefault(index, []).append((entry["id"], entry.get("body") or {}))
                continue
            self._worker(index).queue.put((entry["id"], entry.get("body") or {}, int(entry.get("attempts") or 0)))
        if pending and orphans < len(pending):
            self._log(f"notify: sending {len(pending) - orphans} notification(s) kept from an earlier run")
        if orphans:
            self._log(f"notify: dropped {orphans} kept notification(s) for targets no longer configured")

    def submit(self, result: CheckResult, headline: str, tags: Sequence[str]) -> None:
        """Queue the result for every target whose filters match; returns at once."""
        body: dict[str, Any] | None = None
        with self._lock:
            if self._closed:
                return
            chosen: list[int] = []
            for index, target in enumerate(self._targets):
                if not matches(target, result, tags):
                    continue
                body = body or payload(result, headline, tags)
                digest = index in self._windows
                queued = len(self._digests[index]) if digest else self._worker(index).queue.qsize()
                cap = MAX_DIGEST if digest else MAX_QUEUE
                if queued >= cap:
                    self._log(
                        f"notify: {redact(target.url)}: {cap} notifications waiting, dropped one for {result.url}"
                    )
                    continue
                chosen.append(index)
            if body is None or not chosen:
                return
            ids: list[int | None] = [None] * len(chosen)
            if self._outbox is not None:
                try:
                    ids = list(self._outbox.outbox_put([(_target_key(self._targets[i].url), body) for i in chosen]))
                except Exception as exc:  # the store is full or damaged: deliver from memory, as before
                    self._log(f"notify: cannot keep notifications in the store ({one_line(str(exc))}); sending anyway")
            for index, entry_id in zip(chosen, ids, strict=True):
                if index in self._windows:
                    self._digests[index].append((entry_id, body))
                else:
                    self._workers[index].queue.put((entry_id, body, 0))

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what can be within `timeout` seconds, then stop, abandoning the rest."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.queue.put(_STOP)
        for worker in workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))
        # Threads still busy (a receiver that hangs until its timeout) are daemons and are left behind.
        self._abandon.set()
        for thread in self._digest_threads:
            # A digest being sent finishes (and leaves the outbox) rather than be sent again next run.
            thread.join(max(0.0, deadline - time.monotonic()))
        left = sum(w.pending() for w in workers if w.thread.is_alive())
        with self._lock:
            waiting = sum(len(v) for v in self._digests.values())
        if waiting:
            kept = "kept for the next `watcher run`" if self._outbox is not None else "not sent"
            self._log(f"notify: {waiting} notification(s) waiting for their digest window; {kept}")
        if left and self._outbox is not None:
            self._log(f"notify: {left} notification(s) not delivered yet; kept for the next `watcher run`")
        elif left:
            self._log(f"notify: stopped with {left} notification(s) not delivered")

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _worker(self, index: int) -> _Worker:
        worker = self._workers.get(index)
        if worker is None:
            worker = _Worker()
            worker.thread = threading.Thread(
                target=self._run, args=(self._targets[index], worker), name=f"notify-{index}", daemon=True
            )
            self._workers[index] = worker
            worker.thread.start()
        return worker

    def _run(self, target: NotifyTarget, worker: _Worker) -> None:
        while True:
            item = worker.queue.get()
            if item is _STOP:
                return
            if self._abandon.is_set():
                continue  # stays in the outbox for the next run
            entry_id, body, runs = item
            worker.busy = True
            try:
                body = self._with_copies(body)
                image = screenshot_of(self._outbox, body) if target.attach_screenshot else None
                error, tries = self._deliver_with_retries(target, body, image)
                if error is None or self._abandon.is_set():
                    if error is None:
                        self._forget(entry_id)
                    continue
                reason = scrub(one_line(str(error)), target.url)
                after = f"after {tries} attempt{'s' if tries > 1 else ''}"
                if entry_id is not None and error.retryable and runs + 1 < MAX_DELIVERY_RUNS:
                    self._keep(entry_id, reason)
                    self._log(
                        f"notify: {redact(target.url)}: {body.get('url')} not delivered {after}: {reason}; "
                        "kept for the next run"
                    )
                else:
                    self._forget(entry_id)
                    self._log(f"notify: {redact(target.url)}: gave up on {body.get('url')} {after}: {reason}")
            finally:
                worker.busy = False

    def _digest_loop(self, index: int) -> None:
        """Send the digest target's collected notifications as one message each time its window closes."""
        target, window = self._targets[index], self._windows[index]
        start = datetime.now(UTC)
        while True:
            end = window.end_after(datetime.now(UTC))
            if self._abandon.wait(max(0.0, (end - datetime.now(UTC)).total_seconds())):
                return  # closed: what was collected stays in the outbox for the next run
            with self._lock:
                if self._closed:
                    return
                batch, self._digests[index] = self._digests[index], []
            if not batch:
                start = end
                continue
            body = digest_body([self._with_copies(b) for _, b in batch], start, end)
            error, tries = self._deliver_with_retries(target, body)
            if error is None:
                for entry_id, _ in batch:
                    self._forget(entry_id)
                start = end
                continue
            reason = scrub(one_line(str(error)), target.url)
            self._log(
                f"notify: {redact(target.url)}: digest of {len(batch)} not delivered after {tries} attempt(s): {reason}"
                + ("; tried again at the next window" if error.retryable else "; dropped")
            )
            if error.retryable:
                with self._lock:
                    self._digests[index] = batch + self._digests[index]
            else:
                for entry_id, _ in batch:
                    self._forget(entry_id)

    def _deliver_with_retries(
        self, target: NotifyTarget, body: dict[str, Any], image: bytes | None = None
    ) -> tuple[DeliveryFailed | None, int]:
        """(None, tries) once delivered, else the last failure (also when close() cut the retries short)."""
        if target.url in self._unusable:
            return DeliveryFailed(UNKNOWN_APPRISE, retryable=False), 1
        attempts = 1 + max(target.retries, 0)
        error = DeliveryFailed("stopped before delivery")
        attempt = 0
        for attempt in range(attempts):
            if self._abandon.is_set():
                return error, attempt
            try:
                # The image only when there is one: deliver stand-ins taking (target, body) keep working without it.
                deliver(target, body, **({"image": image} if image is not None else {}))
                return None, attempt + 1
            except DeliveryFailed as exc:
                error = exc
            except Exception as exc:  # a bug in one delivery must not kill the worker thread
                error = DeliveryFailed(f"{type(exc).__name__}: {exc}")
            if not error.retryable or attempt + 1 == attempts:
                break
            self._sleep(self._backoff * 2**attempt)
        return error, attempt + 1

    def _with_copies(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body with the third-party copies of its version recorded by now (watcher/copies.py), if any."""
        if self._outbox is None or not body.get("version") or not hasattr(self._outbox, "get_version"):
            return body
        try:
            copies = self._outbox.get_version(body["url"], body["version"]).copies
        except Exception:  # removed since, or a store that cannot read now: the body as it was
            return body
        made = [c for c in copies if c.get("url")]
        return {**body, "copies": made} if made else body

    def _forget(self, entry_id: int | None) -> None:
        """Delivered or given up: out of the outbox, so no later run sends it again."""
        if entry_id is None or self._outbox is None:
            return
        try:
            self._outbox.outbox_done(entry_id)
        except Exception as exc:  # a store that cannot write now; the next run may send it once more
            self._log(f"notify: cannot update the outbox: {one_line(str(exc))}")

    def _keep(self, entry_id: int, reason: str) -> None:
        try:
            self._outbox.outbox_failed(entry_id, reason)
        except Exception as exc:  # it stays pending all the same
            self._log(f"notify: cannot update the outbox: {one_line(str(exc))}")


def notifier_for(config: Any, store: Any, log: Callable[[str], None]) -> Notifier | None:
    """The Notifier for the configured targets (None without any): what it cannot deliver stays in the
    store's outbox for the next run."""
    if not config.notify:
        return None
    return Notifier(config.notify, log=log, outbox=store)


def notify_result(notifier: Notifier | None, store: Any, result: CheckResult) -> None:
    """Hand a check's result to the notifier with its article's tags (the targets' filters need them)."""
    if notifier is None or result.status not in NOTIFY_STATUSES:
        return
    try:
        tags = list(store.get_article(result.url).tags)
    except WatcherError:  # removed while being checked: notify untagged rather than not at all
        tags = []
    notifier.submit(result, result.headline, tags)


def send_test(targets: Sequence[NotifyTarget]) -> list[tuple[str, bool, str | None]]:
    """Send a sample notification to every target now, once each: (redacted url, ok, error)."""
    body = payload(_sample_result(), "watcher test notification: headline changed", ["watcher-test"])
    outcomes: list[tuple[str, bool, str | None]] = []
    for target in targets:
        try:
            deliver(target, body)
        except DeliveryFailed as exc:
            outcomes.append((redact(target.url), False, scrub(one_line(str(exc)), target.url)))
        except Exception as exc:  # report any failure of one target and go on with the rest
            reason = f"{type(exc).__name__}: {one_line(str(exc))}"
            outcomes.append((redact(target.url), False, scrub(reason, target.url)))
        else:
            outcomes.append((redact(target.url), True, None))
    return outcomes


class _Worker:
    def __init__(self) -> None:
        self.queue: queue.Queue[Any] = queue.Queue()
        self.thread: threading.Thread
        self.busy = False

    def pending(self) -> int:
        waiting = sum(1 for item in list(self.queue.queue) if item is not _STOP)
        return waiting + int(self.busy)


_STOP = object()


def _post_json(target: NotifyTarget, body: dict[str, Any]) -> None:
    from watcher.fetch import http  # here: httpx is only imported when something is sent

    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    # The target is the user's own configuration, so a receiver on their own network is fine.
    # `timeout` is documented per attempt: it bounds the whole exchange, a slow drip included.
    limits = http.Limits(timeout=target.timeout, total=target.timeout, max_bytes=10_000_000, allow_private=True)
    try:
        response = http.post(
            target.url.strip(), data, limits, headers={"Content-Type": "application/json; charset=utf-8"}
        )
    except FetchError as exc:
        raise DeliveryFailed(_transport_reason(exc), exc.retryable) from None
    where = http.redirect_target(response)
    if where is not None:
        # Following would turn the POST into a GET or send it to another host or scheme; say so instead.
        raise DeliveryFailed(
            f"HTTP {response.status} redirect to {redact(where)}: webhooks do not follow redirects", retryable=False
        )
    if response.status >= 300:
        retryable = response.status >= 500 or response.status in (408, 429)
        raise DeliveryFailed(f"HTTP {response.status} {response.reason}".strip(), retryable)


def _transport_reason(exc: FetchError) -> str:
    """A transport failure without the target URL (it carries tokens; the log line names it redacted)."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and "://" in head else text


def _apprise(target: NotifyTarget, body: dict[str, Any], image: bytes | None = None) -> None:
    import asyncio

    # Apprise may use the thread's asyncio loop; one that an earlier user closed fails every send
    # ("Event loop is closed"), so each delivery gets a loop of its own.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        _apprise_send(target, body, image)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _apprise_send(target: NotifyTarget, body: dict[str, Any], image: bytes | None = None) -> None:
    import apprise  # imported here: slow to import, and only needed when an Apprise target is configured

    sender = apprise.Apprise()
    if not sender.add(target.url.strip()):
        raise DeliveryFailed(UNKNOWN_APPRISE, retryable=False)
    title, text = digest_message(body) if body.get("digest") else message(body)
    if target.title:
        title = render(target.title, body)
    if target.body:
        text = render(target.body, body)
    title, text = visible(title), visible(text)  # digests and the user's templates hold page text too
    problems: list[str] = []
    options: dict[str, Any] = {}
    accepted = inspect.signature(sender.notify).parameters
    # Apprise 2 takes a timeout and reports why a send failed; older versions just return False.
    if "timeout" in accepted:
        options["timeout"] = target.timeout
    if "log_callback" in accepted:
        options["log_callback"] = lambda entry, _plugin: problems.append(entry.message)
        options["log_level"] = 30  # warnings and errors
    with _attachment(image, body) as attach:
        if attach is not None:
            options["attach"] = attach
        if not sender.notify(body=text, title=title, body_format=apprise.NotifyFormat.TEXT, **options):
            raise DeliveryFailed(problems[-1] if problems else "the service did not accept the notification")


@contextlib.contextmanager
def _attachment(image: bytes | None, body: dict[str, Any]) -> Iterator[str | None]:
    """The screenshot as a file Apprise can attach (named for the version), removed once sent."""
    if image is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="watcher-shot-") as folder:
        path = os.path.join(folder, f"watcher-v{body.get('version')}-screenshot.jpg")
        with open(path, "wb") as out:
            out.write(image)
        yield path


def _edit_line(edit: Edit) -> str:
    where = edit.field if edit.op == "replace" else f"{edit.field} ({edit.op})"
    if edit.op == "insert":
        change = _quote(edit.new)
    elif edit.op == "delete":
        change = _quote(edit.old)
    else:
        change = f"{_quote(edit.old)} -> {_quote(edit.new)}"
    return f"- {where}, {edit.cls}: {change}"


def _quote(text: str | None) -> str:
    return '"' + _snippet(one_line(text or ""), _SNIPPET) + '"'


def _snippet(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _stderr(line: str) -> None:
    print(visible(line), file=sys.stderr, flush=True)


def _sample_result() -> CheckResult:
    return CheckResult(
        url="https://example.org/watcher/test-article",
        status="changed",
        checked_at=datetime.now(UTC).replace(microsecond=0),
        version=2,
        flags=["headline_changed"],
        edits=[
            Edit(
                field="headline",
                op="replace",
                old="Council approves budget",
                new="Council rejects budget",
                cls="substantive",
                inline=[("=", "Council "), ("-", "approves"), ("+", "rejects"), ("=", " budget")],
            ),
        ],
        headline="watcher test notification: headline changed",
    )


def _target_key(url: str) -> str:
    """How the outbox names a target without storing its URL (which may hold a token) twice."""
    return hashlib.sha256(url.strip().encode("utf-8", "surrogatepass")).hexdigest()[:16]
