"""The label palette (span labels with their keys) and the document tag checkboxes."""

from __future__ import annotations

from collections.abc import Collection, Container, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.model import Label
from desktop_app.core.schema import key_label
from desktop_app.ui.colors import text_color_for
from desktop_app.ui.plain import literal, plain_label


class LabelPalette(QGroupBox):
    """One button per span label; a click (or the label's key) labels the selected text."""

    labelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Span labels", parent)
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(3)
        self.buttons: dict[str, QPushButton] = {}
        self._hint = QLabel("Select text, then press a label's key or click it.")
        self._hint.setWordWrap(True)

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Show these span labels, in order, grouped as the schema groups them."""
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()  # type: ignore[union-attr]
            if widget is not None and widget is not self._hint:
                widget.deleteLater()
        self.buttons.clear()
        group = None
        for label in labels:
            if label.group and label.group != group:
                heading = plain_label(label.group, bold=True)
                self._layout.addWidget(heading)
            group = label.group
            key = f"   [{key_label(label.key)}]" if label.key else ""
            button = QPushButton(f"{label.name}{key}")
            button.setObjectName(f"label:{label.name}")
            button.setToolTip(literal(label.description or label.name))
            button.setStyleSheet(
                f"QPushButton {{ background: {label.color}; "
                f"color: {text_color_for(label.color).name()}; text-align: left; "
                "padding: 3px 8px; border: 1px solid #888; border-radius: 3px; }"
            )
            button.clicked.connect(lambda _=False, name=label.name: self.labelChosen.emit(name))
            self._layout.addWidget(button)
            self.buttons[label.name] = button
        self._layout.addWidget(self._hint)
        self._layout.addStretch(1)


class TagPanel(QGroupBox):
    """Document tags as checkboxes (radio buttons in an exclusive group): checked means the
    current annotator tagged the article."""

    tagToggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Document tags", parent)
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(2)
        self.boxes: dict[str, QAbstractButton] = {}

    def set_labels(self, labels: Sequence[Label], exclusive: Container[str] = ()) -> None:
        """Show a checkbox per document tag, grouped as the schema groups them; a group in
        `exclusive` gets radio buttons (the editor takes the other choice off)."""
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()  # type: ignore[union-attr]
            if widget is not None:
                widget.deleteLater()
        self.boxes.clear()
        group = None
        for label in labels:
            if label.group and label.group != group:
                one = " (one choice)" if label.group in exclusive else ""
                self._layout.addWidget(plain_label(label.group + one, bold=True))
            group = label.group
            key = f"   [{key_label(label.key)}]" if label.key else ""
            box: QAbstractButton
            if label.group and label.group in exclusive:
                box = QRadioButton(f"{label.name}{key}")
                # Not Qt's own exclusivity: a click on the chosen one takes it off (no
                # choice yet is allowed), and the store, not the widget, decides what is on.
                box.setAutoExclusive(False)
            else:
                box = QCheckBox(f"{label.name}{key}")
            box.setObjectName(f"tag:{label.name}")
            box.setToolTip(literal(label.description or label.name))
            box.toggled.connect(lambda on, name=label.name: self.tagToggled.emit(name, on))
            self._layout.addWidget(box)
            self.boxes[label.name] = box
        self._layout.addStretch(1)

    def set_checked(self, names: Collection[str], enabled: bool = True) -> None:
        """Tick exactly `names` without emitting tagToggled."""
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in names)
            box.setEnabled(enabled)
            box.blockSignals(False)
