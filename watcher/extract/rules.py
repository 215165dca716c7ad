"""What is article and what is page chrome, as data: tags, class/id patterns and phrases in several languages.

The modules of watcher/extract read these; change extraction behaviour here rather than in code where possible.
"""

from __future__ import annotations

import re

ARTICLE_TYPES = frozenset(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle BackgroundNewsArticle "
    "ReviewNewsArticle BlogPosting LiveBlogPosting Report ScholarlyArticle TechArticle SocialMediaPosting".split()
)
BLOCK_TAGS = frozenset(
    "p div section article main li ul ol dl dt dd blockquote pre h1 h2 h3 h4 h5 h6 table tr td th tbody thead "
    "figure address hr center details summary".split()
)

# Never article text, wherever they appear.
DROP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas button input select textarea "
    "label dialog audio video source track map area math link meta".split()
)
# Page chrome by its element type; inside an article they still hold menus and share bars, not story text.
CHROME_TAGS = frozenset("nav aside footer header menu form".split())

# Class/id parts (split on space, "-", "_", and camelCase humps) that mark chrome.
CHROME_PARTS = frozenset(
    """
    nav navbar navigation menu menubar breadcrumb breadcrumbs topbar toolbar masthead skip skiplink
    footer sidebar sidebars rail
    related relatedlinks relatedposts relatedstories related_articles trending trend popular mostread mostpopular
    mostviewed mostshared recommended recommend recommendation recommendations suggested youmaylike readmore
    morestories morenews moreon outbrain taboola ob zergnet hot hotnews rank ranking ranklist
    share sharing sharebar shares social socials sociallinks follow
    comment comments commentlist disqus discussion replies respond
    ad ads adv advert advertisement adverts advertising adslot adunit adsbygoogle dfp gpt sponsor sponsored promo
    promoted banner billboard leaderboard outstream native
    cookie cookies consent gdpr privacybanner cmp
    newsletter subscribe subscription signup regwall
    ticker breaking marquee flash
    counter viewcount pageviews
    pagination pager prevnext
    tags tagcloud taglist keywords
    print email modal popup overlay
    """.split()
)
# Whole class/id values (lower-cased, separators removed) that mark chrome even though no single part does.
CHROME_JOINED = (
    "mostread",
    "mostpopular",
    "relatedarticles",
    "relatedstories",
    "relatedposts",
    "youmayalsolike",
    "readnext",
    "upnext",
    "sharebar",
    "socialshare",
    "adslot",
    "adcontainer",
    "adwrapper",
    "cookiebanner",
    "viewcount",
    "hotnews",
    "newslist",
    "morenews",
    "storylist",
    "latestnews",
)

# Class/id parts of a heading's ancestors that make it something other than the story's headline: a logo or site
# name, a slideshow or gallery caption, a menu, a list of other stories.
HEADLINE_CHROME_PARTS = frozenset(
    """
    logo brand branding masthead sitename sitetitle blogtitle titlewrapper
    slideshow gallery carousel slider slide slides lightbox swiper
    nav navbar navigation menu footer sidebar rail breadcrumb breadcrumbs
    related trending popular mostread mostpopular recommended teaser teasers promo
    """.split()
)

# <meta> names/properties (lower-cased) that carry article fields, strongest first.
TITLE_META = ("og:title", "twitter:title", "citation_title", "dc.title")
DEK_META = ("og:description", "description", "twitter:description", "citation_abstract", "dc.description")
AUTHOR_META = ("author", "article:author", "citation_author", "dc.creator", "parsely-author", "sailthru.author", "byl")
PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "citation_publication_date",
    "citation_date",
    "pubdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "date",
    "sailthru.date",
    "parsely-pub-date",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dc.date.modified")

# Containers that hold the story text, strongest first.
BODY_SELECTORS = (
    '[itemprop="articleBody"]',
    '[property="articleBody"]',
    '[data-testid="article-body"]',
)
BODY_PATTERN = re.compile(
    r"(?:^|[\s_-])(?:article[_-]?body|articlebody|article[_-]?content|article[_-]?text|story[_-]?body|storybody"
    r"|story[_-]?content|story[_-]?text|entry[_-]?content|post[_-]?content|post[_-]?body|content[_-]?body"
    r"|body[_-]?text|main[_-]?text|news[_-]?content|news[_-]?text|article__body|article__content|c-article-body"
    r"|rich[_-]?text)(?:$|[\s_-])",
    re.I,
)

# Captions and photo credits: never body text.
CAPTION_PATTERN = re.compile(r"caption|credit|photo[_-]?desc|pic[_-]?desc|img[_-]?desc", re.I)

# Byline, dek and date holders, for metadata (and kept out of the body).
BYLINE_PATTERN = re.compile(
    r"(?:^|[\s_-])(?:byline|by[_-]?line|author|authors|article[_-]?author|reporter|writer)(?:$|[\s_-])", re.I
)
DEK_PATTERN = re.compile(
    r"(?:^|[\s_-])(?:dek|standfirst|subtitle|sub[_-]?title|subheadline|sub[_-]?headline|deck|summary|lede|article[_-]?summary|strapline)(?:$|[\s_-])",
    re.I,
)
META_PATTERN = re.compile(
    r"(?:^|[\s_-])(?:dateline|timestamp|published|updated|date|time|meta|article[_-]?meta|post[_-]?meta|info)(?:$|[\s_-])",
    re.I,
)

# Headings that introduce a list of other stories or page furniture; the section they head is chrome.
CHROME_HEADINGS = tuple(
    s.casefold()
    for s in (
        "more",
        "related",
        "related stories",
        "related articles",
        "related news",
        "related coverage",
        "related content",
        "trending",
        "trending now",
        "trending stories",
        "most read",
        "most popular",
        "most viewed",
        "most shared",
        "popular",
        "popular now",
        "recommended",
        "recommended for you",
        "you may also like",
        "you might also like",
        "more stories",
        "more news",
        "more from",
        "read more",
        "read next",
        "up next",
        "also read",
        "see also",
        "latest",
        "latest news",
        "latest stories",
        "top stories",
        "editor's picks",
        "editors' picks",
        "comments",
        "leave a comment",
        "join the conversation",
        "share this article",
        "share this story",
        "share",
        "sign up",
        "newsletter",
        "advertisement",
        "sponsored",
        "sponsored content",
        "around the web",
        "延伸閱讀",
        "熱門新聞",
        "超人氣",
        "推薦",
        "推薦閱讀",
        "相關新聞",
        "相關報導",
        "看更多",
        "更多新聞",
        "最新新聞",
        "即時新聞",
        "熱門",
        "人氣",
        "排行",
        "排行榜",
        "編輯推薦",
        "猜你喜歡",
        "快訊",
        "留言",
        "分享",
        "廣告",
        "延伸阅读",
        "热门新闻",
        "相关新闻",
        "相关报道",
        "推荐",
        "推荐阅读",
        "看更多",
        "更多新闻",
        "热门",
        "排行榜",
        "评论",
        "関連記事",
        "人気記事",
        "おすすめ",
        "関連ニュース",
        "관련기사",
        "많이 본 뉴스",
        "인기기사",
        "leia também",
        "leia mais",
        "veja também",
        "mais lidas",
        "notícias relacionadas",
        "читайте также",
        "по теме",
        "популярное",
        "leggi anche",
        "più letti",
        "articoli correlati",
        "lee también",
        "más leídas",
        "noticias relacionadas",
        "lire aussi",
        "à lire aussi",
        "les plus lus",
        "mehr zum thema",
        "meistgelesen",
        "das könnte sie auch interessieren",
    )
)
# Lines that are page furniture even when they sit inside the article container.
JUNK_LINE = re.compile(
    r"^(?:advertisement|sponsored|ad|廣告|advertisement\s*[-–—]\s*scroll to continue|scroll to continue.*"
    r"|share(?: this)?(?: article| story)?|tweet|email|print|copy link|facebook|twitter|linkedin|whatsapp"
    r"|上一則|下一則|上一篇|下一篇|看更多|更多\s*>?|回到頂端|返回頂部|分享|留言|列印|檢舉"
    r"|[\d,.\s]+\s*(?:views?|reads?|comments?|次瀏覽|瀏覽|人次|人看過|閱讀)"
    r"|(?:views?|瀏覽數?|閱讀數?|人氣)\s*[:：]?\s*[\d,.]+)$",
    re.I,
)
