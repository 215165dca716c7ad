"""Trustworthy alerts, through the local site and real Chromium: reverts, A/B headlines, confirmation,
disappearing stories and raw-HTML retention.

What a check reports, and why (the decisions these tests pin down):
- A revert (content equal to one of the last `revert_window` versions) is stored as a version with
  event "revert", status "revert" and flag "revert", so history shows the rollback. It is notified
  (a walk-back is news) unless a target's filters leave it out. Reports list it with status
  "revert", so a reader can tell a rollback from a fresh edit.
- An event (removed, redirected, restored) makes one version and one notification-worthy result.
  Later checks that find the same state create nothing and report status "unchanged" with the
  event as a flag, so a story that stays gone is not announced again on every check. A removal or
  redirect is confirmed by a re-fetch first, like a substantive edit: one stray 404 is no event.
- A substantive change (reverts included) is re-fetched after trust.confirm_delay; if the two
  fetches disagree nothing is stored and the check is "unchanged" with flag "unconfirmed".
- A headline that comes back once is a revert; once the same headlines have alternated twice (or the
  headline is already known as a variant) a headline-only change is "unchanged" with flag "ab_test";
  the variants are kept on the article and `list` shows the headline the page shows now. A headline never seen is
  an edit the first time, unless the confirming re-fetch shows the old headline with the same
  body, which is what a per-visitor A/B test looks like.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from support.cli import watcher
from support.site_server import Response
from support.tidewater import BODY, HEADLINE, story

from watcher.config import Config, NotifyTarget, TrustSettings
from watcher.monitor import check as monitor
from watcher.notify.notifier import matches
from watcher.store import open_store
from watcher.times import utcnow

EDITED = (
    BODY[:2]
    + [
        "Repairs are expected to cost about 3.9 million and take until the end of June, the authority said.",
    ]
    + BODY[3:]
)
OTHER_STORY = [
    "A community choir from the old mill district won the regional festival on Saturday with a set of "
    "sea shanties and a new piece by a local composer.",
    "The choir's forty singers rehearse twice a week in the library basement and will now travel to the "
    "national final in the spring.",
]


def page(html: str, status: int = 200) -> Response:
    return Response(html.encode("utf-8"), status)


FRONT = (Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "no-article" / "page" / "v1.html").read_bytes()


def fast_config(**trust) -> Config:
    return Config(trust=TrustSettings(**{"confirm_delay": 0.05, **trust}))


class Checker:
    """check_article through the real store and the session browser, one asyncio.run per check."""

    def __init__(self, fetcher, data_dir: Path, config: Config):
        self.store = open_store(data_dir)
        self.svc = monitor.Services(fetcher=fetcher, store=self.store, config=config)

    def add(self, url: str, tags=()) -> str:
        article, _ = self.store.add_article(url, tags=tags)
        return article.url

    def check(self, url: str):
        return asyncio.run(monitor.check_article(url, self.svc))


@pytest.fixture
def checker(make_fetcher, tmp_path):
    # Our pages have no scripts, so no settle time is needed after load.
    fetcher = make_fetcher(settle_ms=0)
    return lambda **trust: Checker(fetcher, tmp_path / "data", fast_config(**trust))


# --- 1. flip-flops are reverts ---------------------------------------------------------------------


def test_flip_flop_is_recorded_as_reverts_and_notified(site, checker):
    # A window of 2 means the later flips match earlier reverts, not the original versions.
    c = checker(revert_window=2)
    site.page_versions("/pier", {"v1": story(), "v2": story(body=EDITED)})
    url = c.add(site.url("/pier"))

    assert c.check(url).status == "new"
    site.set_version("/pier", "v2")
    edit = c.check(url)
    assert (edit.status, edit.version) == ("changed", 2)

    site.set_version("/pier", "v1")
    back = c.check(url)
    assert (back.status, back.version) == ("revert", 3)
    assert "revert" in back.flags
    # The rollback's edits are shown (what came back), and a walk-back is news: it is notified.
    assert any(e.new and "2.4 million" in e.new for e in back.edits)
    target = NotifyTarget(url="http://127.0.0.1:9/hook", min_class="substantive")
    assert matches(target, edit, []) and matches(target, back, [])
    assert not matches(NotifyTarget(url="http://127.0.0.1:9/hook", flags=["correction_notice"]), back, [])

    site.set_version("/pier", "v2")
    again = c.check(url)
    assert (again.status, again.version) == ("revert", 4)
    site.set_version("/pier", "v1")
    assert (c.check(url).status, c.store.latest_version(url).number) == ("revert", 5)
    assert [v.event for v in c.store.list_versions(url)] == [None, None, "revert", "revert", "revert"]

    # Flapping ends: the same content checked again is simply unchanged.
    assert (c.check(url).status, c.store.latest_version(url).number) == ("unchanged", 5)


def test_content_older_than_the_revert_window_is_a_normal_change(site, checker):
    c = checker(revert_window=1)
    third = EDITED[:3] + ["Fishing crews have been moved to the south basin for the winter."]
    site.page_versions("/pier", {"v1": story(), "v2": story(body=EDITED), "v3": story(body=third)})
    url = c.add(site.url("/pier"))
    c.check(url)
    for name in ("v2", "v3"):
        site.set_version("/pier", name)
        assert c.check(url).status == "changed"
    # v1 is two versions back, outside a window of one: an edit like any other.
    site.set_version("/pier", "v1")
    result = c.check(url)
    assert result.status == "changed" and "revert" not in result.flags
    assert c.store.latest_version(url).event is None
    # v3 is the version just before the latest: inside the window.
    site.set_version("/pier", "v3")
    assert c.check(url).status == "revert"


# --- 2. A/B headlines ------------------------------------------------------------------------------

H1 = HEADLINE
H2 = "Cracked piles force closure of north pier"
H3 = "Divers' discovery shuts the north pier to lorries"


def test_headline_rotating_between_checks_is_an_ab_test_once_its_variants_are_known(site, checker):
    c = checker()
    site.page_versions("/ab", {h: story(headline=h) for h in (H1, H2, H3)} | {"edit": story(H1, EDITED)})
    url = c.add(site.url("/ab"))
    seen = []
    for headline in (H1, H2, H3, H1, H2, H3):
        site.set_version("/ab", headline)
        result = c.check(url)
        seen.append((result.status, result.version, result.flags))
    # A headline never seen before is indistinguishable from an editor's rewrite, so H2 and H3 are
    # versions the first time; H1 coming back once is a walk-back (a revert version); once the same
    # headlines have alternated twice it is a rotation, not an edit.
    assert seen[0][:2] == ("new", 1)
    assert seen[1][:2] == ("changed", 2) and "headline_changed" in seen[1][2]
    assert seen[2][:2] == ("changed", 3) and "headline_changed" in seen[2][2]
    assert seen[3][:2] == ("revert", 4) and "revert" in seen[3][2]
    assert seen[4] == ("unchanged", 4, ["ab_test"])
    assert seen[5] == ("unchanged", 4, ["ab_test"])
    assert len(c.store.list_versions(url)) == 4
    assert set(c.store.get_article(url).headline_variants) >= {H1, H2, H3}
    # `list` shows the headline the page shows now, not the one stored last.
    assert c.store.get_article(url).headline == H3

    # A real body edit under a rotating headline is still an edit.
    site.set_version("/ab", "edit")
    edited = c.check(url)
    assert (edited.status, edited.version) == ("changed", 5)
    assert any(e.field == "body" for e in edited.edits)


def test_headline_differing_per_request_is_an_ab_test_without_any_version(site, checker):
    c = checker()
    # Each visitor (each fresh browser context) gets the next headline, as A/B tools do.
    site.set("/ab", *[page(story(headline=h)) for h in (H1, H2) * 6])
    url = c.add(site.url("/ab"))
    assert c.check(url).status == "new"
    # H2 is new, so it is re-fetched to be confirmed; the re-fetch shows H1 with the same body.
    first = c.check(url)
    assert (first.status, first.version, first.flags) == ("unchanged", 1, ["ab_test"])
    assert site.hits("/ab") == 3
    assert c.store.get_article(url).headline_variants == sorted([H1, H2])
    # Known variants need no confirming fetch.
    second = c.check(url)
    assert (second.status, second.flags) == ("unchanged", ["ab_test"])
    assert site.hits("/ab") == 4
    assert len(c.store.list_versions(url)) == 1


# --- 3. confirm before report ----------------------------------------------------------------------


def test_a_change_served_once_is_not_confirmed_and_a_stable_one_is(site, checker):
    c = checker(confirm_delay=0.3)
    old, new = page(story()), page(story(body=EDITED))
    # "glitch": v1, then the edit once (a lagging CDN node), then v1 for good.
    site.page_versions("/c", {"glitch": [old, new, old], "stable": [new]})
    url = c.add(site.url("/c"))
    assert c.check(url).status == "new"

    glitch = c.check(url)
    assert (glitch.status, glitch.version, glitch.flags, glitch.edits) == ("unchanged", 1, ["unconfirmed"], [])
    assert site.hits("/c") == 3  # the re-fetch happened
    assert len(c.store.list_versions(url)) == 1
    assert c.store.recent_checks(url)[-1].flags == ["unconfirmed"]
    assert c.check(url).flags == []  # and the next check sees nothing at all

    site.set_version("/c", "stable")
    before = site.hits("/c")
    real = c.check(url)
    assert (real.status, real.version) == ("changed", 2)
    assert any(e.new and "3.9 million" in e.new for e in real.edits)
    times = site.hit_times("/c")[before:]
    assert len(times) == 2 and times[1] - times[0] >= 0.3  # confirmed by a second fetch after the delay
    assert c.store.latest_version(url).article.body == c.store.latest_version(url).article.body
    assert "3.9 million" in " ".join(c.store.latest_version(url).article.body)


# --- 4. disappearing stories -----------------------------------------------------------------------


def test_removed_once_then_restored_with_edits_against_the_last_version(site, checker, tmp_path):
    c = checker()
    site.page_versions(
        "/gone",
        {
            "v1": story(),
            "blip": [page("<p>missing</p>", 404), page(story())],
            "404": [page("<p>missing</p>", 404)],
            "410": [page("<p>gone</p>", 410)],
            "back": story(body=EDITED),
        },
    )
    url = c.add(site.url("/gone"), tags=["harbour"])
    assert c.check(url).status == "new"

    # One 404 that the re-fetch does not repeat is a hiccup, not a removal.
    site.set_version("/gone", "blip")
    blip = c.check(url)
    assert (blip.status, blip.flags) == ("unchanged", ["unconfirmed"])

    site.set_version("/gone", "404")
    removed = c.check(url)
    assert (removed.status, removed.version, removed.flags, removed.http_status) == ("removed", 2, ["removed"], 404)
    still = [c.check(url)]
    site.set_version("/gone", "410")
    still.append(c.check(url))
    # Staying gone (404 or 410) is the same state: no version, nothing new to announce.
    assert [(r.status, r.version, r.flags) for r in still] == [("unchanged", 2, ["removed"])] * 2
    assert still[1].http_status == 410

    site.set_version("/gone", "back")
    restored = c.check(url)
    assert (restored.status, restored.version) == ("restored", 3)
    assert "restored" in restored.flags
    # Diffed against the story as it was before removal: the edited figure shows as the change.
    (edit,) = [e for e in restored.edits if e.field == "body"]
    assert "2.4 million" in edit.old and "3.9 million" in edit.new

    # Notifications: each event once, through filters that make sense for events.
    anything = NotifyTarget(url="http://127.0.0.1:9/hook")
    assert matches(anything, removed, ["harbour"]) and matches(anything, restored, ["harbour"])
    assert not any(matches(anything, r, ["harbour"]) for r in still + [blip])
    assert not matches(NotifyTarget(url="http://127.0.0.1:9/hook", flags=["stealth"]), removed, ["harbour"])
    assert matches(NotifyTarget(url="http://127.0.0.1:9/hook", flags=["removed"]), removed, ["harbour"])
    assert not matches(NotifyTarget(url="http://127.0.0.1:9/hook", tags=["sport"]), removed, ["harbour"])

    data_dir = tmp_path / "data"
    history = json.loads(watcher(data_dir, "history", url, "--json").stdout)
    assert [(v["version"], v["event"]) for v in history] == [(1, None), (2, "removed"), (3, "restored")]
    assert history[1]["flags"] == ["removed"] and history[1]["edits_count"] == 0
    assert "restored" in history[2]["flags"] and history[2]["edits_count"] >= 1
    report = json.loads(watcher(data_dir, "report", "--format", "json").stdout)
    assert sorted((r["version"], r["status"]) for r in report) == [(2, "removed"), (3, "restored")]
    human = watcher(data_dir, "history", url)
    assert human.returncode == 0 and "removed" in human.stdout and "restored" in human.stdout


def test_redirects_to_a_front_page_or_another_story_are_events_and_harmless_ones_are_not(site, checker, tmp_path):
    c = checker()
    site.page("/front", FRONT)
    site.page("/other", story("Choir from the mill district wins regional festival", OTHER_STORY))
    site.page("/story", story())
    url = c.add(site.url("/story"))
    assert c.check(url).status == "new"

    site.redirect("/story", "/front")
    to_front = c.check(url)
    assert (to_front.status, to_front.version, to_front.flags) == ("redirected", 2, ["redirected"])
    assert c.check(url).flags == ["redirected"]  # still there: no second event

    site.page("/story", story())
    back = c.check(url)
    assert (back.status, back.version, back.edits) == ("restored", 3, [])

    # Through the CLI this time, as a user sees it.
    site.redirect("/story", site.url("/other"), status=301)
    data_dir = tmp_path / "data"
    run = watcher(data_dir, "--config", str(write_config(tmp_path)), "check", url, "--json")
    assert run.returncode == 0, run.stderr
    (line,) = [json.loads(x) for x in run.stdout.splitlines() if x.strip()]
    assert (line["status"], line["version"], line["flags"]) == ("redirected", 4, ["redirected"])
    history = json.loads(watcher(data_dir, "history", url, "--json").stdout)
    assert [v["event"] for v in history] == [None, "redirected", "restored", "redirected"]

    # The same story at a new address is not an event: trailing slash, then a new path.
    site.page("/harmless", story())
    moved = c.add(site.url("/harmless"))
    assert c.check(moved).status == "new"
    site.redirect("/harmless", "/harmless/")
    site.page("/harmless/", story())
    site.page("/2026/harmless-new-slug", story())
    slash = c.check(moved)
    site.redirect("/harmless", "/2026/harmless-new-slug", status=301)
    renamed = c.check(moved)
    assert [(r.status, r.flags) for r in (slash, renamed)] == [("unchanged", [])] * 2
    assert len(c.store.list_versions(moved)) == 1


def test_a_chinese_story_moved_to_a_new_address_and_edited_is_an_edit_not_a_redirect(site, checker):
    c = checker()
    site.serve_fixture("/zh/2026/story", "zh-daily/story")
    url = c.add(site.url("/zh/2026/story"))
    assert c.check(url).status == "new"
    site.serve_fixture("/zh/2026/story-renamed", "zh-daily/story")
    site.set_version("/zh/2026/story-renamed", "v2")
    site.redirect("/zh/2026/story", "/zh/2026/story-renamed", status=301)
    moved = c.check(url)
    assert (moved.status, moved.version) == ("changed", 2)
    assert moved.edits and "redirected" not in moved.flags


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    path.write_text(
        "[fetch]\nnav_timeout = 5\ndeadline = 12\nretries = 1\nbackoff = 0.1\nper_host_delay = 0\n"
        "settle_ms = 0\n\n[trust]\nconfirm_delay = 0.05\n"
    )
    return path


# --- 5. retention ----------------------------------------------------------------------------------


def test_prune_drops_old_raw_html_and_keeps_every_version(site, checker, tmp_path):
    c = checker()
    now = utcnow()
    third = EDITED[:3] + ["Fishing crews have been moved to the south basin for the winter."]
    site.page_versions("/keep", {"v1": story(), "v2": story(body=EDITED), "v3": story(body=third)})
    url = c.add(site.url("/keep"))
    for name, days_ago in (("v1", 10), ("v2", 9), ("v3", 0)):
        c.svc.clock = lambda days=days_ago: now - timedelta(days=days)
        site.set_version("/keep", name)
        assert c.check(url).status in ("new", "changed")
    versions = c.store.list_versions(url)
    assert [v.captured_at.date() for v in versions] == [(now - timedelta(days=d)).date() for d in (10, 9, 0)]
    old_blobs = [c.store.blobs.path(v.html_hash) for v in versions[:2]]
    assert all(p.is_file() for p in old_blobs)

    data_dir = tmp_path / "data"
    pruned = watcher(data_dir, "prune", "--keep-raw", "3")
    assert pruned.returncode == 0, pruned.stderr
    assert "2 versions" in pruned.stderr + pruned.stdout
    assert not any(p.exists() for p in old_blobs)  # the files are gone, not just unreferenced

    store = open_store(data_dir)
    after = store.list_versions(url)
    assert [store.get_html(v) is None for v in after] == [True, True, False]
    assert [v.article for v in after] == [v.article for v in versions]
    history = json.loads(watcher(data_dir, "history", url, "--json").stdout)
    assert [v["version"] for v in history] == [1, 2, 3]
    diff = json.loads(watcher(data_dir, "diff", url, "--from", "1", "--to", "2", "--json").stdout)
    assert any(e["old"] and "2.4 million" in e["old"] for e in diff["edits"])

    # Re-extraction keeps versions it has no HTML for, as they were.
    rebuilt = watcher(data_dir, "reextract", url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [v.article for v in open_store(data_dir).list_versions(url)] == [v.article for v in versions]
    # Pruning again finds nothing more to drop.
    assert "0 versions" in (lambda r: r.stderr + r.stdout)(watcher(data_dir, "prune", "--keep-raw", "3"))
