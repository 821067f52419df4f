"""The project file: opening, migrating and closing it (one connection, one writer)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database

from desktop_app.core import migrations
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.articles import ArticlesMixin
from desktop_app.core.store.base import StoreError, _serialized
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.store.listing import ListingMixin
from desktop_app.core.store.merge import MergeMixin
from desktop_app.core.store.native_export import NativeExportMixin
from desktop_app.core.store.review import AdjudicationMixin
from desktop_app.core.store.stats import StatsMixin


class Store(
    MergeMixin,
    ArticlesMixin,
    NativeExportMixin,
    ListingMixin,
    AdjudicationMixin,
    AnnotationsMixin,
    StatsMixin,
    LabelsMixin,
):
    """A Marginalia project file. Every write method commits before it returns."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the project file at `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=2.0)
            # One writer: this connection holds the file's lock until it closes (the OS drops
            # it if the process dies), so a second window or command gets a clear refusal
            # instead of interleaving writes.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise StoreError(
                    f"{path}: the project is open in another Marginalia window or command; "
                    "close it and try again"
                ) from error
            raise StoreError(f"{path}: cannot open the project ({error})") from error
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a Marginalia project file ({error})") from error
        return cls._prepare(Database(conn), path)

    @classmethod
    def memory(cls) -> Store:
        """A throwaway in-memory project, for tests."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        return cls._prepare(Database(conn), None)

    @classmethod
    def _prepare(cls, db: Database, path: Path | None) -> Store:
        # FULL: a commit is on disk before we tell the analyst it is saved.
        db.conn.execute("PRAGMA synchronous = FULL")
        db.conn.execute("PRAGMA foreign_keys = ON")
        # 64 MB of page cache (the default is 2 MB): imports interleave writes to the
        # articles table, its indexes and the search index.
        db.conn.execute("PRAGMA cache_size = -65536")
        try:
            migrations.migrate(db, path)
        except sqlite3.DatabaseError as error:
            db.close()
            raise StoreError(f"{path}: not a Marginalia project file ({error})") from error
        return cls(db, path)

    @_serialized
    def close(self) -> None:
        """Close the connection (everything is already committed)."""
        self.db.close()
