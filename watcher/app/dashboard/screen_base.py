"""What the dashboard's full screens share: being drawn again on each refresh (layout: dashboard.tcss), Esc back."""

from __future__ import annotations

from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen


class RefreshedScreen(Screen):
    """A screen drawn from the store that the app's refresh timer draws again (through `refresh_views`)."""

    ready = False  # set by on_mount once composed; the tests wait for it before they look

    def refresh_views(self) -> None:
        if not self.ready:
            return  # not composed yet; on_mount draws it
        try:
            self.draw()
        except NoMatches:  # the refresh timer fired while the app is taking the screen down
            pass

    def draw(self) -> None:
        raise NotImplementedError


class ArticleScreen(Screen):
    """A screen about one article, opened over the main screen; Esc goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
