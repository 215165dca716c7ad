"""Settings as dataclasses, and the strict TOML loader that fills them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SiteRule:
    """CSS selectors that override generic extraction for one domain (and its subdomains)."""

    domain: str
    headline: str | None = None
    dek: str | None = None
    byline: str | None = None
    body: str | None = None
    captions: str | None = None
    exclude: list[str] = field(default_factory=list)


@dataclass
class FetchSettings:
    """How pages are fetched."""

    nav_timeout: float = 20.0  # seconds for one navigation
    deadline: float = 45.0  # seconds for a whole check, retries included
    retries: int = 2  # extra attempts on network errors, 5xx and 429
    backoff: float = 1.0  # first retry delay in seconds, doubled each time
    per_host_delay: float = 1.0  # minimum seconds between two requests to one host
    concurrency: int = 4  # pages fetched at once
    max_bytes: int = 15_000_000  # rendered HTML size cap
    max_redirects: int = 10
    settle_ms: int = 500  # wait after load for script-inserted content
    block_resources: list[str] = field(default_factory=lambda: ["image", "media", "font"])
    user_agent: str | None = None


@dataclass
class Tier:
    """Check every `every` seconds while the article is younger than `until` seconds."""

    until: int
    every: int


@dataclass
class ScheduleSettings:
    """When articles are checked."""

    tiers: list[Tier] = field(
        default_factory=lambda: [
            Tier(until=3 * 3600, every=600),
            Tier(until=2 * 86400, every=3600),
            Tier(until=7 * 86400, every=6 * 3600),
            Tier(until=30 * 86400, every=86400),
        ]
    )
    jitter: float = 0.1  # fraction of the interval added or removed at random
    error_backoff: int = 300  # first retry delay after a failure, doubled per failure
    max_error_backoff: int = 6 * 3600


@dataclass
class TrustSettings:
    """Defences against alerts that are not edits."""

    revert_window: int = 5  # content equal to one of the last N versions is a revert, not an edit
    confirm_delay: float = 5.0  # seconds before re-fetching a substantive change to confirm it
    check_log_size: int = 50  # recent checks kept per article


@dataclass
class FeedSettings:
    """Following feeds."""

    max_new_per_poll: int = 50
    default_every: int = 600


@dataclass
class NotifyTarget:
    """Where edits are announced, and which ones."""

    url: str  # http(s):// for a JSON webhook, anything else is an Apprise URL
    min_class: str = "substantive"
    flags: list[str] = field(default_factory=list)  # only versions with one of these flags, if set
    tags: list[str] = field(default_factory=list)  # only articles with one of these tags, if set
    retries: int = 3
    timeout: float = 10.0


@dataclass
class Config:
    """Everything configurable, with defaults that work with no config file."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    sites: list[SiteRule] = field(default_factory=list)
    notify: list[NotifyTarget] = field(default_factory=list)
