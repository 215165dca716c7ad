"""The fast-check decisions that are pure functions: which mode applies, when a check must render."""

from __future__ import annotations

from datetime import timedelta

import pytest

from watcher.config import BrowserSettings, Config, SiteRule, load_config
from watcher.errors import ConfigError
from watcher.models import Article, Version, WatchedArticle
from watcher.monitor import precheck
from watcher.times import utcnow


def article(**fields) -> WatchedArticle:
    return WatchedArticle(url="https://news.example.com/a/1", added_at=utcnow(), **fields)


def version(number: int = 1, source: str | None = None, captured_at=None) -> Version:
    return Version(
        url="https://news.example.com/a/1",
        number=number,
        captured_at=captured_at or utcnow(),
        article=Article(headline="h"),
        content_hash="c",
        source=source,
    )


def test_the_article_mode_beats_the_site_mode_which_beats_the_global_one():
    config = Config(fetch=BrowserSettings(mode="auto"), sites=[SiteRule(domain="example.com", mode="browser")])
    assert precheck.mode_of(config, article()) == "browser"
    assert precheck.mode_of(config, article(mode="http")) == "http"
    assert precheck.mode_of(Config(), article()) == "auto"


def test_render_reasons():
    now = utcnow()
    config = Config(fetch=BrowserSettings(audit_max_age=3600))
    learned = dict(learned_mode="static", raw_hash="x", rendered_at=now)
    assert precheck.render_reason(article(**learned), None, config, now) == "first check"
    assert precheck.render_reason(article(**learned), version(), config, now) is None
    assert precheck.render_reason(article(**{**learned, "learned_mode": "needs-browser"}), version(), config, now)
    # A check count no longer audits: many checks since the render, none due.
    assert precheck.render_reason(article(**learned, checks_since_render=50), version(), config, now) is None
    later = now + timedelta(hours=2)
    assert precheck.render_reason(article(**learned), version(), config, later) == "audit"


def test_the_next_check_after_a_version_stored_from_http_renders_once():
    rendered = utcnow()
    learned = dict(learned_mode="static", raw_hash="x", rendered_at=rendered)
    after = rendered + timedelta(minutes=10)
    stored = version(number=2, source="http", captured_at=after)
    reason = precheck.render_reason(article(**learned), stored, Config(), after + timedelta(minutes=10))
    assert reason is not None and reason.startswith("audit")
    # Once rendered since, the version stored from HTTP is no reason any more.
    audited = dict(learned, rendered_at=after + timedelta(minutes=10))
    assert precheck.render_reason(article(**audited), stored, Config(), after + timedelta(minutes=20)) is None
    # A version the browser stored is no reason either.
    by_browser = version(number=2, source="browser", captured_at=after)
    assert precheck.render_reason(article(**learned), by_browser, Config(), after + timedelta(minutes=10)) is None


def test_a_new_article_learned_from_its_raw_html_waits_for_its_first_render_until_the_audit_bound():
    first = utcnow()
    never = dict(learned_mode="static", raw_hash="x", rendered_at=None, versions=1)
    v1 = version(source="http", captured_at=first)
    config = Config()
    assert precheck.render_reason(article(**never), v1, config, first + timedelta(hours=23)) is None
    assert precheck.first_render_pending(config, article(**never))
    assert precheck.render_reason(article(**never), v1, config, first + timedelta(days=1)) == "audit"
    assert not precheck.first_render_pending(config, article(**never, mode="browser"))
    assert not precheck.first_render_pending(config, article(**{**never, "rendered_at": first}))


def test_host_mode_follows_most_of_its_articles():
    urls = ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://b.example/1"]
    modes = ["needs-browser", "needs-browser", "static", None]
    assert precheck.host_modes(dict(zip(urls, modes))) == {"a.example": "needs-browser"}


def test_conditional_headers_come_from_the_last_response():
    assert precheck.conditional_headers(article(etag='"1"', last_modified="Tue, 01 Dec 2026 10:00:00 GMT")) == {
        "If-None-Match": '"1"',
        "If-Modified-Since": "Tue, 01 Dec 2026 10:00:00 GMT",
    }
    assert precheck.conditional_headers(article()) == {}


@pytest.mark.parametrize("text", ['[fetch]\nmode = "fast"\n', '[[sites]]\ndomain = "x.org"\nmode = "never"\n'])
def test_an_unknown_mode_is_a_config_error(tmp_path, text):
    path = tmp_path / "watcher.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="mode"):
        load_config(path)


def test_modes_and_audit_settings_load(tmp_path):
    path = tmp_path / "watcher.toml"
    path.write_text('[fetch]\nmode = "browser"\naudit_max_age = "12h"\nbrowser_idle = "2m"\n')
    config = load_config(path)
    assert (config.fetch.mode, config.fetch.audit_max_age, config.fetch.browser_idle) == ("browser", 43200.0, 120.0)


def test_an_old_config_with_audit_every_still_loads_and_says_it_is_ignored(tmp_path, caplog):
    path = tmp_path / "watcher.toml"
    path.write_text('[fetch]\naudit_every = 4\naudit_max_age = "12h"\n')
    config = load_config(path)
    assert config.fetch.audit_max_age == 43200.0
    assert not hasattr(config.fetch, "audit_every")
    assert "audit_every is no longer used" in caplog.text


def test_the_default_audit_renders_a_static_article_at_least_daily():
    now = utcnow()
    config = Config()
    learned = dict(learned_mode="static", raw_hash="x", rendered_at=now)
    assert config.fetch.audit_max_age == 86400.0
    assert precheck.render_reason(article(**learned), version(), config, now + timedelta(hours=23)) is None
    a_day_later = now + timedelta(days=1)
    assert precheck.render_reason(article(**learned), version(), config, a_day_later) == "audit"
