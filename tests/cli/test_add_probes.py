"""`watcher add --from-file` of many URLs loads a few of each site now, politely, not one GET per URL back
to back (issue 27 item 4c)."""

from __future__ import annotations

from support.cli import data_dir_with, fast_config, watcher
from support.site_server import Site

from watcher.app.commands.watching import PROBES_PER_HOST, probe_plan

STORY = "<html><head><title>T</title></head><body><article><h1>T</h1>" + "<p>A paragraph of the story told.</p>" * 5
DELAY = 0.4  # the sites' politeness delay in this test's config


def test_adding_200_urls_of_one_site_probes_a_few_its_delay_apart(site, tmp_path):
    other = Site(host="127.0.0.2")
    try:
        paths = [f"/news/{n}" for n in range(200)]
        for path in paths:
            site.page(path, STORY + "</article></body></html>")
        other.page("/gone", "", status=404)
        listing = tmp_path / "urls.txt"
        listing.write_text("\n".join([*(site.url(p) for p in paths), other.url("/gone")]) + "\n")
        config = fast_config(retries=0).replace("per_host_delay = 0", f"per_host_delay = {DELAY}")
        data = data_dir_with(tmp_path / "data", config)

        added = watcher(data, "add", "--from-file", str(listing))

        assert added.returncode == 0, added.stderr
        hits = sorted(t for p in paths for t in site.hit_times(p))
        assert 1 <= len(hits) <= PROBES_PER_HOST
        assert all(later - earlier >= DELAY for earlier, later in zip(hits, hits[1:], strict=False)), hits
        # The other site's page was probed too, and its error said, as before.
        assert other.hits("/gone") == 1
        assert f"{other.url('/gone')} answers HTTP 404 now" in added.stderr
        assert f"added 201, probed {len(hits) + 1} of them" in added.stderr
        listed = watcher(data, "list", "--json")
        assert listed.stdout.count('"url"') == 201
    finally:
        other.close()


def test_one_url_is_probed_as_before(site, tmp_path):
    site.page("/gone", "", status=404)
    data = data_dir_with(tmp_path / "data")
    added = watcher(data, "add", site.url("/gone"))
    assert added.returncode == 0 and site.hits("/gone") == 1
    assert "answers HTTP 404 now" in added.stderr and "probed" not in added.stderr


def test_the_plan_takes_the_first_few_of_each_site_a_site_at_a_time():
    urls = [f"https://a.example/{n}" for n in range(5)] + ["https://b.example/1", "https://a.example:8443/x"]
    assert probe_plan(urls, per_host=2) == [
        "https://a.example/0",
        "https://b.example/1",
        "https://a.example:8443/x",
        "https://a.example/1",
    ]
