"""The screen a desk editor keeps open: filters and search, the articles, the edits list, the status bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Static

from watcher.app.dashboard.articles_table import ArticlesTable
from watcher.app.dashboard.edits_table import EditsTable, split_key
from watcher.app.dashboard.model import CLASS_FILTERS, FLAG_FILTERS, Filters, cycle
from watcher.app.dashboard.screen_base import RefreshedScreen
from watcher.app.dashboard.status_bar import StatusBar


class MainScreen(RefreshedScreen):
    """Articles above, edits below; both follow the same filters and search."""

    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("c", "cycle('cls')", "Class"),
        Binding("f", "cycle('flag')", "Flag"),
        Binding("t", "cycle('tag')", "Tag"),
        Binding("h", "cycle('host')", "Host"),
        Binding("escape", "clear_filters", "Clear", show=False),
        Binding("tab", "app.focus_next", "Switch", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()

    def compose(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="/ search headlines and URLs", id="search", compact=True)
            yield Static(self.filters.describe(), id="filter-state")
        yield ArticlesTable(id="articles")
        yield Static(" Edits, newest first", id="edits-title", classes="section-title")
        yield EditsTable(id="edits")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.ready = True
        self.query_one(ArticlesTable).focus()
        self.refresh_views()

    def draw(self) -> None:
        app = self.app
        view, now = app.store_view, app.clock()  # type: ignore[attr-defined]
        self.query_one(ArticlesTable).show(view, self.filters, now, app.checking)  # type: ignore[attr-defined]
        self.query_one(EditsTable).show(view, self.filters, now)
        self.query_one("#filter-state", Static).update(self.filters.describe())
        self.query_one(StatusBar).update(app.status_line())  # type: ignore[attr-defined]
        shown = self.query_one(EditsTable).row_count
        total = len(view.edits)
        if not total:
            title = " Edits: none stored yet (a change is listed here from its second version on)"
        elif shown != total:
            title = f" Edits, newest first ({shown} of {total} match the filters)"
        else:
            title = f" Edits, newest first ({total})"
        self.query_one("#edits-title", Static).update(title)

    # --- filters --------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.filters.search = event.value
            self.refresh_views()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.query_one(ArticlesTable).focus()

    def action_cycle(self, which: str) -> None:
        view = self.app.store_view  # type: ignore[attr-defined]
        f = self.filters
        if which == "cls":
            f.cls = cycle(f.cls, CLASS_FILTERS)
        elif which == "flag":
            f.flag = cycle(f.flag, FLAG_FILTERS)
        elif which == "tag":
            f.tag = cycle(f.tag, ["", *view.tags])
        elif which == "host":
            f.host = cycle(f.host, ["", *view.hosts])
        self.refresh_views()

    def action_clear_filters(self) -> None:
        self.filters = Filters()
        self.query_one("#search", Input).value = ""
        self.query_one(ArticlesTable).focus()
        self.refresh_views()

    # --- what is selected -----------------------------------------------------------------------

    def selected(self) -> tuple[str | None, int | None]:
        """The article (and version, when the edits list has focus) the keys act on."""
        edits = self.query_one(EditsTable)
        if edits.has_focus and edits.current_key:
            return split_key(edits.current_key)
        return self.query_one(ArticlesTable).current_key, None

    def on_data_table_row_selected(self, event: EditsTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if isinstance(event.data_table, EditsTable):
            url, number = split_key(key)
            self.app.open_diff(url, number)  # type: ignore[attr-defined]
        else:
            self.app.open_timeline(key)  # type: ignore[attr-defined]
