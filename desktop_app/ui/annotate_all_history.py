"""Article > Annotate-all history…: the project's annotate-all batches, newest first, each of
which can be undone (also after a restart)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store.batches import Batch

COLUMNS = ("When", "Who", "Label", "Text", "Spans", "Still there", "Undone")


def when(stamp: str) -> str:
    """A stored UTC stamp as the analyst's local date and time, to the minute."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


class HistoryDialog(QDialog):
    """Lists the batches `load()` gives; Undo batch calls `undo(uuid)`, which says what it did."""

    def __init__(
        self,
        load: Callable[[], list[Batch]],
        undo: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotate-all history")
        self.resize(820, 420)
        self._load, self._undo = load, undo
        self.batches: list[Batch] = []
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Annotate-all batches, newest first")
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = self.buttons.addButton(
            "&Undo batch", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.undo_button.setToolTip(
            "Remove the batch's spans that are still as it made them (one step: Ctrl+Z brings "
            "them back); spans relabelled, re-noted or moved since are kept"
        )
        self.undo_button.clicked.connect(self.undo_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.outcome)
        layout.addWidget(self.buttons)
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        self.reload()

    def reload(self) -> None:
        """List the batches again, keeping the selected one selected."""
        selected = self.selected()
        self.batches = self._load()
        self.tree.clear()
        for index, batch in enumerate(self.batches):
            item = QTreeWidgetItem(
                self.tree,
                [
                    when(batch.created_at),
                    batch.annotator,
                    batch.label,
                    batch.search + _options(batch),
                    str(batch.count),
                    str(batch.live),
                    when(batch.undone_at) if batch.undone_at else "",
                ],
            )
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            item.setToolTip(0, batch.uuid)
            if batch.uuid == (selected.uuid if selected else None):
                self.tree.setCurrentItem(item)
        first = self.tree.topLevelItem(0)
        if self.tree.currentItem() is None and first is not None:
            self.tree.setCurrentItem(first)
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        if not self.batches:
            self.outcome.setText("No batches yet: Article > Annotate all matches… makes them.")
        self._enable()

    def selected(self) -> Batch | None:
        """The batch of the current row, if any."""
        item = self.tree.currentItem()
        return None if item is None else self.batches[item.data(0, Qt.ItemDataRole.UserRole)]

    def select(self, batch_uuid: str) -> None:
        """Make the batch with this uuid the current row."""
        for index, batch in enumerate(self.batches):
            item = self.tree.topLevelItem(index)
            if batch.uuid == batch_uuid and item is not None:
                self.tree.setCurrentItem(item)

    def undo_selected(self) -> None:
        """Undo the selected batch (what is still as it was made) and say what happened."""
        batch = self.selected()
        if batch is None:
            return
        self.outcome.setText(self._undo(batch.uuid))
        self.reload()

    def _enable(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and batch.live > 0)


def _options(batch: Batch) -> str:
    shown = [name for name in ("regex", "case") if batch.options.get(name)]
    if batch.options.get("whole_word") is False:
        shown.append("not whole word")
    return f"  ({', '.join(shown)})" if shown else ""
