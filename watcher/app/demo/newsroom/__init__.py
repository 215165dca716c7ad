"""A local demo newsroom whose stories are edited on a script, for `watcher demo` and tests."""

from watcher.app.demo.newsroom.render import render_feed, render_front, render_story
from watcher.app.demo.newsroom.server import Newsroom
from watcher.app.demo.newsroom.stories import STORIES, Block, Figure, Story, StoryState
from watcher.app.demo.newsroom.timeline import TIMELINE, Change, ExpectedEdit, Step, state_after, state_at, step_times

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
