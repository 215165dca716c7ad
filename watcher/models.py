"""Plain data moved between the stages: Snapshot -> Article -> Edit/VersionDiff -> Version, CheckResult."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

EditField = Literal["headline", "dek", "byline", "published", "modified", "body", "caption"]
EditOp = Literal["insert", "delete", "replace", "move"]
EditClass = Literal["cosmetic", "typo", "substantive"]
CheckStatus = Literal["new", "unchanged", "changed", "error", "revert", "removed", "redirected", "restored"]
InlineOp = tuple[str, str]  # ("=" | "-" | "+", text)

CLASS_RANK = {"cosmetic": 0, "typo": 1, "substantive": 2}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    """A datetime as the contract's ISO 8601 form with a trailing Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_iso(text: str | None) -> datetime | None:
    """Inverse of iso(); accepts any ISO 8601 string, naive values taken as UTC."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Snapshot:
    """A page as the browser rendered it."""

    requested_url: str
    final_url: str
    status: int
    content_type: str
    html: str
    fetched_at: datetime
    timings: dict[str, float] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)


@dataclass
class Article:
    """The story extracted from a page, without the page's chrome."""

    headline: str = ""
    dek: str = ""
    byline: str = ""
    published: str | None = None
    modified: str | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    lang: str | None = None
    canonical_url: str | None = None
    extractor: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass
class Edit:
    """One change between two versions of one field (or one paragraph of the body)."""

    field: EditField
    op: EditOp
    old: str | None
    new: str | None
    cls: EditClass
    inline: list[InlineOp] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "op": self.op,
            "old": self.old,
            "new": self.new,
            "class": self.cls,
            "inline": [[op, text] for op, text in self.inline],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        return cls(
            field=data["field"],
            op=data["op"],
            old=data.get("old"),
            new=data.get("new"),
            cls=data["class"],
            inline=[(op, text) for op, text in data.get("inline", [])],
        )


@dataclass
class VersionDiff:
    """Everything that changed between two versions of an article."""

    edits: list[Edit] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def visible_edits(self, include_cosmetic: bool = False) -> list[Edit]:
        """Edits a reader should see; cosmetic ones only on request."""
        return [e for e in self.edits if include_cosmetic or e.cls != "cosmetic"]

    def top_class(self) -> EditClass | None:
        """The most serious class among the edits."""
        if not self.edits:
            return None
        return max((e.cls for e in self.edits), key=CLASS_RANK.__getitem__)


@dataclass
class Version:
    """One stored version of an article."""

    url: str
    number: int
    captured_at: datetime
    content_hash: str
    article: Article
    html_hash: str | None = None
    flags: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)  # edits from the previous version to this one
    event: str | None = None  # "removed" | "redirected" | "restored" | "revert" for event versions


@dataclass
class WatchedArticle:
    """A URL being watched and its schedule state."""

    url: str
    added_at: datetime
    canonical_url: str | None = None
    tags: list[str] = field(default_factory=list)
    every: int | None = None  # fixed interval in seconds chosen by the user, else the age tiers
    headline: str = ""
    versions: int = 0
    last_checked: datetime | None = None
    next_check: datetime | None = None
    last_status: str | None = None
    last_changed: datetime | None = None
    consecutive_errors: int = 0
    last_edit_summary: str = ""
    checks_total: int = 0
    feed: str | None = None
    stopped: bool = False  # past the last schedule tier: no more automatic checks
    headline_variants: list[str] = field(default_factory=list)  # headlines seen rotating (A/B test)


@dataclass
class Feed:
    """A feed or sitemap whose new items become watched articles."""

    url: str
    added_at: datetime
    every: int = 600
    tags: list[str] = field(default_factory=list)
    last_polled: datetime | None = None
    next_poll: datetime | None = None
    last_status: str | None = None
    articles_added: int = 0


@dataclass
class CheckResult:
    """The outcome of checking one article once; the unit of `check --json`."""

    url: str
    status: CheckStatus
    checked_at: datetime
    version: int | None = None
    error: str | None = None
    flags: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    http_status: int | None = None
    duration: float = 0.0
    headline: str = ""

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract from DESIGN.md."""
        return {
            "url": self.url,
            "status": self.status,
            "version": self.version,
            "checked_at": iso(self.checked_at),
            "error": self.error,
            "flags": list(self.flags),
            "edits": [e.to_json() for e in self.edits],
        }
