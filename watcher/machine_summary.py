"""Machine-written summaries: a change sent, with its facts, to an OpenAI-compatible endpoint the user runs, off the
check's path; answers cached per version in the data folder and always marked as machine-written."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watcher.config import SummarySettings
from watcher.diff.facts import annotate
from watcher.models import CheckResult, Edit
from watcher.untrusted import one_line, without_controls

CACHE_NAME = "machine-summaries.jsonl"
MAX_ANSWER_CHARS = 600  # a summary is a sentence or two; a longer answer is cut, never shown whole
log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "You summarise edits to a published news article for journalists. Using only the facts and the before/after "
    "text given, write one or two plain sentences saying what changed (numbers, names, quotes, attribution, "
    "added or removed paragraphs). Do not guess why. Do not add anything that is not in the text. Write in the "
    "article's language."
)


@dataclass(frozen=True)
class MachineSummary:
    """One cached answer: the text, the model that wrote it, the version it summarises."""

    url: str
    version: int
    text: str
    model: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "model": self.model, "machine_written": True}


def prompt(headline: str, summary: str, edits: Sequence[Edit], max_chars: int) -> str:
    """The user message: the headline, watcher's own facts and summary, then each edit's before and after,
    cut to max_chars in all (the facts come first, so a cut loses text, never the facts)."""
    annotate(edits)
    lines = [f"Headline: {one_line(headline)}", f"watcher's summary: {summary or '(none)'}", "Facts:"]
    for edit in edits:
        for fact in edit.facts or []:
            lines.append(f"- {edit.field}: {fact.kind} {fact.change}: {fact.old or ''} -> {fact.new or ''}".rstrip())
    lines.append("Edits:")
    for n, edit in enumerate(edits, 1):
        lines.append(f"{n}. {edit.field} {edit.op}")
        if edit.old:
            lines.append(f"   before: {one_line(edit.old)}")
        if edit.new:
            lines.append(f"   after: {one_line(edit.new)}")
    text = "\n".join(lines)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def ask(settings: SummarySettings, message: str) -> str:
    """One chat completion from the endpoint; raises on a transport error, a bad status or an empty answer."""
    import httpx

    headers = {"content-type": "application/json"}
    key = os.environ.get(settings.llm_key_env) if settings.llm_key_env else None
    if key:
        headers["authorization"] = f"Bearer {key}"
    body = {
        "model": settings.llm_model,
        "messages": [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": message}],
        "temperature": 0,
        "max_tokens": 200,
    }
    url = (settings.llm_url or "").rstrip("/") + "/chat/completions"
    response = httpx.post(url, json=body, headers=headers, timeout=settings.llm_timeout)
    response.raise_for_status()
    answer = response.json()["choices"][0]["message"]["content"]
    text = one_line(without_controls(str(answer)))[:MAX_ANSWER_CHARS].strip()
    if not text:
        raise ValueError("the endpoint answered with no text")
    return text


class SummaryCache:
    """Answers kept per version, one JSON line each, appended (safe for several writers of short lines)."""

    def __init__(self, folder: Path):
        self.path = folder / CACHE_NAME
        self._lock = threading.Lock()

    def add(self, entry: MachineSummary) -> None:
        line = json.dumps({"url": entry.url, "version": entry.version, "text": entry.text, "model": entry.model})
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def for_article(self, url: str) -> dict[int, MachineSummary]:
        """The cached summaries of one article by version; a damaged line is skipped, never fatal."""
        found: dict[int, MachineSummary] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return found
        for line in lines:
            try:
                data = json.loads(line)
                if data["url"] == url:
                    found[int(data["version"])] = MachineSummary(url, int(data["version"]), data["text"], data["model"])
            except (ValueError, KeyError, TypeError):
                continue
        return found


class MachineSummaries:
    """Asks the endpoint about each stored change in a background thread; a slow or failing endpoint is logged
    and never holds up or fails a check."""

    def __init__(self, settings: SummarySettings, cache: SummaryCache, warn: Callable[[str], None]):
        self.settings, self.cache, self.warn = settings, cache, warn
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="machine-summary")
        self._pending: list[Future[MachineSummary | None]] = []

    def submit(self, result: CheckResult) -> None:
        if result.status != "changed" or result.version is None or not result.edits:
            return
        self._pending.append(self._pool.submit(self._one, result))

    def _one(self, result: CheckResult) -> MachineSummary | None:
        message = prompt(result.headline, result.summary, result.edits, self.settings.llm_max_chars)
        try:
            text = ask(self.settings, message)
        except Exception as exc:  # noqa: BLE001 - any failure of the endpoint is logged, never raised
            self.warn(f"machine-written summary of {result.url} v{result.version} failed: {type(exc).__name__}")
            return None
        entry = MachineSummary(result.url, result.version or 0, text, self.settings.llm_model)
        self.cache.add(entry)
        return entry

    def close(self, timeout: float) -> list[MachineSummary]:
        """Wait up to `timeout` seconds for the answers asked for so far; those not in by then are left."""
        done: list[MachineSummary] = []
        # One deadline for all: the answers are asked for one after another, so a timeout per answer would
        # hold a check of many changed articles up for that many timeouts.
        deadline = time.monotonic() + timeout
        for future in self._pending:
            try:
                entry = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - a timed-out answer is simply not shown
                continue
            if entry is not None:
                done.append(entry)
        self._pool.shutdown(wait=False, cancel_futures=True)
        return done


def summaries_for(settings: SummarySettings, folder: Path, warn: Callable[[str], None]) -> MachineSummaries | None:
    """The background summariser when the config names an endpoint, else None (the default: off)."""
    if not settings.llm_url:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return MachineSummaries(settings, SummaryCache(folder), warn)
