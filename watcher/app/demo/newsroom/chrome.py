"""The parts of a newsroom page that are not the story and change on every request.

Counters, trending order, ad slot ids, "minutes ago" stamps and request ids are drawn from a seed, so a page is a
pure function of (story text, seed) and two requests differ only here. Headlines below are invented for the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ZH_CHANNELS = ("首頁", "要聞", "社會", "全球", "兩岸", "產經", "股市", "生活", "運動", "娛樂", "地方")
ZH_TICKER = (
    "北部明晨低溫探12度 氣象署：周末回暖",
    "捷運新線試營運首日 旅客擠爆月台",
    "夜市攤商聯名推環保餐具 每用一次折5元",
    "高中生自製氣象站 數據獲大學採用",
    "老字號糕餅店第三代接班 改賣低糖月餅",
)
ZH_HOT = (  # (photo caption, headline, timestamp): another story's teaser, not this story's caption
    ("港口貨櫃碼頭夜間作業，吊車燈光映照海面。（本報資料照）", "港口夜班人力吃緊 業者祭加給留人", "2026-03-12 06:41"),
    ("山區步道入口設置登山口告示牌。（本報資料照）", "登山客迷途一夜 搜救隊循手機訊號尋獲", "2026-03-11 21:15"),
    ("市場攤位陳列當季蔬果。（本報資料照）", "春雨不斷 葉菜價格一周漲兩成", "2026-03-13 10:02"),
    ("社區長者在活動中心學習使用平板電腦。（本報資料照）", "銀髮族數位課程爆滿 區公所加開班次", "2026-03-10 15:37"),
)
ZH_POPULAR = (
    "網友票選最難停車商圈 第一名不意外",
    "便利商店新推手沖咖啡 店員私房配方曝光",
    "貓咪占據公車站椅子 乘客只好站著等車",
    "二手書店老闆的記帳本 記下三十年物價變化",
    "颱風假怎麼放？專家解讀新版規定",
)
ZH_RELATED = (
    "舊照片修復志工 替移民家庭找回回憶",
    "華人歷史學會徵集早年書信 將辦特展",
    "圖書館夜間開放試辦 學生族群最捧場",
)

EN_NAV = ("Home", "Local", "Politics", "Business", "Weather", "Sports", "Opinion", "Obituaries")
EN_TRENDING = (
    "High school robotics team heads to nationals for the first time",
    "What the new parking rules downtown mean for residents",
    "Bakery on Elm Street closes after 41 years",
    "Library extends weekend hours through the summer",
    "Ferry schedule cut as repairs continue on the north dock",
    "Opinion: The town needs a plan for its empty storefronts",
)
EN_RELATED = (
    "Council delays vote on downtown parking garage",
    "Inspectors flag three more bridges for closer review",
    "How the state grant program for road repairs works",
)
EN_COMMENTERS = ("riverwatcher", "JanetK", "old_mill_resident", "tk421", "harborview", "M. Ellis")
EN_COMMENTS = (
    "About time. I drive around that bridge every morning.",
    "Who is paying for the detour signs?",
    "Great reporting, thanks for covering the meeting.",
    "This town always picks the cheapest option and pays later.",
)


@dataclass(frozen=True)
class Chrome:
    """Everything on a page that varies from request to request."""

    request_id: str
    views: int
    comments_count: int
    ad_ids: tuple[str, ...]
    ticker: tuple[str, ...]
    hot: tuple[tuple[str, str, str], ...]
    popular: tuple[str, ...]
    trending: tuple[tuple[str, int], ...]  # (headline, minutes ago)
    related_minutes: tuple[int, ...]
    comments: tuple[tuple[str, str, int], ...]  # (author, text, minutes ago)
    build: str


def _shuffled(rng: random.Random, items: tuple) -> tuple:
    shuffled = list(items)
    rng.shuffle(shuffled)
    return tuple(shuffled)


def make_chrome(seed: int) -> Chrome:
    """The chrome of one request, fully determined by the seed."""
    rng = random.Random(seed)
    picked = rng.sample(range(len(EN_COMMENTS)), k=rng.randint(1, 3))
    return Chrome(
        request_id=f"{rng.getrandbits(64):016x}",
        views=rng.randint(1_000, 250_000),
        comments_count=rng.randint(3, 400),
        ad_ids=tuple(f"ad-{rng.getrandbits(32):08x}" for _ in range(3)),
        ticker=_shuffled(rng, ZH_TICKER),
        hot=_shuffled(rng, ZH_HOT),
        popular=_shuffled(rng, ZH_POPULAR),
        trending=tuple((title, rng.randint(1, 59)) for title in _shuffled(rng, EN_TRENDING)[:5]),
        related_minutes=tuple(rng.randint(2, 180) for _ in EN_RELATED),
        comments=tuple((rng.choice(EN_COMMENTERS), EN_COMMENTS[i], rng.randint(1, 90)) for i in picked),
        build=f"{rng.randint(1000, 9999)}.{rng.randint(0, 99)}",
    )
