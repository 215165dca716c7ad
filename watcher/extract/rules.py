"""What is article and what is page chrome, as data: tags, class/id patterns and phrases in several languages.

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

# In-article widgets, as the words they are made of. A line of the body made only of these tokens (and separators)
# is a widget, whatever the site or language: engagement counters, reading time, relative times, font-size
# controls, share and tool bars, pagers, tag and breadcrumb rows. A story line that merely contains a number or
# the word "views" has other words too and is kept. Each entry is one token; they are tried in this order.
_NUM = r"\d[\d,.]*\s*(?:[kKmM萬万億亿千]\+?)?"
_UNIT_EN = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|m|days?|d|weeks?|wks?|months?|years?|yrs?)"
_UNIT_CJK = r"(?:秒鐘?|秒钟|分鐘|分钟|分|小時|小时|個小時|个小时|天|日|週|周|星期|個月|个月|月|年)"
WIDGET_TOKENS = (
    # counters: "3545 人按讚", "9168 點閱", "1,204 views", "12 comments", "Views: 88", "瀏覽數 3,218"
    rf"{_NUM}\s*(?:人|次|則|个|個)?\s*(?:按讚|按赞|讚|赞|點閱|点阅|點擊|点击|閱讀|阅读|瀏覽|浏览|觀看|观看|收藏|分享|轉發|转发"
    r"|留言|評論|评论|回應|回应|人氣|人气|人看過|人看过|喜歡|喜欢|推|噓)",
    rf"{_NUM}\s*(?:views?|reads?|likes?|comments?|shares?|replies|reactions?|claps?|hits|plays|votes?|retweets?"
    r"|followers?|upvotes?|points?)\b",
    rf"(?:views?|reads?|likes?|comments?|shares?|hits|點閱|点阅|瀏覽數?|浏览数?|閱讀數?|阅读数?|按讚數?|人氣|人气|觀看次數)"
    rf"\s*[:：]?\s*{_NUM}",
    # reading time: "Read time: 4 min", "4 min read", "閱讀時間：3分鐘", "預計閱讀 5 分鐘"
    rf"(?:estimated\s+)?(?:read(?:ing)?\s*time|time\s+to\s+read)\s*[:：]?\s*(?:about\s+)?{_NUM}\s*{_UNIT_EN}",
    rf"{_NUM}\s*{_UNIT_EN}\.?\s*(?:read|reading|listen)\b",
    rf"(?:閱讀時間|阅读时间|閱讀時長|阅读时长|預計閱讀|预计阅读|閱讀約|阅读约)\s*[:：]?\s*(?:約|约)?\s*{_NUM}\s*{_UNIT_CJK}",
    # relative times: "updated 3 minutes ago", "3 小時前", "剛剛", "just now"
    rf"(?:(?:updated|published|posted|edited|last\s+updated)\s*[:：]?\s*)?(?:about\s+|an?\s+|{_NUM}\s*){_UNIT_EN}\s+ago",
    rf"(?:更新|發布|发布|發佈|發表|发表|更新於|更新于)?\s*[:：]?\s*{_NUM}\s*{_UNIT_CJK}\s*前",
    r"(?:updated\s+)?just\s+now|剛剛|刚刚|剛才|刚才|(?:updated|published)\s+(?:today|yesterday)",
    # font-size controls: "字級：", "小 中 大", "A A A", "A- A+", "Text size"
    r"(?:字級|字级|字體大小|字体大小|字體|字体|字型|文字大小|font\s*size|text\s*size|text\s*resize)\s*[:：]?",
    r"(?<![^\s|/·•:：])(?:小|中|大|特大|標準|标准|A[+-]?|[aA]{1,3}[+-]?)(?![^\s|/·•])",
    # share and tool bars: "分享", "Share on Facebook", "列印", "Copy link", "Save"
    r"(?:share\s+(?:on|to|via)\s+)?(?:facebook|twitter|x|linkedin|whatsapp|telegram|line|weibo|wechat|微博|微信|reddit"
    r"|pinterest|email|e-mail|mail|messenger|flipboard|pocket)\b",
    r"(?:share|share this(?: article| story| page)?|tweet|print|copy link|copy|save|bookmark|listen|follow|subscribe"
    r"|font|comments?|reply|report|translate)\b",
    r"分享到|分享|收藏|列印|打印|複製連結|复制链接|轉寄|转寄|檢舉|举报|訂閱|订阅|追蹤|追踪|加入好友|看留言|聽新聞|听新闻|朗讀|朗读",
    # pagers: "上一頁 1 2 3 下一頁", "« Prev 1 2 3 Next »", "Page 1 of 3"
    r"(?:page\s*\d+\s*(?:of|/)\s*\d+|第\s*\d+\s*頁|第\s*\d+\s*页|共\s*\d+\s*頁|共\s*\d+\s*页)",
    r"(?:上一頁|下一頁|上一页|下一页|上一則|下一則|上一篇|下一篇|首頁|首页|尾頁|尾页|prev(?:ious)?|next|first|last|older|newer"
    r")(?:\s*(?:page|post|article|story))?\b",
    r"(?<![\w.,])\d{1,3}(?![\w.,])",  # page numbers, only ever counted when the line is all widget
    # dates and clock times beside the tokens above ("2026/11/20 08:15 3 小時前"); never a widget on their own
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?",
    # a tag row's label alone: "標籤：" (the row with its tags is TAG_ROW)
    r"(?:tags?|topics?|filed under|標籤|标签|關鍵字|关键字|關鍵詞|关键词|keywords?|相關標籤|相关标签)\s*[:：]",
)
WIDGET_TOKEN = re.compile("|".join(f"(?:{t})" for t in WIDGET_TOKENS), re.I)
# What may stand between widget tokens: spaces, bars, bullets, arrows, brackets, and the punctuation of a counter.
WIDGET_GLUE = re.compile(r"[\s|/·•・‧∙,，、:：;；()\[\]（）【】<>«»‹›→←↑↓▲▼►◄★☆♥❤👍\-–—+*#@!?！？.。]*")
# A widget row starts with glue and a token (a necessary condition, tried at one position: searching the whole
# alternation at every position of every story line cost 3 ms a line, 10 minutes on a page of 200,000 lines).
WIDGET_START = re.compile(f"(?:{WIDGET_GLUE.pattern})(?:{WIDGET_TOKEN.pattern})", re.I)
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
WIDGET_MAX_CHARS = 160  # a widget row is short; a longer line is prose that quotes such words
WIDGET_MAX_WORDS = 16
