"""The Labels > Gazetteers… dialog: the project's gazetteers, each switched on or off, and the
buttons that load, re-apply, export and remove them (the controller does the work)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store.gazetteers import Gazetteer

NAME_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("On", "Gazetteer", "Terms", "Matching", "Loaded from")


class GazetteersDialog(QDialog):
    """A list of gazetteers; each button says what it wants by a signal."""

    load_requested = Signal()
    apply_requested = Signal(str)  # "all" or "filter"
    export_requested = Signal(str)  # the gazetteer's name
    remove_requested = Signal(str)
    enabled_changed = Signal(str, bool)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Gazetteers")
        self.resize(720, 400)
        about = QLabel(
            "Term lists whose matches are suggested (never annotated until accepted). "
            "Switched-on gazetteers suggest on new imports as they are stored; Re-apply "
            "suggests on the articles already here."
        )
        about.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._enable)
        self.load = QPushButton("&Load…")
        self.apply_all = QPushButton("Re-apply to &all articles")
        self.apply_filter = QPushButton("Re-apply to the &list's articles")
        self.export = QPushButton("&Export…")
        self.remove = QPushButton("&Remove")
        self.load.clicked.connect(self.load_requested)
        self.apply_all.clicked.connect(lambda: self.apply_requested.emit("all"))
        self.apply_filter.clicked.connect(lambda: self.apply_requested.emit("filter"))
        self.export.clicked.connect(lambda: self._with_chosen(self.export_requested))
        self.remove.clicked.connect(lambda: self._with_chosen(self.remove_requested))
        row = QHBoxLayout()
        for button in (self.load, self.apply_all, self.apply_filter, self.export, self.remove):
            row.addWidget(button)
        self.progress = QProgressBar()
        self.cancel = QPushButton("&Cancel")
        self.cancel.clicked.connect(self.cancel_requested)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # file names are never markup
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self._filling = False
        self._running = False
        self.set_running(False)

    def show_gazetteers(self, gazetteers: Sequence[Gazetteer]) -> None:
        """List these gazetteers (the selection stays on the same name where it can)."""
        chosen = self.chosen()
        self._filling = True
        try:
            self.table.setRowCount(len(gazetteers))
            for row, g in enumerate(gazetteers):
                on = QTableWidgetItem()
                on.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                on.setCheckState(Qt.CheckState.Checked if g.enabled else Qt.CheckState.Unchecked)
                on.setData(NAME_ROLE, g.name)
                matching = ("exact case" if g.case else "any case") + (
                    ", whole words" if g.whole_word else ", inside words too"
                )
                texts = (g.name, f"{g.terms:,}", matching, g.source_file)
                for column, item in enumerate([on, *map(QTableWidgetItem, texts)]):
                    item.setData(NAME_ROLE, g.name)
                    self.table.setItem(row, column, item)
                if g.name == chosen:
                    self.table.selectRow(row)
        finally:
            self._filling = False
        self.table.resizeColumnsToContents()
        self._enable()

    def chosen(self) -> str:
        """The selected gazetteer's name ("" when none is)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 1)
        return str(item.data(NAME_ROLE)) if item is not None else ""

    def select(self, name: str) -> None:
        """Select the gazetteer called `name`."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 1)
            if item is not None and item.data(NAME_ROLE) == name:
                self.table.selectRow(row)

    def say(self, text: str) -> None:
        """Show what the last action did (plain text)."""
        self.status.setText(text)

    def set_running(self, running: bool, total: int = 0) -> None:
        """Show the progress bar and Cancel while a re-apply runs; the buttons wait."""
        self._running = running
        self.progress.setVisible(running)
        self.cancel.setVisible(running)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self._enable()

    def set_progress(self, done: int) -> None:
        """How many articles the running re-apply has read."""
        self.progress.setValue(min(done, self.progress.maximum()))

    def _enable(self) -> None:
        chosen = bool(self.chosen())
        for button in (self.load, self.apply_all, self.apply_filter):
            button.setEnabled(not self._running)
        self.export.setEnabled(chosen)
        self.remove.setEnabled(chosen and not self._running)

    def _with_chosen(self, signal: SignalInstance) -> None:
        name = self.chosen()
        if name:
            signal.emit(name)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        self.enabled_changed.emit(str(item.data(NAME_ROLE)), checked)
