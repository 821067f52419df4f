"""Editing: label, relabel, delete, note, tags, status, undo and redo."""

from __future__ import annotations

from functools import partial

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog

from desktop_app.core.model import SPAN, Label, Status
from desktop_app.core.words import move_edge
from desktop_app.ui.article_table import LAST_ARTICLE
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.note_editor import edit_note
from desktop_app.ui.ports import Navigator
from desktop_app.ui.shell import Shell

# Moving a span's edges: (menu text, edge, step, by word, key). With Alt always held, Shift
# means the end and Ctrl the start; Ctrl+Shift moves the end and Alt alone the start by a word
# (the four combinations Alt allows; none is taken by the text's own keys).
ADJUSTS = (
    ("Span &end one character left", "end", -1, False, "Shift+Alt+Left"),
    ("Span end one character right", "end", 1, False, "Shift+Alt+Right"),
    ("Span end one word left", "end", -1, True, "Ctrl+Shift+Alt+Left"),
    ("Span end one word right", "end", 1, True, "Ctrl+Shift+Alt+Right"),
    ("Span &start one character left", "start", -1, False, "Ctrl+Alt+Left"),
    ("Span start one character right", "start", 1, False, "Ctrl+Alt+Right"),
    ("Span start one word left", "start", -1, True, "Alt+Left"),
    ("Span start one word right", "start", 1, True, "Alt+Right"),
)


class EditController(Controller):
    """Every edit goes through the core Editor and is committed before it is shown as saved."""

    def __init__(self, context: ProjectContext, shell: Shell, navigator: Navigator) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        a = self._action
        self.undo_action = a("&Edit", "&Undo", self.undo, "Ctrl+Z")
        self.redo_action = a("&Edit", "&Redo", self.redo, "Ctrl+Shift+Z")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._separator("&Edit")
        self.delete_action = a("&Edit", "&Delete span", self.delete_selected_span, "Delete")
        a("&Edit", "Re&label span…", self.relabel_selected_span, "Ctrl+L")
        note = a("&Edit", "Span &note…", self.edit_selected_note, "F2")
        self._separator("&Edit")
        adjusts = [
            a("&Edit", text, partial(self.adjust_selected_span, edge, step, by_word), key)
            for text, edge, step, by_word, key in ADJUSTS
        ]
        relabel = next(x for m, x in self._entries if x and x.text().startswith("Re&label"))
        # The right-click menu on a span: the same actions, so keys and menus never disagree.
        shell.view.span_menu_actions = [relabel, note, None, *adjusts, None, self.delete_action]
        a("&Article", "Mark &done and next", self.mark_done_and_next, "Ctrl+Return")
        a("&Article", "Mark &in progress", lambda: self.set_status(Status.IN_PROGRESS))
        a("&Article", "Mark &todo", lambda: self.set_status(Status.TODO))
        shell.view.spanClicked.connect(self.select_span)
        shell.view.spanEdgeDragged.connect(self.adjust_span_to)
        shell.annotation_list.spanActivated.connect(self.jump_to_span)
        shell.label_palette.labelChosen.connect(self.apply_label)
        shell.tag_panel.tagToggled.connect(self.toggle_tag)
        for signal in (
            context.project_opened,
            context.project_closed,
            context.history_changed,
            context.annotator_changed,
        ):
            signal.connect(self._update_undo_actions)

    def _saved(self, message: str) -> None:
        # Only called after the store has committed: "saved" is never a promise.
        self.navigator.list_after_edit()  # the edit may move the article in or out of the list
        self._update_undo_actions()
        self.shell.say(f"Saved: {message}", 5000)

    def use_label(self, label: Label) -> None:
        """A label's key or menu entry: label the selection, or toggle the tag."""
        if label.kind == SPAN:
            self.apply_label(label.name)
        elif self.article is not None:
            box = self.shell.tag_panel.boxes.get(label.name)
            self.toggle_tag(label.name, not (box.isChecked() if box else False))

    def apply_label(self, name: str) -> None:
        """Label the selected text (or relabel the selected span) with `name`."""
        if self.article is None:
            return self._warn("Open an article first.")
        selection = self.shell.view.selected_range()
        if selection is None:
            if self.shell.view.selected_span():
                span_uuid = self._own_selected_span()
                return self.relabel_span(span_uuid, name) if span_uuid else None
            return self._warn("Select some text first, then press the label's key.")
        start, end = _trim(self.article.text, *selection)
        if start >= end:
            return self._warn("The selection is only white space.")
        with self._edit():
            span = self.editor.add_span(self.article.id, start, end, name)
            self.shell.view.set_selected_span(span.uuid)
            self.context.annotations_changed.emit()
            self.shell.view.select_range(end, end)
            self._saved(f"{name} “{_clip(span.quote)}”")

    def _own_selected_span(self) -> str | None:
        span_uuid = self.shell.view.selected_span()
        if not span_uuid:
            self._warn("Click a span first.")
            return None
        span = self.store.span(span_uuid)
        if span.annotator != self.context.annotator:
            self._warn(f"That span is {span.annotator}'s; switch annotator to change it.")
            return None
        return span_uuid

    def relabel_span(self, span_uuid: str, name: str) -> None:
        """Give a span another label."""
        with self._edit():
            span = self.editor.relabel_span(span_uuid, name)
            self.context.annotations_changed.emit()
            self._saved(f"relabelled “{_clip(span.quote)}” as {name}")

    def delete_selected_span(self) -> None:
        """Delete the selected span (Delete key)."""
        span_uuid = self._own_selected_span()
        if span_uuid:
            with self._edit():
                span = self.editor.delete_span(span_uuid)
                self.shell.view.set_selected_span(None)
                self.context.annotations_changed.emit()
                self._saved(f"deleted {span.label} “{_clip(span.quote)}”")

    def relabel_selected_span(self) -> None:
        """Choose another label for the selected span."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        names = [n for n, lb in self.context.labels.items() if lb.kind == SPAN]
        current = self.store.span(span_uuid).label
        at = names.index(current) if current in names else 0
        name, ok = QInputDialog.getItem(
            self.shell.window, "Relabel span", "Label:", names, at, False
        )
        if ok and name:
            self.relabel_span(span_uuid, name)

    def edit_selected_note(self) -> None:
        """Write or change the note on the selected span (F2)."""
        span_uuid = self._own_selected_span()
        if not span_uuid:
            return
        span = self.store.span(span_uuid)
        note = edit_note(self.shell.window, f"Note on “{_clip(span.quote)}”:", span.note)
        if note is not None:
            with self._edit():
                self.editor.set_span_note(span_uuid, note)
                self.context.annotations_changed.emit()
                self._saved(f"note on “{_clip(span.quote)}”")

    def adjust_selected_span(self, edge: str, step: int, by_word: bool) -> None:
        """Move the selected span's start or end by a character or a word, as one edit."""
        span_uuid = self._own_selected_span()
        if not span_uuid or self.article is None:
            return
        span = self.store.span(span_uuid)
        if span.fragments:
            return self._warn("A discontinuous span's edges cannot be moved; redo it instead.")
        moved = move_edge(self.article.text, span.start, span.end, edge, step, by_word)
        if moved is None:
            return self._warn(f"The span's {edge} cannot move further that way.")
        self.adjust_span_to(span_uuid, *moved)

    def adjust_span_to(self, span_uuid: str, start: int, end: int) -> None:
        """Give the span new edges (a dragged edge, or a key), as one undoable edit."""
        if self.article is None or span_uuid != self._own_selected_span():
            return
        span = self.store.span(span_uuid)
        text = self.article.text
        with self._edit():
            new = self.editor.adjust_span(span_uuid, start, end)
            if new.quote != text[new.start : new.end]:  # never expected: the store cuts quotes
                self._warn(f"Span {new.uuid}: its quote does not match the text.")
            self.context.annotations_changed.emit()
            self.select_span(new.uuid)
            self._saved(f"{span.label} “{_clip(new.quote)}”")

    def toggle_tag(self, name: str, present: bool) -> None:
        """Put a document tag on the article or take it off."""
        if self.article is None:
            return
        with self._edit():
            changed = self.editor.set_tag(self.article.id, name, present)
            self.context.annotations_changed.emit()
            if changed:
                self._saved(f"{'tagged' if present else 'untagged'} {name}")

    def set_status(self, status: str) -> bool:
        """Set the current annotator's status on the article; False if it was not saved."""
        if self.article is None:
            return False
        with self._edit():
            self.editor.set_status(self.article.id, status)
            self.context.annotations_changed.emit()
            self._saved(f"marked {status}")
            return True
        return False

    def mark_done_and_next(self) -> None:
        """Mark the article done and move to the next one (Ctrl+Return)."""
        following = self.navigator.article_after()
        if not self.set_status(Status.DONE):
            return
        if following is None:
            self.shell.say(f"Marked done. {LAST_ARTICLE}", 8000)
            return
        # By id, not by row: under a "todo" filter the done article has just left the list.
        row = self.shell.table_model.row_of(following)
        if row is not None:
            self.navigator.select_row(row)

    def select_span(self, span_uuid: str) -> None:
        """A span was clicked in the text: select it in the list too."""
        self.shell.view.set_selected_span(span_uuid or None)
        self.shell.annotation_list.select_span(span_uuid or None)

    def jump_to_span(self, span_uuid: str) -> None:
        """A span was chosen in the annotation list: show it in the text."""
        self.shell.view.set_selected_span(span_uuid)
        self.shell.view.scroll_to_span(span_uuid)

    def _update_undo_actions(self) -> None:
        if not self.context.is_open:
            self.undo_action.setText("&Undo")
            self.redo_action.setText("&Redo")
            return  # disabled with the other project actions
        self.undo_action.setEnabled(self.editor.can_undo())
        self.redo_action.setEnabled(self.editor.can_redo())
        self.undo_action.setText(f"&Undo {self.editor.undo_text()}".rstrip())
        self.redo_action.setText(f"&Redo {self.editor.redo_text()}".rstrip())

    def _after_history(self, article_id: int | None, verb: str) -> None:
        if article_id is None:
            return
        if {label.name for label in self.store.labels()} != set(self.context.labels):
            self.context.reload_labels()  # a deleted label came back, or went again
        if self.editor.articles_changed:  # articles were deleted or came back
            self.navigator.show_article(None)
            self.navigator.reload_list()
        if article_id and (self.article is None or self.article.id != article_id):
            self.navigator.open_article(article_id)
        self.context.annotations_changed.emit()
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
