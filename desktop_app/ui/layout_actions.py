"""The window's layout: size and docks remembered, a first size that fits the screen, and an
article that keeps a readable width (side panels give way first and come back later)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QHeaderView, QMainWindow

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell

SMALL_SCREEN = (1280, 800)  # a screen smaller than this starts maximised
FIRST_SIZE = (1400, 860)  # the first size on a larger screen (at most 90% of it)
MIN_HEIGHT = 360
_KEYS = {
    "geometry": "window/geometry",
    "state": "window/state",
    "articles": "window/articles_header",
    "annotations": "window/annotations_header",
}


class LayoutController(Controller):
    """Restores and remembers the layout; keeps the article at its readable width.

    When the window is too narrow for the article and every shown panel, panels are hidden
    (those the analyst opened least recently first) and shown again once there is room.
    A panel shown for a while (the Review dock) gives its column's width back when hidden.
    """

    def __init__(self, context: ProjectContext, shell: Shell, settings: QSettings) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self.auto_hidden: list[QDockWidget] = []  # hidden for room, newest last
        self._recent: list[QDockWidget] = []  # shown by the analyst or a feature, newest last
        self._widths: dict[QDockWidget, dict[QDockWidget, int]] = {}
        self._closed: set[QDockWidget] = set()  # docks hidden (by anyone) as far as we know
        self._fitting = False
        shell.view.installEventFilter(self)
        shell.window.installEventFilter(self)
        self.readable_width = 0
        self._update_minimums()

    # ------------------------------------------------------------------ remembered

    def restore(self) -> None:
        """Put the window, docks, columns and sort where they were last time."""
        window, settings = self.shell.window, self.settings
        geometry = settings.value(_KEYS["geometry"])
        if isinstance(geometry, QByteArray | bytes) and window.restoreGeometry(geometry):
            pass
        else:
            self.first_size()
        state = settings.value(_KEYS["state"])
        if not (isinstance(state, QByteArray | bytes) and window.restoreState(state)):
            # First start: room for the list's columns, and for the whole label palette.
            shell = self.shell
            window.resizeDocks(
                [shell.list_dock, shell.labels_dock], [560, 300], Qt.Orientation.Horizontal
            )
            window.resizeDocks(
                [shell.labels_dock, shell.annotations_dock], [560, 260], Qt.Orientation.Vertical
            )
        for key, header in self._headers().items():
            saved = settings.value(_KEYS[key])
            if isinstance(saved, QByteArray | bytes):
                header.restoreState(saved)
        self._watch_docks()
        self.fit()

    def save(self) -> None:
        """Remember the window, docks, columns and sort (docks hidden for room count as shown)."""
        window, settings = self.shell.window, self.settings
        hidden_for_room = list(self.auto_hidden)
        for dock in hidden_for_room:
            dock.setVisible(True)  # hidden only for want of room: it is part of the layout
        settings.setValue(_KEYS["geometry"], window.saveGeometry())
        settings.setValue(_KEYS["state"], window.saveState())
        for dock in hidden_for_room:
            dock.setVisible(False)
        for key, header in self._headers().items():
            settings.setValue(_KEYS[key], header.saveState())
        settings.sync()

    def first_size(self) -> None:
        """A size for the first start: maximised on a small screen, else most of it."""
        window = self.shell.window
        screen = window.screen()
        available = screen.availableGeometry()
        if available.width() < SMALL_SCREEN[0] or available.height() < SMALL_SCREEN[1]:
            window.resize(available.size())  # what a maximised window gets without a manager
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
            return
        width = min(FIRST_SIZE[0], int(available.width() * 0.9))
        height = min(FIRST_SIZE[1], int(available.height() * 0.9))
        window.resize(width, height)
        window.move(available.center() - window.rect().center())

    def _headers(self) -> dict[str, QHeaderView]:
        return {
            "articles": self.shell.table.horizontalHeader(),
            "annotations": self.shell.annotation_list.horizontalHeader(),
        }

    # ------------------------------------------------------------------ a readable article

    def _docks(self) -> list[QDockWidget]:
        return self.shell.window.findChildren(QDockWidget)

    def _watch_docks(self) -> None:
        for dock in self._docks():
            if dock.property("layout_watched"):
                continue
            dock.setProperty("layout_watched", True)
            dock.installEventFilter(self)
            if dock.isHidden():
                self._closed.add(dock)

    def _update_minimums(self) -> None:
        """The article never gets narrower than its readable width; the window may (by
        hiding panels), down to the article alone."""
        view, window = self.shell.view, self.shell.window
        self.readable_width = view.readable_width()
        view.setMinimumWidth(self.readable_width)
        window.setMinimumSize(self.readable_width + 60, MIN_HEIGHT)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt callback: refit on resizes and font changes; follow docks shown and hidden."""
        kind = event.type()
        if watched is self.shell.window and kind == QEvent.Type.Resize:
            self.fit()
        elif watched is self.shell.view and kind == QEvent.Type.FontChange:
            self._update_minimums()
            self.fit()
        elif isinstance(watched, QDockWidget) and not self._fitting:
            # Only a dock's own show() and hide() count, not the window's (or a tab's).
            if kind == QEvent.Type.Show and watched in self._closed:
                self._closed.discard(watched)
                if watched in self.auto_hidden:
                    self.auto_hidden.remove(watched)  # the analyst brought it back
                self._shown(watched)
            elif kind == QEvent.Type.Hide and watched.isHidden() and watched not in self._closed:
                self._closed.add(watched)
                self._hidden(watched)
        return False

    def _area_docks(self, dock: QDockWidget) -> list[QDockWidget]:
        window: QMainWindow = self.shell.window
        area = window.dockWidgetArea(dock)
        return [
            other
            for other in self._docks()
            if other is not dock
            and not other.isHidden()
            and not other.isFloating()
            and window.dockWidgetArea(other) == area
        ]

    def _shown(self, dock: QDockWidget) -> None:
        if dock in self._recent:
            self._recent.remove(dock)
        self._recent.append(dock)
        # Remember its neighbours' widths, to give them back when it goes.
        self._widths[dock] = {other: other.width() for other in self._area_docks(dock)}
        self.fit()

    def _hidden(self, dock: QDockWidget) -> None:
        widths = {
            other: width
            for other, width in self._widths.pop(dock, {}).items()
            if not other.isHidden()
        }
        if widths:
            self.shell.window.resizeDocks(
                list(widths), list(widths.values()), Qt.Orientation.Horizontal
            )
        self.fit()

    def _needed_width(self) -> int:
        window = self.shell.window
        layout = window.layout()
        if layout is not None:
            layout.invalidate()
        return window.minimumSizeHint().width()

    def _hide_order(self) -> list[QDockWidget]:
        """Docks to hide for room: least recently shown first, the article list last."""
        shown = [d for d in self._docks() if not d.isHidden() and not d.isFloating()]
        ranked = sorted(shown, key=lambda d: self._recent.index(d) if d in self._recent else -1)
        # The list is how the analyst moves between articles: it goes last.
        return sorted(ranked, key=lambda d: d is self.shell.list_dock)

    def fit(self) -> None:
        """Hide panels until the article has its readable width; show hidden ones that fit."""
        if self._fitting:
            return
        self._fitting = True
        try:
            width = self.shell.window.width()
            for dock in self._hide_order():
                if self._needed_width() <= width:
                    break
                dock.hide()
                self.auto_hidden.append(dock)
                self._closed.add(dock)
            for dock in reversed(list(self.auto_hidden)):
                dock.show()
                if self._needed_width() <= width:
                    self.auto_hidden.remove(dock)
                    self._closed.discard(dock)
                else:
                    dock.hide()
        finally:
            self._fitting = False
