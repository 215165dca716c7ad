"""URL normalization: one story, one watched URL; refused and malformed URLs give one clear line."""

import pytest

from watcher.errors import BadInput, RefusedScheme
from watcher.urls import host_of, hostname_of, normalize_url, on_domain


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&id=7&utm_medium=y&fbclid=z&b=2", "https://example.com/a?id=7&b=2"),
        ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4", "https://example.com/a"),
        ("https://example.com/a?z=1&a=2", "https://example.com/a?z=1&a=2"),
        ("https://example.com/Case/Path", "https://example.com/Case/Path"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://faß.de/x", "https://xn--fa-hia.de/x"),  # IDNA 2008 / UTS 46, as browsers: not fass.de
        ("https://ＦＡß.DE/x", "https://xn--fa-hia.de/x"),  # full-width letters and case mapped first
        ("https://βόλος.gr/", "https://xn--nxasmm1c.gr/"),  # final sigma kept
        ("https://i❤.ws/", "https://xn--i-7iq.ws/"),  # a symbol IDNA 2008 leaves out, mapped as browsers do
    ],
)
def test_normalize_url_canonical_form(given, expected):
    assert normalize_url(given) == expected


def test_same_story_written_two_ways_normalizes_equal():
    assert normalize_url("https://News.example/story?utm_campaign=x#top") == normalize_url(
        "https://news.example:443/story"
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<p>hi",
        "javascript:alert(1)",
        "ftp://example.com/f",
        "chrome://settings",
        "about:blank",
        "mailto:a@example.com",
    ],
)
def test_refused_schemes(url):
    scheme = url.split(":", 1)[0]
    with pytest.raises(RefusedScheme) as info:
        normalize_url(url)
    message = str(info.value)
    assert "\n" not in message and f"{scheme}:" in message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("https://example.com/a story", "spaces"),
        ("https://exa\tmple.com/", "spaces"),
        ("example.com/story", "http://"),
        ("localhost:8000/story", "http://"),
        ("http://", "no host"),
        ("https://example.com:99999/", "malformed"),
        ("https://example.com/\x00", "control"),
    ],
)
def test_malformed_urls(url, words):
    with pytest.raises(BadInput) as info:
        normalize_url(url)
    assert not isinstance(info.value, RefusedScheme)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_credentials_refused_without_echoing_them():
    with pytest.raises(BadInput) as info:
        normalize_url("https://alice:s3cret@example.com/x")
    message = str(info.value)
    assert "credentials" in message
    assert "s3cret" not in message and "alice" not in message
    assert "example.com" in message


def test_host_of_keeps_a_port_that_is_not_the_default():
    assert host_of("https://News.Example.com:8443/a?b") == "news.example.com:8443"
    assert host_of("https://news.example.com:443/a") == "news.example.com"
    assert host_of("http://news.example.com.:80/a") == "news.example.com"
    assert host_of("http://127.0.0.1:8001/story") == "127.0.0.1:8001"
    assert host_of("http://[::1]:8443/") == "[::1]:8443"
    assert host_of("not a url") == ""
    assert host_of("http://example.com:99999/") == ""  # a port out of range is no host watcher can name


def test_hostname_of_is_the_name_alone():
    assert hostname_of("https://News.Example.com:8443/a?b") == "news.example.com"
    assert hostname_of("not a url") == ""


def test_site_rules_match_a_host_whatever_its_port():
    from watcher.config import SiteRule
    from watcher.extract.body import rule_for

    rules = [SiteRule(domain="example.com"), SiteRule(domain="news.example.com")]
    assert rule_for("https://news.example.com:8443/story", rules) is rules[1]
    assert rule_for("http://www.example.com:8080/story", rules) is rules[0]


def test_a_host_is_on_its_domain_and_under_it_but_not_on_a_lookalike():
    assert on_domain("example.com", "example.com")
    assert on_domain("news.example.com", "example.com")
    assert not on_domain("badexample.com", "example.com")
    assert not on_domain("example.com", "news.example.com")
