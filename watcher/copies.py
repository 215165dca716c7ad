"""Third-party copies: each stored version's URL submitted to the Internet Archive's Save Page Now and to
archive.today, off the check's path and rate-limited per service; kept in the store's outbox until done, so a
service that fails, limits or hangs is asked again later; the copy's address recorded in the version.

Save Page Now 2: POST {wayback_url}/save with the form `url=...`, `Accept: application/json` and
`Authorization: LOW accesskey:secret`, answered {"url", "job_id"}; then GET {wayback_url}/save/status/JOB
until "status" is "success" (with "timestamp" and "original_url": the copy is
{wayback_url}/web/TIMESTAMP/ORIGINAL_URL) or "error" (with "status_ext" and "message"); "pending" meanwhile.
archive.today: POST {archive_today_url}/submit/ with the form `url=...`, answered by a redirect (Location) or a
Refresh header naming the copy; a 429 or a CAPTCHA page means "later".

The key is read from the environment variable [copies] wayback_key_env, never from the config file, and is
scrubbed from every error kept or printed. Requests go through the one HTTP client, so the public-address rule
applies to the services as to any other request.
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from watcher.config import CopiesSettings, SiteRule
from watcher.errors import FetchError, WatcherError
from watcher.fetch.base import parse_retry_after
from watcher.labels import COPY_SERVICES
from watcher.labels import copy_line as copy_line  # the words for a copy, where the other labels are
from watcher.models import CheckResult
from watcher.times import iso, parse_iso
from watcher.untrusted import one_line
from watcher.urls import hostname_of, on_domain

OUTBOX_PREFIX = "copy:"  # outbox targets of copies (the notifier leaves them alone)
SERVICES = COPY_SERVICES
COPIED_STATUSES = ("new", "changed", "revert", "restored")  # results that stored a version of the page
_POLL_FIRST, _POLL_MAX = 1.0, 5.0  # seconds between Save Page Now status questions (growing)
# Save Page Now errors that asking again will not mend.
_FINAL_SPN_ERRORS = {
    "error:blocked-url",
    "error:invalid-url-syntax",
    "error:invalid-host-resolution",
    "error:no-access",
}
_CAPTCHA = re.compile(rb"captcha|g-recaptcha|h-captcha", re.IGNORECASE)


class CopyFailed(Exception):
    """One try at a copy failed; `retryable` says whether asking again later may work."""

    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


def wanted(url: str, settings: CopiesSettings, sites: Sequence[SiteRule]) -> bool:
    """Whether versions of `url` are copied: its [[sites]] entry's `copies`, else [copies] every_site."""
    host = hostname_of(url)
    best: SiteRule | None = None
    for rule in sites:
        domain = rule.domain.lower().strip(".")
        if rule.copies is not None and on_domain(host, domain) and (best is None or len(domain) > len(best.domain)):
            best = rule
    return best.copies if best is not None and best.copies is not None else settings.every_site


def services(settings: CopiesSettings) -> list[str]:
    """The services turned on, in a fixed order."""
    return [name for name in SERVICES if getattr(settings, name)]


def wayback_key(settings: CopiesSettings) -> str | None:
    return (os.environ.get(settings.wayback_key_env) or "").strip() or None


def _limits(settings: CopiesSettings) -> Any:
    from watcher.fetch import addresses, http

    return http.Limits(
        timeout=settings.timeout,
        total=settings.timeout,
        max_bytes=2_000_000,
        allow_private=addresses.private_allowed(False),
    )


def _status_failure(service: str, status: int, reason: str, retry_after: str | None) -> CopyFailed:
    retryable = status >= 500 or status in (408, 429)
    what = "asks to slow down" if status == 429 else f"answered HTTP {status} {reason}".strip()
    return CopyFailed(f"{SERVICES[service]} {what}", retryable, parse_retry_after(retry_after))


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def save_wayback(settings: CopiesSettings, url: str, key: str, wait: Callable[[float], bool] = _sleep) -> str:
    """Ask Save Page Now 2 to capture `url` and wait (within [copies] wait) for the copy's address."""
    from watcher.fetch import http

    base = settings.wayback_url.rstrip("/")
    headers = {"Accept": "application/json", "Authorization": f"LOW {key}"}
    form = urllib.parse.urlencode({"url": url}).encode()
    try:
        response = http.post(
            f"{base}/save",
            form,
            _limits(settings),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
    except FetchError as exc:
        raise CopyFailed(f"Internet Archive: {exc}", exc.retryable) from None
    if response.status in (401, 403):
        raise CopyFailed(f"Internet Archive refused the key (HTTP {response.status})", retryable=False)
    if response.status >= 300:
        raise _status_failure("wayback", response.status, response.reason, response.headers.get("retry-after"))
    answer = _json(response.body)
    job = answer.get("job_id")
    if not isinstance(job, str) or not job:
        raise _spn_error(answer)
    deadline = time.monotonic() + settings.wait
    pause = _POLL_FIRST
    while True:
        if wait(min(pause, max(0.0, deadline - time.monotonic()))):
            raise CopyFailed("stopped while Save Page Now was capturing")
        try:
            status = http.get(
                f"{base}/save/status/{urllib.parse.quote(job, safe='')}",
                _limits(settings),
                headers=headers,
                max_redirects=0,
                raise_status=False,
            )
        except FetchError as exc:
            raise CopyFailed(f"Internet Archive: {exc}", exc.retryable) from None
        if status.status >= 300:
            raise _status_failure("wayback", status.status, status.reason, status.headers.get("retry-after"))
        state = _json(status.body)
        if state.get("status") == "success":
            stamp, original = str(state.get("timestamp") or ""), str(state.get("original_url") or url)
            if not stamp.isdigit():
                raise CopyFailed("Save Page Now said success without a timestamp")
            return f"{base}/web/{stamp}/{original}"
        if state.get("status") != "pending":
            raise _spn_error(state)
        if time.monotonic() >= deadline:
            raise CopyFailed(f"Save Page Now still capturing after {settings.wait:g}s")
        pause = min(_POLL_MAX, pause * 1.5)


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise CopyFailed("Internet Archive answered something that is not JSON") from None
    if not isinstance(value, dict):
        raise CopyFailed("Internet Archive answered JSON that is not an object")
    return value


def _spn_error(answer: dict[str, Any]) -> CopyFailed:
    ext = str(answer.get("status_ext") or "")
    message = one_line(str(answer.get("message") or ext or "no job started"))[:200]
    refused = ext in _FINAL_SPN_ERRORS or "logged in" in message.lower()  # a key that is not accepted
    return CopyFailed(f"Save Page Now: {message}", retryable=not refused)


def save_archive_today(settings: CopiesSettings, url: str) -> str:
    """Submit `url` to archive.today; the copy's address from the redirect or Refresh header it answers with."""
    from watcher.fetch import http

    base = settings.archive_today_url.rstrip("/")
    form = urllib.parse.urlencode({"url": url, "anyway": "1"}).encode()
    try:
        response = http.post(
            f"{base}/submit/", form, _limits(settings), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    except FetchError as exc:
        raise CopyFailed(f"archive.today: {exc}", exc.retryable) from None
    where = http.redirect_target(response)
    if where is None:
        refresh = response.headers.get("refresh") or ""
        found = re.search(r"url\s*=\s*(\S+)", refresh, re.IGNORECASE)
        where = urllib.parse.urljoin(response.url, found.group(1).strip("'\"")) if found else None
    if where is not None and urllib.parse.urlsplit(where).scheme in ("http", "https"):
        return where.replace("/wip/", "/", 1)  # the copy's address while archive.today still works on it
    if response.status >= 300:
        raise _status_failure("archive_today", response.status, response.reason, response.headers.get("retry-after"))
    if _CAPTCHA.search(response.body):
        raise CopyFailed("archive.today asks for a CAPTCHA (too many submissions from this address)")
    raise CopyFailed("archive.today answered without naming a copy")


@dataclass
class _Job:
    entry_id: int | None
    body: dict[str, Any]  # {"url", "version", "service", "captured_at"} (older entries have no "captured_at")
    tries: int  # tries so far, across runs
    due: float = 0.0  # time.monotonic() before which it is not tried


class Copier:
    """Submits stored versions to the services from a background thread per service, so a check never waits."""

    def __init__(
        self,
        settings: CopiesSettings,
        sites: Sequence[SiteRule],
        store: Any,
        *,
        log: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self._sites = list(sites)
        self._store = store
        self._log = log
        self._key = wayback_key(settings)
        names = services(settings)
        if "wayback" in names and self._key is None:
            log(f"copies: Save Page Now needs an archive.org key in ${settings.wayback_key_env}; skipped")
            names.remove("wayback")
        self._services = names
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._queues: dict[str, queue.Queue[_Job | None]] = {}
        self._held: dict[str, _Job | None] = {}  # the job each service's thread is trying or waiting to try
        self._threads: list[threading.Thread] = []
        self.saved: list[dict[str, Any]] = []  # copies recorded by this run, for `watcher check` to print
        for name in self._services:
            self._queues[name] = queue.Queue()
            self._held[name] = None
            thread = threading.Thread(target=self._run, args=(name,), name=f"copies-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._resume()

    def _resume(self) -> None:
        """Queue what earlier runs left in the outbox (services since turned off are dropped)."""
        try:
            pending = [e for e in self._store.outbox_pending() if str(e.get("target", "")).startswith(OUTBOX_PREFIX)]
        except Exception as exc:  # a damaged outbox must not stop the run
            self._log(f"copies: cannot read the copies kept from earlier runs: {one_line(str(exc))}")
            return
        queued = 0
        for entry in pending:
            service = entry["target"][len(OUTBOX_PREFIX) :]
            if service not in self._queues:
                if service not in services(self.settings):
                    self._done(entry["id"])  # a service turned off since
                continue  # else one without its key in this process: kept for a run that has it
            self._queues[service].put(_Job(entry["id"], entry.get("body") or {}, int(entry.get("attempts") or 0)))
            queued += 1
        if queued:
            self._log(f"copies: asking again for {queued} copy(ies) kept from an earlier run")

    def submit(self, result: CheckResult) -> None:
        """Queue copies of the version a check stored; returns at once (the outbox keeps them first)."""
        if self._stop.is_set() or result.status not in COPIED_STATUSES or not result.version:
            return
        if not self._services or not wanted(result.url, self.settings, self._sites):
            return
        captured_at = self._captured_at(result.url, result.version)
        bodies: list[dict[str, Any]] = [
            {"url": result.url, "version": result.version, "service": name, "captured_at": captured_at}
            for name in self._services
        ]
        ids: list[int | None] = [None] * len(bodies)
        try:
            ids = list(self._store.outbox_put([(OUTBOX_PREFIX + b["service"], b) for b in bodies]))
        except Exception as exc:  # the store cannot keep them: asked for from memory, this run only
            self._log(f"copies: cannot keep the request in the store ({one_line(str(exc))}); asking anyway")
        for entry_id, body in zip(ids, bodies, strict=True):
            self._queues[body["service"]].put(_Job(entry_id, body, 0))

    def _captured_at(self, url: str, number: int) -> str | None:
        """The version's capture time, which names it for good: `watcher reextract` may renumber versions while a
        request waits in the outbox, but keeps each version's capture time."""
        try:
            return iso(self._store.get_version(url, number).captured_at, timespec="auto")
        except Exception:  # the number alone, as older requests name it
            return None

    def _version_now(self, body: dict[str, Any]) -> int:
        """The number the requested version has now: the one captured at the request's capture time (of two with
        that time, the nearer in number), else the newest captured before it (a re-extraction found the version
        the same as the one before and merged them: that one is what the page showed then)."""
        number = int(body.get("version") or 0)
        try:
            at = parse_iso(body.get("captured_at"))
        except (TypeError, ValueError):
            at = None
        if at is None:
            return number
        before = [v for v in self._store.list_versions(str(body.get("url")), full=False) if v.captured_at <= at]
        same = [v for v in before if v.captured_at == at]
        if same:
            return min(same, key=lambda v: abs(v.number - number)).number
        return before[-1].number if before else number

    def pending(self, *, due_only: bool = False) -> int:
        """Copies not made yet; `due_only`: only those being tried or due now (not those backing off)."""
        now = time.monotonic()
        with self._lock:
            jobs = [j for q in self._queues.values() for j in list(q.queue) if j is not None]
            jobs += [j for j in self._held.values() if j is not None]
        return sum(1 for j in jobs if not due_only or j.due <= now)

    def close(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        """Finish the tries under way and those due within `timeout` seconds, then stop (one backing off after a
        failure is not waited for); the rest stays in the outbox for a later run. The copies made by this run."""
        deadline = time.monotonic() + timeout
        while self.pending(due_only=True) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = self.pending()
        self._stop.set()
        for q in self._queues.values():
            q.put(None)
        for thread in self._threads:
            thread.join(max(0.0, min(1.0, deadline - time.monotonic())))
        if left:
            self._log(f"copies: {left} copy(ies) not made yet; asked for again by the next run")
        return list(self.saved)

    def _run(self, service: str) -> None:
        jobs = self._queues[service]
        last = 0.0
        while True:
            job = jobs.get()
            if job is None or self._stop.is_set():
                return
            with self._lock:
                self._held[service] = job
            try:
                if self._stop.wait(max(0.0, job.due - time.monotonic(), last + self.settings.gap - time.monotonic())):
                    return  # stays in the outbox
                try:
                    self._try(service, job)
                finally:
                    last = time.monotonic()  # counted from the answer: the service sees at least `gap` between two
            finally:
                with self._lock:
                    self._held[service] = None

    def _try(self, service: str, job: _Job) -> None:
        url = str(job.body.get("url"))
        try:
            if service == "wayback":
                copy = save_wayback(self.settings, url, self._key or "", self._stop.wait)
            else:
                copy = save_archive_today(self.settings, url)
        except CopyFailed as exc:
            self._failed(service, job, exc)
            return
        except Exception as exc:  # a bug in one try must not end the service's thread
            self._failed(service, job, CopyFailed(f"{type(exc).__name__}: {exc}"))
            return
        record = {"service": service, "url": copy, "saved_at": iso(datetime.now(UTC)), "error": None}
        version = self._record(job.body, record)
        self._done(job.entry_id)
        with self._lock:
            self.saved.append({**record, "page": url, "version": version})

    def _failed(self, service: str, job: _Job, exc: CopyFailed) -> None:
        reason = self._scrub(one_line(str(exc)))
        job.tries += 1
        url = job.body.get("url")
        if self._stop.is_set() and exc.retryable:
            return  # stopped mid-try: kept in the outbox as it was
        if not exc.retryable or job.tries >= self.settings.attempts:
            record = {"service": service, "url": None, "saved_at": None, "error": reason}
            version = self._record(job.body, record)
            self._log(f"copies: {SERVICES[service]}: gave up on {url} v{version}: {reason}")
            self._done(job.entry_id)
            return
        delay = exc.retry_after if exc.retry_after is not None else self.settings.backoff * 2 ** (job.tries - 1)
        self._log(f"copies: {SERVICES[service]}: {url} not copied yet ({reason}); trying again in {delay:g}s")
        if job.entry_id is not None:
            try:
                self._store.outbox_failed(job.entry_id, reason)
            except Exception as err:  # it stays pending all the same
                self._log(f"copies: cannot update the outbox: {one_line(str(err))}")
        job.due = time.monotonic() + delay
        self._queues[service].put(job)

    def _record(self, body: dict[str, Any], record: dict[str, Any]) -> int:
        """Record the copy in the version the request names, as numbered now; that number."""
        url, version = str(body.get("url")), int(body.get("version") or 0)
        try:
            version = self._version_now(body)
            self._store.record_copy(url, version, record)
        except WatcherError as exc:  # the article or version is gone: nothing to record it in
            self._log(f"copies: cannot record the copy of {url} v{version}: {one_line(str(exc))}")
        return version

    def _done(self, entry_id: int | None) -> None:
        if entry_id is None:
            return
        try:
            self._store.outbox_done(entry_id)
        except Exception as exc:
            self._log(f"copies: cannot update the outbox: {one_line(str(exc))}")

    def _scrub(self, text: str) -> str:
        """An error with the key (and each half of it) hidden."""
        if self._key:
            for secret in sorted({self._key, *self._key.split(":", 1)}, key=len, reverse=True):
                if len(secret) >= 4:
                    text = text.replace(secret, "…")
        return text


def copier_for(config: Any, store: Any, log: Callable[[str], None]) -> Copier | None:
    """The Copier when [copies] turns a service on (None: off, the default)."""
    if not services(config.copies):
        return None
    return Copier(config.copies, config.sites, store, log=log)
