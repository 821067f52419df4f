"""The current article's annotations: click one to jump to it in the text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_app.core.model import Label, Span
from desktop_app.ui.colors import text_color_for

UUID_ROLE = Qt.ItemDataRole.UserRole


class AnnotationList(QTreeWidget):
    """Label, quote, annotator and note of each span, in text order."""

    spanActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["Label", "Text", "By", "Note"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.itemClicked.connect(
            lambda item, _column: self.spanActivated.emit(item.data(0, UUID_ROLE))
        )
        self.itemActivated.connect(
            lambda item, _column: self.spanActivated.emit(item.data(0, UUID_ROLE))
        )

    def set_spans(self, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        """List these spans (already in text order)."""
        self.blockSignals(True)
        self.clear()
        items = []
        for span in spans:
            quote = " ".join(span.quote.split())
            item = QTreeWidgetItem([span.label, quote, span.annotator, span.note])
            item.setData(0, UUID_ROLE, span.uuid)
            color = labels[span.label].color if span.label in labels else "#cccccc"
            item.setBackground(0, QBrush(QColor(color)))
            item.setForeground(0, QBrush(text_color_for(color)))
            item.setToolTip(1, span.quote)
            items.append(item)
        self.addTopLevelItems(items)
        self.resizeColumnToContents(0)
        self.blockSignals(False)

    def select_span(self, span_uuid: str | None) -> None:
        """Highlight the row of this span (or none) without emitting spanActivated."""
        self.blockSignals(True)
        self.clearSelection()
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            if item is not None and item.data(0, UUID_ROLE) == span_uuid:
                item.setSelected(True)
                self.scrollToItem(item)
                break
        self.blockSignals(False)
