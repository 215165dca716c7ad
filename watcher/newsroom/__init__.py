"""A local demo newsroom whose stories are edited on a script, for `watcher demo` and tests."""

from watcher.newsroom.render import render_feed, render_front, render_story
from watcher.newsroom.server import Newsroom
from watcher.newsroom.stories import STORIES, Block, Figure, Story, StoryState
from watcher.newsroom.timeline import TIMELINE, Change, ExpectedEdit, Step, state_after, state_at, step_times

__all__ = [
    "STORIES",
    "TIMELINE",
    "Block",
    "Change",
    "ExpectedEdit",
    "Figure",
    "Newsroom",
    "Step",
    "Story",
    "StoryState",
    "render_feed",
    "render_front",
    "render_story",
    "state_after",
    "state_at",
    "step_times",
]
