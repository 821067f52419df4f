"""Article > Sync and merge history…: what syncs and merges replaced, in the window (the
command line's `marginalia history`, with merges too)."""

from __future__ import annotations

from desktop_app.core.replaced import ReplacedVersion
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.history_dialog import ReplacedDialog
from desktop_app.ui.shell import Shell


class HistoryController(Controller):
    """Opens the history beside the window; it follows the open article and every sync."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.action = self._action("&Article", "&Sync and merge history…", self.open_dialog)
        self.dialog: ReplacedDialog | None = None  # while it is open
        context.article_shown.connect(self._follow)
        context.annotations_changed.connect(self._follow)  # a sync or a merge wrote
        context.labels_changed.connect(self._follow)  # the label schema's losers
        context.project_closing.connect(self._close)

    def open_dialog(self) -> None:
        """Show the history of the open article (the whole project's when none is open)."""
        if not self.context.is_open:
            return
        if self.dialog is None:
            self.dialog = ReplacedDialog(self._load, self.shell.window)
            self.dialog.finished.connect(self._closed)
        self._follow()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _load(self, whole_project: bool) -> list[ReplacedVersion]:
        article = self.article
        if whole_project or article is None:
            return self.store.replaced_versions()
        return self.store.replaced_versions(article.uid)

    def _follow(self) -> None:
        if self.dialog is not None and self.context.is_open:
            article = self.article
            self.dialog.set_article(article.title or article.uid if article else None)

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
