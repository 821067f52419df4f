"""Keyboard and accessibility: F6 moves between the window's parts, a key goes into the text,
Tab leaves the list, and every control has a name a screen reader can say."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell

FOCUS_TEXT_KEY = "Ctrl+Shift+T"
_NAMES = {  # accessible names of the shared widgets that show no text of their own
    "table": "Article list",
    "annotation_list": "Annotations of this article",
    "progress": "Import progress",
}
_FILTER_NAMES = {
    "search": "Search articles",
    "tag": "Filter by document tag",
    "label": "Filter by span label",
    "annotator": "Filter by annotator",
    "status": "Filter by status",
}


class FocusController(Controller):
    """F6 / Shift+F6 cycle search, list, article, labels and annotations; Ctrl+Shift+T puts
    the caret in the article; Escape in the search goes to the list, Enter in the list to
    the text."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        a = self._action
        a("&View", "Next &pane", lambda: self.cycle(1), "F6", needs_project=False)
        a("&View", "Previous pa&ne", lambda: self.cycle(-1), "Shift+F6", needs_project=False)
        a("&View", "Go to the article &text", self.focus_text, FOCUS_TEXT_KEY, needs_project=False)
        shell.table.setTabKeyNavigation(False)  # Tab leaves the list instead of walking cells
        shell.annotation_list.setTabKeyNavigation(False)
        shell.table.installEventFilter(self)
        shell.filter_bar.search.installEventFilter(self)
        for name, accessible in _NAMES.items():
            getattr(shell, name).setAccessibleName(accessible)
        for name, accessible in _FILTER_NAMES.items():
            getattr(shell.filter_bar, name).setAccessibleName(accessible)
        shell.cancel_button.setAccessibleName("Cancel the import")
        more = shell.window.menuBar().findChild(QToolButton, "qt_menubar_ext_button")
        if more is not None:  # Qt's » button when the menus do not fit
            more.setAccessibleName("More menus")

    # ------------------------------------------------------------------ the panes

    def _order(self) -> list[tuple[QWidget, QWidget | None]]:
        """Each pane F6 visits, in order: (what holds it, the widget that takes the focus)."""
        shell = self.shell
        labels = shell.label_palette.parentWidget() or shell.label_palette
        buttons = [*shell.label_palette.buttons.values(), *shell.tag_panel.boxes.values()]
        return [
            (shell.filter_bar, shell.filter_bar.search),
            (shell.table, shell.table),
            (shell.view, shell.view),
            (labels, buttons[0] if buttons else None),
            (shell.annotation_list, shell.annotation_list),
        ]

    def panes(self) -> list[QWidget]:
        """The widgets F6 visits now, in order (those on screen): search, list, text, labels,
        annotations."""
        return [t for _, t in self._order() if t is not None and t.isVisible() and t.isEnabled()]

    def cycle(self, step: int) -> None:
        """Move the focus to the next (1) or previous (-1) pane on screen."""
        order, panes = self._order(), self.panes()
        if not panes:
            return
        focus = QApplication.focusWidget()
        here = next(
            (
                i
                for i, (holder, _) in enumerate(order)
                if focus is not None and (holder is focus or holder.isAncestorOf(focus))
            ),
            -1 if step > 0 else len(order),
        )
        for distance in range(1, len(order) + 1):
            _, target = order[(here + step * distance) % len(order)]
            if target in panes:
                target.setFocus(Qt.FocusReason.TabFocusReason)
                if target is self.shell.view:
                    self.shell.view.ensureCursorVisible()
                return

    def focus_text(self) -> None:
        """Put the caret in the article's text, where it was (Ctrl+Shift+T)."""
        view = self.shell.view
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if view.textCursor().isNull():
            view.setTextCursor(QTextCursor(view.document()))
        view.ensureCursorVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt callback: Escape in the search goes to the list; Enter in the list to the text."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        key = event.key()
        if watched is self.shell.filter_bar.search and key == Qt.Key.Key_Escape and plain:
            self.shell.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        if watched is self.shell.table and plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focus_text()
            return True
        return False
