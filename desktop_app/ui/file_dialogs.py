"""File dialogs that open in the last folder used (remembered per user), else the home folder,
never the folder the program happened to be started from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

LAST_FOLDER = "dialogs/last_folder"


class FileDialogs:
    """QFileDialog's static dialogs, started in the last folder a dialog was used in.

    Without settings (a window built by a test) the folder is remembered for this object only.
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings
        self._folder = ""

    def folder(self) -> Path:
        """Where the next dialog opens: the last folder used if it is still there, else home."""
        remembered = self._folder
        if self.settings is not None:
            remembered = str(self.settings.value(LAST_FOLDER, "") or "")
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        return Path.home()

    def remember(self, chosen: str | Path) -> None:
        """Open the next dialog where `chosen` (a file or a folder) is."""
        path = Path(chosen)
        folder = path if path.is_dir() else path.parent
        self._folder = str(folder)
        if self.settings is not None:
            self.settings.setValue(LAST_FOLDER, str(folder))

    def _start(self, name: str) -> str:
        return str(self.folder() / name) if name else str(self.folder())

    def open_file(self, parent: QWidget, caption: str, filters: str = "") -> str:
        """One existing file ("" when cancelled)."""
        path, _ = QFileDialog.getOpenFileName(parent, caption, self._start(""), filters)
        if path:
            self.remember(path)
        return str(path)

    def open_files(self, parent: QWidget, caption: str, filters: str = "") -> list[str]:
        """Existing files ([] when cancelled)."""
        paths, _ = QFileDialog.getOpenFileNames(parent, caption, self._start(""), filters)
        if paths:
            self.remember(paths[0])
        return [str(path) for path in paths]

    def save_file(
        self, parent: QWidget, caption: str, name: str = "", filters: str = ""
    ) -> tuple[str, str]:
        """A file name to write, and the filter chosen (("", "") when cancelled)."""
        path, chosen = QFileDialog.getSaveFileName(parent, caption, self._start(name), filters)
        if path:
            self.remember(path)
        return str(path), str(chosen)

    def existing_folder(self, parent: QWidget, caption: str) -> str:
        """An existing folder ("" when cancelled)."""
        folder = QFileDialog.getExistingDirectory(parent, caption, self._start(""))
        if folder:
            self.remember(folder)
        return str(folder)
