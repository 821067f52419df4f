"""Where the analyst left each project: the article shown, the search, the filters and the
list's sort, remembered per user and per project file, and restored when it opens again."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from desktop_app.core.model import ArticleFilter
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.ports import Navigator
from desktop_app.ui.shell import Shell

SORT_COLUMNS = {"title": 0, "date": 1}  # the list's sortable columns (article_table.SORTABLE)
FIELDS = ("search", "tag", "label", "annotator", "status")


def state_group(path: Path) -> str:
    """The settings group of one project file (its resolved path, hashed: paths hold '/')."""
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:20]
    return f"project-state/{digest}"


class ProjectMemoryController(Controller):
    """Remembers the list's state as it changes, and puts it back when the project opens.

    Connected after the reading feature, so a project opens on its first article and then
    moves to where it was left.
    """

    def __init__(
        self, context: ProjectContext, shell: Shell, settings: QSettings, navigator: Navigator
    ) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self.navigator = navigator
        # Nothing is written down between a project opening and its state being put back:
        # the list's own first selection would overwrite what was remembered.
        self._restoring = True
        context.project_opened.connect(self.restore)
        context.article_shown.connect(self.remember)
        context.filter_changed.connect(self.remember)
        context.project_closing.connect(self.remember)
        context.project_closed.connect(self._closed)
        shell.table.horizontalHeader().sortIndicatorChanged.connect(self.remember)

    def _group(self) -> str | None:
        path = self.store.path if self.context.is_open else None
        return state_group(path) if path is not None else None

    def remember(self) -> None:
        """Write down the open article, the search, the filters and the sort."""
        group = self._group()
        if group is None or self._restoring:
            return
        flt = self.shell.filter_bar.current_filter()
        shown = self.shell.table_model.article_filter
        values = {
            "path": str(self.store.path),
            "article": self.article.uid if self.article is not None else "",
            **{name: getattr(flt, name) or "" for name in FIELDS},
            "sort": shown.sort,
            "descending": int(shown.descending),
        }
        for key, value in values.items():
            self.settings.setValue(f"{group}/{key}", value)

    def _closed(self) -> None:
        self._restoring = True

    def restore(self) -> None:
        """Put back what was remembered for this project (nothing remembered: nothing)."""
        group = self._group()
        if group is None or not self.settings.value(f"{group}/path"):
            self._restoring = False
            return
        saved = {key: str(self.settings.value(f"{group}/{key}", "") or "") for key in FIELDS}
        sort = str(self.settings.value(f"{group}/sort", "") or "")
        descending = str(self.settings.value(f"{group}/descending", "0")) == "1"
        uid = str(self.settings.value(f"{group}/article", "") or "")
        self._restoring = True
        try:
            if sort in SORT_COLUMNS:
                order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
                self.shell.table.sortByColumn(SORT_COLUMNS[sort], order)
            self.shell.filter_bar.show_filter(
                ArticleFilter(
                    search=saved["search"],
                    tag=saved["tag"] or None,
                    label=saved["label"] or None,
                    annotator=saved["annotator"] or None,
                    status=saved["status"] or None,
                )
            )
            self.shell.filter_bar.apply_now()
            article_id = self.store.article_id(uid) if uid else None
            if article_id is not None:
                self.navigator.open_article(article_id)
        finally:
            self._restoring = False
