"""Proxies honoured by the browser (the page and its own requests), the HTTP client and feed polls, per site or
for everything, with the credentials never printed."""

from __future__ import annotations

import json

import pytest
from support.cli import data_dir_with, fast_config, watcher
from support.proxy import Proxy

# These tests start Chromium in `watcher` subprocesses (no browser fixture says so).
pytestmark = pytest.mark.browser

PAGE = """<html><head><title>Proxied story</title><script defer src="/app.js"></script></head>
<body><article><h1>Proxied story</h1>{paras}<p id="late"></p></article></body></html>"""
SCRIPT = "document.getElementById('late').textContent = 'A paragraph the page script adds to the story text.';"


@pytest.fixture
def proxy():
    server = Proxy()
    yield server
    server.close()


def setup(site, tmp_path, config: str, teaser: bool = False) -> tuple:
    """`teaser`: the raw HTML's paragraphs too short to be a complete story, so the first check renders."""
    line = (
        "Paragraph {i} of the story." if teaser else "Paragraph {i} of the story, long enough to read as a paragraph."
    )
    paras = "".join(f"<p>{line.format(i=i)}</p>" for i in range(4))
    site.page("/story", PAGE.format(paras=paras))
    site.bytes("/app.js", SCRIPT.encode(), "application/javascript")
    base = site.url("").rstrip("/")
    rss = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><link>{base}/story</link></item></channel></rss>"
    site.bytes("/rss.xml", rss.encode(), "application/rss+xml")
    return data_dir_with(tmp_path / "data", config), base


def test_everything_goes_through_the_configured_proxy_and_its_password_is_never_printed(site, tmp_path, proxy):
    config = fast_config(retries=0, settle_ms=300, fetch=f'proxy = "{proxy.url}"')
    data, base = setup(site, tmp_path, config, teaser=True)
    followed = watcher(data, "follow", base + "/rss.xml")
    assert followed.returncode == 0, followed.stderr
    checked = watcher(data, "check", base + "/story", "--json")
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.splitlines()[0])
    assert result["status"] == "new"
    version = json.loads(watcher(data, "show", base + "/story", "--json").stdout)
    assert any("the page script adds" in p for p in version["article"]["body"])
    # The feed poll, the page (our HTTP client) and the page's own script (Chromium) all went through it.
    assert {"/rss.xml", "/story", "/app.js"} <= set(proxy.paths())
    assert proxy.refused <= 1  # Chromium asks once without credentials, then answers the proxy's challenge
    assert "s3cret-proxy-pw" not in followed.stderr + checked.stdout + checked.stderr


def test_a_site_proxy_applies_to_its_site_only(site, tmp_path, proxy):
    rule = f'[[sites]]\ndomain = "localhost"\nproxy = "{proxy.url}"\n'
    data, base = setup(site, tmp_path, fast_config(retries=0, settle_ms=300, extra=rule))
    direct = base + "/story"
    proxied = site.url("/story", host="localhost")
    assert watcher(data, "add", "--no-probe", direct, proxied).returncode == 0
    assert watcher(data, "check", direct, proxied).returncode == 0
    assert proxy.paths().count("/story") == 1  # the localhost one only
    assert site.hits("/story") == 2


def test_a_bad_proxy_setting_is_one_line_without_the_password(tmp_path):
    data = data_dir_with(tmp_path / "data", '[fetch]\nproxy = "ftp://user:hunter2@proxy.example:21"\n')
    result = watcher(data, "list")
    assert result.returncode == 2 and "fetch.proxy" in result.stderr and "hunter2" not in result.stderr
