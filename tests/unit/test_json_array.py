"""list --json writes its array element by element: what reaches a pipe must stay one JSON value."""

from __future__ import annotations

import json
from io import StringIO

import pytest

from watcher.app.console import Environment
from watcher.errors import StoreError


def test_an_array_cut_short_by_an_error_is_still_closed():
    def items():
        yield {"url": "https://news.example/a"}
        yield {"url": "https://news.example/b"}
        raise StoreError("article file damaged")

    out = StringIO()
    with pytest.raises(StoreError):
        Environment(stdout=out, stderr=StringIO()).print_json_array(items())
    assert json.loads(out.getvalue()) == [{"url": "https://news.example/a"}, {"url": "https://news.example/b"}]


def test_an_empty_array_and_a_full_one():
    for given in ([], [{"n": 1}, {"n": 2}]):
        out = StringIO()
        Environment(stdout=out, stderr=StringIO()).print_json_array(iter(given))
        assert json.loads(out.getvalue()) == given and out.getvalue().endswith("\n")
