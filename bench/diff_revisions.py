"""Revision pairs for bench/diff_precision.py: invented stories, each paragraph a list of its sentences (the stories
and their edits are data, in diff_revisions.toml).

Written for the benchmark (no third-party text), modelled on how stories are edited after publication: a
figure corrected, a sentence inserted into a paragraph, a clause rewritten, a quote softened, an attribution
added, a paragraph rewritten keeping two of its sentences, a paragraph moved. The sentence lists are the
ground truth of where sentences end, so the measure does not depend on the splitter being measured.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Story = list[list[str]]  # paragraphs, each a list of sentences


@dataclass
class Revision:
    """One edit of a story: old and new bodies as sentence lists; joiner glues sentences into a paragraph."""

    name: str
    lang: str
    old: Story
    new: Story
    joiner: str = " "

    def paragraphs(self, story: Story) -> list[str]:
        return [self.joiner.join(p) for p in story]


@dataclass
class Change:
    """Edits to a story by (paragraph, sentence) index; applied in the order: replace, insert, delete."""

    replace: dict[tuple[int, int], str] = field(default_factory=dict)
    insert_after: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    delete: set[tuple[int, int]] = field(default_factory=set)
    rewrite: dict[int, list[str]] = field(default_factory=dict)  # a paragraph's new sentence list
    move: tuple[int, int] | None = None  # paragraph from, to (indices in the story after the other changes)


def revise(story: Story, change: Change) -> Story:
    out: Story = []
    for p, sentences in enumerate(story):
        if p in change.rewrite:
            out.append(list(change.rewrite[p]))
            continue
        para: list[str] = []
        if (p, -1) in change.insert_after:
            para += change.insert_after[(p, -1)]
        for s, sentence in enumerate(sentences):
            if (p, s) not in change.delete:
                para.append(change.replace.get((p, s), sentence))
            para += change.insert_after.get((p, s), [])
        out.append(para)
    if change.move:
        frm, to = change.move
        out.insert(to, out.pop(frm))
    return out


EN = " "
ZH = ""


def _change(case: dict[str, Any]) -> Change:
    return Change(
        replace={(p, s): text for p, s, text in case.get("replace", [])},
        insert_after={(p, s): list(sentences) for p, s, sentences in case.get("insert_after", [])},
        delete={(p, s) for p, s in case.get("delete", [])},
        rewrite={p: list(sentences) for p, sentences in case.get("rewrite", [])},
        move=(case["move"][0], case["move"][1]) if "move" in case else None,
    )


def _load(path: Path) -> list[Revision]:
    """The revision pairs of a data file (diff_revisions.toml beside this one: the cases are data, not code)."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    stories: dict[str, Story] = data["stories"]
    return [
        Revision(
            case["name"],
            case["lang"],
            stories[case["story"]],
            revise(stories[case["story"]], _change(case)),
            EN if case["lang"] == "en" else ZH,
        )
        for case in data["revisions"]
    ]


REVISIONS: list[Revision] = _load(Path(__file__).with_name("diff_revisions.toml"))
