"""The search box and filters above the article list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLineEdit, QPushButton, QWidget

from desktop_app.core.model import ArticleFilter, Status

ANY = ""
SEARCH_DELAY_MS = 250  # typing pauses this long before the list follows
# What the search box understands (core.search_query reads it; the README says the same).
_EXAMPLES = (
    ("budget tax", "both words (also <code>budget AND tax</code>)"),
    ("budg*", "words starting with budg"),
    ("&quot;prime minister&quot;", "the words together, in this order"),
    ("blair OR brown", "either word"),
    ("blair -brown", "without brown (also <code>blair NOT brown</code>)"),
    ("(blair OR brown) -election", "brackets group"),
)
SEARCH_HELP = (
    "<b>Search titles and text</b><table cellspacing=2>"
    + "".join(f"<tr><td><code>{typed}</code></td><td>{what}</td></tr>" for typed, what in _EXAMPLES)
    + "</table>OR, AND and NOT work in capitals; anything else is searched as words. "
    "Case and accents do not matter.<br><b>Enter</b> or <b>Down</b> opens the first match."
)


class FilterBar(QWidget):
    """Full-text search plus document tag, span label, annotator, status and relation type
    filters."""

    filterChanged = Signal()
    firstWanted = Signal()  # Enter or Down in the search box: open the first match

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search titles and text…", clearButtonEnabled=True)
        self.search.setObjectName("search")
        self.search.setToolTip(SEARCH_HELP)
        self.search.installEventFilter(self)
        self.ranked = QCheckBox("Best matches first", self)
        self.ranked.setObjectName("ranked")
        self.ranked.setToolTip(
            "While searching, list the best matches first (a title match counts most) "
            "instead of the column's order"
        )
        self.ranked.toggled.connect(self._ranked_toggled)
        self.tag = self._combo("tag", "Any tag")
        self.label = self._combo("label", "Any label")
        self.annotator = self._combo("annotator", "Anyone")
        self.status = self._combo("status", "Any status")
        self.relation = self._combo("relation", "Any relation")
        self.relation.setToolTip("Only articles with a relation of this type")
        self.relation.setAccessibleName("Relation type filter")
        self.relation.hide()  # until the project has relation types
        for status in Status:
            self.status.addItem(status.value.capitalize(), status.value)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.filterChanged)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self._first)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 0, 0)
        layout.addWidget(self.ranked, 0, 1)
        layout.addWidget(self.tag, 1, 0)
        layout.addWidget(self.label, 1, 1)
        layout.addWidget(self.annotator, 2, 0)
        layout.addWidget(self.status, 2, 1)
        layout.addWidget(self.relation, 3, 0)
        # A narrowing picked in the overview (a bar or cell), over or instead of the controls;
        # the chip says what it is and takes the list back to how it was before.
        self.overlay: dict[str, Any] = {}
        self._before: tuple[str, list[int]] | None = None
        self.chip = QPushButton()
        self.chip.setObjectName("overview_chip")
        self.chip.setAccessibleName("Back to the list before the overview's choice")
        self.chip.setToolTip("Back to the list as it was before the overview's choice")
        self.chip.setStyleSheet(
            "text-align: left; padding: 2px 8px; border-radius: 9px;"
            "background: #dbe7f7; border: 1px solid #9bb5dc;"
        )
        self.chip.clicked.connect(self.clear_overlay)
        self.chip.hide()
        layout.addWidget(self.chip, 4, 0, 1, 2)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box opens the first match (Enter does too)."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self._first()
            return True
        return super().eventFilter(watched, event)

    def _first(self) -> None:
        if self._timer.isActive():
            self.apply_now()  # the list first follows what was typed
        self.firstWanted.emit()

    def _ranked_toggled(self) -> None:
        if self.search.text().strip():
            self.apply_now()

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Narrow when the list's panel is: long names are shown in full in the popup.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.addItem(everything, ANY)
        combo.currentIndexChanged.connect(self.apply_now)
        return combo

    def apply_now(self) -> None:
        """Apply the filter without waiting for the typing pause."""
        self._timer.stop()
        self.filterChanged.emit()

    def _combos(self) -> tuple[QComboBox, ...]:
        return (self.tag, self.label, self.annotator, self.status, self.relation)

    def _set_controls(self, search: str, indexes: Sequence[int]) -> None:
        for widget in (self.search, *self._combos()):
            widget.blockSignals(True)
        self.search.setText(search)
        for combo, index in zip(self._combos(), indexes, strict=True):
            combo.setCurrentIndex(index)
        for widget in (self.search, *self._combos()):
            widget.blockSignals(False)

    def set_overlay(self, fields: dict[str, Any], text: str, within: bool) -> None:
        """Show what the overview picked: `fields` of ArticleFilter, said as `text`; `within`
        narrows the list as it is (else the pick alone is shown). Applied at once."""
        if self._before is None:
            self._before = (self.search.text(), [c.currentIndex() for c in self._combos()])
        if within and self.overlay:
            self.overlay = {**self.overlay, **fields}
            text = f"{self.chip.text().removeprefix('× Overview: ')} · {text}"
        else:
            self.overlay = dict(fields)
        if not within:
            self._set_controls("", [0] * len(self._combos()))
        self.chip.setText(f"× Overview: {text}")
        self.chip.show()
        self.apply_now()

    def clear_overlay(self) -> None:
        """Take the list back to how it was before the overview's picks."""
        if self._before is not None:
            self._set_controls(*self._before)
        self._drop_overlay()
        self.apply_now()

    def _drop_overlay(self) -> None:
        self.overlay, self._before = {}, None
        self.chip.hide()

    def clear(self) -> None:
        """Empty the search and choose "any" everywhere, without a filterChanged (a project
        opening shows all its articles anyway)."""
        self._timer.stop()
        self._drop_overlay()
        widgets = (self.search, self.ranked, *self._combos())
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in self._combos():
            combo.setCurrentIndex(0)
        for widget in widgets:
            widget.blockSignals(False)

    def show_filter(self, flt: ArticleFilter) -> None:
        """Show this search and these filters without a filterChanged (the caller applies
        them); a name no longer offered shows "any"."""
        self.clear()
        for widget in (self.search, *self._combos()):
            widget.blockSignals(True)
        self.search.setText(flt.search)
        for combo, value in (
            (self.tag, flt.tag),
            (self.label, flt.label),
            (self.annotator, flt.annotator),
            (self.status, flt.status),
            (self.relation, flt.relation),
        ):
            combo.setCurrentIndex(max(combo.findData(value or ANY), 0))
        for widget in (self.search, *self._combos()):
            widget.blockSignals(False)

    def set_choices(
        self, tags: Sequence[str], labels: Sequence[str], annotators: Sequence[str]
    ) -> None:
        """Offer these names in the filters, keeping current choices where they still exist."""
        dropped = False
        for combo, names in ((self.tag, tags), (self.label, labels), (self.annotator, annotators)):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for name in names:
                combo.addItem(name, name)
            found = combo.findData(current)
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)
            dropped |= found < 0 and current != ANY
        if dropped:  # a chosen name is gone (renamed label): the list must follow the combo
            self.filterChanged.emit()

    def set_relation_choices(self, names: Sequence[str]) -> None:
        """Offer these relation types (the filter shows only when there are some), keeping
        the current choice where it still exists."""
        combo, current = self.relation, self.relation.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for name in names:
            combo.addItem(name, name)
        found = combo.findData(current)
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)
        combo.setVisible(bool(names))
        if found < 0 and current != ANY:
            self.filterChanged.emit()

    def current_filter(self) -> ArticleFilter:
        """The filter the controls describe."""
        controls = ArticleFilter(
            search=self.search.text(),
            tag=self.tag.currentData() or None,
            label=self.label.currentData() or None,
            annotator=self.annotator.currentData() or None,
            status=self.status.currentData() or None,
            relation=self.relation.currentData() or None,
            ranked=self.ranked.isChecked(),
        )
        return replace(controls, **self.overlay)

    def set_ranked(self, ranked: bool) -> None:
        """Tick or untick "Best matches first" without applying (the list already follows)."""
        self.ranked.blockSignals(True)
        self.ranked.setChecked(ranked)
        self.ranked.blockSignals(False)
