"""What is article and what is page chrome, as data: tags, class/id name patterns and the shapes of chrome lines.

The modules of watcher/extract read these; change extraction behaviour here rather than in code where possible.
"""

from __future__ import annotations

import re

from watcher.cjk import CJK_LETTERS

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

# Inline elements: inside running text they are words of a sentence, not chrome, whatever their class.
INLINE_TAGS = frozenset("a span em i b strong small abbr cite q font u sup sub mark dfn var code kbd s del ins".split())

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
    counter viewcount pageviews views likes likecount hits reactions engagement
    tools toolbar toolbox utility utilities fontsize fontsizer textsize textresize resizer readtime readingtime
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
# The names that mean a standfirst and nothing else (DEK_PATTERN's others also name a first paragraph).
DEK_STRONG = re.compile(
    r"(?:^|[\s_-])(?:dek|deck|standfirst|subtitle|sub[_-]?title|subheadline|sub[_-]?headline|strapline)(?:$|[\s_-])",
    re.I,
)
META_PATTERN = re.compile(
    r"(?:^|[\s_-])(?:dateline|timestamp|published|updated|date|time|meta|article[_-]?meta|post[_-]?meta|info)(?:$|[\s_-])",
    re.I,
)

# A breadcrumb row: three to seven short segments without figures separated by > › » (too short to be prose).
BREADCRUMB = re.compile(r"^\s*[^>›»\d\n]{1,16}(?:\s*[>›»]\s*[^>›»\d\n]{1,16}){2,6}\s*[>›»]?\s*$")
# A label, then three to twelve short items without figures ("Tags: Harbour, Dredging, Ferries", "標籤：颱風 豪雨 停班",
# "Tagi: port | pogłębianie | rada"): comma- or bar-separated, or space-separated when they are CJK words (a Latin
# phrase after a label, "Source: Al Jazeera News", is no list). Whatever the label says, once it follows the
# story's last sentence this shape is a row of tags.
_ITEM = r"[^\d,，、|;；:：.。!?！？#\[\]]{1,24}"
_CJK_ITEM = f"[{CJK_LETTERS}]{{1,12}}"
LABEL_ROW = re.compile(
    r"^\s*[^\s:：,，\d]{1,16}(?:\s[^\s:：,，\d]{1,16})?\s*[:：]\s*"
    rf"(?:{_ITEM}(?:\s*[,，、|;；#·•]\s*{_ITEM}){{2,11}}|{_CJK_ITEM}(?:\s+{_CJK_ITEM}){{2,11}})\s*[,，、|;；]?\s*$"
)
WIDGET_MAX_CHARS = 160  # a breadcrumb row is short; a longer line is prose
WIDGET_MAX_WORDS = 16
