"""Watch lists written for urlwatch and changedetection.io read back as the same pages, through `watcher`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml

from watcher.app.cli import main
from watcher.app.console import Environment
from watcher.app.watchlists import read
from watcher.store import open_store

PAGES = {"https://news.example/2026/11/25/flood": ["city"], "https://news.example/2026/11/24/tram": []}


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(data_dir), *args], Environment(stdout=out, stderr=err, width=120))
    return exited.value.code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["urlwatch", "changedetection"])
def test_export_for_another_tool_reads_back(tmp_path, fmt):
    store = open_store(tmp_path / "data")
    for url, tags in PAGES.items():
        store.add_article(url, tags=tags)
    target = tmp_path / f"list.{fmt}"
    code, _, err = run(tmp_path / "data", "export", "--format", fmt, "-o", str(target))
    assert code == 0, err
    text = target.read_text()
    if fmt == "urlwatch":
        assert [job["url"] for job in yaml.safe_load_all(text)] == list(PAGES)
    else:
        watches = json.loads(text)["watching"].values()
        assert {w["url"]: w["tag"] for w in watches} == {u: ", ".join(t) for u, t in PAGES.items()}
    assert [e.url for e in read(target, fmt)] == list(PAGES)
    code, _, err = run(tmp_path / "again", "import", str(target), "--format", fmt)
    assert code == 0, err
    assert [a.url for a in open_store(tmp_path / "again").list_articles()] == list(PAGES)


HOSTILE = "Vote \x1b[31mred\x07\x00\x0b\x7f\x85 \u202eevil\u2066 \u200f\u061c\u2028 \ufffe\ud800 end"


@pytest.mark.parametrize("fmt", ["urls", "opml", "urlwatch", "changedetection"])
def test_an_export_of_hostile_headlines_and_tags_is_valid_and_imports_back(tmp_path, fmt):
    store = open_store(tmp_path / "data")
    store.add_article("https://news.example/a", tags=["t\x1bag"])
    article = store.get_article("https://news.example/a")
    article.headline = HOSTILE  # page text, as a check stores it
    store.update_article(article)
    store.add_feed("https://news.example/rss.xml", every=600, tags=["x\x07"])
    target = tmp_path / "list"
    code, _, err = run(tmp_path / "data", "export", "--format", fmt, "-o", str(target))
    assert code == 0, err
    raw = target.read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw  # no terminal escape for whoever prints the file
    if fmt == "opml":
        from lxml import etree

        etree.fromstring(raw)  # well-formed XML, by a strict parser
    if fmt == "changedetection":
        assert json.loads(raw)["watching"]
    code, _, err = run(tmp_path / "again", "import", str(target), "--format", fmt)
    assert code == 0, err
    again = open_store(tmp_path / "again")
    assert [a.url for a in again.list_articles()][:1] == ["https://news.example/a"]  # a plain list holds feeds too
    if fmt == "opml":
        assert [(f.url, f.tags) for f in again.list_feeds()] == [("https://news.example/rss.xml", ["x\\u0007"])]
