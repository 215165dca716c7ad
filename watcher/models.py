"""Plain data moved between the stages: Snapshot -> Article -> Edit/VersionDiff -> Version, CheckResult."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, cast, get_args

# The contract's time helpers live in watcher.times; they are re-exported here because every model speaks them.
from watcher.times import iso

EditField = Literal["headline", "dek", "byline", "published", "modified", "body", "caption"]
EditOp = Literal["insert", "delete", "replace", "move"]
EditClass = Literal["cosmetic", "typo", "moved", "substantive"]
CheckStatus = Literal["new", "unchanged", "changed", "error", "revert", "removed", "redirected", "restored"]
Flag = Literal["headline_changed", "correction_notice", "stealth", "ab_test", "revert", "restored", "encoding_repair"]
InlineOp = tuple[str, str]  # ("=" | "-" | "+", text)
# Why an edit was made (NewsEdits' edit intents, README "What changed, in words"); least to most newsworthy.
EditIntent = Literal["cosmetic", "style", "update", "attribution", "fact", "correction"]
FactKind = Literal["number", "quote", "attribution", "name", "negation", "date", "link"]

# The domain's words, each written once; docs/architecture.md says what each means.
EDIT_FIELDS: tuple[str, ...] = get_args(EditField)
EDIT_OPS: tuple[str, ...] = get_args(EditOp)
CLASSES: tuple[str, ...] = get_args(EditClass)  # least to most serious
CLASS_RANK = {cls: rank for rank, cls in enumerate(CLASSES)}
STATUSES: tuple[str, ...] = get_args(CheckStatus)
FLAGS: tuple[str, ...] = get_args(Flag)
INTENTS: tuple[str, ...] = get_args(EditIntent)
FACT_KINDS: tuple[str, ...] = get_args(FactKind)
# Versions that record what happened to the page (Version.event) rather than only new text.
EVENTS = ("removed", "redirected", "restored", "revert")
# Event versions for a page that is gone: they carry the last text seen, not a page of their own.
GONE_EVENTS = ("removed", "redirected")
# What happened to the page itself rather than to its text: news even without an edit.
PAGE_EVENTS = (*GONE_EVENTS, "restored")
# Only these outcomes are news to a reader; "new", "unchanged" and "error" are not. A revert (a walk-back) is.
NOTIFY_STATUSES = ("changed", "revert", "removed", "redirected", "restored")


def class_rank(cls: str | None) -> int:
    """How serious an edit class is (cosmetic 0, typo 1, substantive 2); unknown classes rank lowest."""
    return CLASS_RANK.get(cls or "", 0)


def top_class(edits: Iterable[Edit]) -> EditClass | None:
    """The most serious class among the edits, None when there are none."""
    return max((e.cls for e in edits), key=class_rank, default=None)


def is_shown(edit: Edit, include_cosmetic: bool = False) -> bool:
    """The cosmetic filter: cosmetic edits are hidden from readers unless asked for (--all)."""
    return include_cosmetic or edit.cls != "cosmetic"


def shown_edits(edits: Iterable[Edit], include_cosmetic: bool = False) -> list[Edit]:
    """The edits a reader sees, in their order (see is_shown)."""
    return [e for e in edits if is_shown(e, include_cosmetic)]


def marked(version: Version, classes: Collection[str] = (), flags: Collection[str] = ()) -> bool:
    """The research filters (`--class`, `--flag` of list and report, the dashboard's articles and edits): a
    version with an edit of one of `classes` and one of `flags` (its event counts as a flag); empty: any."""
    if classes and not any(e.cls in classes for e in version.edits):
        return False
    if flags:
        marks = set(version.flags) | ({version.event} if version.event else set())
        return bool(marks & set(flags))
    return True


@dataclass
class ServedPage:
    """The main document exactly as the server sent it: what a WARC response record holds."""

    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class PageImage:
    """A full-page screenshot of the render a Snapshot's HTML was read from (fetch/screenshot.py), and the
    boxes of the page's text blocks at that moment, so the story's paragraphs can be found on it."""

    data: bytes
    media_type: str  # "image/jpeg"
    width: int  # the image's pixels (CSS pixels: the device scale factor is 1)
    height: int
    page_height: int  # the whole page's height; more than `height` when the page was cut at the cap
    # The visible text of each block on the page, with its box [x, y, width, height] in image pixels.
    blocks: list[tuple[str, list[int]]] = field(default_factory=list)


@dataclass
class Screenshot:
    """A stored version's picture of the page: its image blob and where the story's texts stood on it."""

    digest: str  # sha256 of the image bytes: the blob's name (Store.get_screenshot reads it)
    media_type: str
    width: int
    height: int
    size: int  # bytes
    page_height: int
    # text_key(text) of a story text (headline, dek, byline, a paragraph, a caption) -> its box [x, y, w, h]:
    # keyed by text, not by position, so an edit's old and new texts find their boxes in either version.
    boxes: dict[str, list[int]] = field(default_factory=dict)
    data: bytes | None = field(default=None, repr=False, compare=False)  # the image, on its way to the store

    def to_json(self) -> dict[str, Any]:
        """The `screenshot` object of history --json and report JSON: what the image is, never its bytes."""
        return {
            "digest": f"sha256:{self.digest}",
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
            "bytes": self.size,
            "cut": self.height < self.page_height,
        }

    def to_doc(self) -> dict[str, Any]:
        """As a version document stores it."""
        return {
            "digest": self.digest,
            "type": self.media_type,
            "w": self.width,
            "h": self.height,
            "size": self.size,
            "page_h": self.page_height,
            "boxes": {k: list(v) for k, v in self.boxes.items()},
        }

    @classmethod
    def from_doc(cls, doc: Any) -> Screenshot | None:
        """A stored screenshot, or None for none (or a document too damaged to use)."""
        if not isinstance(doc, dict) or not isinstance(doc.get("digest"), str):
            return None
        try:
            boxes = {
                str(k): [int(n) for n in v]
                for k, v in (doc.get("boxes") or {}).items()
                if isinstance(v, list) and len(v) == 4
            }
            return cls(
                digest=doc["digest"],
                media_type=str(doc.get("type") or "image/jpeg"),
                width=int(doc["w"]),
                height=int(doc["h"]),
                size=int(doc.get("size") or 0),
                page_height=int(doc.get("page_h") or doc["h"]),
                boxes=boxes,
            )
        except (KeyError, TypeError, ValueError):
            return None


def text_key(text: str) -> str:
    """The key a story text's box is kept under (Screenshot.boxes): blind to spacing, so the page's and the
    stored text agree."""
    import hashlib

    return hashlib.sha256(" ".join(text.split()).encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Snapshot:
    """A page as a fetcher got it: rendered by the browser, or the raw HTML (fetch/http_pages.py)."""

    requested_url: str
    final_url: str
    status: int
    content_type: str
    html: str
    fetched_at: datetime
    timings: dict[str, float] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)
    # The main document as the server sent it: status line, headers in order, and the body bytes (after
    # Content-Encoding is undone; the headers still say what it was). Empty when a fetcher cannot know.
    http_version: str = ""
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    # What the page itself asked for, by kind: "third-party" requests, and those refused ("popup",
    # "download", "private address", "navigation loop").
    requests: dict[str, int] = field(default_factory=dict)
    # A screenshot of this same render, when screenshots are on for the page's site ([archive] screenshots).
    image: PageImage | None = None

    def served(self) -> ServedPage | None:
        """The main document as sent, when the fetcher kept it."""
        if self.body is None:
            return None
        return ServedPage(self.status, self.reason, self.http_version, list(self.headers), self.body)


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
    site: str = ""  # the outlet's name as the page gives it (og:site_name, JSON-LD publisher); not compared

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass(frozen=True)
class Fact:
    """One thing an edit changed that a desk tracks: a number, a name, a quote, an attribution, a negation, a
    date or a link (README, "What changed, in words")."""

    kind: FactKind
    change: str  # "added", "removed" or "changed"
    old: str | None
    new: str | None
    context: str = ""  # what a number counts ("dead"), who a quote is given to

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.change, "old": self.old, "new": self.new, "context": self.context}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fact:
        return cls(data["kind"], data["change"], data.get("old"), data.get("new"), data.get("context") or "")


@dataclass
class Edit:
    """One change between two versions of one field (or one paragraph of the body)."""

    field: EditField
    op: EditOp
    old: str | None
    new: str | None
    cls: EditClass
    # dataclasses.field: inside this class `field` is the attribute above, which type checkers see as a str.
    inline: list[InlineOp] = dataclasses.field(default_factory=list)
    # What the edit changed as facts, and why it was made (diff/facts.py, diff/intent.py); None for edits
    # stored before they were kept.
    facts: list[Fact] | None = None
    intent: EditIntent | None = None
    # Where a body paragraph stood (1-based) in the old and the new version: both for a move or a change, only
    # `to_para` for an addition, only `from_para` for a removal; None where unknown (fields, older stored edits).
    from_para: int | None = None
    to_para: int | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "field": self.field,
            "op": self.op,
            "old": self.old,
            "new": self.new,
            "class": self.cls,
            "inline": [[op, text] for op, text in self.inline],
        }
        if self.facts is not None:
            body["facts"] = [f.to_json() for f in self.facts]
        if self.intent is not None:
            body["intent"] = self.intent
        if self.from_para is not None:
            body["from"] = self.from_para
        if self.to_para is not None:
            body["to"] = self.to_para
        return body

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        return cls(
            field=data["field"],
            op=data["op"],
            old=data.get("old"),
            new=data.get("new"),
            cls=data["class"],
            inline=[(op, text) for op, text in data.get("inline", [])],
            facts=[Fact.from_json(f) for f in data["facts"]] if isinstance(data.get("facts"), list) else None,
            intent=data.get("intent") if data.get("intent") in INTENTS else None,
            from_para=data["from"] if isinstance(data.get("from"), int) else None,
            to_para=data["to"] if isinstance(data.get("to"), int) else None,
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
        return shown_edits(self.edits, include_cosmetic)

    def top_class(self) -> EditClass | None:
        """The most serious class among the edits."""
        return top_class(self.edits)


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
    served_hash: str | None = None  # the served page (status line, headers, body) when it was kept
    event: str | None = None  # one of EVENTS for event versions
    final_url: str | None = None  # where the page led when that was not the watched URL (a redirect's target)
    damage: str | None = None  # what of this version the store could not read (its text, its edits); `watcher doctor`
    # Third-party copies of the page (watcher/copies.py): {"service", "url" (the copy; None when it failed),
    # "saved_at", "error"}, one per service, recorded after the check that stored the version.
    copies: list[dict[str, Any]] = field(default_factory=list)
    screenshot: Screenshot | None = None  # the page as rendered for this version ([archive] screenshots)
    # Where the page came from: "http" (raw HTML from a plain GET, for an article learned static) or "browser" (a
    # Chromium render); versions stored before watcher recorded it read as None, which were all renders.
    source: str | None = None

    @property
    def status(self) -> CheckStatus:
        """The contract's status word for the change this version records: its event, else "changed"."""
        return cast(CheckStatus, self.event or "changed")  # every event is also a status

    def to_json(self) -> dict[str, Any]:
        """One entry of `history --json` (README, JSON output)."""
        return {
            "version": self.number,
            "captured_at": iso(self.captured_at),
            "headline": self.article.headline,
            "edits_count": len(self.edits),
            "flags": list(self.flags),
            "event": self.event,
            "copies": [dict(c) for c in self.copies],  # added field: third-party archive copies
            **({"screenshot": self.screenshot.to_json()} if self.screenshot else {}),
            "source": self.source_name,  # added field
        }

    @property
    def source_name(self) -> str:
        """Where the page came from, as shown: "http" or "browser" (versions from before sources were kept were renders)."""
        return self.source or "browser"


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
    paused: bool = False  # `watcher pause`: no automatic checks until `watcher resume`
    unwatched: float = 0.0  # seconds since the last change when no check could run; not counted as age
    headline_variants: list[str] = field(default_factory=list)  # headlines seen rotating (A/B test)
    volatile: list[str] = field(default_factory=list)  # keys of blocks learned to change on every load
    ignore_text: list[str] = field(default_factory=list)  # regexes cut out before comparison (add --ignore)
    allow_private: bool = False  # `watcher add --allow-private`: may be on a loopback/private address
    # Fast checks (monitor/precheck.py). `mode`: the article's own [fetch] mode (`watcher add --mode`);
    # `learned_mode`: "static" when the raw HTML carried the same story as the last render, "needs-browser"
    # when only the rendered page did; the validators and raw-HTML extraction of the last render, and how
    # many checks were answered without a render since.
    mode: str | None = None
    learned_mode: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    raw_hash: str | None = None  # the stored story's hash as the raw HTML reads it (static articles)
    # extract/unread.py's digest of the raw HTML last read: it carries the stored story (static: raw_hash) or
    # lacks it (needs the browser: raw_hash None); the same digest again needs no extraction to know which.
    raw_digest: str | None = None
    checks_since_render: int = 0
    rendered_at: datetime | None = None  # the last full browser render (named *_at: stores keep it a time)
    # Stored fields that could not be read (a wrong type, a damaged file edited by hand): read as their
    # defaults and written over at the next save; never stored itself.
    unreadable: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """One entry of `list --json` (README, JSON output)."""
        return {
            "url": self.url,
            "versions": self.versions,
            "last_checked": iso(self.last_checked),
            "next_check": iso(self.next_check),
            "last_status": self.last_status,
            "headline": self.headline,
            "tags": list(self.tags),
            "feed": self.feed,
            **({"unreadable": list(self.unreadable)} if self.unreadable else {}),
        }


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
class CheckRecord:
    """One entry of an article's stored check log (the store keeps the last N per article)."""

    checked_at: datetime
    status: str
    version: int | None = None
    http_status: int | None = None
    duration: float = 0.0
    error: str | None = None
    flags: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # the page's own requests by kind (Snapshot.requests)


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
    note: str = ""  # a sentence for the reader about this outcome (why a change was not stored, what to do)
    final_url: str | None = None  # where the page led when a redirect took it elsewhere
    requests: dict[str, int] = field(default_factory=dict)  # the pages' own requests by kind, summed over fetches
    summary: str = ""  # the change in one line of words (diff/summary.py), in the story's language
    screenshot: Screenshot | None = None  # the stored version's picture of the page, when one was kept
    source: str | None = None  # what the check read: "http" (raw HTML, no render) or "browser"; None: no page
    audit: str | None = None  # a render checking a static article's stored text: "agreed" or "disagreed"

    def to_json(self) -> dict[str, Any]:
        """One object of `check --json`, `run --json` and `diff --json`: the contract in docs/architecture.md."""
        body: dict[str, Any] = {
            "url": self.url,
            "status": self.status,
            "version": self.version,
            "checked_at": iso(self.checked_at),
            "error": self.error,
            "flags": list(self.flags),
            "edits": [e.to_json() for e in self.edits],
        }
        if self.final_url:
            body["final_url"] = self.final_url  # added field: only when a redirect led elsewhere
        if self.note:
            body["note"] = self.note
        if self.summary:
            body["summary"] = self.summary
        if self.screenshot is not None:
            body["screenshot"] = self.screenshot.to_json()  # what the picture is; never its bytes
        if self.source:
            body["source"] = self.source  # added field
        if self.audit:
            body["audit"] = self.audit  # added field: only for an audit render
        return body


def change_json(url: str, old: Version | None, new: Version, edits: Sequence[Edit], headline: str) -> dict[str, Any]:
    """One object of `report --format json`: the check contract for a stored version change, plus its report fields."""
    body = CheckResult(
        url=url,
        status=new.status,
        checked_at=new.captured_at,
        version=new.number,
        flags=list(new.flags),  # the event, if any, is the status
        edits=list(edits),
        screenshot=new.screenshot,
    ).to_json()
    body["headline"] = headline
    body["from_version"] = old.number if old is not None else None
    body["captured_at"] = iso(new.captured_at)
    if new.final_url:
        body["final_url"] = new.final_url
    body["copies"] = [dict(c) for c in new.copies]
    body["source"] = new.source_name  # added field: "http" or "browser"
    return body
