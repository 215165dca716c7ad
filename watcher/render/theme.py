"""Semantic style names for every renderable; colours live here only.

Every edit class, flag and status of watcher.models has a style here (tests/unit/test_report.py checks it).
"""

from __future__ import annotations

from rich.theme import Theme

THEME = Theme(
    {
        "diff.insert": "green",
        "diff.delete": "red strike",
        "diff.move": "cyan",
        "diff.context": "dim",
        "diff.label": "bold",
        "diff.gap": "dim italic",
        "class.cosmetic": "dim",
        "class.typo": "yellow",
        "class.moved": "cyan",
        "class.substantive": "bold red",
        "flag.headline_changed": "bold magenta",
        "flag.correction_notice": "bold green",
        "flag.stealth": "bold red",
        "flag.ab_test": "magenta",
        "flag.revert": "yellow",
        "flag.restored": "green",
        "flag.encoding_repair": "dim",
        "status.new": "bold cyan",
        "status.unchanged": "dim",
        "status.changed": "bold yellow",
        "status.error": "bold red",
        "status.removed": "red",
        "status.redirected": "yellow",
        "status.restored": "green",
        "status.revert": "yellow",
        "table.header": "bold",
    }
)
