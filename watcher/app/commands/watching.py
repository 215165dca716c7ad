"""What is watched: add, remove, pause, resume, list, follow, unfollow."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import click

from watcher.app.commands import class_option, flag_option, match_option, options, targets
from watcher.app.context import App, pass_app
from watcher.config import Config, DurationTooLong, parse_duration
from watcher.errors import BadInput, FetchError, HTTPStatusError, StoreError
from watcher.fetch.base import proxy_for, user_agent
from watcher.models import WatchedArticle, marked
from watcher.times import iso, utcnow

if TYPE_CHECKING:
    from watcher.store import Store

MIN_EVERY = 1  # zero would mean "check constantly"; it used to be accepted and silently ignored
# Pages of one site loaded by `add` to warn about errors: a few tell whether the site answers and serves
# articles; a thousand from a sitemap would be a crawl of it, and the schedule checks them all anyway.
PROBES_PER_HOST = 3


def parse_every(text: str | None, option: str = "--every") -> int | None:
    """A check interval in seconds; zero, tiny or malformed intervals are refused instead of ignored."""
    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except DurationTooLong:
        raise BadInput(f"{option} {text!r}: an interval must be at most 10 years (3660d)") from None
    except BadInput:
        raise BadInput(f"{option} {text!r}: not an interval (use e.g. 15m, 2h, 1d)") from None
    if seconds < MIN_EVERY:
        raise BadInput(f"{option} {text!r}: an interval must be at least 1 second (e.g. 15m)")
    return seconds


def _probe(app: App, url: str, allow_private: bool = False) -> str | None:
    """A warning when the page does not answer 200 now, or looks like a section page rather than an article;
    a plain HTTP request, seconds at most."""
    from watcher.feeds import links as feeds
    from watcher.feeds.discover import section_advice

    try:
        fetch = app.config.fetch
        page = feeds.download(
            url,
            timeout=min(5.0, fetch.nav_timeout),
            max_bytes=fetch.max_bytes,
            allow_private=allow_private or fetch.allow_private,
            user_agent=user_agent(fetch),
            proxy=proxy_for(url, fetch),
        )
    except HTTPStatusError as exc:
        return f"warning: {url} answers HTTP {exc.status} now; it is watched anyway and checked on schedule"
    except FetchError as exc:
        return f"warning: {url} cannot be loaded now ({_reason(exc, url)}); it is watched anyway"
    advice = section_advice(page, url)
    return f"warning: {advice}" if advice else None


def _reason(exc: Exception, url: str) -> str:
    text = str(exc)
    return text[len(url) + 2 :] if text.startswith(url + ": ") else text


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--from-file",
    "from_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Also add the URLs in this file, one a line ('-' for stdin; blank lines and # comments skipped).",
)
@click.option("--every", default=None, help="Fixed interval, e.g. 15m, 2h (default: age-based schedule).")
@click.option("--tag", "tags", multiple=True, help="Tag the articles (repeatable).")
@click.option("--no-probe", is_flag=True, help="Do not load the pages now to warn about errors.")
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="REGEX",
    help="Leave text matching this regular expression out of comparison (repeatable), e.g. a view counter.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="These URLs may be on this machine or a private network (refused otherwise: see [fetch] allow_private).",
)
@click.option(
    "--mode",
    type=click.Choice(["auto", "browser", "http"]),
    default=None,
    help="How checks fetch these pages: auto (ask the server first, render when it matters), browser "
    "(render every check) or http (raw HTML only). Default: [fetch] mode.",
)
@pass_app
def add(
    app: App,
    urls: Sequence[str],
    from_file: TextIO | None,
    every: str | None,
    tags: Sequence[str],
    no_probe: bool,
    ignore: Sequence[str],
    allow_private: bool = False,
    mode: str | None = None,
) -> None:
    """Start watching article URLs (an already watched one gets the new tags and interval, and says so)."""
    import re

    from watcher.urls import normalize_url

    seconds = parse_every(every)
    for rule in ignore:
        try:
            re.compile(rule)
        except re.error as exc:
            raise BadInput(f"--ignore {rule!r} is not a regular expression: {exc}") from None
    listed = [*urls, *_url_lines(from_file)]
    if not listed:
        raise BadInput("name the URLs to add, or --from-file FILE")
    normalized = list(dict.fromkeys(normalize_url(u) for u in listed))  # validate all before storing any
    if not no_probe:  # --no-probe: no network at all now; the check still honours robots.txt
        normalized = _robots_allowed(app, normalized)
    store = app.store(write=True)
    known = store.article_keys()
    before = {url: store.get_article(url) for url in normalized if url in known}
    with store.transaction():  # one write for all of them: 10,000 URLs in seconds
        added = [(url, *store.add_article(url, tags=list(tags), every=seconds)) for url in normalized]
    for url, article, created in added:
        if allow_private and not article.allow_private:
            article.allow_private = True
            article = store.update_article(article)
        if mode and article.mode != mode:
            article.mode = mode
            article = store.update_article(article)
        if ignore:
            fresh = [r for r in ignore if r not in article.ignore_text]
            if fresh:
                article.ignore_text = [*article.ignore_text, *fresh]
                article = store.update_article(article)
                app.env.info(f"{url}: ignoring text matching {', '.join(repr(r) for r in fresh)}")
        if created:
            app.env.info(f"watching {url}")
        else:
            app.env.info(f"already watching {url}{_changes(before[url], article)}")
    if no_probe:
        return
    new = [url for url, _, was_created in added if was_created]
    probed = _probe_some(app, new, allow_private)
    if len(new) > len(probed):
        app.env.info(
            f"added {len(new)}, probed {len(probed)} of them (at most {PROBES_PER_HOST} a site, its "
            "politeness delay apart); the others are loaded on their first check"
        )


def probe_plan(urls: Sequence[str], per_host: int = PROBES_PER_HOST) -> list[str]:
    """The URLs `add` loads now: the first `per_host` of each site, taken a site at a time in turn, so one
    site's politeness delay is spent loading the others."""
    from watcher.urls import host_of

    by_host: dict[str, list[str]] = {}
    for url in urls:
        chosen = by_host.setdefault(host_of(url), [])
        if len(chosen) < per_host:
            chosen.append(url)
    rounds = itertools.zip_longest(*by_host.values())
    return [url for row in rounds for url in row if url is not None]


def _probe_some(app: App, urls: Sequence[str], allow_private: bool) -> list[str]:
    """Probe the planned few of `urls` (warnings said as they come), each site's loads at least its
    politeness delay apart ([fetch] per_host_delay, or robots.txt's Crawl-delay when longer), counted from
    the end of one to the start of the next; the URLs probed."""
    import time

    from watcher.urls import host_of

    guard = app.robots()
    last: dict[str, float] = {}
    plan = probe_plan(urls)
    for url in plan:
        host = host_of(url)
        gap = app.config.fetch.per_host_delay
        if guard is not None:
            gap = max(gap, guard.crawl_delay(url))
        wait = last.get(host, float("-inf")) + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        warning = _probe(app, url, allow_private)
        # From when the load ended: a request that took long to arrive still leaves the site its delay.
        last[host] = time.monotonic()
        if warning:
            app.env.info(warning)
    return plan


def _robots_allowed(app: App, urls: list[str]) -> list[str]:
    """The URLs robots.txt lets watcher load; each refused one is said, and none left is an error."""
    guard = app.robots()
    if guard is None:
        return urls
    from watcher.fetch.robots import RobotsRefused

    allowed, refused = [], []
    for url in urls:
        try:
            guard.check(url)
            allowed.append(url)
        except RobotsRefused as exc:
            refused.append(str(exc))
            app.env.info(f"not added: {exc}")
    if refused and not allowed:
        raise BadInput(
            refused[0] if len(refused) == 1 else f"none of the {len(refused)} URLs may be loaded (robots.txt)"
        )
    return allowed


def _url_lines(source: TextIO | None) -> list[str]:
    if source is None:
        return []
    lines = (line.strip() for line in source)
    return [line for line in lines if line and not line.startswith("#")]


def _changes(old: WatchedArticle, new: WatchedArticle) -> str:
    from watcher.render.tables import interval_text

    said = []
    added = [t for t in new.tags if t not in old.tags]
    if added:
        said.append(f"tags now {', '.join(new.tags)} (added {', '.join(added)})")
    if new.every != old.every:
        said.append(f"interval {interval_text(old.every)} -> {interval_text(new.every)}")
    if new.allow_private and not old.allow_private:
        said.append("may now be on a private or loopback address (--allow-private): the next check loads it")
    if new.mode != old.mode:
        said.append(f"fetch mode {old.mode or 'default'} -> {new.mode}")
    return ": " + "; ".join(said) if said else " (nothing changed)"


def _confirmed(app: App, question: str, yes: bool) -> bool:
    """True when the user agreed; without a terminal only --yes agrees (a script must say so)."""
    if yes:
        return True
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise BadInput("refusing to delete without confirmation: no terminal to ask on (pass --yes)")
    return click.confirm(question, default=False, err=True)


@click.command()
@click.argument("urls", nargs=-1)
@match_option
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation (needed without a terminal).")
@pass_app
def remove(app: App, urls: Sequence[str], match: str | None, yes: bool) -> None:
    """Stop watching articles and delete their stored versions (asks first)."""
    found = targets(app, urls, match)
    if not found:
        raise BadInput("name the articles to remove: URLs, ids from `watcher list`, or --match TEXT")
    store = app.store()
    if not os.access(app.data_dir, os.W_OK):  # say so before asking a question whose answer cannot be carried out
        raise StoreError(
            f"cannot remove from {app.data_dir}: the data folder is read-only; choose another with --data-dir"
        )
    versions = sum(store.get_article(u).versions for u in found)
    what = found[0] if len(found) == 1 else f"{len(found)} articles"
    if not _confirmed(app, f"Remove {what} and delete {versions} stored version(s)?", yes):
        app.env.info("nothing removed")
        sys.exit(1)
    for url in found:
        store.remove_article(url)
        app.env.info(f"removed {url}")


# The articles pause and resume act on, as _chosen reads them.
named_or_tagged = options(
    click.argument("urls", nargs=-1),
    match_option,
    click.option("--tag", "tags", multiple=True, help="Every article with this tag."),
)


@click.command()
@named_or_tagged
@pass_app
def pause(app: App, urls: Sequence[str], match: str | None, tags: Sequence[str]) -> None:
    """Stop checking articles on schedule, keeping their history (`watcher resume` starts again)."""
    _set_paused(app, _chosen(app, urls, match, tags), True)


@click.command()
@named_or_tagged
@pass_app
def resume(app: App, urls: Sequence[str], match: str | None, tags: Sequence[str]) -> None:
    """Check paused articles (or ones past their last schedule tier) on schedule again, from now."""
    _set_paused(app, _chosen(app, urls, match, tags), False)


def _chosen(app: App, urls: Sequence[str], match: str | None, tags: Sequence[str]) -> list[str]:
    found = targets(app, urls, match)
    if tags:
        found += [a.url for a in app.store().list_articles() if set(a.tags) & set(tags) and a.url not in found]
        if not found:
            raise BadInput(f"no watched article is tagged {', '.join(tags)}")
    if not found:
        raise BadInput("name the articles: URLs, ids from `watcher list`, --match TEXT or --tag TAG")
    return found


def _set_paused(app: App, urls: list[str], paused: bool) -> None:
    store = app.store(write=True)
    for url in urls:
        if not set_paused(store, url, paused):
            app.env.info(f"{'already paused' if paused else 'not paused'}: {url}")
            continue
        app.env.info(f"{'paused' if paused else 'resumed'} {url}")


def set_paused(store: Store, url: str, paused: bool) -> bool:
    """Pause an article, or resume it (due now, past its last tier too), in the store (the command line and the
    web view; the rule itself is monitor.schedule.set_paused); False when it already was so."""
    from watcher.monitor.schedule import set_paused as change

    article = store.get_article(url)
    if not change(article, paused, utcnow()):
        return False
    store.update_article(article)
    return True


def _status_of(a: WatchedArticle) -> str:
    from watcher.render.tables import watch_status

    return watch_status(a)


_SORTS = {
    "added": lambda a: a.added_at.timestamp() if a.added_at else 0,
    "checked": lambda a: -(a.last_checked.timestamp() if a.last_checked else 0),
    "changed": lambda a: -(a.last_changed.timestamp() if a.last_changed else 0),
    "next": lambda a: a.next_check.timestamp() if a.next_check else float("inf"),
    "url": lambda a: a.url,
    "headline": lambda a: (a.headline or "").casefold(),
    "status": lambda a: _status_of(a),
    "versions": lambda a: -a.versions,
}


@click.command("list")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag (repeatable: any of them).")
@click.option("--status", "statuses", multiple=True, help="Only this last status: changed, error, paused, never, ...")
@click.option("--host", "hosts", multiple=True, help="Only articles on this host (or its subdomains).")
@class_option
@flag_option
@click.option("--sort", type=click.Choice(sorted(_SORTS)), default="added", show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N (of a long list: at once).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_(
    app: App,
    tags: Sequence[str],
    statuses: Sequence[str],
    hosts: Sequence[str],
    classes: Sequence[str],
    flags: Sequence[str],
    sort: str,
    limit: int | None,
    as_json: bool,
) -> None:
    """What is watched: id, URL, tags, interval, status, versions, last check and last edit."""
    from watcher.urls import host_of

    store = app.store()
    keys = store.article_keys()
    id_of, id_width = short_ids(keys)
    # In the order added, articles are made and printed a page at a time: 100,000 start printing at once.
    articles: Iterable[WatchedArticle] = store.iter_articles()
    if tags:
        articles = (a for a in articles if set(a.tags) & set(tags))
    if statuses:
        articles = (a for a in articles if _status_of(a) in statuses or a.last_status in statuses)
    if hosts:
        wanted = [h.lower().strip(".") for h in hosts]
        articles = (a for a in articles if any(_on_host(host_of(a.url), h) for h in wanted))
    if classes or flags:
        # Only articles with a stored change so marked: their versions are read, so narrow by the rest first.
        articles = (a for a in articles if any(marked(v, classes, flags) for v in store.list_versions(a.url)))
    if sort != "added":
        articles = sorted(articles, key=_SORTS[sort])
    if limit:
        articles = itertools.islice(articles, limit)
    if as_json:
        from watcher.monitor.precheck import host_modes

        learned = host_modes(store.learned_modes())
        app.env.print_json_array(list_json(app.config, a, id_of(a.url), learned) for a in articles)
        return
    from watcher.render.tables import article_pages, feeds_table

    feeds = store.list_feeds()
    if not keys and not feeds:
        app.env.out.print("Nothing watched yet. Start with: watcher add URL", markup=False)
        return
    shown = 0
    for page in article_pages(articles, id_of, id_width, when=app.short_time):
        app.env.out.print(page)
        shown += len(page.articles)
    if keys and not shown:
        app.env.info(f"no article matches (of {len(keys)} watched)")
    if feeds and not (tags or statuses or hosts or classes or flags):
        app.env.out.print(feeds_table(feeds))


def list_json(config: Config, a: WatchedArticle, article_id: str, learned_hosts: dict[str, str]) -> dict[str, Any]:
    """One entry of `list --json`; learned_hosts is precheck.host_modes(store.learned_modes())."""
    from watcher.monitor.precheck import fetch_json

    return {
        **a.to_json(),  # the README contract's fields, then the ones list adds
        "id": article_id,
        "every": a.every,
        "status": _status_of(a),
        "paused": a.paused,
        "last_changed": iso(a.last_changed),
        "last_edit": a.last_edit_summary,
        "fetch": fetch_json(config, a, learned_hosts),  # mode, and what fast checks learned
    }


def short_ids(keys: dict[str, str]) -> tuple[Callable[[str], str], int]:
    """The id of each URL (the same as article_ids over them all) and the widest, without grouping 100,000 URLs:
    only those whose first digits are shared need more."""
    from collections import Counter

    from watcher.app.articles import ID_LENGTH, article_ids

    crowded = {p for p, n in Counter(key[:ID_LENGTH] for key in keys.values()).items() if n > 1}
    longer = article_ids([url for url, key in keys.items() if key[:ID_LENGTH] in crowded], keys)

    def id_of(url: str) -> str:
        if url not in keys:  # added since the keys were read
            return article_ids([url])[url]
        return longer.get(url) or keys[url][:ID_LENGTH]

    return id_of, max([len(i) for i in longer.values()] + [ID_LENGTH if keys else 2])


def _on_host(host: str, wanted: str) -> bool:
    from watcher.urls import on_domain

    bare = host.split(":")[0]
    return host == wanted or on_domain(bare, wanted)


@click.command()
@click.argument("feed_url")
@click.option("--every", default=None, help="Poll interval, e.g. 10m (default from config).")
@click.option("--tag", "tags", multiple=True, help="Tag every article found in the feed.")
@click.option("--no-poll", is_flag=True, help="Only check that it is a feed; add its articles at the next `run`.")
@pass_app
def follow(app: App, feed_url: str, every: str | None, tags: Sequence[str], no_poll: bool) -> None:
    """Watch every article a feed (RSS, Atom or sitemap) lists, now and as it grows."""
    from watcher.feeds.links import HTMLPage
    from watcher.urls import normalize_url

    url = normalize_url(feed_url)
    _robots_allowed(app, [url])
    seconds = parse_every(every) or app.config.feeds.default_every
    # Read the feed once now, so a typo is refused here instead of failing every poll later; a web page
    # (a home or section page) is searched for the feeds and sitemaps it leads to.
    try:
        items = _read_feed(app, url)
    except HTMLPage:
        _follow_discovered(app, url, seconds, tags, no_poll)
        return
    _follow_feed(app, url, items, seconds, tags, no_poll)


def _follow_discovered(app: App, url: str, seconds: int, tags: Sequence[str], no_poll: bool) -> None:
    """Follow every feed and sitemap a page leads to (watcher.feeds.discover), saying what was found where."""
    from watcher.feeds.discover import discover
    from watcher.fetch.robots import RobotsCache
    from watcher.monitor.loop import download_feed

    page = download_feed(app.config.fetch, url)
    guard = app.robots()
    robots = guard.cache if guard is not None else RobotsCache()  # Sitemap: lines are read either way

    def readable(candidate: str) -> bool:
        try:
            _read_feed(app, candidate)
            return True
        except (FetchError, BadInput):
            return False

    found = discover(url, page, robots_sitemaps=lambda u: robots.rules(u).sitemaps, exists=readable)
    if not found:
        raise BadInput(
            f'{url} is a web page that links no feed (no <link rel="alternate">, no Sitemap: in robots.txt, '
            "no /sitemap.xml): give the feed's own URL"
        )
    app.env.info(f"{url} is a page; found {len(found)} to follow:")
    followed = 0
    for item in found:
        try:
            _robots_allowed(app, [item.url])
            _follow_feed(app, item.url, _read_feed(app, item.url), seconds, tags, no_poll)
            followed += 1
        except (FetchError, BadInput) as exc:
            app.env.info(f"warning: {item.url} ({item.kind}, from the {item.source}): {exc}")
    if not followed:
        raise BadInput(f"none of the {len(found)} feeds and sitemaps found on {url} could be read")


def _follow_feed(app: App, url: str, items, seconds: int, tags: Sequence[str], no_poll: bool) -> None:
    store = app.store(write=True)
    feed, created = store.add_feed(url, every=seconds, tags=list(tags))
    found = f"{len(items.children)} child sitemaps" if items.kind == "sitemapindex" else f"{len(items.links)} links"
    verb = "following" if created else "already following"
    if no_poll:
        app.env.info(f"{verb} {url} ({items.kind}, {found} now; its articles are added by `watcher run`)")
        return
    added, problems = _poll_now(app, feed, items)
    app.env.info(
        f"{verb} {url} ({items.kind}, {found} now): watching {len(added)} new article{'s' if len(added) != 1 else ''}"
    )
    for problem in problems:
        app.env.info(f"warning: {problem}")


def _poll_now(app: App, feed, items) -> tuple[list[str], list[str]]:
    """The first poll, from the items already read: the feed's links become watched articles now."""
    from watcher.monitor.loop import CHILD_SITEMAPS_PER_POLL, follow_links, record_poll

    links, problems = list(items.links), []
    for child in items.children[:CHILD_SITEMAPS_PER_POLL]:
        try:
            links += _read_feed(app, child).links
        except (FetchError, BadInput) as exc:
            problems.append(f"child sitemap {child}: {exc}")
    now = utcnow()
    svc = app.services(None)
    capped = _cap_note(app, svc, feed.url, links)
    added, skipped = follow_links(svc, feed, links, now, app.robots())
    problems += [skipped] if skipped else []
    problems += [capped] if capped else []
    record_poll(svc, feed, now, added, ok=True)
    svc.store.update_feed(feed)
    return added, problems


def _cap_note(app: App, svc, feed_url: str, links: list[str]) -> str | None:
    """A line saying the feed holds more new stories than one poll takes, and how to change that; None if not."""
    from watcher.feeds import links as feeds

    limit = app.config.feeds.max_new_per_poll
    seen = svc.store.seen_feed_links(feed_url)
    waiting = len(feeds.select_new(links, seen, limit + 10**6, site=feed_url, allow_hosts=app.config.feeds.allow_hosts))
    if waiting <= limit:
        return None
    return (
        f"the feed lists {waiting} new stories; {limit} are watched now, the rest at the next polls of "
        f"`watcher run` (at most {limit} a poll: [feeds] max_new_per_poll in the config)"
    )


def _read_feed(app: App, url: str):
    """The feed's current items; FeedError (exit 2) for a page that is not a feed, FetchError if unreachable."""
    from watcher.feeds import links as feeds
    from watcher.monitor.loop import download_feed

    return feeds.parse_feed(download_feed(app.config.fetch, url), url)


@click.command()
@click.argument("feed_url")
@pass_app
def unfollow(app: App, feed_url: str) -> None:
    """Stop following a feed (articles already watched stay)."""
    from watcher.urls import normalize_url

    app.store().remove_feed(normalize_url(feed_url))
    app.env.info(f"unfollowed {feed_url}")


COMMANDS = [add, remove, pause, resume, list_, follow, unfollow]
