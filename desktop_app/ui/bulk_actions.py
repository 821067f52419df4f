"""Bulk deletes: a label with all its uses, one's own annotations on an article.
Each says how many it will delete, asks first when that is more than a handful, and undoes
as one step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.core.plural import counted
from desktop_app.core.store.bulk import HANDFUL
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.plain import literal
from desktop_app.ui.ports import Navigator
from desktop_app.ui.shell import Shell


class BulkController(Controller):
    """Deletes of many annotations, asked about and undoable."""

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        navigator: Navigator,
        adjudicator: Callable[[], bool | None],
    ) -> None:
        """`adjudicator`: whether the team server said this user is one (None: not known)."""
        super().__init__(context, shell)
        self.navigator = navigator
        self._adjudicator = adjudicator
        self._action(
            "&Article", "Delete &my annotations on this article…", self.delete_own_annotations
        )
        self._action("&Article", "De&lete article…", self.delete_selected_articles)
        self._action("&Labels", "&Delete label…", self.delete_label_dialog)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self.shell.window,
            title,
            literal(text),  # label names come from files too: never markup
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,  # Enter must not delete by accident
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_label_dialog(self) -> None:
        """Labels > Delete label…: choose one, see what it would take with it, confirm."""
        names = [label.name for label in self.store.labels()]
        if not names:
            return self._warn("There are no labels to delete.")
        name, chosen = QInputDialog.getItem(
            self.shell.window, "Delete label", "Label:", names, 0, False
        )
        if chosen:
            self.delete_label(name)

    def delete_label(self, name: str) -> None:
        """Delete a label and every annotation with it, after saying how many and asking."""
        uses = self.store.label_uses(name)
        whose = "everyone's" if uses.size else "no"
        text = (
            f"Delete the label “{name}”?\n\nThis also deletes "
            f"{counted(len(uses.span_uuids), 'span')} and "
            f"{counted(len(uses.tag_uuids), 'document tag')} ({whose} annotations with it). "
            "Edit > Undo brings the label and all of them back."
        )
        if not self._confirm("Delete label", text):
            return
        shown = self.article.id if self.article else 0
        with self._edit():
            deletion = self.editor.delete_label(name, shown)
            self._bulk_done(f"deleted label {name} and {counted(deletion.size, 'annotation')}")

    def delete_own_annotations(self) -> None:
        """Article > Delete my annotations…: every span and tag of mine on this article."""
        if self.article is None:
            return self._warn("Open an article first.")
        uses = self.store.article_uses(self.article.id, self.context.annotator)
        if not uses.size:
            return self._warn("You have no annotations on this article.")
        if uses.size > HANDFUL and not self._confirm(
            "Delete annotations",
            f"Delete your {counted(len(uses.span_uuids), 'span')} and "
            f"{counted(len(uses.tag_uuids), 'document tag')} "
            "on this article? Edit > Undo brings them all back.",
        ):
            return
        with self._edit():
            deletion = self.editor.delete_own_annotations(self.article.id)
            self._bulk_done(f"deleted {deletion.size} of your annotations on this article")

    def selected_articles(self) -> list[int]:
        """The ids of the articles selected in the list (the open one when none is)."""
        model, table = self.shell.table_model, self.shell.table
        rows = sorted({index.row() for index in table.selectionModel().selectedRows()})
        ids = [row.id for r in rows if (row := model.row_at(r)) is not None]
        if not ids and self.article is not None:
            ids = [self.article.id]
        return ids

    def delete_selected_articles(self) -> None:
        """Article > Delete article…: the list's selected articles with all their annotations,
        after saying how many and asking; backed up first, Edit > Undo brings them back."""
        ids = self.selected_articles()
        if not ids:
            return self._warn("Select the articles to delete in the list first.")
        articles, annotations = self.store.article_deletion_size(ids)
        what = "this article" if articles == 1 else f"these {articles:,} articles"
        their = "its" if articles == 1 else "their"
        if not self._confirm(
            "Delete articles",
            f"Delete {what} and {their} {counted(annotations, 'annotation')} (everyone's)? "
            "The project is backed up first, and Edit > Undo brings them back."
            + self._team_reach(articles),
        ):
            return
        with self._edit():
            deletion = self.editor.delete_articles(ids)
            self.navigator.show_article(None)
            self._bulk_done(f"deleted {counted(len(deletion.article_ids), 'article')}")

    def _team_reach(self, articles: int) -> str:
        """What deleting does to the team's corpus, in a project that syncs ("" otherwise)."""
        if not self.store.sync_settings().url:
            return ""
        it = "it" if articles == 1 else "them"
        role = self._adjudicator()
        if role is None:  # no sync or test connection yet in this session
            return (
                "\n\nThis project syncs with a team server: an adjudicator's deletion also "
                f"removes {it} from the team's corpus, for everyone on their next sync; an "
                f"analyst's removes {it} from this project only."
            )
        if role:
            return (
                f"\n\nYou are an adjudicator: this also removes {it} from the team's corpus, "
                "for everyone on their next sync."
            )
        return (
            f"\n\nThis project syncs with a team server and you are not an adjudicator: this "
            f"removes {it} from this project only; an adjudicator removes articles from the "
            "team corpus."
        )

    def _bulk_done(self, message: str) -> None:
        self.context.reload_labels()
        self.context.annotations_changed.emit()
        self.navigator.reload_list()
        self.context.history_changed.emit()
        self.shell.say(f"Saved: {message}", 8000)
