"""Where the story stood on the page: the extracted article's texts found, by their text, among the blocks
measured on the screenshot of the same render, so reports can outline a changed paragraph on the picture."""

from __future__ import annotations

import bisect

from watcher.models import Article, PageImage, Screenshot, text_key

# A block whose text holds the story text but is this many times longer is a container (the whole story,
# the page), not the paragraph; a paragraph split across blocks is matched by a block holding at least
# this share of it.
MAX_CONTAINER_RATIO = 3.0
MIN_SHARE = 0.5


def _norm(text: str) -> str:
    # No spaces at all: the page's text (innerText) breaks lines between blocks that extraction may join with
    # a space or with none. casefold: a headline set in capitals by CSS reads as capitals in innerText.
    return "".join(text.split()).casefold()


def story_texts(article: Article) -> list[str]:
    """The texts of an article that can be outlined, in reading order: headline, dek, byline, paragraphs, captions."""
    return [t for t in (article.headline, article.dek, article.byline, *article.body, *article.captions) if t.strip()]


def locate(article: Article, image: PageImage) -> Screenshot:
    """The screenshot to store with the version holding `article` (its image bytes in `data`), with the box
    of every story text found on the page keyed by models.text_key."""
    blocks = _Blocks([(_norm(text), box) for text, box in image.blocks])
    boxes: dict[str, list[int]] = {}
    for text in story_texts(article):
        key = text_key(text)
        if key in boxes:
            continue
        found = blocks.find(_norm(text))
        if found is not None:
            boxes[key] = list(found)
    return Screenshot(
        digest="",
        media_type=image.media_type,
        width=image.width,
        height=image.height,
        size=len(image.data),
        page_height=image.page_height,
        boxes=boxes,
        data=image.data,
    )


class _Blocks:
    """The page's blocks, indexed by text and by length so that a long page's hundreds of texts are found
    without comparing each with every block."""

    def __init__(self, blocks: list[tuple[str, list[int]]]) -> None:
        self.blocks = blocks
        self.used: set[int] = set()
        self.by_text: dict[str, list[int]] = {}
        for i, (text, _) in enumerate(blocks):
            self.by_text.setdefault(text, []).append(i)
        self.by_length = sorted(range(len(blocks)), key=lambda i: len(blocks[i][0]))
        self.lengths = [len(blocks[i][0]) for i in self.by_length]

    def _sized(self, shortest: float, longest: float) -> list[int]:
        """The blocks whose text is shortest..longest characters long, in page order."""
        lo, hi = bisect.bisect_left(self.lengths, shortest), bisect.bisect_right(self.lengths, longest)
        return sorted(self.by_length[lo:hi])

    def find(self, text: str) -> list[int] | None:
        """The box of the block showing `text`: one with the same text (the first not taken by an earlier
        text), else the smallest block holding it, else the largest part of it that one block holds."""
        if not text:
            return None
        equal = self.by_text.get(text)
        if equal:
            chosen = next((i for i in equal if i not in self.used), equal[0])
            self.used.add(chosen)
            return self.blocks[chosen][1]
        holding = [i for i in self._sized(len(text), MAX_CONTAINER_RATIO * len(text) + 40) if text in self.blocks[i][0]]
        if holding:
            return self.blocks[min(holding, key=lambda i: len(self.blocks[i][0]))][1]
        parts = [i for i in self._sized(MIN_SHARE * len(text), len(text)) if self.blocks[i][0] in text]
        if parts:
            return self.blocks[max(parts, key=lambda i: len(self.blocks[i][0]))][1]
        return None
