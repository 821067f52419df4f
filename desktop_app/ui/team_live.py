"""The team server's live updates: LISTEN on a connection of its own, on a thread."""

from __future__ import annotations

import time

from PySide6.QtCore import QThread, Signal

from desktop_app.core.sync.client import SyncError
from desktop_app.core.sync.connection import Cancel, Cancelled
from desktop_app.core.sync.live import listening

BACKOFF = (1.0, 30.0)  # the first and longest wait before reconnecting (seconds)


class LiveUpdates(QThread):
    """LISTEN on the team server's channel; `changed` for each hint, reconnect with backoff."""

    changed = Signal(int)  # a version was committed (0: unknown; reconnected: pull anyway)
    lost = Signal(str)  # the connection failed (the error, no password in it)

    def __init__(self, url: str, password: str | None) -> None:
        super().__init__()
        self.setObjectName("team live updates")
        self._url, self._password = url, password
        self._stop = False
        self._cancel = Cancel()  # gives up a connection attempt when stopped

    def stop(self) -> None:
        """Ask the thread to end (within a quarter of a second, even while connecting)."""
        self._stop = True
        self._cancel.cancel()

    def run(self) -> None:
        """Listen until stopped; on any failure wait (1 s, doubling to 30 s) and reconnect."""
        delay = BACKOFF[0]
        while not self._stop:
            try:
                with listening(self._url, self._password, self._cancel) as listener:
                    delay = BACKOFF[0]
                    self.changed.emit(0)  # what happened while not listening: pull it
                    while not self._stop:
                        version = listener.wait(0.25)
                        if version is not None:
                            self.changed.emit(version)
            except (SyncError, Cancelled) as error:
                if self._stop:
                    return
                self.lost.emit(str(error))
            except Exception as error:  # a thread must not die silently
                self.lost.emit(f"live updates stopped: {error}")
            waited = 0.0
            while not self._stop and waited < delay:
                time.sleep(0.1)
                waited += 0.1
            delay = min(delay * 2, BACKOFF[1])
