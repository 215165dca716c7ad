"""Edit intent measured against a labelled set: per-label precision and recall (bench/intents.py, the tests)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watcher.diff.align import make_edit
from watcher.diff.facts import edit_facts
from watcher.diff.intent import edit_intent
from watcher.models import INTENTS


@dataclass
class Scores:
    """Counts of one run over a labelled set, and the precision/recall they give."""

    pairs: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted)

    def precision(self, label: str) -> float:
        predicted = sum(1 for _, p in self.pairs if p == label)
        return sum(1 for g, p in self.pairs if g == p == label) / predicted if predicted else 0.0

    def recall(self, label: str) -> float:
        gold = sum(1 for g, _ in self.pairs if g == label)
        return sum(1 for g, p in self.pairs if g == p == label) / gold if gold else 0.0

    def accuracy(self) -> float:
        return sum(1 for g, p in self.pairs if g == p) / len(self.pairs) if self.pairs else 0.0

    def support(self, label: str) -> int:
        return sum(1 for g, _ in self.pairs if g == label)

    def confusions(self) -> Counter[tuple[str, str]]:
        return Counter((g, p) for g, p in self.pairs if g != p)


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled edits of a JSON-lines file (tests/fixtures/intents/edits.jsonl)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(row: dict[str, Any]) -> str:
    """The intent watcher gives one labelled edit, decided as a real diff would decide it."""
    old, new = row.get("old"), row.get("new")
    op = "insert" if old is None else "delete" if new is None else "replace"
    edit = make_edit(row["field"], op, old, new, lang=row.get("lang"))
    return edit_intent(edit, edit_facts(edit), correction_notice=bool(row.get("notice")))


def score(rows: Iterable[dict[str, Any]]) -> Scores:
    """Gold against predicted intents over the rows."""
    scores = Scores()
    for row in rows:
        gold = row["intent"]
        assert gold in INTENTS, f"unknown intent {gold!r}"
        scores.pairs.append((gold, predict(row)))
    return scores
