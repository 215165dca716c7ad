"""Watch lists from urlwatch, changedetection.io, OPML readers and plain files, read and written."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from watcher.app.watchlists import Entry, read, write
from watcher.errors import BadInput

URLWATCH = """name: "Council story"
url: "https://news.example/council"
filter:
  - css: article
---
name: "A browser job"
navigate: "https://news.example/app"
---
name: "A command job"
command: "ls -la"
"""

CHANGEDETECTION = {
    "settings": {"application": {"tags": {"t-1": {"title": "politics"}}}},
    "watching": {
        "a1": {"url": "https://news.example/one", "tags": ["t-1"], "title": "One"},
        "b2": {"url": "https://news.example/two", "tag": "local, weekend"},
        "c3": {"title": "no url"},
    },
}


def test_urlwatch_jobs_with_a_web_address_are_read_and_commands_are_not(tmp_path):
    path = tmp_path / "urls.yaml"
    path.write_text(URLWATCH)
    assert [(e.url, e.title) for e in read(path)] == [
        ("https://news.example/council", "Council story"),
        ("https://news.example/app", "A browser job"),
    ]


def test_changedetection_backup_zip_and_json_with_tags(tmp_path):
    as_json = tmp_path / "url-watches.json"
    as_json.write_text(json.dumps(CHANGEDETECTION))
    zipped = tmp_path / "backup.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("changedetection-backup/url-watches.json", json.dumps(CHANGEDETECTION))
    zipped.write_bytes(buffer.getvalue())
    for path in (as_json, zipped):
        assert [(e.url, e.tags) for e in read(path)] == [
            ("https://news.example/one", ["politics"]),
            ("https://news.example/two", ["local", "weekend"]),
        ]


def test_opml_feeds_and_links_round_trip(tmp_path):
    entries = [
        Entry(url="https://news.example/rss.xml", feed=True, tags=["world"], title="World & more"),
        Entry(url="https://news.example/story?a=1&b=2", title="A story"),
    ]
    path = tmp_path / "list.opml"
    path.write_text(write(entries, "opml"))
    assert [(e.url, e.feed, e.tags, e.title) for e in read(path)] == [
        ("https://news.example/rss.xml", True, ["world"], "World & more"),
        ("https://news.example/story?a=1&b=2", False, [], "A story"),
    ]


def test_plain_lists_skip_comments_and_bad_files_say_which(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("# mine\nhttps://news.example/a\n\n  https://news.example/b  note\n")
    assert [e.url for e in read(path)] == ["https://news.example/a", "https://news.example/b"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("url: [unclosed")
    with pytest.raises(BadInput, match="broken.yaml: not valid YAML"):
        read(broken)
    with pytest.raises(BadInput, match="missing.txt: cannot read"):
        read(tmp_path / "missing.txt")


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["url: https://news.example/lol", "name: *i"]
)


def test_a_yaml_billion_laughs_is_refused_at_once_in_one_line(tmp_path):
    path = tmp_path / "urls.yaml"
    path.write_text(BILLION_LAUGHS)
    assert len(BILLION_LAUGHS) < 1024
    started = time.monotonic()
    with pytest.raises(BadInput) as info:
        read(path)
    assert "aliases" in str(info.value) and "\n" not in str(info.value)
    assert time.monotonic() - started < 5


def test_a_changedetection_zip_bomb_is_refused_before_it_inflates(tmp_path):
    path = tmp_path / "backup.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("changedetection-backup/url-watches.json", "w", force_zip64=True) as member:
            member.write(b'{"watching": {"a": {"url": "https://news.example/a", "title": "')
            chunk = b" " * (1 << 20)
            for _ in range(70):  # 70 MB inflated, about 70 KB in the zip
                member.write(chunk)
            member.write(b'"}}}')
    assert path.stat().st_size < 2 << 20
    with pytest.raises(BadInput, match="inflates past") as info:
        read(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "name,text", [("deep.json", '{"watching": ' + "[" * 100_000), ("deep.yaml", "[" * 100_000)], ids=["json", "yaml"]
)
def test_watch_lists_nested_past_reason_are_one_line_errors(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(BadInput) as info:
        read(path, "changedetection" if name.endswith(".json") else "urlwatch")
    assert "\n" not in str(info.value)


def test_a_watch_list_file_too_large_to_be_one_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(200 << 20)  # sparse: no disk used, and refused by its size, unread
    with pytest.raises(BadInput, match="too large to be a watch list"):
        read(path)


def test_an_opml_outlines_title_confines_a_headlines_bidi_override():
    import lxml.etree

    opml = write([Entry(url="https://news.example/a", title="Mayor quits \u202egnp.exe over scandal")], "opml")
    (outline,) = lxml.etree.fromstring(opml.encode()).iter("outline")
    # A feed reader shows the text plainly: the override is isolated (FSI ... PDI), so it ends with the title.
    assert outline.get("text") == "\u2068Mayor quits \u202egnp.exe over scandal\u2069"
    plain = write([Entry(url="https://news.example/b", title="Plain headline")], "opml")
    assert "\u2068" not in plain


def test_a_urlwatch_job_name_holds_a_headlines_bidi_override_escaped_and_reads_back_whole():
    import yaml

    title = "Mayor quits \u202egnp.exe over scandal 颱風"
    text = write([Entry(url="https://news.example/a", title=title)], "urlwatch")
    assert "\u202e" not in text  # printed or opened in an editor, the file cannot reorder what is shown
    assert "颱風" in text  # other text stays as it is
    assert yaml.safe_load(text)["name"] == title
