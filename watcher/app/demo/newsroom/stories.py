"""The demo newsroom's stories as data: fixed facts per story plus the text of their first version.

All text here was written for this project; the people, places and events are invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

BlockKind = Literal["p", "h2", "correction"]


@dataclass(frozen=True)
class Figure:
    """A photo in a story: the image path and its caption (shown as alt text and as figcaption)."""

    src: str
    caption: str


@dataclass(frozen=True)
class Block:
    """One block of a story body: a paragraph, a sub-head or a correction notice."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class StoryState:
    """The editable text of a story at one moment: what the timeline changes."""

    headline: str
    dek: str
    byline: str
    blocks: tuple[Block, ...]
    figures: tuple[Figure, ...]

    def paragraphs(self) -> list[str]:
        """The body text a reader would call the article: paragraphs and notices, not sub-heads."""
        return [b.text for b in self.blocks if b.kind != "h2"]

    def captions(self) -> list[str]:
        """The photo captions in page order."""
        return [f.caption for f in self.figures]

    def with_blocks(self, blocks: tuple[Block, ...]) -> StoryState:
        """A copy with another body."""
        return replace(self, blocks=blocks)


@dataclass(frozen=True)
class Story:
    """A story's fixed facts (address, language, layout) and its first version."""

    slug: str
    lang: str
    layout: Literal["zh", "en"]
    section: str
    published: str  # ISO 8601 with offset; never changes, so date fields never produce edits
    tags: tuple[str, ...]
    json_ld: bool
    first: StoryState = field(repr=False)

    @property
    def path(self) -> str:
        """The story's path on the newsroom server."""
        return f"/news/{self.slug}"


def _body(*items: tuple[str, str]) -> tuple[Block, ...]:
    return tuple(Block(kind, text) for kind, text in items)  # type: ignore[arg-type]


BOOKSALE = Story(
    slug="booksale-letters",
    lang="zh-Hant",
    layout="zh",
    section="社會",
    published="2026-03-14T09:20:00+08:00",
    tags=("圖書館", "舊書", "家書"),
    json_ld=False,
    first=StoryState(
        headline="社區圖書館舊書義賣 退休教師整箱買回 翻出半世紀前家書",
        dek="",
        byline="記者林雨澄／綜合報導",
        figures=(
            Figure(
                "/img/booksale-1.svg",
                "日落區社區圖書館上周末舉辦年度舊書義賣，志工在門口整理居民捐贈的書籍。（本報資料照）",
            ),
        ),
        blocks=_body(
            (
                "p",
                "舊金山日落區一間社區圖書館上周末舉辦年度舊書義賣，退休中學教師何秀蘭花了10美元買下一整箱中文舊書，"
                "回家整理時卻在一本字典的夾頁中發現十多封1970年代的家書，信封上的郵戳仍清晰可辨。",
            ),
            ("h2", "信件寄自台南 收件人早已搬離"),
            (
                "p",
                "何秀蘭說，這些信大多由台南寄出，收件人是一位當年在舊金山餐館工作的年輕人，內容多是家人叮嚀他注意身體、"
                "按時寄錢回家，也提到颱風過後稻田重新插秧的情形。",
            ),
            (
                "p",
                "她表示，起初只是想替自己的書架添幾本辭典，「翻到第三封信的時候，我就知道不能把它們當成普通的書籤」。",
            ),
            ("h2", "館方協助尋找寫信人後代"),
            (
                "p",
                "圖書館館員鄭立群指出，義賣的書籍全部來自居民捐贈，館方並未逐本檢查內頁，這次的發現讓館方決定在明年義賣前"
                "增加一道整理程序。",
            ),
            (
                "p",
                "館方已在社區布告欄與網站張貼公告，希望寫信人或收件人的家屬主動聯繫；若一年內無人認領，信件將轉交當地"
                "華人歷史學會保存。",
            ),
            ("p", "鄭立群說，今年義賣共售出約三千本書，所得將用於添購兒童讀物，以及修繕閱覽室老舊的冷氣設備。"),
        ),
    ),
)

COUNCIL = Story(
    slug="mill-street-bridge-vote",
    lang="en",
    layout="en",
    section="Local",
    published="2026-03-13T22:40:00-05:00",
    tags=("Alder Falls", "City council", "Infrastructure"),
    json_ld=True,
    first=StoryState(
        headline="Alder Falls council approves $4.2 million plan to repair Mill Street bridge",
        dek="The 1934 span has been closed to trucks since April; work is expected to start in September.",
        byline="By Daniel Reyes",
        figures=(
            Figure(
                "/img/bridge-1.svg",
                "The Mill Street bridge, seen from the east bank of the Alder River on Tuesday afternoon.",
            ),
        ),
        blocks=_body(
            (
                "p",
                "The Alder Falls city council voted 7-2 on Tuesday night to approve a $4.2 million plan to repair "
                "the Mill Street bridge, ending months of debate over whether the aging span should be fixed or torn down.",
            ),
            (
                "p",
                "The bridge, built in 1934, has been closed to trucks since April after inspectors found corrosion in "
                "two of its steel supports. Cars and pedestrians can still cross, but at a lower speed limit.",
            ),
            (
                "p",
                "Council member Irene Vasquez, who voted against the plan, said the money would be better spent on a "
                "new crossing. \u201cWe are paying to keep an old problem alive for another twenty years,\u201d she said.",
            ),
            (
                "p",
                "Mayor Tom Hadley said repairs were the faster option. Most of the cost will be covered by a grant from "
                "the state goverment, with the city paying the remaining $900,000 from its reserve fund.",
            ),
            (
                "p",
                "Construction is expected to begin in September and last about eight months. During that time the bridge "
                "will be fully closed, and a detour will send traffic over the Route 9 overpass.",
            ),
        ),
    ),
)

STORM = Story(
    slug="harbor-district-storm",
    lang="en",
    layout="en",
    section="Weather",
    published="2026-03-14T07:05:00-05:00",
    tags=("Storms", "Harbor district", "Power outages"),
    json_ld=False,
    first=StoryState(
        headline="Storm floods harbor district as high tide and heavy rain arrive together",
        dek="Crews worked through the night to pump water from streets near the piers.",
        byline="By Priya Nandakumar and Owen Clarke",
        figures=(
            Figure(
                "/img/storm-1.svg",
                "Water covers the parking lot outside the Pier 4 fish market early Wednesday.",
            ),
            Figure(
                "/img/storm-2.svg",
                "A city crew clears a storm drain on Water Street as the tide begins to fall.",
            ),
        ),
        blocks=_body(
            (
                "p",
                "A fast-moving storm pushed seawater into the harbor district overnight, flooding streets near the "
                "piers and cutting power to about 2,300 homes and businesses, city officials said Wednesday.",
            ),
            (
                "p",
                "At least 14 people were treated for injuries, most of them minor, after the storm arrived just as the "
                "tide reached its highest point of the month. Firefighters used boats to reach two apartment buildings "
                "on Water Street.",
            ),
            (
                "p",
                "The city's emergency manager, Laura Benning, said rainfall of nearly three inches in six hours "
                "overwhelmed storm drains that were already struggling to empty into the harbor.",
            ),
            (
                "p",
                "Shop owners along the waterfront spent the morning carrying ruined stock to the curb. \u201cThe water "
                "came in under the door faster than we could move the boxes,\u201d said Marco Ilic, who runs a hardware "
                "store near Pier 2.",
            ),
            (
                "p",
                "The utility said it expected to restore power to most customers by Thursday evening. Schools in the "
                "district will stay closed for the rest of the week.",
            ),
        ),
    ),
)

STORIES: tuple[Story, ...] = (BOOKSALE, COUNCIL, STORM)


def story_by_slug(slug: str) -> Story:
    """The story with this slug; KeyError if there is none."""
    for story in STORIES:
        if story.slug == slug:
            return story
    raise KeyError(slug)
