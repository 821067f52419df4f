"""The window's label commands: the palette and key actions, label dialogs, schema files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from desktop_app.core.model import DOCUMENT, SPAN, Label
from desktop_app.core.schema import SchemaError, load_schema, next_free_color, validate_labels
from desktop_app.core.store import StoreError
from desktop_app.ui.dialogs import LabelDialog
from desktop_app.ui.plain import literal
from desktop_app.ui.window_parts import WindowParts


class LabelActions(WindowParts):
    """Mixin for MainWindow: labels in the palette, their keys, and changing them."""

    def reload_labels(self) -> None:
        """Re-read the project's labels into the palette, tag panel, filters and key actions."""
        labels = self.store.labels()
        self.labels = {label.name: label for label in labels}
        self.label_palette.set_labels([label for label in labels if label.kind == SPAN])
        self.tag_panel.set_labels([label for label in labels if label.kind == DOCUMENT])
        for action in self.label_actions:
            self.removeAction(action)
            self._menus["&Labels"].removeAction(action)
        self.label_actions = []
        for label in labels:
            verb = "Label" if label.kind == SPAN else "Toggle tag"
            action = QAction(f"{verb} {label.name}", self)
            if label.key:
                action.setShortcut(QKeySequence(label.key))
            action.triggered.connect(lambda _=False, lb=label: self.use_label(lb))
            self.addAction(action)  # window-wide, so the key works wherever focus is
            self._menus["&Labels"].addAction(action)
            self.label_actions.append(action)
        self.refresh_filter_choices()
        self.show_annotations()

    def refresh_filter_choices(self) -> None:
        """Offer the current tags, labels and annotators in the filters."""
        self.filter_bar.set_choices(
            [n for n, lb in self.labels.items() if lb.kind == DOCUMENT],
            [n for n, lb in self.labels.items() if lb.kind == SPAN],
            self.store.annotators(),
        )

    def use_label(self, label: Label) -> None:
        """A label's key or menu entry: label the selection, or toggle the tag."""
        if label.kind == SPAN:
            self.apply_label(label.name)
        elif self.article is not None:
            box = self.tag_panel.boxes.get(label.name)
            self.toggle_tag(label.name, not (box.isChecked() if box else False))

    def _check_label(self, label: Label, old_name: str | None) -> None:
        others = [lb for name, lb in self.labels.items() if name != (old_name or label.name)]
        validate_labels([*others, label], "label")

    def add_label_dialog(self) -> None:
        """Add a span label or document tag to the project."""
        dialog = LabelDialog(
            lambda lb: self._check_label(lb, None),
            default_color=next_free_color(lb.color for lb in self.labels.values()),
            parent=self,
        )
        if dialog.exec() and dialog.result_label:
            if dialog.result_label.name in self.labels:
                QMessageBox.warning(self, "Add label", "A label with that name exists.")
                return
            try:
                self.store.save_label(dialog.result_label)
            except StoreError as error:
                self._warn(f"Not saved: {error}")
                return
            self.reload_labels()
            self.statusBar().showMessage(f"Added label {dialog.result_label.name}", 6000)

    def edit_label_dialog(self) -> None:
        """Edit a label chosen from the list (renaming carries over to its annotations)."""
        names = list(self.labels)
        name, ok = QInputDialog.getItem(self, "Edit label", "Label:", names, 0, False)
        if not ok or name not in self.labels:
            return
        dialog = LabelDialog(lambda lb: self._check_label(lb, name), self.labels[name], parent=self)
        if dialog.exec() and dialog.result_label:
            try:
                self.store.save_label(dialog.result_label, old_name=name)
            except StoreError as error:
                QMessageBox.warning(self, "Edit label", literal(str(error)))
                return
            if dialog.result_label.name != name:
                self._labels_replaced()
            self.reload_labels()

    def _labels_replaced(self) -> None:
        # Undo steps name labels; after a rename or a new schema they may name none.
        self.editor.clear_history()
        self._update_undo_actions()

    def load_schema_dialog(self) -> None:
        """Replace the project's labels with a YAML schema file's."""
        path, _ = QFileDialog.getOpenFileName(self, "Load label schema", "", "YAML (*.yaml *.yml)")
        if path:
            self.load_schema(Path(path))

    def load_schema(self, path: Path) -> bool:
        """Load a schema file into the project; errors name the file, line and key."""
        try:
            kept = self.store.apply_schema(load_schema(path))
        except (SchemaError, StoreError) as error:
            QMessageBox.warning(self, "Label schema", literal(str(error)))
            return False
        self._labels_replaced()
        self.reload_labels()
        message = f"Loaded label schema {path.name}"
        if kept:
            message += f"; kept {', '.join(kept)} (still used by annotations)"
        self.statusBar().showMessage(message, 8000)
        return True
