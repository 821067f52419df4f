"""The window's edit commands: label, relabel, delete, note, tags, status, undo and redo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QInputDialog

from desktop_app.core.model import SPAN, ArticleFilter, Status
from desktop_app.core.store import StoreError
from desktop_app.ui.window_parts import WindowParts


class EditActions(WindowParts):
    """Mixin for MainWindow: every edit goes through the core Editor and is committed first."""

    def _saved(self, message: str) -> None:
        # Only called after the store has committed: "saved" is never a promise.
        if _depends_on_annotations(self.table_model.article_filter):
            self.reload_list()  # the edit may have moved the article in or out of the list
        else:
            self.table_model.refresh_rows()
        self._update_undo_actions()
        self.statusBar().showMessage(f"Saved: {message}", 5000)

    def _warn(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    @contextmanager
    def _edit(self) -> Iterator[None]:
        """Run an edit; if the store refuses it, say so and show what is really stored."""
        try:
            yield
        except StoreError as error:
            self._warn(f"Not saved: {error}")
            self.show_annotations()
            self._update_undo_actions()

    def apply_label(self, name: str) -> None:
        """Label the selected text (or relabel the selected span) with `name`."""
        if self.article is None:
            return self._warn("Open an article first.")
        selection = self.view.selected_range()
        if selection is None:
            if self.view.selected_span():
                span_uuid = self._own_selected_span()
                return self.relabel_span(span_uuid, name) if span_uuid else None
            return self._warn("Select some text first, then press the label's key.")
        start, end = _trim(self.article.text, *selection)
        if start >= end:
            return self._warn("The selection is only white space.")
        with self._edit():
            span = self.editor.add_span(self.article.id, start, end, name)
            self.view.set_selected_span(span.uuid)
            self.show_annotations()
            self.view.select_range(end, end)
            self._saved(f"{name} “{_clip(span.quote)}”")

    def _own_selected_span(self) -> str | None:
        span_uuid = self.view.selected_span()
        if not span_uuid:
            self._warn("Click a span first.")
            return None
        span = self.store.span(span_uuid)
        if span.annotator != self.editor.annotator:
            self._warn(f"That span is {span.annotator}'s; switch annotator to change it.")
            return None
        return span_uuid

    def relabel_span(self, span_uuid: str, name: str) -> None:
        """Give a span another label."""
        with self._edit():
            span = self.editor.relabel_span(span_uuid, name)
            self.show_annotations()
            self._saved(f"relabelled “{_clip(span.quote)}” as {name}")

    def delete_selected_span(self) -> None:
        """Delete the selected span (Delete key)."""
        span_uuid = self._own_selected_span()
        if span_uuid:
            with self._edit():
                span = self.editor.delete_span(span_uuid)
                self.view.set_selected_span(None)
                self.show_annotations()
                self._saved(f"deleted {span.label} “{_clip(span.quote)}”")

    def relabel_selected_span(self) -> None:
        """Choose another label for the selected span."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        names = [n for n, lb in self.labels.items() if lb.kind == SPAN]
        current = self.store.span(span_uuid).label
        at = names.index(current) if current in names else 0
        name, ok = QInputDialog.getItem(self, "Relabel span", "Label:", names, at, False)
        if ok and name:
            self.relabel_span(span_uuid, name)

    def edit_selected_note(self) -> None:
        """Write or change the note on the selected span (F2)."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        span = self.store.span(span_uuid)
        note, ok = QInputDialog.getMultiLineText(
            self, "Span note", f"Note on “{_clip(span.quote)}”:", span.note
        )
        if ok:
            with self._edit():
                self.editor.set_span_note(span_uuid, note)
                self.show_annotations()
                self._saved(f"note on “{_clip(span.quote)}”")

    def toggle_tag(self, name: str, present: bool) -> None:
        """Put a document tag on the article or take it off."""
        if self.article is None:
            return
        with self._edit():
            changed = self.editor.set_tag(self.article.id, name, present)
            self.show_annotations()
            if changed:
                self._saved(f"{'tagged' if present else 'untagged'} {name}")

    def set_status(self, status: str) -> bool:
        """Set the current annotator's status on the article; False if it was not saved."""
        if self.article is None:
            return False
        with self._edit():
            self.editor.set_status(self.article.id, status)
            self.show_annotations()
            self._saved(f"marked {status}")
            return True
        return False

    def mark_done_and_next(self) -> None:
        """Mark the article done and move to the next one (Ctrl+Return)."""
        following = self.table_model.row_at(self.table.currentIndex().row() + 1)
        if not self.set_status(Status.DONE):
            return
        # By id, not by row: under a "todo" filter the done article has just left the list.
        row = self.table_model.row_of(following.id) if following else None
        if row is not None:
            self._select_row(row)

    def select_span(self, span_uuid: str) -> None:
        """A span was clicked in the text: select it in the list too."""
        self.view.set_selected_span(span_uuid or None)
        self.annotation_list.select_span(span_uuid or None)

    def jump_to_span(self, span_uuid: str) -> None:
        """A span was chosen in the annotation list: show it in the text."""
        self.view.set_selected_span(span_uuid)
        self.view.scroll_to_span(span_uuid)

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(self.editor.can_undo())
        self.redo_action.setEnabled(self.editor.can_redo())
        self.undo_action.setText(f"&Undo {self.editor.undo_text()}".rstrip())
        self.redo_action.setText(f"&Redo {self.editor.redo_text()}".rstrip())

    def _after_history(self, article_id: int | None, verb: str) -> None:
        if article_id is None:
            return
        if {label.name for label in self.store.labels()} != set(self.labels):
            self.reload_labels()  # a deleted label came back, or went again
        if self.article is None or self.article.id != article_id:
            row = self.table_model.row_of(article_id)
            if row is not None:
                self._select_row(row)
            else:
                self.show_article(article_id)
        self.show_annotations()
        self._saved(verb)

    def undo(self) -> None:
        """Take back the last edit, on whichever article it was."""
        what = self.editor.undo_text()
        with self._edit():
            self._after_history(self.editor.undo(), f"undid {what}")

    def redo(self) -> None:
        """Do the last undone edit again."""
        what = self.editor.redo_text()
        with self._edit():
            self._after_history(self.editor.redo(), f"redid {what}")


def _depends_on_annotations(flt: ArticleFilter) -> bool:
    """Whether an edit can change which articles this filter shows."""
    return bool(flt.tag or flt.label or flt.annotator or flt.status)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at the edges of a selection (double-click often takes a space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
