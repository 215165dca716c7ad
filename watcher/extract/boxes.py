"""Where the story stood on the page: the extracted article's texts found, by their text, among the blocks
measured on the screenshot of the same render, so reports can outline a changed paragraph on the picture."""

from __future__ import annotations

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
    blocks = [(_norm(text), box) for text, box in image.blocks]
    boxes: dict[str, list[int]] = {}
    used: set[int] = set()
    for text in story_texts(article):
        key = text_key(text)
        if key in boxes:
            continue
        found = _find(_norm(text), blocks, used)
        if found is not None:
            used.add(found)
            boxes[key] = list(blocks[found][1])
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


def _find(text: str, blocks: list[tuple[str, list[int]]], used: set[int]) -> int | None:
    """The block showing `text`: one with the same text (the first not taken by an earlier text), else the
    smallest block holding it, else the largest part of it that one block holds."""
    if not text:
        return None
    equal = [i for i, (block, _) in enumerate(blocks) if block == text]
    if equal:
        return next((i for i in equal if i not in used), equal[0])
    holding = [
        i for i, (block, _) in enumerate(blocks) if text in block and len(block) <= MAX_CONTAINER_RATIO * len(text) + 40
    ]
    if holding:
        return min(holding, key=lambda i: len(blocks[i][0]))
    parts = [i for i, (block, _) in enumerate(blocks) if len(block) >= MIN_SHARE * len(text) and block in text]
    if parts:
        return max(parts, key=lambda i: len(blocks[i][0]))
    return None
