"""The window's layout: size and docks remembered, a first size that fits the screen, and an
article that keeps a readable width (side panels give way first and come back later)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QHeaderView, QMainWindow

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell

SMALL_SCREEN = (1280, 800)  # a screen smaller than this starts maximised
FIRST_SIZE = (1400, 860)  # the first size on a larger screen (at most 90% of it)
MIN_HEIGHT = 360
WINDOW_EDGE = 30  # the central area's margins and frame, each side
PANEL_MIN_WIDTH = 200  # narrower than this a side panel is no use: it is hidden instead
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
        # Dock widths when the layout last settled: a dock's neighbours have already made
        # room for it when its Show event arrives, so their widths are taken from here.
        self._settled: dict[QDockWidget, int] = {}
        self._fitting = False
        shell.view.installEventFilter(self)
        shell.window.installEventFilter(self)
        self.readable_width = 0
        self._update_minimums()
        for dock in (shell.labels_dock, shell.annotations_dock, shell.list_dock):
            inner = dock.widget()
            if inner is not None:
                inner.setMinimumWidth(PANEL_MIN_WIDTH)

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
        # A very large font may not ask for more than the screen has (the window would spill).
        room = window.screen().availableGeometry().width() - 2 * WINDOW_EDGE
        self.readable_width = min(view.readable_width(), room)
        view.setMinimumWidth(self.readable_width)
        window.setMinimumSize(self.readable_width + 2 * WINDOW_EDGE, MIN_HEIGHT)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt callback: refit on resizes and font changes; follow docks shown and hidden."""
        kind = event.type()
        if watched is self.shell.window and kind == QEvent.Type.Resize:
            self.fit()
        elif watched is self.shell.window and kind == QEvent.Type.MouseButtonRelease:
            self._remember_widths()  # the analyst dragged a panel's edge
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
        self._widths[dock] = {
            other: self._settled[other]
            for other in self._area_docks(dock)
            if other in self._settled
        }
        self.fit(keep=dock)  # the panel just opened stays; others make room for it

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

    def _hide_order(self, keep: QDockWidget | None) -> list[QDockWidget]:
        """Docks that may go for room, first to go first: least recently shown first, the
        article list (how the analyst moves between articles) last but for `keep`."""
        wanted = [
            d
            for d in self._docks()
            if (not d.isHidden() or d in self.auto_hidden) and not d.isFloating()
        ]
        ranked = sorted(wanted, key=lambda d: self._recent.index(d) if d in self._recent else -1)
        return sorted(ranked, key=lambda d: (d is keep, d is self.shell.list_dock))

    def fit(self, keep: QDockWidget | None = None) -> None:
        """Show every panel that fits beside the article at its readable width: all that
        were hidden for room come back, then panels go in _hide_order until the article fits.
        """
        if self._fitting:
            return
        self._fitting = True
        try:
            width = self.shell.window.width()
            order = self._hide_order(keep)
            for dock in self.auto_hidden:
                dock.show()
            self.auto_hidden = []
            needed = self._needed_width()
            window = self.shell.window
            for index, dock in enumerate(order):
                if needed <= width:
                    break
                if dock.isHidden():
                    continue  # gone with its column already
                # A dock sharing a column gains nothing alone: its column-mates go with it,
                # in order, until the column narrows (or all of it is back).
                area = window.dockWidgetArea(dock)
                mates = [
                    d
                    for d in order[index + 1 :]
                    if window.dockWidgetArea(d) == area and d is not keep
                ]
                group: list[QDockWidget] = []
                for member in [dock, *mates]:
                    member.hide()
                    group.append(member)
                    narrower = self._needed_width()
                    if narrower < needed:
                        self.auto_hidden += group
                        needed = narrower
                        break
                else:
                    for member in group:
                        member.show()
            self._closed = {d for d in self._docks() if d.isHidden()}
        finally:
            self._fitting = False
        QTimer.singleShot(0, self._remember_widths)  # once the layout has settled

    def _remember_widths(self) -> None:
        self._settled = {d: d.width() for d in self._docks() if not d.isHidden()}
