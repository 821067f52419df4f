"""The current article's annotations: click one to jump to it in the text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop_app.core.fragments import shown_quote
from desktop_app.core.model import Label, Span
from desktop_app.ui.colors import text_color_for
from desktop_app.ui.plain import literal

UUID_ROLE = Qt.ItemDataRole.UserRole
HEADERS = ("Label", "Text", "By", "Note")
NAME_COLUMN_MAX = 160  # a label or annotator name longer than this is cut

Index = QModelIndex | QPersistentModelIndex


class SpanListModel(QAbstractTableModel):
    """The spans of one article as rows; cells are computed only when the view asks.

    A view over a model, not a widget per row: 20,000 spans cost a list, not 80,000 items.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spans: list[Span] = []
        self._colors: dict[str, tuple[QBrush, QBrush]] = {}

    def set_spans(self, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        """Show these spans (already in text order)."""
        self.beginResetModel()
        self._spans = list(spans)
        self._colors = {}
        for name in {span.label for span in self._spans}:
            color = labels[name].color if name in labels else "#cccccc"
            self._colors[name] = (QBrush(QColor(color)), QBrush(text_color_for(color)))
        self.endResetModel()

    def span_at(self, row: int) -> Span | None:
        """The span on `row`, if any."""
        return self._spans[row] if 0 <= row < len(self._spans) else None

    def row_of(self, span_uuid: str | None) -> int | None:
        """The row of the span with this uuid."""
        for row, span in enumerate(self._spans):
            if span.uuid == span_uuid:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        span = self.span_at(index.row()) if index.isValid() else None
        if span is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 1:
                return " ".join(shown_quote(span.quote, span.start, span.fragments).split())
            return (span.label, None, span.annotator, span.note)[column]
        if role == UUID_ROLE:
            return span.uuid
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return literal(shown_quote(span.quote, span.start, span.fragments))
        if column == 0 and role == Qt.ItemDataRole.BackgroundRole:
            return self._colors[span.label][0]
        if column == 0 and role == Qt.ItemDataRole.ForegroundRole:
            return self._colors[span.label][1]
        return None


class AnnotationList(QTableView):
    """Label, quote, annotator and note of each span, in text order.

    A table view with fixed row heights asks the model only about the rows on screen (a tree
    view lays out every row: 20,000 Python calls for 20,000 spans).
    """

    spanActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span_model = SpanListModel(self)
        self.setModel(self.span_model)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(20)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The quote takes what the names and the note leave: a narrow dock cuts the quote
        # (its tooltip has it whole), never the annotator's name.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column, width in enumerate((70, 140, 56, 44)):
            header.resizeSection(column, width)
        self.clicked.connect(self._emit)
        self.activated.connect(self._emit)

    def _emit(self, index: QModelIndex) -> None:
        span = self.span_model.span_at(index.row())
        if span is not None:
            self.spanActivated.emit(span.uuid)

    def count(self) -> int:
        """How many spans are listed."""
        return self.span_model.rowCount()

    def set_spans(self, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        """List these spans (already in text order)."""
        self.span_model.set_spans(spans, labels)
        self._fit_names(spans)

    def _fit_names(self, spans: Sequence[Span]) -> None:
        """Widen the Label and By columns to their longest name (few distinct names, so this
        is cheap for 20,000 spans); a column the analyst widened stays as wide."""
        header, metrics = self.horizontalHeader(), self.fontMetrics()
        for column, names in ((0, {s.label for s in spans}), (2, {s.annotator for s in spans})):
            widest = max(metrics.horizontalAdvance(n) for n in (*names, HEADERS[column]))
            needed = min(widest + 16, NAME_COLUMN_MAX)
            if header.sectionSize(column) < needed:
                header.resizeSection(column, needed)

    def select_span(self, span_uuid: str | None) -> None:
        """Highlight the row of this span (or none) without emitting spanActivated."""
        selection = self.selectionModel()
        selection.clearSelection()
        row = self.span_model.row_of(span_uuid)
        if row is None:
            return
        index = self.span_model.index(row, 0)
        selection.select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)
