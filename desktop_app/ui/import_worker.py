"""Runs an import on a background thread, with progress and cancel, so the window never freezes."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from desktop_app.core.importing import import_paths
from desktop_app.core.model import ImportProblem, ImportReport
from desktop_app.core.store import Store


class ImportJob(QObject):
    """One import: start() runs it on its own thread; signals arrive on the window's thread."""

    progress = Signal(int, int, str)  # files done, files in all, current file
    finished = Signal(object)  # ImportReport

    def __init__(self, store: Store, paths: Sequence[str | Path], annotator: str) -> None:
        super().__init__()
        self._store = store
        self._paths = list(paths)
        self._annotator = annotator
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("import")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._run)

    def start(self) -> None:
        """Begin importing in the background."""
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the current batch; what was committed stays."""
        self._cancel.set()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the thread has ended (for shutdown and tests)."""
        return self._thread.wait(ms)

    @property
    def running(self) -> bool:
        """Whether the import is still going."""
        return self._thread.isRunning()

    def _run(self) -> None:
        try:
            report = import_paths(
                self._store,
                self._paths,
                annotator=self._annotator,
                progress=self.progress.emit,
                should_cancel=self._cancel.is_set,
            )
        except Exception as error:  # report, never crash the window from a worker thread
            report = ImportReport(problems=[ImportProblem("import", str(error))])
        self.finished.emit(report)
        self._thread.quit()
