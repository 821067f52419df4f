"""Tell a Marginalia project from any other file without changing it (no WAL, no lock, no file)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from desktop_app.core import migrations
from desktop_app.core.store.integrity import table_names

SQLITE_HEADER = b"SQLite format 3\x00"
# The tables the first migration creates: together with a user_version of 1 or more they mark
# a file as a Marginalia project (another program's database has other tables, or version 0).
PROJECT_TABLES = frozenset({"project", "articles", "spans", "labels"})


@dataclass(frozen=True)
class FileKind:
    """What a path holds: "missing", "empty" (a new project may be made there), "project",
    "older", "newer", "foreign" (another program's file) or "unreadable" (damaged)."""

    kind: str
    version: int = 0
    reason: str = ""

    def refusal(self, path: Path) -> str:
        """Why a command that needs a project refuses this one ("" when it need not)."""
        if self.kind == "missing":
            return f"{path}: no such project file"
        if self.kind == "empty":
            return (
                f"{path}: an empty file, not a Marginalia project (`marginalia import` makes one)"
            )
        if self.kind == "foreign":
            return f"{path}: not a Marginalia project ({self.reason}); it was not changed"
        if self.kind == "unreadable":
            return f"{path}: cannot read the project ({self.reason})"
        if self.kind == "older":
            return (
                f"{path}: made by an older Marginalia (schema {self.version}); open it once with "
                "`marginalia import` or the window to upgrade it"
            )
        if self.kind == "newer":
            return (
                f"{path}: made by a newer Marginalia (schema {self.version}, this version knows "
                f"up to {migrations.latest_version()}); it was not changed"
            )
        return ""


def recognise(path: Path) -> FileKind:
    """Look at `path` read-only and say what it is; nothing is written or created beside it."""
    try:
        if not path.exists():
            return FileKind("missing")
        if not path.is_file():
            return FileKind("foreign", reason="not a regular file")
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return FileKind("unreadable", reason=error.strerror or str(error))
    wal = Path(f"{path}-wal")
    wal_size = wal.stat().st_size if wal.is_file() else 0
    if not header and not wal_size:
        return FileKind("empty")
    if header and not header.startswith(SQLITE_HEADER):
        return FileKind("unreadable", reason="not an SQLite database")
    try:
        version, tables = _read_marks(path, header, wal.exists())
    except sqlite3.Error as error:
        return FileKind("unreadable", reason=str(error))
    if not tables and version == 0:
        return FileKind("empty")
    latest = migrations.latest_version()
    if version > latest and (not tables or tables >= PROJECT_TABLES):
        return FileKind("newer", version)
    if version < 1 or not tables >= PROJECT_TABLES:
        shown = ", ".join(sorted(tables)[:5]) or "no tables"
        return FileKind("foreign", version, f"an SQLite database with {shown}")
    if version < latest:
        return FileKind("older", version)
    return FileKind("project", version)


def _read_marks(path: Path, header: bytes, wal_exists: bool) -> tuple[int, set[str]]:
    """The file's user_version and table names, from a connection that creates no file."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    # A WAL-mode file (header byte 18 is 2) read with mode=ro gets a -wal and -shm made beside
    # it. With no -wal there, no writer has it open and the file alone is the whole database:
    # immutable reads it as such and creates nothing.
    if len(header) > 18 and header[18] == 2 and not wal_exists:
        uri += "&immutable=1"
    conn = sqlite3.connect(uri, uri=True, timeout=2.0)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = table_names(conn)
    finally:
        conn.close()
    return version, tables
