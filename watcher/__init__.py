"""watcher: track edits to news articles."""

__version__ = "0.1.0"
