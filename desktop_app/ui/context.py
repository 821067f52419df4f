"""The open project as the window's features see it: store, editor, labels, annotator and the
article being read, with a signal for each change; it is closed and replaced as a whole."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.core.editing import Editor
from desktop_app.core.model import Article, Label
from desktop_app.core.store import Store

APP_TITLE = "Marginalia"


class NoProject(RuntimeError):
    """Raised when a feature asks for the project while none is open."""


class ProjectContext(QObject):
    """One open project at a time; controllers hold this, never the store itself.

    Signals are delivered at once, in the order the listeners connected (the window creates
    the controllers in a fixed order, so the order is fixed too).
    """

    project_opened = Signal()  # the store, editor and labels are there
    project_closing = Signal()  # finish background work and back up: the store is still open
    project_closed = Signal()  # the store is closed: drop everything read from it
    article_shown = Signal()  # another article is open (context.article)
    annotations_changed = Signal()  # the open article's annotations changed: repaint them
    labels_changed = Signal()  # context.labels was re-read from the project
    filter_changed = Signal(object)  # the list shows another search or filter (ArticleFilter)
    annotator_changed = Signal(str)  # edits are recorded under this name from now on
    history_changed = Signal()  # what Undo and Redo would do changed

    def __init__(self, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.annotator = annotator
        self.labels: dict[str, Label] = {}
        self.article: Article | None = None  # the article being read, set by the reading view
        self._store: Store | None = None
        self._editor: Editor | None = None
        self._settled = True  # project_closing was sent for the open project

    # ------------------------------------------------------------------ the open project

    @property
    def is_open(self) -> bool:
        """Whether a project is open."""
        return self._store is not None

    @property
    def store(self) -> Store:
        """The open project's store."""
        if self._store is None:
            raise NoProject("no project is open")
        return self._store

    @property
    def editor(self) -> Editor:
        """The open project's undoable edits, by the current annotator."""
        if self._editor is None:
            raise NoProject("no project is open")
        return self._editor

    @property
    def path(self) -> Path | None:
        """The open project's file (None: no project, or one in memory), for About and the
        status bar's tooltip."""
        return self._store.path if self._store is not None else None

    def title(self) -> str:
        """The window title naming the open project (no project: the application's name)."""
        if self._store is None:
            return APP_TITLE
        name = self._store.path.name if self._store.path else "in memory"
        return f"{APP_TITLE} — {name}"

    def open(self, store: Store) -> None:
        """Make `store` the open project (close the previous one first)."""
        if self._store is not None:
            raise RuntimeError("close the open project before opening another")
        self._store = store
        self._editor = Editor(store, self.annotator)
        self.article = None
        self.labels = {label.name: label for label in store.labels()}
        self._settled = False
        self.project_opened.emit()

    def settle(self) -> None:
        """Let the features finish with the project (background work, the closing backup);
        the store stays open for its owner. Said once per opened project."""
        if self._store is None or self._settled:
            return
        self._settled = True
        self.project_closing.emit()

    def close(self) -> None:
        """Settle, then close the store (every edit is already committed; the lock goes)."""
        if self._store is None:
            return
        self.settle()
        store, self._store, self._editor = self._store, None, None
        self.article = None
        self.labels = {}
        try:
            store.close()
        finally:
            self.project_closed.emit()

    # ------------------------------------------------------------------ shared state

    def reload_labels(self) -> None:
        """Re-read the project's labels (after a schema change, an import, an undo...)."""
        self.labels = {label.name: label for label in self.store.labels()}
        self.labels_changed.emit()

    def set_annotator(self, name: str) -> None:
        """Annotate as `name` from now on (in this project and the next one opened)."""
        if self._store is not None and not self._store.read_only:
            self._store.ensure_annotator(name)  # a read-only window reads as anyone
        self.annotator = name
        if self._editor is not None:
            self._editor.switch_annotator(name)
        self.annotator_changed.emit(name)

    def clear_history(self) -> None:
        """Forget the undo steps (the project changed under them: a merge, a restore...)."""
        self.editor.clear_history()
        self.history_changed.emit()
