"""Labels: the palette and the label keys, label dialogs, schema files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.core.model import DOCUMENT, SPAN, Label
from desktop_app.core.schema import (
    SchemaError,
    load_schema,
    next_free_color,
    schema_to_yaml,
    validate_labels,
)
from desktop_app.core.schema_changes import (
    MERGE,
    REPLACE,
    SchemaChanges,
    merged_schema,
    schema_changes,
)
from desktop_app.core.store import StoreError
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.dialogs import LabelDialog
from desktop_app.ui.plain import literal
from desktop_app.ui.shell import Shell

LABELS_MENU = "&Labels"


class LabelController(Controller):
    """The project's labels in the palette, the tag panel and as key actions; changing them.

    What a label's key does to the text is editing's business: the window connects labelUsed.
    """

    labelUsed = Signal(object)  # the Label whose key or menu entry was used

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.label_actions: list[QAction] = []
        self._keys_separator: QAction | None = None
        self._action(LABELS_MENU, "&Add label…", self.add_label_dialog)
        self._action(LABELS_MENU, "&Edit label…", self.edit_label_dialog)
        self._action(LABELS_MENU, "&Load schema…", self.load_schema_dialog)
        self._action(LABELS_MENU, "&Save schema as…", self.save_schema_dialog)
        context.project_opened.connect(self._show_labels)
        context.labels_changed.connect(self._show_labels)
        context.project_closed.connect(self._show_labels)

    def _show_labels(self) -> None:
        """Put the context's labels into the palette, the tag panel and the key actions."""
        labels = list(self.context.labels.values())
        self.shell.label_palette.set_labels([label for label in labels if label.kind == SPAN])
        tags = [label for label in labels if label.kind == DOCUMENT]
        exclusive = self.store.exclusive_groups() if self.context.is_open else set()
        self.shell.tag_panel.set_labels(tags, exclusive)
        menu, window = self.menus[LABELS_MENU], self.shell.window
        for action in self.label_actions:
            window.removeAction(action)
            menu.removeAction(action)
            action.deleteLater()
        if self._keys_separator is None:  # after every other feature's entries in the menu
            self._keys_separator = menu.addSeparator()
        self.label_actions = []
        for label in labels:
            verb = "Label" if label.kind == SPAN else "Toggle tag"
            action = QAction(f"{verb} {label.name}", self)
            if label.key:
                action.setShortcut(QKeySequence(label.key))
            action.triggered.connect(lambda _=False, lb=label: self.labelUsed.emit(lb))
            window.addAction(action)  # window-wide, so the key works wherever focus is
            menu.addAction(action)
            self.label_actions.append(action)

    def _check_label(self, label: Label, old_name: str | None) -> None:
        kept = old_name or label.name
        others = [lb for name, lb in self.context.labels.items() if name != kept]
        validate_labels([*others, label], "label")

    def add_label_dialog(self) -> None:
        """Add a span label or document tag to the project."""
        dialog = LabelDialog(
            lambda lb: self._check_label(lb, None),
            default_color=next_free_color(lb.color for lb in self.context.labels.values()),
            parent=self.shell.window,
        )
        if dialog.exec() and dialog.result_label:
            if dialog.result_label.name in self.context.labels:
                QMessageBox.warning(
                    self.shell.window, "Add label", "A label with that name exists."
                )
                return
            try:
                self.store.save_label(dialog.result_label)
            except StoreError as error:
                self._warn(f"Not saved: {error}")
                return
            self.context.reload_labels()
            self.shell.say(f"Added label {dialog.result_label.name}", 6000)

    def edit_label_dialog(self) -> None:
        """Edit a label chosen from the list (renaming carries over to its annotations)."""
        labels = self.context.labels
        names = list(labels)
        name, ok = QInputDialog.getItem(self.shell.window, "Edit label", "Label:", names, 0, False)
        if not ok or name not in labels:
            return
        dialog = LabelDialog(
            lambda lb: self._check_label(lb, name), labels[name], parent=self.shell.window
        )
        if dialog.exec() and dialog.result_label:
            try:
                self.store.save_label(dialog.result_label, old_name=name)
            except StoreError as error:
                QMessageBox.warning(self.shell.window, "Edit label", literal(str(error)))
                return
            if dialog.result_label.name != name:
                self._labels_replaced()
            self.context.reload_labels()

    def _labels_replaced(self) -> None:
        # Undo steps name labels; after a rename or a new schema they may name none.
        self.context.clear_history()

    def load_schema_dialog(self) -> None:
        """Replace the project's labels with a YAML schema file's."""
        path = self.shell.dialogs.open_file(
            self.shell.window, "Load label schema", "YAML (*.yaml *.yml)"
        )
        if path:
            self.load_schema(Path(path))

    def save_schema_dialog(self) -> None:
        """Write the project's labels to a YAML schema file (Load schema reads it back)."""
        name = f"{self.store.setting('schema_name') or 'labels'}.yaml"
        path, _ = self.shell.dialogs.save_file(
            self.shell.window, "Save label schema", name, "YAML (*.yaml *.yml)"
        )
        if path:
            self.save_schema(Path(path))

    def save_schema(self, path: Path) -> bool:
        """Write the project's labels, keys, colours, groups and descriptions to `path`."""
        try:
            path.write_text(schema_to_yaml(self.store.schema()), encoding="utf-8")
        except OSError as error:
            self._warn(f"The schema was not saved to {path}: {error.strerror or error}")
            return False
        self.shell.say(f"Saved the label schema to {path}", 8000)
        return True

    def load_schema(self, path: Path) -> bool:
        """Show what a schema file would change, then merge it, replace with it, or not."""
        try:
            incoming = load_schema(path)
        except SchemaError as error:
            QMessageBox.warning(self.shell.window, "Label schema", literal(str(error)))
            return False
        current = self.store.schema()
        if current.labels:
            how = self.ask_merge_or_replace(
                path, schema_changes(current, incoming, self.store.annotation_counts())
            )
            if how is None:
                self.shell.say("Label schema not loaded", 5000)
                return False
            if how == MERGE:
                incoming = merged_schema(current, incoming)
        try:
            kept = self.store.apply_schema(incoming)
        except StoreError as error:
            QMessageBox.warning(self.shell.window, "Label schema", literal(str(error)))
            return False
        self._labels_replaced()
        self.context.reload_labels()
        message = f"Loaded label schema {path.name}"
        if kept:
            message += f"; kept {', '.join(kept)} (still used by annotations)"
        self.shell.say(message, 8000)
        return True

    def ask_merge_or_replace(self, path: Path, changes: SchemaChanges) -> str | None:
        """Ask Merge, Replace or Cancel, showing what each would change; MERGE, REPLACE or None."""
        box = QMessageBox(self.shell.window)
        box.setWindowTitle("Load label schema")
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        merge_lines = "\n".join(f"  {line}" for line in changes.lines(MERGE))
        replace_lines = "\n".join(f"  {line}" for line in changes.lines(REPLACE))
        box.setText(
            f"Load the labels of {path.name}?\n\n"
            f"Merge: add the file's labels and update those it shares with the project; "
            f"keep every other label.\n{merge_lines}\n\n"
            f"Replace: the project's labels become the file's; labels it lacks are removed "
            f"unless annotations use them.\n{replace_lines}"
        )
        merge = box.addButton("&Merge", QMessageBox.ButtonRole.AcceptRole)
        replace = box.addButton("&Replace", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(merge)
        box.exec()
        clicked = box.clickedButton()
        return MERGE if clicked is merge else REPLACE if clicked is replace else None
