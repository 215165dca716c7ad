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


def version() -> Version:
    return Version(
        url="https://news.example.com/a/1",
        number=1,
        captured_at=utcnow(),
        article=Article(headline="h"),
        content_hash="c",
    )


def test_the_article_mode_beats_the_site_mode_which_beats_the_global_one():
    config = Config(fetch=BrowserSettings(mode="auto"), sites=[SiteRule(domain="example.com", mode="browser")])
    assert precheck.mode_of(config, article()) == "browser"
    assert precheck.mode_of(config, article(mode="http")) == "http"
    assert precheck.mode_of(Config(), article()) == "auto"


def test_render_reasons():
    now = utcnow()
    config = Config(fetch=BrowserSettings(audit_every=3, audit_max_age=3600))
    learned = dict(learned_mode="static", raw_hash="x", rendered_at=now)
    assert precheck.render_reason(article(**learned), None, config, now) == "first check"
    assert precheck.render_reason(article(**learned), version(), config, now) is None
    assert precheck.render_reason(article(**{**learned, "learned_mode": "needs-browser"}), version(), config, now)
    assert precheck.render_reason(article(**learned, checks_since_render=2), version(), config, now) == "audit"
    later = now + timedelta(hours=2)
    assert precheck.render_reason(article(**learned), version(), config, later) == "audit"


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
    path.write_text('[fetch]\nmode = "browser"\naudit_every = 4\naudit_max_age = "12h"\nbrowser_idle = "2m"\n')
    config = load_config(path)
    assert (config.fetch.mode, config.fetch.audit_every, config.fetch.audit_max_age, config.fetch.browser_idle) == (
        "browser",
        4,
        43200.0,
        120.0,
    )


def test_the_default_audit_renders_the_sixth_check_since_a_render_and_at_least_daily():
    now = utcnow()
    config = Config()
    learned = dict(learned_mode="static", raw_hash="x", rendered_at=now)
    assert (config.fetch.audit_every, config.fetch.audit_max_age) == (6, 86400.0)
    assert precheck.render_reason(article(**learned, checks_since_render=4), version(), config, now) is None
    assert precheck.render_reason(article(**learned, checks_since_render=5), version(), config, now) == "audit"
    a_day_later = now + timedelta(days=1)
    assert precheck.render_reason(article(**learned), version(), config, a_day_later) == "audit"
