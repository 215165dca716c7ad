"""Switching tools in one command: `watcher import` of another tool's list, `watcher export` of ours."""

from __future__ import annotations

import json

from support.cli import ok, watcher


def test_import_a_urlwatch_list_then_export_it_as_opml_and_read_that_back(tmp_path):
    jobs = tmp_path / "urls.yaml"
    jobs.write_text('url: "https://news.example/a"\n---\nnavigate: "https://news.example/b"\n---\ncommand: "date"\n')
    data = tmp_path / "data"
    done = watcher(data, "import", str(jobs), "--tag", "from-urlwatch")
    assert done.returncode == 0 and "imported 2 new articles and 0 new feeds" in done.stderr, done.stderr
    listed = json.loads(ok(data, "list", "--json"))
    assert sorted(a["url"] for a in listed) == ["https://news.example/a", "https://news.example/b"]
    assert all(a["tags"] == ["from-urlwatch"] for a in listed)

    opml = tmp_path / "out.opml"
    assert watcher(data, "export", "--format", "opml", "-o", str(opml)).returncode == 0
    assert 'url="https://news.example/a"' in opml.read_text()
    other = tmp_path / "other"
    again = watcher(other, "import", str(opml))
    assert again.returncode == 0 and "imported 2 new articles" in again.stderr
    assert ok(data, "export").splitlines() == ["https://news.example/a", "https://news.example/b"]


def test_import_of_a_file_with_nothing_to_watch_is_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n")
    result = watcher(tmp_path / "data", "import", str(empty))
    assert result.returncode == 2 and result.stderr.strip().endswith("empty.txt: no URLs found in it")


def test_a_followed_feed_stays_a_feed_through_export_and_import(tmp_path):
    from support.site_server import Site

    from watcher.store import open_store

    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        "<item><link>{}</link><title>One</title></item></channel></rss>"
    )
    with Site() as site:
        feed = site.url("/rss.xml")
        site.bytes("/rss.xml", rss.format(site.url("/news/1")).encode(), "application/rss+xml")
        data = tmp_path / "data"
        assert watcher(data, "follow", feed, "--no-poll").returncode == 0
        assert watcher(data, "add", "https://news.example/a", "--no-probe").returncode == 0
        listing = tmp_path / "list.txt"
        assert watcher(data, "export", "-o", str(listing)).returncode == 0
        other = tmp_path / "other"
        again = watcher(other, "import", str(listing))
        assert again.returncode == 0 and "imported 1 new article and 1 new feed" in again.stderr, again.stderr
        assert [f.url for f in open_store(other).list_feeds()] == [feed]
        assert [a.url for a in open_store(other).list_articles()] == ["https://news.example/a"]
