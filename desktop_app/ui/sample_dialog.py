"""File > Draw double-coding sample: size, seed, strata and the colleague it is for."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop_app.core.plural import counted

STRATA = (
    ("No strata (simple random)", "none"),
    ("By source", "source"),
    ("By document tag", "tag"),
)


class SampleDialog(QDialog):
    """Ask how to draw the sample; the package is then saved where the analyst chooses."""

    def __init__(self, articles: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a double-coding sample")
        self.count = QSpinBox()
        self.count.setRange(1, max(1, articles))
        self.count.setValue(min(50, max(1, articles)))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(1)
        self.strata = QComboBox()
        for text, value in STRATA:
            self.strata.addItem(text, value)
        self.for_whom = QLineEdit()
        self.for_whom.setPlaceholderText("the colleague who codes it")
        self.name = QLineEdit()
        self.name.setPlaceholderText("default: for whom and seed")
        form = QFormLayout(self)
        form.addRow(
            QLabel(f"Drawn from all {counted(articles, 'article')}; the same seed draws the same.")
        )
        form.addRow("Articles", self.count)
        form.addRow("Seed", self.seed)
        form.addRow("Stratify", self.strata)
        form.addRow("For", self.for_whom)
        form.addRow("Name", self.name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.for_whom.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_strata(self) -> str:
        """ "none", "source" or "tag"."""
        return str(self.strata.currentData())
