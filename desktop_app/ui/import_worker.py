"""Runs an import on a background thread, with progress and cancel, so the window never freezes."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from desktop_app.core.importers import FieldMapping
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ImportProblem, ImportReport
from desktop_app.core.store import Store

# A click in the window during an import waits at most about this long for the store.
WINDOW_BATCH_SECONDS = 0.08


class ImportJob(QThread):
    """One import on its own thread; its signals are delivered on the window's thread.

    run() is overridden rather than moving a worker into the thread: the work then needs no
    event loop on that thread, so it runs even while the application is shutting down.
    """

    progress = Signal(int, int, str)  # files done, files in all, current file
    done = Signal(object)  # ImportReport

    def __init__(
        self,
        store: Store,
        paths: Sequence[str | Path],
        annotator: str,
        fmt: str = "auto",
        mapping: FieldMapping | None = None,
        per_user_files: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("import")
        self._store = store
        self._paths = list(paths)
        self._annotator = annotator
        self._fmt = fmt
        self._mapping = mapping
        self._per_user_files = per_user_files
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop after the current batch; what was committed stays."""
        self._cancel.set()

    @property
    def running(self) -> bool:
        """Whether the import is still going."""
        return self.isRunning()

    def run(self) -> None:
        """Import (on the background thread); report problems, never raise."""
        try:
            report = import_paths(
                self._store,
                self._paths,
                fmt=self._fmt,
                mapping=self._mapping,
                annotator=self._annotator,
                per_user_files=self._per_user_files,
                progress=self.progress.emit,
                should_cancel=self._cancel.is_set,
                batch_seconds=WINDOW_BATCH_SECONDS,
            )
        except Exception as error:  # a worker thread must not die silently
            report = ImportReport(problems=[ImportProblem("import", str(error))])
        self.done.emit(report)
