"""Labels: the palette and the label keys, label dialogs, schema files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.core.model import DOCUMENT, SPAN, Label
from desktop_app.core.schema import SchemaError, load_schema, next_free_color, validate_labels
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

    def load_schema(self, path: Path) -> bool:
        """Load a schema file into the project; errors name the file, line and key."""
        try:
            kept = self.store.apply_schema(load_schema(path))
        except (SchemaError, StoreError) as error:
            QMessageBox.warning(self.shell.window, "Label schema", literal(str(error)))
            return False
        self._labels_replaced()
        self.context.reload_labels()
        message = f"Loaded label schema {path.name}"
        if kept:
            message += f"; kept {', '.join(kept)} (still used by annotations)"
        self.shell.say(message, 8000)
        return True
