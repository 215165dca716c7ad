"""Realistic news article pages for the benchmarks, and local servers that serve them.

Pages are 50-300 KB like real news pages, and most of those bytes are chrome: a navigation bar,
a trending list filled in by an inline script, inline styles, analytics scripts, ad slots, a
related-stories rail, a comment thread and a big footer. All text is generated here from a small
original vocabulary; page `n` is always the same page, so every benchmark reads the same bytes.

    python bench/pages.py            # serve on 127.0.0.1..127.0.0.4 and print sample URLs
"""

from __future__ import annotations

import functools
import html
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = (
    "council budget harbour river bridge school teachers vote mayor tuesday district residents plan "
    "ferry storm minister report inquiry hospital nurses train station library museum funding "
    "contract delay opposition spokesperson statement figures percent quarter winter flood road "
    "repairs market traders festival orchestra stadium league season coach injury transfer "
    "scientists survey coastline erosion wildlife permit developers housing rent tenants court "
    "ruling appeal judge evidence witness police officers cyclists pedestrians lane traffic"
).split()
SECTIONS = "News Politics Business Sport Culture Science Weather Opinion Travel Video Podcasts".split()
NAMES = "Ada Brandt,Chen Wei,Dara Okafor,Elif Yilmaz,Farid Haddad,Grete Lund,Hiro Tanaka,Ines Duarte".split(",")


def _sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 9000)))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _links(rng: random.Random, count: int, prefix: str) -> str:
    return "".join(
        f'<li><a href="/{prefix}/{rng.randint(1000, 99999)}">{html.escape(_sentence(rng, 4, 9))}</a></li>'
        for _ in range(count)
    )


def _style(rng: random.Random, rules: int) -> str:
    out = []
    for i in range(rules):
        out.append(
            f".c{i}-{rng.randint(0, 999)}{{margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px;"
            f"color:#{rng.randint(0, 0xFFFFFF):06x};font-size:{rng.randint(11, 22)}px;line-height:1.{rng.randint(2, 8)}}}"
        )
    return "\n".join(out)


def _analytics(rng: random.Random, size: int) -> str:
    # Bulky but cheap to run, like tag-manager payloads: a config table read once.
    table = [[rng.randint(0, 1 << 30), rng.choice(WORDS), rng.random()] for _ in range(size)]
    return (
        "window.__cfg=" + json.dumps(table) + ";"
        "window.__seen=(window.__cfg||[]).reduce(function(a,r){return a+r[0]%7},0);"
    )


def _trending_script(rng: random.Random) -> str:
    # The trending rail is filled by script after load, as many sites do.
    items = [_sentence(rng, 4, 8) for _ in range(10)]
    return (
        "document.addEventListener('DOMContentLoaded',function(){var ul=document.getElementById('trending-list');"
        f"var items={json.dumps(items)};"
        "items.forEach(function(t,i){var li=document.createElement('li');var a=document.createElement('a');"
        "a.href='/trending/'+i;a.textContent=t;li.appendChild(a);ul.appendChild(li);});});"
    )


def _comments(rng: random.Random, count: int) -> str:
    out = []
    for i in range(count):
        who = rng.choice(NAMES)
        out.append(
            f'<li class="comment" id="c{i}"><div class="comment-meta"><span class="comment-author">{who}</span>'
            f' <time>{rng.randint(1, 59)} minutes ago</time></div><p class="comment-text">{_sentence(rng)}</p>'
            f'<div class="comment-actions"><button>Reply</button><button>Like {rng.randint(0, 300)}</button></div></li>'
        )
    return "".join(out)


def _ad(rng: random.Random, slot: int) -> str:
    return (
        f'<div class="ad-slot ad-{slot}" data-ad-unit="/1234/news/article/{slot}" aria-hidden="true">'
        f'<span class="ad-label">Advertisement</span><div class="ad-creative">'
        f'<a href="/sponsored/{rng.randint(1, 999)}">{html.escape(_sentence(rng, 3, 7))}</a></div>'
        f"<script>(window.adq=window.adq||[]).push({{slot:{slot},sizes:[[300,250],[728,90]]}});</script></div>"
    )


@functools.lru_cache(maxsize=256)
def article_page(n: int) -> bytes:
    """The HTML of article page `n` (deterministic), 50-300 KB."""
    rng = random.Random(n)
    target = 50_000 + (n * 7919) % 245_000  # spread sizes over 50-300 KB
    headline = _sentence(rng, 6, 12)[:-1]
    dek = _sentence(rng, 10, 18)
    author = rng.choice(NAMES)
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(10, 30))]
    body_html = []
    for i, para in enumerate(paragraphs):
        body_html.append(f"<p>{html.escape(para)}</p>")
        if i == 3:
            body_html.append(
                f'<figure><img src="/img/{n}.jpg" alt="{html.escape(_sentence(rng, 5, 9))}">'
                f"<figcaption>{html.escape(_sentence(rng, 6, 12))}</figcaption></figure>"
            )
        if i % 6 == 5:
            body_html.append(_ad(rng, i))
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline,
        "datePublished": f"2026-11-{1 + n % 24:02d}T08:00:00Z",
        "dateModified": f"2026-11-{1 + n % 24:02d}T09:30:00Z",
        "author": {"@type": "Person", "name": author},
    }
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in SECTIONS)
    head = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(headline)} | The Daily Bench</title>'
        f'<meta property="og:title" content="{html.escape(headline)}">'
        f'<meta name="description" content="{html.escape(dek)}">'
        f'<link rel="canonical" href="/article/{n}">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        f"<style>{_style(rng, 120)}</style>"
        f"<script>{_trending_script(rng)}</script>"
    )
    chrome_top = (
        f'</head><body><header class="site-header"><a class="logo" href="/">The Daily Bench</a>'
        f'<nav class="main-nav"><ul>{nav}</ul></nav><form class="search"><input name="q"></form></header>'
        f'<div class="breaking-banner">Live: {html.escape(_sentence(rng, 5, 9))}</div>{_ad(rng, 0)}'
    )
    article = (
        f'<main><article class="story"><h1 class="headline">{html.escape(headline)}</h1>'
        f'<p class="dek">{html.escape(dek)}</p><div class="byline">By <a href="/people/{n}">{author}</a>'
        f' <time datetime="{ld["datePublished"]}">1 hour ago</time></div>'
        f'<div class="share"><button>Share</button><button>Save</button><span>{rng.randint(2, 900)} comments</span></div>'
        f'<div class="article-body">{"".join(body_html)}</div></article>'
    )
    rails = (
        f'<aside class="trending"><h2>Trending</h2><ol id="trending-list"></ol></aside>'
        f'<aside class="related"><h2>Related stories</h2><ul>{_links(rng, 12, "article")}</ul></aside>'
        f'<section class="newsletter"><h2>Get the morning briefing</h2><form><input type="email"><button>Sign up</button></form></section>'
    )
    comments = f'<section class="comments"><h2>Comments</h2><ol>{_comments(rng, rng.randint(15, 40))}</ol></section>'
    footer = (
        f'</main><footer class="site-footer"><ul>{_links(rng, 40, "section")}</ul>'
        f'<p class="legal">Copyright The Daily Bench. All rights reserved.</p></footer>'
    )
    fixed = head + chrome_top + article + rails + comments + footer
    # Pad with the bulk real pages carry: analytics/config payloads in inline scripts.
    remaining = target - len(fixed.encode()) - 100
    pad = ""
    if remaining > 200:
        pad = _analytics(rng, remaining // 40)
        pad = f"<script>{_analytics(random.Random(n), int(remaining // 40 * remaining / len(pad)))}</script>"
    page = fixed + pad + "</body></html>"
    return page.encode("utf-8")


class PageHandler(BaseHTTPRequestHandler):
    """A benchmark's page server: keep-alive like a real site, nothing cached, no log line per request."""

    protocol_version = "HTTP/1.1"
    # As real servers do (nginx's tcp_nodelay): headers and body are two writes, and on a kept-alive connection
    # Nagle's algorithm would hold the body until the client's delayed ACK, 40 ms a response.
    disable_nagle_algorithm = True

    def send_page(self, body: bytes, status: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass  # a line per request would bury the benchmark's own output


class _Handler(PageHandler):
    def do_GET(self) -> None:  # http.server's naming
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "article" and parts[1].isdigit():
            self.send_page(article_page(int(parts[1])), 200, "text/html; charset=utf-8")
        else:
            self.send_page(b"not found", 404, "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class PageServers:
    """One article server per loopback address (127.0.0.1, .2, ...), so each is a separate host.

    `handler` serves other pages than article_page's (a benchmark's own workload); `attributes` are set on
    each server for it to read as `self.server.NAME`."""

    def __init__(self, hosts: int = 4, handler: type[BaseHTTPRequestHandler] = _Handler, **attributes: object) -> None:
        self.servers = []
        for i in range(1, hosts + 1):
            server = _Server((f"127.0.0.{i}", 0), handler)
            for name, value in attributes.items():
                setattr(server, name, value)
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self.servers.append(server)

    def url(self, n: int) -> str:
        """URL of article `n`, spread round-robin over the hosts."""
        host, port = self.servers[n % len(self.servers)].server_address[:2]
        return f"http://{host}:{port}/article/{n}"

    def urls(self, count: int, start: int = 0) -> list[str]:
        """`count` consecutive article URLs."""
        return [self.url(n) for n in range(start, start + count)]

    def close(self) -> None:
        """Stop every server."""
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> PageServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    sizes = [len(article_page(n)) for n in range(200)]
    print(
        f"page sizes over 200 pages: min {min(sizes) / 1000:.0f} KB, max {max(sizes) / 1000:.0f} KB, "
        f"mean {sum(sizes) / len(sizes) / 1000:.0f} KB"
    )
    with PageServers() as servers:
        for u in servers.urls(4):
            print(u)
        input("serving; press Enter to stop ")
