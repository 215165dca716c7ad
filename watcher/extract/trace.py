"""What extraction decided and why, recorded as it runs: the site rule, each field's source, the container, what it dropped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from watcher.errors import NoArticle
from watcher.extract.dom import visible_text
from watcher.models import Article

# Dropped elements with less visible text than this are not recorded: empty wrappers, icons and scripts tell a
# person writing a site rule nothing, and a page has thousands of them.
MIN_RECORDED_CHARS = 40

Said = Callable[[str], None]  # how a stage tells the trace where a field's value came from


def unsaid(source: str) -> None:
    """The default Said: nobody is listening."""


def where(el: Any) -> str:
    """An element as a person finds it in the page's source: tag#id.class.class[itemprop=...]."""
    name = str(el.tag)
    if el.get("id"):
        name += "#" + el.get("id")
    classes = (el.get("class") or "").split()
    if classes:
        name += "." + ".".join(classes[:2])
    if el.get("itemprop"):
        name += f"[itemprop={el.get('itemprop')}]"
    return name


@dataclass
class Piece:
    """A block of the page as extraction saw it: the container it read, or a block it left out, and why."""

    where: str  # an element (tag#id.class) or, for a line of the body, "line"
    reason: str
    chars: int = 0
    paragraphs: int = 0
    link_share: float = 0.0
    text: str = ""  # the first words, so a person can find it on the page

    @classmethod
    def of(cls, el: Any, reason: str) -> Piece:
        text = visible_text(el)
        linked = sum(len(visible_text(a)) for a in el.iter("a"))
        paragraphs = sum(1 for _ in el.iter("p"))
        return cls(where(el), reason, len(text), paragraphs, linked / max(len(text), 1), _start(text))

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "link_share": round(self.link_share, 2)}  # a share, not float noise


@dataclass
class Trace:
    """Extraction's own account of one page, in the order it decided."""

    rule: str = ""  # the domain of the config's site rule applied, "" for none
    sources: dict[str, str] = field(default_factory=dict)  # field name -> where its value came from
    container: Piece | None = None  # the element the body was read from, with how it was found
    marked: bool = False  # the page (or a site rule) named the container; else it was found by its text
    extractor: str = ""  # site-rule, dom, trafilatura or json-ld
    dropped: list[Piece] = field(default_factory=list)  # elements removed, then lines left out of the body

    def source(self, name: str, source: str) -> None:
        self.sources[name] = source

    def sourced(self, name: str) -> Said:
        """A callback for a stage that finds one field: it records where that field's value came from."""
        return lambda source: self.source(name, source)

    def read_from(self, el: Any, marked: bool, why: str) -> None:
        self.container, self.marked = Piece.of(el, why), marked

    def drop_element(self, el: Any, reason: str) -> None:
        """Record an element about to be removed, when it holds enough text to matter to a reader."""
        piece = Piece.of(el, reason)
        if piece.chars >= MIN_RECORDED_CHARS:
            self.dropped.append(piece)

    def drop_line(self, line: str, reason: str) -> None:
        self.dropped.append(Piece("line", reason, len(line), text=_start(line)))

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "sources": dict(self.sources),
            "container": self.container.to_json() if self.container else None,
            "marked": self.marked,
            "extractor": self.extractor,
            "dropped": [d.to_json() for d in self.dropped],
        }


class Untraced(Trace):
    """A trace that records nothing: a check's extraction pays nothing for the account only `--explain` reads."""

    def source(self, name: str, source: str) -> None:
        pass

    def read_from(self, el: Any, marked: bool, why: str) -> None:
        pass

    def drop_element(self, el: Any, reason: str) -> None:
        pass

    def drop_line(self, line: str, reason: str) -> None:
        pass


def _start(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Extraction:
    """An extraction's result: the article (None when the page has none), and the trace of how it was read."""

    article: Article | None
    trace: Trace
    error: NoArticle | None = None  # what ended it, when there is no article
