"""Alerts a reporter can believe, on hostile pages built for each case, through real Chromium and the local site.

Each page is written for its test: widgets that change on every load inside the article, a headline walked
back, classes that small edits must not soften, a paragraph moved and edited, redirects of three kinds, and
`watcher check` delivering to a local webhook.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from support import tidewater
from support.cli import watcher
from support.site_server import Response

from watcher.config import Config, TrustSettings
from watcher.monitor import check as monitor
from watcher.render.edits import DELETE_MARKS, INSERT_MARKS
from watcher.report import ReportEntry, card_html
from watcher.store import open_store

# The north pier story with a short fourth paragraph, which tests below edit (6 weeks -> 9 weeks).
BODY = [*tidewater.BODY[:3], "Repairs will take 6 weeks.", *tidewater.BODY[3:]]


def page(
    headline: str = tidewater.HEADLINE, body: list[str] = BODY, widgets: list[str] = (), extra_head: str = ""
) -> bytes:
    """The story's page; widgets sit inside the article, between its first paragraphs."""
    return tidewater.story(headline, [*body[:1], *widgets, *body[1:]], extra_head).encode("utf-8")


def widgets(n: int) -> list[str]:
    """What changes on every load: an engagement counter, a read time and a live gauge."""
    return [f"{3545 + n} 人按讚", f"Read time: {2 + n % 5} min", f"Tide gauge at the pier now: {1 + n % 9}.{n % 7}0 m"]


class Checker:
    """check_article in-process on the session's Chromium, on a real store in a data folder."""

    def __init__(self, fetcher, data_dir: Path, config: Config):
        self.data_dir = data_dir
        self.store = open_store(data_dir)
        self.svc = monitor.Services(fetcher=fetcher, store=self.store, config=config)

    def add(self, url: str) -> str:
        return self.store.add_article(url)[0].url

    def check(self, url: str):
        return asyncio.run(monitor.check_article(url, self.svc))


@pytest.fixture
def checker(make_fetcher, tmp_path):
    return Checker(make_fetcher(settle_ms=0), tmp_path / "data", Config(trust=TrustSettings(confirm_delay=0.05)))


def fast_config(tmp_path: Path, notify_url: str | None = None) -> Path:
    path = tmp_path / "fast.toml"
    text = (
        "[fetch]\nnav_timeout = 5\ndeadline = 12\nretries = 1\nbackoff = 0.1\nper_host_delay = 0\nsettle_ms = 0\n"
        "allow_private = true\n\n[trust]\nconfirm_delay = 0.05\n"
    )
    if notify_url:
        text += f'\n[[notify]]\nurl = "{notify_url}"\nmin_class = "substantive"\nretries = 0\ntimeout = 5\n'
    path.write_text(text)
    return path


# --- widgets that change on every load ---------------------------------------------------------------------


def test_widgets_changing_on_every_load_make_no_edit_and_a_real_edit_is_stored_at_once(site, checker, tmp_path):
    edited = [*BODY[:2], BODY[2].replace("2.4 million", "3.9 million"), "Repairs will take 9 weeks.", BODY[4]]
    loads = range(80)
    site.page_versions(
        "/w",
        {
            "story": [Response(page(widgets=widgets(n))) for n in loads],
            "edited": [Response(page(body=edited, widgets=widgets(100 + n))) for n in loads],
        },
    )
    url = checker.add(site.url("/w"))
    results = [checker.check(url) for _ in range(20)]
    assert results[0].status == "new"
    # Not one false edit in 20 reloads, and nothing left unconfirmed for ever: the widgets are learned.
    assert [r.status for r in results[1:]] == ["unchanged"] * 19
    assert len(checker.store.list_versions(url)) == 1
    assert sum("unconfirmed" in r.flags for r in results) == 0
    assert checker.store.get_article(url).volatile

    site.set_version("/w", "edited")
    real = checker.check(url)
    assert (real.status, real.version) == ("changed", 2)
    changed = {(op, text) for e in real.edits for op, text in e.inline if op != "="}
    # Both edits, the short one with a figure too: a masked widget never hides a story paragraph.
    assert {("-", "2.4"), ("+", "3.9"), ("-", "6"), ("+", "9")} <= changed
    assert all("人按讚" not in (e.old or "") + (e.new or "") for e in real.edits)

    # The masked text is visible: `extract --json` lists it as volatile.
    out = watcher(checker.data_dir, "--config", str(fast_config(tmp_path)), "extract", url, "--json")
    assert out.returncode == 0, out.stderr
    extracted = json.loads(out.stdout)
    assert any("Tide gauge" in v for v in extracted["volatile"])
    assert not any("Tide gauge" in p for p in checker.store.latest_version(url).article.body)
    # and history says what is left out: per version in JSON, in words on the terminal.
    history = json.loads(watcher(checker.data_dir, "history", url, "--json").stdout)
    assert any("Tide gauge" in p for p in history[0]["volatile"]) and history[1]["volatile"] == []
    assert "left out of comparison" in watcher(checker.data_dir, "history", url).stdout
    # `watcher diff` compares the versions as a check does: the widgets of version 1 are not "removed".
    diff = json.loads(watcher(checker.data_dir, "diff", url, "--json").stdout)
    assert diff["edits"] and not any("Tide gauge" in (e["old"] or "") for e in diff["edits"])
    # Re-extraction from the raw HTML stores the versions as checks do: the widgets stay out.
    assert watcher(checker.data_dir, "reextract", url).returncode == 0
    rebuilt = open_store(checker.data_dir).list_versions(url)
    assert len(rebuilt) == 2 and not any("Tide gauge" in p for v in rebuilt for p in v.article.body)


def test_a_list_reordering_itself_on_every_load_makes_no_moved_edits(site, checker):
    items = ["Ferry timetable changes for winter", "Lighthouse reopens to visitors", "New crane arrives at the docks"]
    orders = [items[n % 3 :] + items[: n % 3] for n in range(30)]
    site.set("/l", *[Response(page(widgets=order)) for order in orders])
    url = checker.add(site.url("/l"))
    results = [checker.check(url) for _ in range(6)]
    assert results[0].status == "new"
    assert [r.status for r in results[1:]] == ["unchanged"] * 5 and len(checker.store.list_versions(url)) == 1
    assert not any(e.cls == "moved" for r in results for e in r.edits)
    assert not any("unconfirmed" in r.flags for r in results)  # learned, not left disagreeing


def test_chrome_recurring_across_a_hosts_stories_is_learned_from_them(site, checker):
    # A live figure that holds still between two reloads seconds apart, so only the host's other stories
    # can tell it is chrome: the same line, figures aside, in a different story of the same site.
    def gauge(level: str) -> str:
        return f"Tide gauge at the pier now: {level} m"

    edited = [*BODY[:3], "Repairs will take 9 weeks.", BODY[4]]
    site.page("/other", page("Choir from the mill district wins regional festival", OTHER, widgets=[gauge("3.4")]))
    site.page_versions(
        "/b",
        {
            "v1": page(widgets=[gauge("1.2")]),
            "v2": page(widgets=[gauge("1.7")]),
            "v3": page(body=edited, widgets=[gauge("2.1")]),
        },
    )
    other, url = checker.add(site.url("/other")), checker.add(site.url("/b"))
    assert checker.check(other).status == "new"
    assert checker.check(url).status == "new"
    site.set_version("/b", "v2")
    before = site.hits("/b")
    assert checker.check(url).status == "unchanged"
    assert site.hits("/b") - before == 1  # known chrome: not even a confirming re-fetch
    site.set_version("/b", "v3")
    edit = checker.check(url)  # and the story's own short line still counts
    assert edit.status == "changed" and [(e.cls, e.new) for e in edit.edits] == [("substantive", edited[3])]


def test_a_story_that_keeps_changing_between_loads_is_unconfirmed_and_says_what_to_do(site, checker):
    # A long story paragraph that differs on every load is story text disagreeing, never masked.
    long_rotating = [
        Response(
            page(
                body=[
                    *BODY[:4],
                    f"Fishing crews, {n} boats in all, moor at the south basin until the harbour master says otherwise.",
                ]
            )
        )
        for n in range(40)
    ]
    site.page_versions("/r", {"v1": page(), "rot": long_rotating})
    url = checker.add(site.url("/r"))
    assert checker.check(url).status == "new"
    site.set_version("/r", "rot")
    results = [checker.check(url) for _ in range(3)]
    assert [r.flags for r in results] == [["unconfirmed"]] * 3
    assert "not stored" in results[0].note and "--ignore" not in results[0].note
    assert "--ignore" in results[-1].note  # after repeated cases: the rule that would help
    assert len(checker.store.list_versions(url)) == 1


def test_ignore_rules_from_add_and_sites_leave_text_out_of_comparison(site, make_fetcher, tmp_path):
    site.page_versions(
        "/i",
        {
            "a": page(body=[*BODY[:4], BODY[4] + " Sponsored by Harbour Bank, offer 41."]),
            "b": page(body=[*BODY[:4], BODY[4] + " Sponsored by Harbour Bank, offer 77."]),
            "c": page(body=[*BODY[:4], BODY[4].replace("south", "east") + " Sponsored by Harbour Bank, offer 12."]),
        },
    )
    data = tmp_path / "data"
    add = watcher(data, "add", site.url("/i"), "--no-probe", "--ignore", r"Sponsored by [^.]+, offer \d+\.")
    assert add.returncode == 0, add.stderr
    bad = watcher(data, "add", site.url("/i"), "--no-probe", "--ignore", "([unclosed")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "regular expression" in bad.stderr
    c = Checker(make_fetcher(settle_ms=0), data, Config(trust=TrustSettings(confirm_delay=0.05)))
    url = c.store.list_articles()[0].url
    assert c.check(url).status == "new"
    site.set_version("/i", "b")
    assert c.check(url).status == "unchanged"
    site.set_version("/i", "c")
    edit = c.check(url)
    assert edit.status == "changed" and any(("+", "east") in e.inline for e in edit.edits)


# --- headlines ------------------------------------------------------------------------------------------------


def test_a_headline_walked_back_is_a_revert_stored_and_notified_by_check(site, checker, receiver, tmp_path):
    walked = "North pier closed after council ignored divers' warnings"
    site.page_versions("/h", {"v1": page(), "v2": page(headline=walked)})
    url = checker.add(site.url("/h"))
    assert checker.check(url).status == "new"
    site.set_version("/h", "v2")
    config = fast_config(tmp_path, receiver.url + "/ok")
    quiet = watcher(checker.data_dir, "--config", str(config), "check", url, "--no-notify")
    assert quiet.returncode == 0, quiet.stderr
    assert "changed" in quiet.stdout and receiver.got("/ok") == []

    site.set_version("/h", "v1")
    walk_back = watcher(checker.data_dir, "--config", str(config), "check", url, "--json")
    assert walk_back.returncode == 0, walk_back.stderr
    line = json.loads(walk_back.stdout.splitlines()[0])
    assert (line["status"], line["version"]) == ("revert", 3)
    assert receiver.wait_for(lambda: receiver.posts)
    (posted,) = receiver.got("/ok")
    assert (posted["status"], posted["url"], posted["version"]) == ("revert", url, 3)
    history = json.loads(watcher(checker.data_dir, "history", url, "--json").stdout)
    assert [v["event"] for v in history] == [None, None, "revert"]


# --- honest classes ---------------------------------------------------------------------------------------------


def test_magnitude_and_real_word_swaps_are_substantive_and_a_misspelling_fixed_is_a_typo(site, checker):
    base = [
        "The port will spend $310 million on the new pier, the authority said on Monday.",
        "It plans to hire forty divers and engineers before the work begins in the spring.",
        "The goverment has promised to match the sum if the first phase ends on time.",
    ]
    steps = {
        "v1": base,
        "billion": [base[0].replace("million", "billion"), *base[1:]],
        "fire": [base[0].replace("million", "billion"), base[1].replace("hire", "fire"), base[2]],
        "typo": [
            base[0].replace("million", "billion"),
            base[1].replace("hire", "fire"),
            base[2].replace("goverment", "government"),
        ],
    }
    site.page_versions("/c", {name: page(body=body) for name, body in steps.items()})
    url = checker.add(site.url("/c"))
    assert checker.check(url).status == "new"
    classes = {}
    for name in ("billion", "fire", "typo"):
        site.set_version("/c", name)
        result = checker.check(url)
        assert result.status == "changed", name
        classes[name] = [e.cls for e in result.edits if e.field == "body"]
    assert classes == {"billion": ["substantive"], "fire": ["substantive"], "typo": ["typo"]}


def test_a_moved_and_edited_paragraph_shows_its_edit_in_every_output(site, checker, tmp_path):
    moved = BODY[1].replace("1962", "1958")
    site.page_versions("/m", {"v1": page(), "v2": page(body=[BODY[0], BODY[2], BODY[3], BODY[4], moved])})
    url = checker.add(site.url("/m"))
    checker.check(url)
    site.set_version("/m", "v2")
    result = checker.check(url)
    (edit,) = [e for e in result.edits if e.field == "body"]
    assert (edit.op, edit.cls) == ("move", "substantive")
    data = checker.data_dir

    deleted, inserted = "1962".join(DELETE_MARKS), "1958".join(INSERT_MARKS)  # how a pipe shows the edit
    inline = watcher(data, "diff", url).stdout
    assert deleted + inserted in inline and "¶5 (was ¶2)" in inline
    side = watcher(data, "diff", url, "--side-by-side").stdout
    assert deleted in side and inserted in side and "(was ¶2)" in side
    labelled = [line for line in side.splitlines() if "(was ¶" in line]
    assert len(labelled) == 1 and "1962" in labelled[0] + side  # only the paragraph that moved is labelled
    html = watcher(data, "report", "--format", "html").stdout
    assert "<del>1962</del>" in html and "<ins>1958</ins>" in html
    markdown = watcher(data, "report", "--format", "md").stdout
    assert "1962" in markdown and "1958" in markdown and ("~~1962~~" in markdown or "<del>1962</del>" in markdown)
    atom = watcher(data, "report", "--format", "atom").stdout
    assert "&lt;del&gt;1962&lt;/del&gt;" in atom and "&lt;ins&gt;1958&lt;/ins&gt;" in atom
    store = open_store(data)
    old, new = store.list_versions(url)
    card = card_html(ReportEntry(store.get_article(url), old, new))
    assert "<del>1962</del>" in card and "<ins>1958</ins>" in card


# --- redirects ---------------------------------------------------------------------------------------------------

OTHER = [
    "A community choir from the old mill district won the regional festival on Saturday with a set of "
    "sea shanties and a new piece by a local composer.",
    "The choir's forty singers rehearse twice a week in the library basement and will now travel to the "
    "national final in the spring.",
]


@pytest.mark.parametrize("how", ["http", "meta", "script"])
def test_a_redirect_to_another_story_is_redirected_with_its_target_recorded(site, checker, how):
    target = site.url("/other")
    site.page("/other", page("Choir from the mill district wins regional festival", OTHER))
    moves = {
        "meta": page(extra_head=f'<meta http-equiv="refresh" content="0; url={target}">'),
        "script": page(extra_head=f"<script>location.replace({json.dumps(target)})</script>"),
    }
    site.page_versions("/s", {"v1": page(), **({how: moves[how]} if how in moves else {})})
    url = checker.add(site.url("/s"))
    assert checker.check(url).status == "new"
    if how == "http":
        site.redirect("/s", "/other", status=301)
    else:
        site.set_version("/s", how)
    result = checker.check(url)
    assert (result.status, result.final_url) == ("redirected", target)
    assert "stealth" not in result.flags and result.edits == []
    latest = checker.store.latest_version(url)
    assert (latest.event, latest.final_url) == ("redirected", target)
    if how != "meta":
        return  # what the commands print is the same for every kind of redirect: read once
    history = json.loads(watcher(checker.data_dir, "history", url, "--json").stdout)
    assert history[-1]["event"] == "redirected" and history[-1].get("redirected_to") == target
    report = json.loads(watcher(checker.data_dir, "report", "--format", "json").stdout)
    assert [r.get("final_url") for r in report if r["status"] == "redirected"] == [target]
    assert f'The page led to <a href="{target}"' in watcher(checker.data_dir, "report", "--format", "html").stdout
    assert target in watcher(checker.data_dir, "report", "--format", "md").stdout


def test_a_body_laid_out_in_br_lines_is_found_and_an_edit_to_one_line_is_stored(site, checker):
    # A Taiwanese outlet's layout: the story is text between <br><br> in a div, beside a related-news box.
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "extract" / "br-lines.html"
    original = fixture.read_text(encoding="utf-8")
    edited = original.replace("累積雨量可能超過200毫米", "累積雨量可能超過350毫米")
    assert edited != original
    site.page_versions("/typhoon", {"v1": original, "v2": edited})
    url = checker.add(site.url("/typhoon"))
    first = checker.check(url)
    assert first.status == "new", first
    body = checker.store.latest_version(url).article.body
    assert any("鵝鑾鼻東南方約650公里" in p for p in body) and any("移動式抽水機" in p for p in body)
    assert not any("米糕攤" in p or "版權所有" in p for p in body)  # the related box and the footer stay out
    site.set_version("/typhoon", "v2")
    second = checker.check(url)
    assert second.status == "changed" and second.version == 2, second
    assert any(e.old and "200毫米" in e.old and e.new and "350毫米" in e.new for e in second.edits)
