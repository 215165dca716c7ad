"""`watcher list` over a long watch list prints as it reads: its first lines are out before the store has handed
over every article (bench/scale.py holds the timing claim: under 1 s at 100,000 articles)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.store import open_store
from watcher.store.tiny.store import TinyStore

COUNT = 5_000  # ten pages of the listing


@pytest.fixture(scope="module")
def long_list(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("long") / "data"
    store = open_store(data, durable=False)
    with store.transaction():  # one transaction: one journal append, then the first snapshot
        for i in range(COUNT):
            store.add_article(f"https://news.example/section/{i % 40}/story-{i:06d}", tags=["t"] if i % 2 else [])
    return data


class FirstWrite(StringIO):
    """stdout that notes how many articles the store had handed over when the first text arrived."""

    def __init__(self, handed: list[int]):
        super().__init__()
        self.handed, self.at_first = handed, None

    def write(self, text: str) -> int:
        if self.at_first is None and text:
            self.at_first = self.handed[0]
        return super().write(text)


def listing(monkeypatch, data: Path, *args: str) -> tuple[str, int | None, int]:
    """stdout of `watcher list ARGS`, the articles read from the store before its first write, and in all."""
    handed = [0]
    real = TinyStore.iter_articles

    def counted(self):
        for article in real(self):
            handed[0] += 1
            yield article

    monkeypatch.setattr(TinyStore, "iter_articles", counted)
    out, err = FirstWrite(handed), StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data), "--tz", "UTC", "list", *args], Environment(stdout=out, stderr=err, width=100))
    assert exited.value.code == 0, err.getvalue()
    return out.getvalue(), out.at_first, handed[0]


def test_list_prints_its_first_page_before_reading_the_rest(long_list, monkeypatch):
    text, at_first, handed = listing(monkeypatch, long_list)
    assert handed == COUNT and at_first is not None and at_first <= COUNT // 5
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["id", "article"] and lines[1].startswith("─")
    # One header for the whole list, and every article's two lines, in the order added.
    assert sum(1 for line in lines if line.startswith("id ")) == 1
    assert len(lines) == 2 + 2 * COUNT
    assert lines[3].strip() == "news.example/section/0/story-000000"
    assert lines[-1].split()[0] == "news.example/section/39/story-004999"
    assert lines[-1].endswith("#t")


def test_list_json_is_one_array_written_element_by_element(long_list, monkeypatch):
    text, at_first, handed = listing(monkeypatch, long_list, "--json")
    assert handed == COUNT and at_first is not None and at_first <= COUNT // 5
    rows = json.loads(text)
    assert len(rows) == COUNT and rows[0]["url"] == "https://news.example/section/0/story-000000"
    assert {"url", "id", "status", "tags", "fetch"} <= rows[0].keys() and rows[1]["tags"] == ["t"]
    assert len({r["id"] for r in rows}) == COUNT


def test_filters_stream_too_and_say_when_nothing_matches(long_list, monkeypatch):
    text, at_first, handed = listing(monkeypatch, long_list, "--tag", "t", "--limit", "3")
    assert [line.split()[0] for line in text.splitlines()[3::2]] == [
        f"news.example/section/{i}/story-{i:06d}" for i in (1, 3, 5)
    ]
    assert handed < COUNT  # --limit stops reading
    _, at_first, handed = listing(monkeypatch, long_list, "--host", "elsewhere.example")
    assert at_first is None and handed == COUNT
