"""File > Backups…: the project's backups with their times, back up now, restore one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store import Store, StoreError
from desktop_app.core.store.backups import backup_folder, list_backups
from desktop_app.ui.plain import literal

PATH_ROLE = Qt.ItemDataRole.UserRole


class BackupsDialog(QDialog):
    """List the backups (newest first); `restored` is called after a restore succeeds."""

    def __init__(
        self,
        store: Store,
        restored: Callable[[Path], None],
        parent: QWidget,
        busy: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__(parent)
        self._busy = busy  # what is writing in the background: a restore waits for it
        self.setWindowTitle("Backups")
        self.resize(640, 360)
        self._store, self._restored = store, restored
        assert store.path is not None
        self._project = store.path
        where = QLabel(f"Backups of {self._project.name}, kept in {backup_folder(self._project)}")
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        self.backups = QListWidget()
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.back_up = QPushButton("Back up &now")
        self.restore = QPushButton("&Restore selected…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.back_up, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.back_up.clicked.connect(self.back_up_now)
        self.restore.clicked.connect(self.restore_selected)
        self.backups.itemSelectionChanged.connect(self._enable)
        layout = QVBoxLayout(self)
        for widget in (where, self.backups, self.status, buttons):
            layout.addWidget(widget)
        self.refresh()

    def refresh(self) -> None:
        """Read the backup folder again."""
        self.backups.clear()
        for backup in list_backups(self._project):
            item = QListWidgetItem(backup.describe())
            item.setData(PATH_ROLE, str(backup.path))
            self.backups.addItem(item)
        if not self.backups.count():
            self.status.setText("No backups yet.")
        self._enable()

    def _enable(self) -> None:
        # A damaged project (writes refused) can still be restored; a read-only one cannot.
        self.back_up.setEnabled(not self._store.read_only)
        chosen = bool(self.backups.selectedItems())
        self.restore.setEnabled(self._store.writable_file and chosen)

    def back_up_now(self) -> None:
        """Take a verified backup now."""
        try:
            made = self._store.backup("manual")
        except StoreError as error:
            self.status.setText(f"Not backed up: {error}")
            return
        self.refresh()
        self.status.setText(f"Backed up to {made.name if made else '-'}")

    def restore_selected(self, confirmed: bool = False) -> None:
        """Replace the project's content by the selected backup, after asking."""
        items = self.backups.selectedItems()
        if not items:
            return
        chosen = Path(str(items[0].data(PATH_ROLE)))
        busy = self._busy()
        if busy:
            self.status.setText(f"Not restored: {busy}; restore when it has finished")
            return
        if not confirmed:
            answer = QMessageBox.question(
                self,
                "Restore a backup",
                literal(
                    f"Replace everything in {self._project.name} with the backup\n"
                    f"{chosen.name}?\n\n"
                    "What the project holds now is kept as a backup first, so this can be undone "
                    "by restoring that one."
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            kept = self._store.restore(chosen)
        except (StoreError, OSError, RuntimeError) as error:  # migration errors included
            self.status.setText(f"Not restored: {error}")
            return
        self.refresh()
        self.status.setText(
            f"Restored {chosen.name}; the previous content is in {kept.name if kept else '-'}"
        )
        self._restored(chosen)
