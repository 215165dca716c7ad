"""The strict TOML config loader and duration parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watcher.config import (
    Config,
    NotifyTarget,
    SiteRule,
    Tier,
    load_config,
    parse_duration,
)
from watcher.errors import BadInput, ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "watcher" / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watcher.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("10m", 600),
        ("2h", 7200),
        ("1d", 86400),
        ("1w", 604800),
        ("90", 90),
        (" 10M ", 600),
        ("1h30m", 5400),
        ("1.5h", 5400),
        (45, 45),
        (2.4, 2),
        (0, 0),
    ],
)
def test_parse_duration_accepts_units_and_numbers(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "-5", "m", "5 m 3", "1h-", True, -1, float("nan")])
def test_parse_duration_refuses_junk(text):
    with pytest.raises(BadInput, match="invalid duration"):
        parse_duration(text)


def test_no_path_gives_defaults():
    assert load_config(None) == Config()


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_empty_file_gives_defaults(tmp_path):
    assert load_config(write(tmp_path, "")) == Config()


def test_the_shipped_example_documents_the_defaults():
    assert load_config(EXAMPLE) == Config()


def test_the_commented_examples_in_the_shipped_file_load(tmp_path):
    """Uncommenting the [[sites]] and [[notify]] examples gives a valid config."""
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("# [[sites]]")
    body = "\n".join(
        re.sub(r"^# ?", "", line) if re.match(r"# ?(\[\[|[a-z_]+ = )", line) else line
        for line in text[start:].splitlines()
    )
    config = load_config(write(tmp_path, text[:start] + body))
    assert config.sites[0].domain == "news.example.com"
    assert config.sites[0].exclude == [".newsletter-signup", ".related-stories"]
    assert [t.url for t in config.notify] == [
        "https://hooks.example.org/watcher",
        "mailto://user:app-password@gmail.com",
        "https://hooks.example.org/desk",
    ]
    assert config.notify[0].timeout == 10.0 and config.notify[1].min_class == "typo"
    assert (
        config.notify[2].when == ["numbers", "quotes", "attribution", "headline"] and config.notify[2].min_words == 20
    )


def test_full_config_is_read_into_the_settings(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
[fetch]
nav_timeout = 0.5
deadline = "2m"
concurrency = 2
block_resources = []
user_agent = "test agent"

[schedule]
tiers = [{ until = "1h", every = "30s" }, { until = "10m", every = "5s" }]
jitter = 0
error_backoff = "1m"

[trust]
confirm_delay = "0.5s"

[feeds]
max_new_per_poll = 5
default_every = "2m"

[[sites]]
domain = "example.com"
body = "article p"
exclude = [".ad"]

[[notify]]
url = "json://127.0.0.1:9/hook"
min_class = "typo"
flags = ["stealth"]
tags = ["a", "b"]
retries = 0
timeout = 3
""",
        )
    )
    assert config.fetch.nav_timeout == 0.5 and config.fetch.deadline == 120.0
    assert config.fetch.concurrency == 2 and config.fetch.block_resources == []
    assert config.fetch.user_agent == "test agent"
    assert config.fetch.retries == 2  # untouched keys keep their default
    # tiers are kept sorted by their limit whatever order they were written in
    assert config.schedule.tiers == [Tier(until=600, every=5), Tier(until=3600, every=30)]
    assert config.schedule.jitter == 0 and config.schedule.error_backoff == 60
    assert config.schedule.max_error_backoff == 6 * 3600
    assert config.trust.confirm_delay == 0.5
    assert config.feeds.max_new_per_poll == 5 and config.feeds.default_every == 120
    assert config.sites == [SiteRule(domain="example.com", body="article p", exclude=[".ad"])]
    assert config.notify == [
        NotifyTarget(
            url="json://127.0.0.1:9/hook", min_class="typo", flags=["stealth"], tags=["a", "b"], retries=0, timeout=3.0
        )
    ]


# The error names the key: an unknown one as unknown, one with a wrong type or value by its name alone.
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[fetch]\ntimeoutx = 3\n", "unknown key 'fetch.timeoutx'"),
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("[schedule]\ntiers = [{ until = '1h', every = '1m', often = 1 }]\n", "unknown key 'schedule.tiers[0].often'"),
        (
            "[[sites]]\ndomain = 'a.com'\n[[sites]]\ndomain = 'b.com'\nheadlines = 'h1'\n",
            "unknown key 'sites[1].headlines'",
        ),
        ("[[notify]]\nurl = 'https://x.test/'\nmin_clas = 'typo'\n", "unknown key 'notify[0].min_clas'"),
        ("[feeds]\nmax_new = 3\n", "unknown key 'feeds.max_new'"),
        ("[trust]\nwindow = 3\n", "unknown key 'trust.window'"),
        ("[fetch]\nretries = 'two'\n", "'fetch.retries'"),
        ("[fetch]\nretries = 2.5\n", "'fetch.retries'"),
        ("[fetch]\nconcurrency = true\n", "'fetch.concurrency'"),
        ("[fetch]\nblock_resources = 'image'\n", "'fetch.block_resources'"),
        ("[fetch]\nblock_resources = [1]\n", "'fetch.block_resources'"),
        ("[fetch]\nnav_timeout = 'soon'\n", "'fetch.nav_timeout'"),
        ("[schedule]\nerror_backoff = '5 minutes'\n", "'schedule.error_backoff'"),
        ("[schedule]\ntiers = { until = '1h', every = '1m' }\n", "'schedule.tiers'"),
        ("[schedule]\ntiers = [{ until = '1h' }]\n", "'schedule.tiers[0]'"),
        ("[schedule]\ntiers = [{ until = '1h', every = 0 }]\n", "'schedule.tiers[0]'"),
        ("[schedule]\njitter = 1.5\n", "'schedule.jitter'"),
        ("fetch = 3\n", "'fetch'"),
        ("[sites]\ndomain = 'a.com'\n", "'sites'"),
        ("[[sites]]\nbody = 'p'\n", "'sites[0]'"),
        ("[[sites]]\ndomain = 'a.com'\nbody = ['p']\n", "'sites[0].body'"),
        ("[[notify]]\nurl = 'https://x.test/'\nmin_class = 'huge'\n", "'notify[0].min_class'"),
        ("[[notify]]\nurl = ''\n", "'notify[0].url'"),
        ("[[notify]]\nurl = 'https://x.test/'\nretries = -1\n", "'notify[0].retries'"),
        ("[fetch]\nconcurrency = 0\n", "'fetch.concurrency'"),
        ("[archive]\nscreenshots = true\nscreenshot_max_height = 100\n", "'archive.screenshot_max_height'"),
        ("[archive]\nscreenshots = true\nscreenshot_max_height = 40000\n", "'archive.screenshot_max_height'"),
        ("[archive]\nscreenshots = true\nscreenshot_quality = 100\n", "'archive.screenshot_quality'"),
        ("[archive]\nscreenshots = true\nscreenshot_max_bytes = 10\n", "'archive.screenshot_max_bytes'"),
    ],
)
def test_unknown_keys_wrong_types_and_values_are_errors_naming_the_key(tmp_path, text, said):
    assert said in load_error(tmp_path, text)


def test_syntax_error_names_the_line(tmp_path):
    message = load_error(tmp_path, "[fetch]\nretries = 2\nconcurrency = = 3\n")
    assert re.search(r": line 3\b", message)


def test_non_utf8_file_is_a_config_error(tmp_path):
    path = tmp_path / "watcher.toml"
    path.write_bytes(b"[fetch]\nuser_agent = '\xff'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path)


def test_a_directory_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "text, said",
    [
        ('[fetch]\nproxy = "http://u:hunter2@proxy.example:99999"\n', "port out of range"),
        ('[fetch]\nproxy = "socks5://u:hunter2@proxy.example:1080"\n', "socks5 proxy with a user and password"),
        ('[[sites]]\ndomain = "a.example"\nproxy = "socks5://u:hunter2@p.example:1080"\n', "sites[0].proxy"),
        ('[fetch]\nuser_agent = "bad\\nX-Injected: 1"\n', "fetch.user_agent' must be one line"),
        ('[fetch]\ncontact = "desk@example.org\\r\\n"\n', "fetch.contact' must be one line"),
        ('[[notify]]\nurl = "mailto://a@b.example"\ntitle = "{headlin}"\n', "not one of the fields"),
    ],
)
def test_fetch_identity_proxies_and_templates_that_cannot_work_are_refused(tmp_path, text, said):
    with pytest.raises(ConfigError, match=re.escape(said)) as info:
        load_config(write(tmp_path, text))
    assert "hunter2" not in str(info.value)


def test_alert_rules_and_summary_settings_are_checked(tmp_path):
    assert "'notify[0].when' takes numbers" in load_error(
        tmp_path, '[[notify]]\nurl = "https://h.example/x"\nwhen = ["numbrs"]\n'
    )
    assert "is not a regular expression" in load_error(
        tmp_path, '[[notify]]\nurl = "https://h.example/x"\nkeywords = ["/(unclosed/"]\n'
    )
    assert "'summary.llm_url' must be an http" in load_error(tmp_path, '[summary]\nllm_url = "ftp://x"\n')
    config = load_config(write(tmp_path, '[summary]\nllm_url = "http://127.0.0.1:8080/v1"\nllm_timeout = "1m"\n'))
    assert config.summary.llm_timeout == 60.0 and Config().summary.llm_url is None


@pytest.mark.parametrize("keyword", ["", "  ", "//", "/a*/"])
def test_a_keyword_that_would_match_every_change_is_refused(tmp_path, keyword):
    error = load_error(tmp_path, f'[[notify]]\nurl = "https://h.example/x"\nkeywords = ["{keyword}"]\n')
    assert "notify[0].keywords" in error and "every change" in error
