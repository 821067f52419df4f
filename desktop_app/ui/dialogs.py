"""Small dialogs: add or edit a label, choose the annotator."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop_app.core.importers import FieldMapping
from desktop_app.core.model import DOCUMENT, SPAN, Label
from desktop_app.ui.plain import plain_label

IMPORT_FORMATS = (("Decide by extension", "auto"), ("Text files", "txt"), ("JSONL", "jsonl"),
                  ("CSV / TSV", "csv"), ("Label Studio JSON", "labelstudio"),
                  ("CoNLL (BIO2 or IOB1)", "conll"))  # fmt: skip


class LabelDialog(QDialog):
    """Edit one label's name, kind, colour, key, group and description.

    `check` validates the label against the rest of the project (it raises ValueError with
    a readable message); the dialog stays open and shows the message until it passes.
    """

    def __init__(
        self,
        check: Callable[[Label], None],
        label: Label | None = None,
        default_color: str = "#cccccc",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit label" if label else "Add label")
        self._check = check
        self.result_label: Label | None = None
        self.name = QLineEdit(label.name if label else "")
        self.kind = QComboBox()
        self.kind.addItem("Span label", SPAN)
        self.kind.addItem("Document tag", DOCUMENT)
        self.kind.setCurrentIndex(self.kind.findData(label.kind if label else SPAN))
        self.kind.setEnabled(label is None)  # existing annotations depend on the kind
        self._color = label.color if label else default_color
        self.color = QPushButton()
        self.color.clicked.connect(self._pick_color)
        self._paint_color()
        self.key = QKeySequenceEdit()
        if label and label.key:
            self.key.setKeySequence(label.key)
        self.key.setMaximumSequenceLength(1)
        self.group = QLineEdit(label.group if label else "")
        self.description = QLineEdit(label.description if label else "")
        self.error = plain_label()  # reasons quote YAML and names: never markup
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("Colour", self.color)
        form.addRow("Key", self.key)
        form.addRow("Group", self.group)
        form.addRow("Description", self.description)
        form.addRow(self.error)
        form.addRow(buttons)

    def _paint_color(self) -> None:
        self.color.setText(self._color)
        self.color.setStyleSheet(f"background: {self._color}")

    def _pick_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, "Label colour")
        if chosen.isValid():
            self._color = chosen.name()
            self._paint_color()

    def label(self) -> Label:
        """The label as the form describes it."""
        return Label(
            name=self.name.text().strip(),
            kind=self.kind.currentData(),
            color=self._color,
            key=self.key.keySequence().toString(),
            group=self.group.text().strip(),
            description=self.description.text().strip(),
        )

    def _accept(self) -> None:
        label = self.label()
        try:
            self._check(label)
        except ValueError as error:
            self.error.setText(str(error))
            return
        self.result_label = label
        self.accept()


def choose_annotator_names(known: Sequence[str], current: str) -> list[str]:
    """The names offered when switching annotator: the current one first."""
    return [current, *[name for name in known if name != current]]


class ImportOptionsDialog(QDialog):
    """The format and the JSONL/CSV field mapping for an import (defaults need no changes)."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import options")
        self.format = QComboBox()
        for text, value in IMPORT_FORMATS:
            self.format.addItem(text, value)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        form.addRow(QLabel(f"{count} file(s) or folder(s) chosen."))
        form.addRow("Format", self.format)
        defaults = FieldMapping()
        for name in ("text", "title", "date", "id", "source", "url"):
            edit = QLineEdit(getattr(defaults, name))
            edit.setObjectName(f"field:{name}")
            self.fields[name] = edit
            form.addRow(f"{name.capitalize()} field", edit)
        self.annotator = QLineEdit()
        self.annotator.setPlaceholderText("annotations in the files are by (for native JSONL)")
        form.addRow("Annotator", self.annotator)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def mapping(self) -> FieldMapping:
        """The field mapping the form describes (blank fields keep their defaults)."""
        defaults = FieldMapping()
        return FieldMapping(
            **{
                name: edit.text().strip() or getattr(defaults, name)
                for name, edit in self.fields.items()
            }
        )

    def chosen_format(self) -> str:
        """auto, txt, jsonl or csv."""
        return str(self.format.currentData())
