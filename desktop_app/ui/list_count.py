"""The article count in a permanent status-bar field ("1 article", "3 of 120 articles"), which
no passing message overwrites."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop_app.core.model import ArticleFilter
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell


def count_text(shown: int, total: int | None = None) -> str:
    """ "1 article", "12,345 articles"; with a `total` (a filtered list) "3 of 120 articles"."""
    if total is None:
        return f"{shown:,} article{'' if shown == 1 else 's'}"
    return f"{shown:,} of {total:,} article{'' if total == 1 else 's'}"


def is_filtered(flt: ArticleFilter) -> bool:
    """Whether the list shows only some of the project's articles."""
    return bool(flt.search.strip() or flt.tag or flt.label or flt.annotator or flt.status)


class ArticleCountController(Controller):
    """Counts what the list shows each time it is reset (a filter, an import, a project)."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.label = QLabel()
        self.label.setObjectName("article_count")
        shell.window.statusBar().addPermanentWidget(self.label)
        shell.table_model.modelReset.connect(self.update_count)
        context.project_closed.connect(self.update_count)

    def update_count(self) -> None:
        """Show how many articles the list holds (of how many, when it is filtered)."""
        if not self.context.is_open:
            self.label.clear()
            return
        model = self.shell.table_model
        shown = model.rowCount()
        # The whole project is counted only for a filtered list (a count costs a query).
        total = self.store.article_total() if is_filtered(model.article_filter) else None
        self.label.setText(count_text(shown, total))
