"""A one-off piece of core work (a merge) on a background thread, its result sent back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QThread, Signal


class BackgroundJob(QThread):
    """Run `work()` on its own thread; `done` carries its result or the exception it raised.

    run() is overridden (no worker object, no event loop on the thread), like ImportJob.
    """

    done = Signal(object)  # the result, or an Exception
    progress = Signal(int)  # how far the work is (its own unit), from `work`'s callback

    def __init__(
        self,
        name: str,
        work: Callable[[], object] | None = None,
        *,
        counted: Callable[[Callable[[int], None]], object] | None = None,
    ) -> None:
        """`work()` runs as is; `counted(report)` is given a callback that emits `progress`."""
        super().__init__()
        self.setObjectName(name)
        if counted is not None:
            self._work: Callable[[], object] = partial(counted, self.progress.emit)
        elif work is not None:
            self._work = work
        else:
            raise ValueError("a BackgroundJob needs work to do")

    def run(self) -> None:
        """Do the work; hand back what it returned or raised, never let it escape."""
        try:
            result = self._work()
        except Exception as error:  # the window shows it; a thread must not die silently
            result = error
        self.done.emit(result)
