"""HTML and RSS for the demo newsroom: pure functions of the story text and a chrome seed.

Every part that changes between requests is wrapped in <!--chrome--> ... <!--/chrome--> comments, so tests can
prove that two requests differ only there. Browsers and extractors ignore comments.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from html import escape

from watcher.app.demo.newsroom.chrome import (
    EN_NAV,
    EN_RELATED,
    ZH_CHANNELS,
    ZH_RELATED,
    Chrome,
    make_chrome,
)
from watcher.app.demo.newsroom.stories import Block, Story, StoryState

VOLATILE_START = "<!--chrome-->"
VOLATILE_END = "<!--/chrome-->"
ZH_SITE = "晨光新聞網"
EN_SITE = "The Alder Falls Courier"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _volatile(html: str) -> str:
    return f"{VOLATILE_START}{html}{VOLATILE_END}"


def _ad(ad_id: str, slot: str) -> str:
    return _volatile(f'<div class="ad-slot" id="{ad_id}" data-slot="{slot}"><span>廣告 Advertisement</span></div>')


def _figure(src: str, caption: str) -> str:
    # The caption appears twice, as alt text and as figcaption, as on real news pages.
    return (
        f'<figure class="photo"><img src="{_e(src)}" alt="{_e(caption)}" width="640" height="360">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _block(block: Block, subhead_open: str, notice_tag: str) -> str:
    """A body block in a layout's markup: its sub-head tag and the inline tag a correction notice is set in."""
    text = _e(block.text)
    if block.kind == "h2":
        return f"{subhead_open}{text}</h2>"
    if block.kind == "correction":
        return f'<p class="correction"><{notice_tag}>{text}</{notice_tag}></p>'
    return f"<p>{text}</p>"


def _head(story: Story, state: StoryState, site: str, base_url: str) -> str:
    url = f"{base_url}{story.path}"
    summary = state.dek or state.paragraphs()[0][:80]
    image = f"{base_url}{state.figures[0].src}" if state.figures else ""
    parts = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(state.headline)} | {_e(site)}</title>",
        f'<meta name="description" content="{_e(summary)}">',
        f'<link rel="canonical" href="{_e(url)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{_e(site)}">',
        f'<meta property="og:title" content="{_e(state.headline)}">',
        f'<meta property="og:description" content="{_e(summary)}">',
        f'<meta property="og:url" content="{_e(url)}">',
        f'<meta property="og:image" content="{_e(image)}">',
        f'<meta property="article:published_time" content="{story.published}">',
        f'<meta property="article:section" content="{_e(story.section)}">',
        "<style>body{font-family:sans-serif;max-width:960px;margin:auto}.ad-slot{background:#eee;height:90px}"
        ".cookie-banner{position:fixed;bottom:0;background:#222;color:#fff}figure img{max-width:100%}</style>",
    ]
    if story.json_ld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": state.headline,
            "description": state.dek,
            "datePublished": story.published,
            "dateModified": story.published,
            "author": [{"@type": "Person", "name": n.strip()} for n in state.byline.removeprefix("By ").split(" and ")],
            "publisher": {"@type": "Organization", "name": site},
            "image": [image],
            "mainEntityOfPage": url,
            "articleSection": story.section,
            "inLanguage": story.lang,
            "articleBody": "\n\n".join(state.paragraphs()),
        }
        # "</" cannot appear inside a script element; escaping the slash keeps the JSON valid and the page safe.
        blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        parts.append(f'<script type="application/ld+json">{blob}</script>')
    return "\n".join(parts)


def _page_open(chrome: Chrome) -> str:
    return _volatile(
        f"<!-- newsroom build {chrome.build} request {chrome.request_id} -->"
        f'<div id="page" data-request-id="{chrome.request_id}">'
    )


def _zh_story(story: Story, state: StoryState, chrome: Chrome) -> str:
    channels = "".join(f'<li><a href="/channel/{i}">{_e(c)}</a></li>' for i, c in enumerate(ZH_CHANNELS))
    ticker = "".join(f'<li><a href="/news/flash-{i}">{_e(t)}</a></li>' for i, t in enumerate(chrome.ticker))
    body = [_block(block, '<h2 class="subhead">', "strong") for block in state.blocks]
    if len(body) > 3:
        body.insert(3, _ad(chrome.ad_ids[1], "inread"))
    extra_figures = "".join(_figure(f.src, f.caption) for f in state.figures[1:])
    related = "".join(
        f'<li><a href="/news/related-{i}"><img src="/img/thumb-{i}.svg" alt="{_e(t)}">{_e(t)}</a></li>'
        for i, t in enumerate(ZH_RELATED)
    )
    hot = "".join(
        f'<li><figure><img src="/img/hot-{i}.svg" alt="{_e(cap)}"></figure>'
        f'<a href="/news/hot-{i}">{_e(title)}</a><time>{stamp}</time></li>'
        for i, (cap, title, stamp) in enumerate(chrome.hot)
    )
    popular = "".join(f'<li><a href="/news/pop-{i}">{_e(t)}</a></li>' for i, t in enumerate(chrome.popular))
    tags = "".join(f'<a class="tag" href="/tag/{_e(t)}">{_e(t)}</a> ' for t in story.tags)
    published = datetime.fromisoformat(story.published).strftime("%Y-%m-%d %H:%M")
    return f"""<body>
{_page_open(chrome)}
<header class="site-header">
<div class="date">{published[:10]} <a href="/">{ZH_SITE}</a></div>
<nav class="channels"><span>我的頻道</span><ul>{channels}</ul>
<div class="channel-edit">拖拉類別可自訂排序 <button>恢復預設</button> <button>確定</button></div><a href="/settings">設定</a></nav>
{_volatile(f'<div class="breaking"><span class="label">快訊</span><ul class="ticker">{ticker}</ul></div>')}
</header>
{_ad(chrome.ad_ids[0], "top")}
<main>
<article class="article">
<nav class="breadcrumb"><a href="/">首頁</a> › <a href="/channel/2">{_e(story.section)}</a></nav>
<h1 class="article-title">{_e(state.headline)}</h1>
<div class="article-meta"><span class="author">{_e(state.byline)}</span>
<time class="published" datetime="{story.published}">{published}</time>
{_volatile(f'<span class="views">瀏覽數 {chrome.views:,}</span>')}</div>
{_figure(state.figures[0].src, state.figures[0].caption) if state.figures else ""}
<section class="article-content">
{"".join(body)}
{extra_figures}
</section>
<div class="tags">{tags}</div>
<div class="share"><span>分享</span> <a href="#fb">Facebook</a> <a href="#line">LINE</a> <a href="#copy">複製連結</a></div>
<nav class="prev-next"><div>上一則</div><a href="/news/prev">夜市攤商聯名推環保餐具 每用一次折5元</a>
<div>下一則</div><a href="/news/next">高中生自製氣象站 數據獲大學採用</a></nav>
</article>
<aside class="more">
<section class="related"><h3>延伸閱讀</h3><ul>{related}</ul></section>
{_volatile(f'<section class="hot"><h3>熱門新聞</h3><ul>{hot}</ul></section>')}
{_volatile(f'<section class="popular"><h3>超人氣</h3><a href="/popular">更多 &gt;</a><ol>{popular}</ol></section>')}
{_ad(chrome.ad_ids[2], "sidebar")}
</aside>
</main>
<footer class="site-footer">© 2026 {ZH_SITE} 版權所有 · 隱私權政策 · 服務條款</footer>
</div>
</body>"""


def _en_story(story: Story, state: StoryState, chrome: Chrome) -> str:
    nav = "".join(f'<li><a href="/section/{n.lower()}">{_e(n)}</a></li>' for n in EN_NAV)
    body: list[str] = []
    paragraphs_seen = 0
    for block in state.blocks:
        body.append(_block(block, "<h2>", "em"))
        if block.kind == "p":
            paragraphs_seen += 1
            if paragraphs_seen == 2:
                body.extend(_figure(f.src, f.caption) for f in state.figures[1:])
            if paragraphs_seen == 3:
                body.append(_ad(chrome.ad_ids[1], "inline"))
    related = "".join(
        f'<li><a href="/news/related-{i}">{_e(t)}</a> {_volatile(f"<span>{m} min ago</span>")}</li>'
        for i, (t, m) in enumerate(zip(EN_RELATED, chrome.related_minutes))
    )
    trending = "".join(
        f'<li><a href="/news/trending-{i}">{_e(t)}</a> <span class="ago">{m} minutes ago</span></li>'
        for i, (t, m) in enumerate(chrome.trending)
    )
    comments = "".join(
        f'<li class="comment"><b class="author">{_e(who)}</b> <span class="ago">{m} minutes ago</span>'
        f"<p>{_e(text)}</p><button>Reply</button> <button>Like</button></li>"
        for who, text, m in chrome.comments
    )
    published = datetime.fromisoformat(story.published)
    shown = f"{published.strftime('%B')} {published.day}, {published.year}"
    tags = " ".join(f'<a class="tag" href="/tag/{_e(t)}">{_e(t)}</a>' for t in story.tags)
    return f"""<body>
{_page_open(chrome)}
{
        _volatile(
            f'<div class="cookie-banner" data-consent-id="{chrome.request_id[:8]}">We use cookies to improve '
            "your experience and to show you relevant ads. <button>Accept all</button> "
            "<button>Manage choices</button></div>"
        )
    }
<header class="masthead"><a class="logo" href="/">{EN_SITE}</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<a class="subscribe" href="/subscribe">Subscribe for $1 a week</a> <a href="/login">Sign in</a></header>
{_ad(chrome.ad_ids[0], "leaderboard")}
<main>
<article class="story">
<p class="kicker"><a href="/section/{story.section.lower()}">{_e(story.section)}</a></p>
<h1 class="headline">{_e(state.headline)}</h1>
<p class="dek">{_e(state.dek)}</p>
<div class="byline"><span class="author">{_e(state.byline)}</span> ·
<time datetime="{story.published}">{shown}</time></div>
<div class="share-bar"><span>Share this story</span> <a href="#facebook">Facebook</a> <a href="#x">X</a>
<a href="#email">Email</a> <a href="#copy">Copy link</a>
{_volatile(f'<span class="share-count">{chrome.views // 37:,} shares</span>')}</div>
{_figure(state.figures[0].src, state.figures[0].caption) if state.figures else ""}
<div class="story-body">
{"".join(body)}
</div>
<p class="tags">Filed under: {tags}</p>
</article>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
{_volatile(f'<aside class="trending"><h2>Trending</h2><ol>{trending}</ol></aside>')}
{
        _volatile(
            f'<section class="comments"><h2>Comments ({chrome.comments_count})</h2><ul>{comments}</ul>'
            '<form><textarea placeholder="Join the conversation"></textarea><button>Post</button></form></section>'
        )
    }
{_ad(chrome.ad_ids[2], "footer")}
</main>
<footer class="site-footer">© 2026 {EN_SITE} · Terms of use · Privacy policy · Contact the newsroom</footer>
</div>
</body>"""


def render_story(story: Story, version_state: StoryState, chrome_seed: int, *, base_url: str = "") -> str:
    """The full HTML page of a story in this version, with the chrome drawn from the seed."""
    chrome = make_chrome(chrome_seed)
    site = ZH_SITE if story.layout == "zh" else EN_SITE
    body = _zh_story(story, version_state, chrome) if story.layout == "zh" else _en_story(story, version_state, chrome)
    return (
        f'<!DOCTYPE html>\n<html lang="{story.lang}">\n<head>\n'
        f"{_head(story, version_state, site, base_url)}\n</head>\n{body}\n</html>\n"
    )


def render_front(stories: list[tuple[Story, StoryState]], chrome_seed: int) -> str:
    """The front page: every story's current headline and summary, plus changing chrome."""
    chrome = make_chrome(chrome_seed)
    items = "".join(
        f'<li class="teaser" lang="{s.lang}"><a href="{s.path}">{_e(st.headline)}</a>'
        f"<p>{_e(st.dek or st.paragraphs()[0][:60])}</p></li>"
        for s, st in stories
    )
    trending = "".join(f"<li>{_e(t)} <span>{m} minutes ago</span></li>" for t, m in chrome.trending)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Newsroom demo</title>
<link rel="alternate" type="application/rss+xml" title="Latest stories" href="/feed.xml"></head>
<body>
{_page_open(chrome)}
<header><h1>Newsroom demo</h1><p>{EN_SITE} · {ZH_SITE}</p></header>
{_ad(chrome.ad_ids[0], "leaderboard")}
<main><h2>Latest stories</h2><ul class="stories">{items}</ul></main>
{_volatile(f'<aside class="trending"><h2>Trending</h2><ol>{trending}</ol></aside>')}
</div>
</body>
</html>
"""


def render_feed(stories: list[tuple[Story, StoryState]], base_url: str) -> str:
    """An RSS 2.0 feed listing every story with its current headline."""
    items = []
    for story, state in stories:
        link = f"{base_url}{story.path}"
        published = format_datetime(datetime.fromisoformat(story.published))
        summary = state.dek or state.paragraphs()[0][:80]
        items.append(
            f"<item><title>{_e(state.headline)}</title><link>{_e(link)}</link>"
            f'<guid isPermaLink="true">{_e(link)}</guid><pubDate>{published}</pubDate>'
            f"<description>{_e(summary)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Newsroom demo</title><link>{_e(base_url)}/</link>"
        "<description>Stories from the watcher demo newsroom</description>"
        f"{''.join(items)}</channel></rss>\n"
    )


def placeholder_svg(name: str) -> str:
    """A tiny grey picture standing in for a news photo."""
    label = _e(name.rsplit("/", 1)[-1])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
        f'<rect width="640" height="360" fill="#c8cdd2"/><text x="20" y="340" font-size="18">{label}</text></svg>'
    )
