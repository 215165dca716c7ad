"""The parts a check is given (fetchers, store, config, clock, archive folder), as one value built by watcher/runtime.py."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from watcher.config import Config
from watcher.fetch.base import PageFetcher
from watcher.monitor.masking import HostBodies
from watcher.store import Store
from watcher.times import utcnow


@dataclass
class Services:
    """The parts a check needs, passed in so tests and the demo can choose them (watcher/runtime.py builds them)."""

    fetcher: PageFetcher
    store: Store
    config: Config = field(default_factory=Config)
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], Any] = asyncio.sleep
    hosts: HostBodies = field(default_factory=HostBodies)  # other articles' bodies, for host boilerplate
    archive_dir: Path | None = None  # [archive] warc: every new version is also appended to a WARC here
    http: PageFetcher | None = None  # raw HTML for the pre-check and [fetch] mode = "http" (None: browser only)
