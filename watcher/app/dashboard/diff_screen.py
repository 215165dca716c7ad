"""One version: its diff from the version before, inline or side by side, or its full text."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from watcher.app.dashboard.screen_base import ArticleScreen
from watcher.errors import WatcherError
from watcher.models import Version, VersionDiff
from watcher.render.edits import render_diff
from watcher.render.text import safe_text


def full_text(version: Version) -> RenderableType:
    """Every field of a stored version, page text shown as data."""
    a = version.article
    parts: list[RenderableType] = [safe_text(a.headline, style="bold")]
    if a.dek:
        parts.append(safe_text(a.dek, style="italic"))
    meta = " · ".join(
        x for x in (a.byline, a.published and f"published {a.published}", a.modified and f"modified {a.modified}") if x
    )
    if meta:
        parts.append(safe_text(meta, style="dim"))
    parts.append(Text(f"v{version.number} · {len(a.body)} paragraphs", style="dim"))
    for n, paragraph in enumerate(a.body, 1):
        parts += [Text(""), Text.assemble((f"¶{n} ", "dim"), safe_text(paragraph))]
    for caption in a.captions:
        parts += [Text(""), Text.assemble(("caption ", "dim"), safe_text(caption, style="italic"))]
    return Group(*parts)


class DiffScreen(ArticleScreen):
    """`s` toggles side by side, `v` the full text, `a` cosmetic edits."""

    BINDINGS = [
        Binding("s", "flip('side_by_side')", "Side by side"),
        Binding("v", "flip('full')", "Full text"),
        Binding("a", "flip('cosmetic')", "Cosmetic"),
    ]

    def __init__(self, url: str, number: int, *, full: bool = False) -> None:
        super().__init__(url)
        self.number = number
        self.side_by_side = False
        self.full = full
        self.cosmetic = False
        self.view: RenderableType = Text("")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="diff-scroll"):
            yield Static(id="diff")
        yield Footer(compact=True)

    ready = False  # set once the diff is drawn; the tests wait for it before they look

    def on_mount(self) -> None:
        self.show()
        self.query_one("#diff-scroll").focus()
        self.ready = True

    def selected(self) -> tuple[str | None, int | None]:
        return self.url, self.number

    def action_flip(self, what: str) -> None:
        setattr(self, what, not getattr(self, what))
        self.show()

    def show(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        try:
            new = store.get_version(self.url, self.number)
            old = store.get_version(self.url, self.number - 1) if self.number > 1 else None
        except WatcherError as exc:
            self.query_one("#diff", Static).update(safe_text(str(exc), style="status.error"))
            return
        if self.full:
            view = full_text(new)
        else:
            diff = VersionDiff(edits=new.edits, flags=new.flags)
            view = render_diff(old, new, diff, side_by_side=self.side_by_side, include_cosmetic=self.cosmetic)
        self.view = view
        self.query_one("#diff", Static).update(view)
