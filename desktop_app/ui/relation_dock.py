"""The Relations dock: the open article's relations (type, from, to, annotator, note) in a
table that sorts by any column and narrows to what the filter box says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Type", "From", "To", "Annotator", "Note")
_UUID = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class RelationRow:
    """One row of the dock: a relation as read."""

    uuid: str
    type: str
    from_text: str
    to_text: str
    annotator: str
    note: str
    color: str = ""


class RelationModel(QAbstractTableModel):
    """The rows as a model that reads them where they are (no item per cell to build)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RelationRow] = []

    def set_rows(self, rows: Sequence[RelationRow]) -> None:
        """Show these rows instead."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt callback: one row per relation."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Qt callback: the five columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        """Qt callback: a cell's text (also as its tooltip), or the row's relation uuid."""
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == _UUID:
            return row.uuid
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.type, row.from_text, row.to_text, row.annotator, row.note)[index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        """Qt callback: the column names."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None


class RelationTable(QTableView):
    """The table; Delete, F2 and Enter act on the selected relation while it has the focus
    (before the window's own Delete and F2, which are the span's)."""

    keyed = Signal(str)  # "delete", "note"
    key_help = (("Delete", "Delete the selected relation"), ("F2", "Edit its note"))

    def event(self, event: QEvent) -> bool:
        """Qt handler: the relation keys reach this table before the window's shortcuts."""
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and _table_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt handler: Delete deletes, F2 edits the note; other keys as usual."""
        what = _table_key(event)
        if what:
            self.keyed.emit(what)
            event.accept()
            return
        super().keyPressEvent(event)


def _table_key(event: QKeyEvent) -> str:
    if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
        return ""
    return {Qt.Key.Key_Delete: "delete", Qt.Key.Key_F2: "note"}.get(Qt.Key(event.key()), "")


class RelationDock(QWidget):
    """A filter box over a sortable table of relations; signals say what was asked."""

    relationChosen = Signal(str)  # a row was selected: its relation's uuid
    noteWanted = Signal(str)  # F2 or a double-click on a row
    deleteWanted = Signal(str)  # Delete on a row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(placeholderText="Filter relations…", clearButtonEnabled=True)
        self.filter.setObjectName("relation_filter")
        self.filter.setAccessibleName("Filter the relations")
        self.model = RelationModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)  # any column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = RelationTable()
        self.table.setObjectName("relations")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # as made, until clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)  # one line a relation; the tooltip has the whole text
        for column, width in enumerate((90, 150, 150, 60)):
            self.table.setColumnWidth(column, width)
        self.table.setAccessibleName("Relations of this article")
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda index: self._ask(self.noteWanted, index))
        self.table.keyed.connect(self._keyed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        self._quiet = False

    def set_rows(self, rows: Sequence[RelationRow], selected: str = "") -> None:
        """Show these relations, keeping `selected` selected where it still is."""
        self._quiet = True
        try:
            self.model.set_rows(rows)
            self.select(selected)
        finally:
            self._quiet = False

    def uuids(self) -> list[str]:
        """The relations shown, in the table's order (sorted and filtered)."""
        return [str(self.proxy.index(row, 0).data(_UUID)) for row in range(self.proxy.rowCount())]

    def selected(self) -> str:
        """The selected row's relation ("" for none)."""
        index = self.table.currentIndex()
        return str(index.data(_UUID)) if index.isValid() else ""

    def select(self, uuid: str) -> None:
        """Select the row of relation `uuid` (or none) without saying so."""
        quiet, self._quiet = self._quiet, True
        try:
            selection = self.table.selectionModel()
            for row in range(self.proxy.rowCount()):
                index = self.proxy.index(row, 0)
                if uuid and index.data(_UUID) == uuid:
                    selection.setCurrentIndex(
                        index,
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    self.table.scrollTo(index)
                    return
            selection.clearSelection()
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._quiet = quiet

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._quiet and current.isValid():
            self.relationChosen.emit(str(current.data(_UUID)))

    def _ask(self, signal: SignalInstance, index: QModelIndex) -> None:
        if index.isValid():
            signal.emit(str(index.data(_UUID)))

    def _keyed(self, what: str) -> None:
        uuid = self.selected()
        if uuid:
            (self.deleteWanted if what == "delete" else self.noteWanted).emit(uuid)
