"""Alert rules through real checks: a target told "numbers only" hears of 3 -> 5 and not of a style edit; a
keyword target hears when its word appears; `notify-test --explain` says who a version reaches and why."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from support.cli import data_dir_with, fast_config, watcher

pytestmark = pytest.mark.browser

LEAD = "Three people were killed when the footbridge over the Elm River collapsed on Monday evening, police said."
REST = [
    "The bridge, which opened in 1974, had been closed twice last year for repairs to its supports.",
    "The city engineer said an inspection in the spring had found no sign of serious damage to the structure.",
]


def page(lead: str, rest: list[str]) -> str:
    paras = "".join(f"<p>{escape(p)}</p>" for p in [lead, *rest])
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Footbridge collapse</title></head>"
        f"<body><article><h1>Footbridge collapses over Elm River</h1>{paras}</article></body></html>"
    )


def test_numbers_only_target_fires_on_a_count_and_stays_silent_on_a_style_edit(site, receiver, tmp_path):
    targets = [
        ("/numbers", 'when = ["numbers"]'),
        ("/everything", 'min_class = "cosmetic"'),
        ("/inquiry", 'keywords = ["inquiry"]'),
        ("/other-site", 'sites = ["example.org"]'),
    ]
    hooks = "".join(f'\n[[notify]]\nurl = "{receiver.url}{path}"\n{extra}\n' for path, extra in targets)
    data_dir = data_dir_with(tmp_path / "data", fast_config() + hooks)
    site.page_versions(
        "/news/bridge",
        {
            "v1": page(LEAD, REST),
            "v2": page(LEAD.replace("Three", "Five"), REST),
            # Wording only: the facts stay as they were.
            "v3": page(LEAD.replace("Three", "Five").replace("were killed when", "died after"), REST),
            "v4": page(
                LEAD.replace("Three", "Five").replace("were killed when", "died after"),
                [*REST, "The mayor ordered an inquiry."],
            ),
        },
    )
    url = site.url("/news/bridge")
    assert watcher(data_dir, "add", url).returncode == 0
    for version in ("v1", "v2", "v3", "v4"):
        site.set_version("/news/bridge", version)
        done = watcher(data_dir, "check", "--json")
        assert done.returncode == 0, done.stderr
    assert receiver.wait_for(lambda: len(receiver.got("/everything")) == 3, timeout=10), receiver.posts

    numbers = receiver.got("/numbers")
    assert [body["version"] for body in numbers] == [2]
    assert numbers[0]["summary"] == "people: Three → Five (¶1)"
    fact = numbers[0]["edits"][0]["facts"][0]
    assert (fact["kind"], fact["old"], fact["new"], fact["context"]) == ("number", "Three", "Five", "people")
    assert numbers[0]["edits"][0]["intent"] == "fact"
    assert [body["version"] for body in receiver.got("/everything")] == [2, 3, 4]
    assert [body["version"] for body in receiver.got("/inquiry")] == [4]
    assert receiver.got("/other-site") == []

    explained = watcher(data_dir, "notify-test", "--explain", url, "--version", "3", "--json")
    assert explained.returncode == 0, explained.stderr
    names = [path.strip("/") for path, _rules in targets]
    verdicts = {names[t["index"] - 1]: t for t in json.loads(explained.stdout)["targets"]}
    assert f"{receiver.url}/numbers" not in explained.stdout  # target paths are redacted (they often carry tokens)
    assert not verdicts["numbers"]["fires"] and "none of: numbers" in verdicts["numbers"]["reasons"][0]
    assert verdicts["everything"]["fires"]
    assert not verdicts["other-site"]["fires"] and verdicts["other-site"]["reasons"] == ["not on example.org"]
    text = watcher(data_dir, "notify-test", "--explain", url, "--version", "2")
    assert text.returncode == 0 and "fires " in text.stdout and "numbers changed (Three → Five)" in text.stdout
