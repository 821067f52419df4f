"""What every part of the store shares: its error, lock wrapper, row converters and clock."""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlite_utils import Database

from desktop_app.core.fragments import from_json
from desktop_app.core.model import Article, DocumentTag, Relation, Span
from desktop_app.core.store.backups import KEEP_RECENT, BackupError, take_backup
from desktop_app.core.store.integrity import NOT_TEXT

P = ParamSpec("P")
R = TypeVar("R")


class StoreError(ValueError):
    """An edit or query the project file refuses, with a reason a person can read."""


def now() -> str:
    """The current UTC time as an ISO 8601 string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_uuid() -> str:
    """A fresh random identity for a span or tag (stable across merges and exports)."""
    return str(uuidlib.uuid4())


# Sources that give annotations no identity (brat, doccano, CoNLL, a hand-written JSONL) get
# one made from what each annotation is: importing or merging the same file again then finds
# the same annotations instead of adding copies, and a span deleted here stays deleted.
IDENTITY_NAMESPACE = uuidlib.UUID("6f1e2c4a-8d0b-4f57-9a51-7c3e9b2d4a10")


def span_identity(uid: str, annotator: str, label: str, start: int, end: int, pieces: str) -> str:
    """A content-derived uuid for a span of article `uid` (`pieces`: its stored fragments)."""
    name = f"span|{uid}|{annotator}|{label}|{start}|{end}"
    return str(uuidlib.uuid5(IDENTITY_NAMESPACE, f"{name}|{pieces}" if pieces else name))


def tag_identity(uid: str, annotator: str, label: str) -> str:
    """A content-derived uuid for a document tag of article `uid`."""
    return str(uuidlib.uuid5(IDENTITY_NAMESPACE, f"tag|{uid}|{annotator}|{label}"))


def relation_identity(uid: str, annotator: str, kind: str, from_span: str, to_span: str) -> str:
    """A content-derived uuid for a relation of article `uid` between two span uuids."""
    name = f"relation|{uid}|{annotator}|{kind}|{from_span}|{to_span}"
    return str(uuidlib.uuid5(IDENTITY_NAMESPACE, name))


def _left_open(conn: sqlite3.Connection) -> bool:
    """True when a transaction is still open on `conn` (False once it is closed)."""
    try:
        return conn.in_transaction
    except sqlite3.ProgrammingError:
        return False


def _serialized(method: Callable[P, R]) -> Callable[P, R]:
    """Run a Store method under the store's lock: one thread at a time uses the connection."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, StoreBase)
        with store._lock:
            store._depth += 1
            failed = True
            try:
                result = method(*args, **kwargs)
                failed = False
                return result
            except sqlite3.Error as error:
                # Locked, read-only, disk full, corrupt: one readable error type for callers,
                # naming the file; the failed statement's transaction is already rolled back.
                where = store.path or "project"
                if store.read_only and "readonly" in str(error).replace("-", ""):
                    raise StoreError(f"{where}: not saved: {store.read_only}") from error
                raise StoreError(f"{where}: {error}") from error
            except UnicodeDecodeError as error:
                # SQLite's message quotes a damaged schema name whose bytes are not UTF-8:
                # Python fails decoding the message itself, which would name no file.
                where = store.path or "project"
                raise StoreError(f"{where}: damaged ({NOT_TEXT})") from error
            finally:
                store._depth -= 1
                if store._depth == 0 and _left_open(store.db.conn):
                    # A write outside db.atomic() leaves Python's implicit transaction open:
                    # every later edit would wait in it, uncommitted, and die with the process.
                    store.db.conn.rollback()
                    if not failed:  # an error already on its way out says more
                        raise StoreError(f"{store.path or 'project'}: a write was left open")

    return wrapper


_SPAN_COLUMNS = (
    'uuid, article, annotator, label, start, "end", quote, note, created_at, updated_at, '
    "deleted, fragments"
)
_TAG_COLUMNS = "uuid, article, annotator, label, note, created_at, updated_at, deleted"
_RELATION_COLUMNS = (
    "uuid, article, annotator, type, from_span, to_span, note, created_at, updated_at, deleted"
)
# A relation comes back (undo) only where both its spans are live: a colleague may have
# deleted the other end meanwhile.
BOTH_ENDS_LIVE = " AND ".join(
    f"EXISTS (SELECT 1 FROM spans s WHERE s.uuid = relations.{end} AND s.deleted = 0)"
    for end in ("from_span", "to_span")
)
_ARTICLE_COLUMNS = "id, uid, title, source, url, published, text, text_sha256, meta, imported_at"


# The column lists above are in the records' field order; `deleted` and `fragments` need converting.
def _span(row: Sequence[Any]) -> Span:
    return Span._make((*row[:10], bool(row[10]), from_json(row[11])))


def _relation(row: Sequence[Any]) -> Relation:
    return Relation._make((*row[:9], bool(row[9])))


def _tag(row: Sequence[Any]) -> DocumentTag:
    return DocumentTag._make((*row[:7], bool(row[7])))


def _article(row: Sequence[Any]) -> Article:
    return Article(
        id=row[0],
        uid=row[1],
        title=row[2],
        source=row[3],
        url=row[4],
        published=row[5],
        text=row[6],
        text_sha256=row[7],
        meta=json.loads(row[8] or "{}"),
        imported_at=row[9],
    )


class StoreBase:
    """What the store's parts share: one connection, its lock, and a one-value query."""

    db: Database
    path: Path | None
    _lock: threading.RLock
    read_only: str  # why writes are refused, "" when they are not
    _depth = 0  # how deep in store methods this thread is (the lock is re-entrant)
    _changes_at_backup: int  # the connection's total_changes when the last backup was taken
    backups_kept = KEEP_RECENT  # how many recent backups rotation keeps (a preference)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.db.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @_serialized
    def backup(self, reason: str) -> Path | None:
        """Take a verified backup now (see core.backups); None for an in-memory project.

        Called under the store's lock, so no write lands between the backup and what the
        caller does next (a merge, a bulk delete).
        """
        if self.path is None or self.read_only:
            return None  # a store that writes nothing has nothing to back up (or to rotate)
        try:
            made = take_backup(self.path, reason, keep=self.backups_kept)
        except BackupError as error:
            raise StoreError(str(error)) from error
        self._changes_at_backup = self.db.conn.total_changes
        return made.path

    def backup_if_changed(self, reason: str) -> Path | None:
        """Take a backup when this session has changed the project since the last one.

        The copy is read from its own connection (a snapshot of what is committed), without
        the store's lock: edits go on while a large project is copied.
        """
        with self._lock:
            changes = self.db.conn.total_changes
        if self.path is None or changes == self._changes_at_backup:
            return None
        try:
            made = take_backup(self.path, reason, keep=self.backups_kept)
        except BackupError as error:
            raise StoreError(str(error)) from error
        with self._lock:
            self._changes_at_backup = max(self._changes_at_backup, changes)
        return made.path
