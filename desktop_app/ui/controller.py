"""The base of the window's feature controllers: the context, the shared widgets, actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from desktop_app.core.editing import Editor
from desktop_app.core.model import Article
from desktop_app.core.store import Store, StoreError
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.shell import Shell

Shortcut = str | QKeySequence | QKeySequence.StandardKey


class Controller(QObject):
    """One feature of the window: it owns its actions and listens to the project context.

    Actions are created in the constructor and put into the window's menus by
    place_actions, which the window calls in menu order. Actions that need a project are
    disabled while none is open.
    """

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(shell.window)
        self.context = context
        self.shell = shell
        self._entries: list[tuple[str, QAction | None]] = []  # (menu, action or separator)
        self._project_actions: list[QAction] = []
        self.menus: dict[str, QMenu] = {}
        # Connected before any subclass's handlers: actions are enabled before they update.
        context.project_opened.connect(lambda: self._enable_actions(True))
        context.project_closed.connect(lambda: self._enable_actions(False))

    # ------------------------------------------------------------------ the project

    @property
    def store(self) -> Store:
        """The open project's store."""
        return self.context.store

    @property
    def editor(self) -> Editor:
        """The open project's undoable edits."""
        return self.context.editor

    @property
    def article(self) -> Article | None:
        """The article being read."""
        return self.context.article

    # ------------------------------------------------------------------ actions and menus

    def _action(
        self,
        menu: str,
        text: str,
        slot: Callable[[], object],
        shortcut: Shortcut = "",
        needs_project: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self._entries.append((menu, action))
        if needs_project:
            self._project_actions.append(action)
        return action

    def _separator(self, menu: str) -> None:
        self._entries.append((menu, None))

    def place_actions(self, menus: dict[str, QMenu]) -> None:
        """Put this feature's actions into the window's menus, in the order they were made."""
        self.menus = menus
        for name, action in self._entries:
            if action is None:
                menus[name].addSeparator()
            else:
                menus[name].addAction(action)

    def _enable_actions(self, enabled: bool) -> None:
        for action in self._project_actions:
            action.setEnabled(enabled)

    # ------------------------------------------------------------------ saying things

    def _warn(self, message: str) -> None:
        self.shell.say(message, 8000)

    @contextmanager
    def _edit(self) -> Iterator[None]:
        """Run an edit; if the store refuses it, say so and show what is really stored."""
        try:
            yield
        except StoreError as error:
            self._warn(f"Not saved: {error}")
            self.context.annotations_changed.emit()
            self.context.history_changed.emit()
