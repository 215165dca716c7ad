"""The scripted edits of the demo newsroom (timeline.toml), and the pure rule that applies them by elapsed time.

The state of every story is a function of how many steps have happened, and that number is a function of the
elapsed time and the demo's duration; nothing here reads a clock, so tests are deterministic.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from watcher.app.demo.newsroom.stories import STORIES, Block, BlockKind, StoryState

Action = Literal["headline", "text", "caption", "insert", "move"]

# The edits are spread evenly over this part of the run: the watcher needs a first snapshot of every story
# before the first edit, and time after the last one to see it.
FIRST_EDIT_AT = 0.10
LAST_EDIT_AT = 0.80


@dataclass(frozen=True)
class Change:
    """One change to one story.

    headline: headline becomes `new`. text: the one body block containing `old` has it replaced by `new`.
    caption: caption number `index` becomes `new`. insert: a `kind` block with text `new` goes after the block
    containing `after` (or at the end when `after` is None). move: the block containing `old` moves to just after
    the block containing `after` (or to the top when `after` is None).
    """

    slug: str
    action: Action
    new: str = ""
    old: str | None = None
    after: str | None = None
    index: int = 0
    kind: BlockKind = "p"


@dataclass(frozen=True)
class ExpectedEdit:
    """What the watcher should report for one scripted edit: the demo test checks these."""

    slug: str
    field: str  # "headline" | "body" | "caption", as in models.Edit.field
    op: str  # "replace" | "insert" | "move", as in models.Edit.op
    cls: str | None  # "typo" | "substantive"; None where the class is not part of the script (a pure move)
    flags: tuple[str, ...] = ()  # flags the version holding this edit must carry
    old_contains: str | None = None  # a phrase the edit's old text contains
    new_contains: str | None = None  # a phrase the edit's new text contains
    description: str = ""
    step: int = 0
    at: float = 0.0  # seconds after the newsroom started
    url: str | None = None  # filled in by a started Newsroom


@dataclass(frozen=True)
class Step:
    """Changes applied together at one moment, and the edits they should produce."""

    changes: tuple[Change, ...]
    expect: tuple[ExpectedEdit, ...]


def _load(path: Path) -> tuple[Step, ...]:
    """The steps of a data file (timeline.toml beside this module: the script is data, kept out of the code)."""
    with path.open("rb") as f:
        steps = tomllib.load(f)["steps"]
    return tuple(
        Step(
            tuple(Change(**change) for change in step["changes"]),
            tuple(
                ExpectedEdit(**{"cls": None, **edit, "flags": tuple(edit.get("flags", ()))}) for edit in step["expect"]
            ),
        )
        for step in steps
    )


TIMELINE: tuple[Step, ...] = _load(Path(__file__).with_name("timeline.toml"))


def step_times(duration: float, count: int = len(TIMELINE)) -> list[float]:
    """Seconds after start at which each step happens: evenly spread from 10% to 80% of the duration."""
    if count <= 0:
        return []
    if count == 1:
        return [duration * FIRST_EDIT_AT]
    span = LAST_EDIT_AT - FIRST_EDIT_AT
    return [duration * (FIRST_EDIT_AT + span * i / (count - 1)) for i in range(count)]


def steps_done(elapsed: float, duration: float, timeline: tuple[Step, ...] = TIMELINE) -> int:
    """How many steps have happened `elapsed` seconds after start."""
    return sum(1 for t in step_times(duration, len(timeline)) if t <= elapsed)


def _block_index(blocks: tuple[Block, ...], phrase: str) -> int:
    found = [i for i, b in enumerate(blocks) if phrase in b.text]
    if len(found) != 1:
        # A script phrase matching no block or several is a bug in the script, not something to guess around.
        raise ValueError(f"phrase {phrase!r} is in {len(found)} blocks, expected exactly 1")
    return found[0]


def apply_change(state: StoryState, change: Change) -> StoryState:
    """The story after one change; ValueError if the change's anchors do not match exactly one place."""
    blocks = state.blocks
    if change.action == "headline":
        return replace(state, headline=change.new)
    if change.action == "caption":
        figures = list(state.figures)
        figures[change.index] = replace(figures[change.index], caption=change.new)
        return replace(state, figures=tuple(figures))
    if change.action == "text":
        assert change.old is not None
        i = _block_index(blocks, change.old)
        if blocks[i].text.count(change.old) != 1:
            raise ValueError(f"phrase {change.old!r} occurs more than once in its block")
        edited = replace(blocks[i], text=blocks[i].text.replace(change.old, change.new))
        return state.with_blocks(blocks[:i] + (edited,) + blocks[i + 1 :])
    if change.action == "insert":
        at = len(blocks) if change.after is None else _block_index(blocks, change.after) + 1
        return state.with_blocks(blocks[:at] + (Block(change.kind, change.new),) + blocks[at:])
    if change.action == "move":
        assert change.old is not None
        moving = blocks[_block_index(blocks, change.old)]
        rest = tuple(b for b in blocks if b is not moving)
        at = 0 if change.after is None else _block_index(rest, change.after) + 1
        return state.with_blocks(rest[:at] + (moving,) + rest[at:])
    raise ValueError(f"unknown change action {change.action!r}")


def state_after(steps: int, timeline: tuple[Step, ...] = TIMELINE) -> dict[str, StoryState]:
    """Every story's text after the first `steps` steps of the timeline, by slug."""
    states = {story.slug: story.first for story in STORIES}
    for step in timeline[: max(0, steps)]:
        for change in step.changes:
            states[change.slug] = apply_change(states[change.slug], change)
    return states


def state_at(elapsed: float, duration: float, timeline: tuple[Step, ...] = TIMELINE) -> dict[str, StoryState]:
    """Every story's text `elapsed` seconds after start, for a demo lasting `duration` seconds."""
    return state_after(steps_done(elapsed, duration, timeline), timeline)


def expected_edits(duration: float, timeline: tuple[Step, ...] = TIMELINE) -> list[ExpectedEdit]:
    """The edits the script should produce, each stamped with its step number and time."""
    times = step_times(duration, len(timeline))
    return [replace(expect, step=i, at=times[i]) for i, step in enumerate(timeline) for expect in step.expect]
