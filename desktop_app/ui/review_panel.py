"""The review panel: whose work to show, two annotators compared, each difference and decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.model import ADJUDICATED, Decision, Relation
from desktop_app.core.review import ItemClass, ReviewItem
from desktop_app.ui.colors import text_color_for
from desktop_app.ui.plain import literal

COLUMNS = ("Class", "Text", "A", "B", "Decided")
_CLASS_COLORS = {
    ItemClass.AGREED: "#d8f3dc",
    ItemClass.MISSING: "#ffe5ec",
    ItemClass.EXTRA: "#e0ecff",
    ItemClass.LABEL: "#fff3bf",
    ItemClass.BOUNDARY: "#ffe8cc",
    ItemClass.TYPE: "#fff3bf",
    ItemClass.DIRECTION: "#ffe8cc",
    ItemClass.ENDPOINT: "#ffe8cc",
}


_SHORT = {
    ItemClass.AGREED: "agreed",
    ItemClass.MISSING: "missing",
    ItemClass.EXTRA: "extra",
    ItemClass.LABEL: "label",
    ItemClass.BOUNDARY: "boundary",
    ItemClass.TYPE: "type",
    ItemClass.DIRECTION: "direction",
    ItemClass.ENDPOINT: "endpoint",
}


class ReviewPanel(QWidget):
    """Choose annotators to show and compare; the table lists what they agree and differ on.

    With the table focused: N / P next and previous difference, A / B accept A's or B's
    version, R reject both, U undo the decision.
    """

    compareChanged = Signal()  # A, B, the shown annotators or the layer changed
    rowChosen = Signal(int)  # a row of the table became current
    acceptA = Signal()
    acceptB = Signal()
    reject = Signal()
    undo = Signal()
    step = Signal(int)  # +1 next difference, -1 previous

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("review_panel")
        self.a_box = QComboBox()
        self.a_box.setObjectName("review_a")
        self.b_box = QComboBox()
        self.b_box.setObjectName("review_b")
        self.layer = QLineEdit(ADJUDICATED)
        self.layer.setObjectName("review_layer")
        self.shown = QListWidget()
        self.shown.setObjectName("review_shown")
        self.shown.setMaximumHeight(90)
        self.show_agreed = QCheckBox("List agreed items too")
        self.counts = QLabel()
        self.counts.setObjectName("review_counts")
        self.table = _ReviewTable(0, len(COLUMNS))
        self.table.setObjectName("review_items")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # The current item in words: both sides with their quotes and offsets, and what was
        # decided (the table's cells are cut at the dock's edge).
        self.details = QLabel()
        self.details.setObjectName("review_details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # quotes are never markup
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._items: list[ReviewItem] = []
        self._decisions: Mapping[str, Decision] = {}
        self.accept_a = QPushButton("Accept A  [A]")
        self.accept_b = QPushButton("Accept B  [B]")
        self.reject_button = QPushButton("Reject  [R]")
        self.undo_button = QPushButton("Undo decision  [U]")
        self.accept_agreed = QPushButton("Accept all agreed")
        self.accept_agreed.setObjectName("review_accept_agreed")

        for widget, name in (
            (self.a_box, "Annotator A (reference)"),
            (self.b_box, "Annotator B (compared)"),
            (self.layer, "Decisions go to"),
            (self.shown, "Annotators shown"),
            (self.table, "Differences"),
        ):
            widget.setAccessibleName(name)
        form = QFormLayout()
        form.addRow("A (reference)", self.a_box)
        form.addRow("B (compared)", self.b_box)
        form.addRow("Decisions go to", self.layer)
        form.addRow("Show", self.shown)
        buttons = QGridLayout()
        buttons.addWidget(self.accept_a, 0, 0)
        buttons.addWidget(self.accept_b, 0, 1)
        buttons.addWidget(self.reject_button, 1, 0)
        buttons.addWidget(self.undo_button, 1, 1)
        buttons.addWidget(self.accept_agreed, 2, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.show_agreed)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self._connect()

    def _connect(self) -> None:
        self.table.currentCellChanged.connect(lambda *_: self._show_details())
        for box in (self.a_box, self.b_box):
            box.currentIndexChanged.connect(self._tick_compared)
            box.currentIndexChanged.connect(self.compareChanged)
        self.layer.editingFinished.connect(self.compareChanged)
        self.show_agreed.toggled.connect(self.compareChanged)
        self.shown.itemChanged.connect(self.compareChanged)
        self.table.currentCellChanged.connect(lambda row, *_: self.rowChosen.emit(row))
        self.accept_a.clicked.connect(self.acceptA)
        self.accept_b.clicked.connect(self.acceptB)
        self.reject_button.clicked.connect(self.reject)
        self.undo_button.clicked.connect(self.undo)
        self.table.keyed.connect(self._key)

    def _key(self, key: str) -> None:
        signals = {"A": self.acceptA, "B": self.acceptB, "R": self.reject, "U": self.undo}
        if key in signals:
            signals[key].emit()
        else:
            self.step.emit(1 if key == "N" else -1)

    # --- content -------------------------------------------------------------------------

    def set_annotators(self, names: Sequence[str], colors: Mapping[str, str]) -> None:
        """Offer these annotators (keeping the choices made) with their colours."""
        a, b = self.chosen()
        shown = self.shown_names()
        for box in (self.a_box, self.b_box):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(names))
        self.shown.blockSignals(True)
        self.shown.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in shown else Qt.CheckState.Unchecked)
            color = colors.get(name, "#cccccc")
            item.setBackground(QBrush(QColor(color)))
            item.setForeground(QBrush(text_color_for(color)))
            self.shown.addItem(item)
        if names:
            self.a_box.setCurrentIndex(max(0, self.a_box.findText(a)) if a else 0)
            fallback = 1 if len(names) > 1 else 0
            self.b_box.setCurrentIndex(self.b_box.findText(b) if b in names else fallback)
        for widget in (self.a_box, self.b_box, self.shown):
            widget.blockSignals(False)
        self._tick_compared()

    def _tick_compared(self) -> None:
        """A and B are always shown: keep their boxes ticked."""
        a, b = self.chosen()
        self.shown.blockSignals(True)
        for row in range(self.shown.count()):
            item = self.shown.item(row)
            if item.text() in (a, b):
                item.setCheckState(Qt.CheckState.Checked)
        self.shown.blockSignals(False)

    def chosen(self) -> tuple[str, str]:
        """The compared annotators (A, B)."""
        return self.a_box.currentText(), self.b_box.currentText()

    def shown_names(self) -> set[str]:
        """The annotators ticked under Show (A and B are always shown)."""
        return {
            self.shown.item(row).text()
            for row in range(self.shown.count())
            if self.shown.item(row).checkState() == Qt.CheckState.Checked
        }

    def layer_name(self) -> str:
        """The adjudicated layer's annotator name."""
        return self.layer.text().strip() or ADJUDICATED

    def set_items(self, items: Sequence[ReviewItem], decisions: Mapping[str, Decision]) -> None:
        """List these items with their decisions, keeping the current row where possible."""
        row = self.table.currentRow()
        self._items, self._decisions = list(items), dict(decisions)
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for index, item in enumerate(items):
            decision = decisions.get(item.key)
            cells = (
                _SHORT[item.item_class],
                _text(item),
                _name(item.a),
                _name(item.b),
                _decision_text(item, decision),
            )
            background = QBrush(QColor(_CLASS_COLORS[item.item_class]))
            tips = (item.item_class.value, _text(item), _side(item.a, item), _side(item.b, item),
                    "")  # fmt: skip
            for column, value in enumerate(cells):
                cell = QTableWidgetItem(value)  # plain text: quotes are never markup
                cell.setToolTip(literal(tips[column] or value))
                if column == 0:
                    cell.setBackground(background)
                self.table.setItem(index, column, cell)
        self.table.blockSignals(False)
        if items:
            self.table.setCurrentCell(min(max(row, 0), len(items) - 1), 0)
        self._show_details()

    def _show_details(self) -> None:
        """The current item's sides and decision, in full, under the table."""
        row = self.table.currentRow()
        if not 0 <= row < len(self._items):
            self.details.setText("")
            return
        item = self._items[row]
        decision = _decision_text(item, self._decisions.get(item.key)) or "not yet"
        a, b = _side(item.a, item), _side(item.b, item)
        self.details.setText(f"A: {a}\nB: {b}\nDecided: {decision}")

    def set_counts(self, differences: int, decided: int, agreed: int) -> None:
        """The line above the table: how much is left to review."""
        self.counts.setText(
            f"{differences} differences, {agreed} agreed; {decided} decided "
            f"({differences + agreed - decided} to go)"
        )


class _ReviewTable(QTableWidget):
    """The items table; plain letter keys act on the current item while it has focus.

    Handled here rather than as shortcuts: elsewhere the same letters type or pick labels.
    """

    keyed = Signal(str)
    # What each letter does, for Help > Keyboard shortcuts (listed under the dock's title).
    key_help = (
        ("A", "Accept A's version"),
        ("B", "Accept B's version"),
        ("R", "Reject both"),
        ("U", "Take the decision back"),
        ("N", "Next difference"),
        ("P", "Previous difference"),
    )

    def event(self, event: QEvent) -> bool:
        """Claim our letters before the window's label shortcuts (which use letters too)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and _review_key(event) is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A/B accept, R reject, U undo, N/P next/previous difference; others as usual."""
        key = _review_key(event)
        if key is not None:
            self.keyed.emit(key)
            event.accept()
            return
        super().keyPressEvent(event)


_KEYS = {Qt.Key.Key_A: "A", Qt.Key.Key_B: "B", Qt.Key.Key_R: "R", Qt.Key.Key_U: "U",
         Qt.Key.Key_N: "N", Qt.Key.Key_P: "P"}  # fmt: skip


def _review_key(event: QKeyEvent) -> str | None:
    if event.modifiers() not in (
        Qt.KeyboardModifier.NoModifier,
        Qt.KeyboardModifier.KeypadModifier,
    ):
        return None
    return _KEYS.get(Qt.Key(event.key()))


def _name(side: object) -> str:
    """A side's label (a relation's type), "—" for nothing."""
    if side is None:
        return "—"
    return side.type if isinstance(side, Relation) else str(getattr(side, "label", ""))


def _link(relation: Relation, item: ReviewItem, limit: int = 30) -> str:
    """A relation as “from” → “to” (↔ when its ends were compared either way round)."""
    ends = item.ends or {}
    one, two = ends.get(relation.from_span), ends.get(relation.to_span)
    return f"{relation.type}: {_quoted(one, limit)} → {_quoted(two, limit)}"


def _text(item: ReviewItem) -> str:
    if item.kind == "document":
        return f"tag: {item.label}"
    if item.kind == "relation":
        if isinstance(item.a, Relation) and isinstance(item.b, Relation) and item.is_difference:
            return f"A {_link(item.a, item, 20)} / B {_link(item.b, item, 20)}"
        side = item.a if isinstance(item.a, Relation) else item.b
        return _link(side, item) if isinstance(side, Relation) else ""
    if item.item_class is ItemClass.BOUNDARY and item.a is not None and item.b is not None:
        # Both extents: which words each took is the whole difference.
        return f"A {_quoted(item.a)} / B {_quoted(item.b)}"
    sides = [s for s in (item.a, item.b) if s is not None]
    quote = max((getattr(s, "quote", "") for s in sides), key=len)
    return quote if len(quote) <= 80 else quote[:79] + "…"


def _quoted(span: object, limit: int = 40) -> str:
    if span is None:
        return "?"
    quote = str(getattr(span, "quote", ""))
    quote = quote if len(quote) <= limit else quote[: limit - 1] + "…"
    return f"“{quote}” {getattr(span, 'start', 0)}–{getattr(span, 'end', 0)}"


def _side(annotation: object, item: ReviewItem | None = None) -> str:
    if annotation is None:
        return "—"
    if isinstance(annotation, Relation) and item is not None:
        return f"{_link(annotation, item, 200)} by {annotation.annotator}"
    label = str(getattr(annotation, "label", ""))
    if getattr(annotation, "start", None) is None:
        return f"{label} (document tag)"
    who = getattr(annotation, "annotator", "")
    return f"{label} by {who}: {_quoted(annotation, 200)}"


def _decision_text(item: ReviewItem, decision: Decision | None) -> str:
    if decision is None:
        return ""
    if decision.decision == "rejected":
        return f"rejected ({decision.decided_by})"
    side = item.a if item.a is not None and decision.source_uuid == item.a.uuid else item.b
    whose = getattr(side, "annotator", "") or ("A" if side is item.a else "B")
    return f"accepted {whose}'s version ({decision.decided_by})"
