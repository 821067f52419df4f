"""Article > Annotate all matches…: the selected span's (or text's) every match, previewed and
applied as one undoable step."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from desktop_app.core.model import ArticleFilter
from desktop_app.core.suggest.annotate_all import Found, Scope, apply_found, find_all, make_matcher
from desktop_app.ui.annotate_all_dialog import AnnotateAllDialog
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell


class AnnotateAllController(Controller):
    """Opens the preview on the selection and applies what the analyst ticks."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self._separator("&Article")
        self.action = self._action(
            "&Article", "Annotate all &matches…", self.open_dialog, "Ctrl+Shift+A"
        )
        self.dialog: AnnotateAllDialog | None = None  # the open preview, for tests

    def _start(self) -> tuple[str, str]:
        """The text and label to start from: the selected span's, else the selected text."""
        article, view = self.article, self.shell.view
        if article is None:
            return "", ""
        span_uuid = view.selected_span()
        if span_uuid:
            span = self.store.span(span_uuid)
            return span.quote, span.label
        selection = view.selected_range()
        text = article.text[selection[0] : selection[1]] if selection else ""
        labels = self._labels()  # the label is chosen in the dialog; the first to start with
        return text.strip(), labels[0] if labels else ""

    def _labels(self) -> list[str]:
        return [label.name for label in self.store.labels("span")]

    def _search(
        self, text: str, label: str, case: bool, whole: bool, regex: bool, scope: str
    ) -> list[Found]:
        matcher = make_matcher(text, label, case=case, whole_word=whole, regex=regex)
        if scope == "article":
            chosen = Scope(article_id=self.article.id if self.article else -1)
        elif scope == "filter":
            chosen = Scope(self.shell.table_model.article_filter)
        else:
            chosen = Scope(ArticleFilter(), not_done=scope == "not_done")
        if chosen.article_id == -1:
            return []
        return find_all(self.store, matcher, chosen, self.editor.annotator)

    def open_dialog(self) -> None:
        """Open the preview on the selection; Apply creates the ticked spans in one step."""
        text, label = self._start()
        if not text:
            self._warn("Annotate all matches: select a span, or some text, first")
            return
        dialog = AnnotateAllDialog(text, label, self._labels(), self._search, self.shell.window)
        self.dialog = dialog
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            chosen = dialog.chosen()
            with self._edit():
                made = apply_found(self.editor, chosen)
                articles = len({span.article_id for span in made})
                self.shell.say(f"Annotated {len(made)} matches in {articles} articles", 6000)
        finally:
            self.dialog = None
        self.context.annotations_changed.emit()
        self.context.history_changed.emit()
