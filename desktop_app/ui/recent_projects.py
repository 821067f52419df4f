"""The projects opened lately (per user), newest first: File > Open recent and the start-up's
"reopen the last project" read them."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

RECENT = "projects/recent"
KEEP = 10


class RecentProjects:
    """Up to KEEP project paths, newest first, kept in the user's settings."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def paths(self) -> list[Path]:
        """The remembered projects, newest first (whether or not they still exist)."""
        try:
            stored = json.loads(str(self.settings.value(RECENT, "[]") or "[]"))
        except ValueError:
            return []  # a hand-edited settings file: start the list afresh
        if not isinstance(stored, list):
            return []
        return [Path(item) for item in stored if isinstance(item, str) and item][:KEEP]

    def last(self) -> Path | None:
        """The project opened last, if any."""
        found = self.paths()
        return found[0] if found else None

    def add(self, path: Path) -> None:
        """Put `path` first (once: an older entry for it goes)."""
        path = path.resolve()
        kept = [item for item in self.paths() if item.resolve() != path]
        self._write([path, *kept][:KEEP])

    def remove(self, path: Path) -> None:
        """Forget `path` (it is gone)."""
        self._write([item for item in self.paths() if item != path])

    def clear(self) -> None:
        """Forget every project."""
        self._write([])

    def _write(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT, json.dumps([str(path) for path in paths]))
