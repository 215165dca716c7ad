"""The demo newsroom's stories: fixed facts per story plus the text of their first version (stories.toml).

All their text was written for this project; the people, places and events are invented.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
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


def _load(path: Path) -> tuple[Story, ...]:
    """The stories of a data file (stories.toml beside this module: text is data, kept out of the code)."""
    with path.open("rb") as f:
        found = tomllib.load(f)["stories"]
    return tuple(
        Story(
            slug=s["slug"],
            lang=s["lang"],
            layout=s["layout"],
            section=s["section"],
            published=s["published"],
            tags=tuple(s["tags"]),
            json_ld=s["json_ld"],
            first=StoryState(
                headline=s["headline"],
                dek=s["dek"],
                byline=s["byline"],
                blocks=tuple(Block(kind, text) for kind, text in s["blocks"]),
                figures=tuple(Figure(f["src"], f["caption"]) for f in s["figures"]),
            ),
        )
        for s in found
    )


STORIES: tuple[Story, ...] = _load(Path(__file__).with_name("stories.toml"))


def story_by_slug(slug: str) -> Story:
    """The story with this slug; KeyError if there is none."""
    for story in STORIES:
        if story.slug == slug:
            return story
    raise KeyError(slug)
