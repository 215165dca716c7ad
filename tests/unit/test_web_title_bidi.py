"""A web view page's <title> (a browser tab, a bookmark: plain text, no <bdi>) keeps a headline's bidi controls from
reordering watcher's own words after it."""

from __future__ import annotations

import re

from watcher.app.web.site import templates


def title_of(headline: str) -> str:
    page = (
        templates()
        .from_string('{% extends "base.html" %}{% block title %}{{ h }}{% endblock %}')
        .render(h=headline, w={})
    )
    found = re.search("<title>(.*)</title>", page)
    assert found
    return found.group(1)


def test_an_override_in_a_headline_ends_before_the_site_name():
    assert title_of("Mayor \u202egnp.exe quits") == "\u2068Mayor \u202egnp.exe quits\u2069 · watcher"


def test_a_plain_title_is_left_as_it_is_and_still_escaped():
    assert title_of("<script> & co") == "&lt;script&gt; &amp; co · watcher"
