"""The project file: opening, migrating and closing it (one connection, one writer)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

from filelock import FileLock, Timeout
from sqlite_utils import Database

from desktop_app.core import migrations
from desktop_app.core.store import integrity
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.article_deletes import ArticleDeletesMixin
from desktop_app.core.store.articles import ArticlesMixin
from desktop_app.core.store.backups import (
    BackupError,
    check_file,
    keep_damaged,
    restore_into,
    staged_copy,
)
from desktop_app.core.store.base import StoreError, _serialized, now
from desktop_app.core.store.batches import BatchesMixin
from desktop_app.core.store.bulk import BulkMixin
from desktop_app.core.store.gazetteers import GazetteersMixin
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.store.learned import LearnedMixin
from desktop_app.core.store.listing import ListingMixin
from desktop_app.core.store.merge import MergeMixin
from desktop_app.core.store.native_export import NativeExportMixin
from desktop_app.core.store.overview import OverviewMixin
from desktop_app.core.store.recognise import recognise
from desktop_app.core.store.relations import RelationsMixin
from desktop_app.core.store.replaced import ReplacedMixin
from desktop_app.core.store.review import AdjudicationMixin
from desktop_app.core.store.stats import StatsMixin
from desktop_app.core.store.sync_state import SyncStateMixin


class ProjectLocked(StoreError):
    """Another window or command has the project open for writing."""


class ReadOnlyProject(StoreError):
    """The project file (or its folder) cannot be written: read-only media, permissions."""


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that reads `path` and refuses every write."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = Path(f"{path}-wal")
    if not os.access(path.parent, os.W_OK):
        if wal.exists() and wal.stat().st_size:
            # Committed edits still in the WAL need its index beside the file, which
            # read-only media cannot hold; reading without them would show older content.
            raise sqlite3.OperationalError(
                f"its last edits are still in {wal.name}, which cannot be read on read-only "
                "media; copy the folder to a writable disk"
            )
        uri += "&immutable=1"  # read-only media: nobody can be writing it
    # mode=ro refuses every write to the project; not query_only, which would refuse the
    # temporary tables reading code builds (agreement's) too.
    return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=2.0)


def _identity(path: Path) -> tuple[int, int] | None:
    """The file's (device, inode), or None when there is no file at `path`."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def lock_path(path: Path) -> Path:
    """The file whose OS lock marks the project's one writer (kept for older versions)."""
    return path.with_name(path.name + ".lock")


def identity_lock_folder() -> Path:
    """Where the locks keyed by a project file's identity live (one folder for every user:
    a hard link may be reached by two users, from two folders)."""
    return Path(tempfile.gettempdir()) / "marginalia-locks"


def identity_lock_path(identity: tuple[int, int]) -> Path:
    """The lock file for the file with this (device, inode), whatever names reach it."""
    return identity_lock_folder() / f"{identity[0]}-{identity[1]}.lock"


class WriterLock:
    """The writer's locks on a project: PATH.lock, and one keyed by the file's identity."""

    def __init__(self, by_path: FileLock, by_identity: FileLock | None) -> None:
        self.by_path = by_path
        self.by_identity = by_identity

    def release(self) -> None:
        """Let go of both locks (the identity's first: it was taken last)."""
        try:
            if self.by_identity is not None:
                self.by_identity.release()
        finally:
            self.by_path.release()


def _locked(path: Path) -> ProjectLocked:
    return ProjectLocked(
        f"{path}: the project is open in another Marginalia window or command; "
        "close it there, or open this one read-only"
    )


def _os_lock(where: Path) -> FileLock:
    # fallback_to_soft=False: a "soft" lock (the file merely existing) would outlive a
    # killed process and lock the analyst out; an OS lock never does. thread_local=False:
    # the window's threads share the store's lock.
    return FileLock(where, timeout=0, mode=0o666, thread_local=False, fallback_to_soft=False)


def _identity_folder() -> Path | None:
    """The identity locks' folder, made writable by every user; None when it cannot be."""
    folder = identity_lock_folder()
    try:
        folder.mkdir(mode=0o777, exist_ok=True)
        if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o1777 != 0o1777:
            # Sticky, like /tmp: anyone may add a lock file, nobody may remove another's.
            folder.chmod(0o1777)
    except (OSError, AttributeError):  # AttributeError: os.getuid is not on Windows
        return folder if folder.is_dir() else None
    return folder


def _lock_identity(path: Path, create: bool) -> FileLock | None:
    """Take the lock keyed by the file's (device, inode), re-checked once it is held."""
    if create and not path.exists():
        # A new project has no identity until it exists: made here, empty (an empty file
        # is an empty SQLite database), so that a hard link made later finds it locked.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    identity = _identity(path)
    if identity is None or _identity_folder() is None:
        # No file (a restore puts a new one in place) or no shared folder for the lock
        # (a locked-down temp folder): PATH.lock alone guards the project, as it used to.
        return None
    lock = _os_lock(identity_lock_path(identity))
    try:
        lock.acquire()
    except Timeout:
        raise _locked(path) from None
    except OSError:
        return None  # the shared folder refused the file: as above, PATH.lock alone
    if _identity(path) != identity:
        # Replaced between looking and locking: the lock guards a file no longer there.
        lock.release()
        return _lock_identity(path, create)
    return lock


def writer_lock(path: Path, create: bool = True) -> WriterLock:
    """Take the writer's locks now or raise: a second writer waits for nobody.

    Two OS locks: PATH.lock beside the real file (what older versions and other tools look
    for), and a lock named by the file's identity (device and inode) in a shared temporary
    folder, so that a hard link (another name, perhaps in another folder) does not give the
    same file a second writer. The database file itself is not locked: SQLite's own POSIX
    locks on it are dropped whenever any connection of the process closes it. `create`
    makes a missing file first (empty), so that a new project is locked by identity too.
    """
    # The real file's lock: a symlink must not give the same file a second writer.
    real = path.resolve()
    by_path = _os_lock(lock_path(real))
    try:
        by_path.acquire()
    except Timeout:
        raise _locked(path) from None
    except OSError as error:
        raise ReadOnlyProject(f"{path}: cannot write beside the project ({error})") from error
    try:
        by_identity = _lock_identity(real, create)
    except OSError as error:
        by_path.release()
        raise ReadOnlyProject(f"{path}: cannot write beside the project ({error})") from error
    except BaseException:
        by_path.release()
        raise
    return WriterLock(by_path, by_identity)


class Store(
    SyncStateMixin,
    ReplacedMixin,
    BatchesMixin,
    LearnedMixin,
    GazetteersMixin,
    MergeMixin,
    ArticleDeletesMixin,
    BulkMixin,
    ArticlesMixin,
    NativeExportMixin,
    OverviewMixin,
    ListingMixin,
    AdjudicationMixin,
    RelationsMixin,
    AnnotationsMixin,
    StatsMixin,
    LabelsMixin,
):
    """A Marginalia project file. Every write method commits before it returns."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()
        self._writer_lock: WriterLock | None = None
        self.read_only = ""  # why writes are refused ("" when they are not)
        self._changes_at_backup = db.conn.total_changes
        self.writable_file = True  # False when opened read-only (restoring needs the writer)
        self._identity: tuple[int, int] | None = None  # the file's (device, inode) at opening
        self.recovered = ""  # what write_back said: where everything saved went, and why

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False, create: bool = True) -> Store:
        """Open and migrate the project file at `path`, as its one writer.

        The writer holds an OS lock on PATH.lock for as long as the project is open (the OS
        drops it if the process dies): a second writer gets ProjectLocked, never a second
        connection writing the file (SQLite before 3.51.3 can corrupt a WAL file that way).
        `read_only` opens without the lock, for reading beside a writer (WAL keeps each
        read a consistent snapshot); every write is then refused with the reason. A missing
        or empty file becomes a new project only with `create`; a file that is not a
        Marginalia project (another program's database) is refused and left as it was.
        """
        path = Path(path)
        if read_only:
            return cls._open_read_only(path, "opened read-only")
        found = recognise(path)
        if found.kind in ("missing", "empty") and not create:
            raise StoreError(found.refusal(path))
        if found.kind == "newer":
            raise migrations.MigrationError(found.refusal(path))  # as migrate() says it
        if found.kind == "foreign":
            raise StoreError(found.refusal(path))
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        lock = writer_lock(path)
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=2.0)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            lock.release()
            if "readonly" in str(error) or "read-only" in str(error):
                raise ReadOnlyProject(f"{path}: the project file cannot be written") from error
            raise StoreError(f"{path}: cannot open the project ({error})") from error
        except sqlite3.DatabaseError as error:
            lock.release()
            raise StoreError(f"{path}: not a Marginalia project file ({error})") from error
        except UnicodeDecodeError as error:
            lock.release()
            raise StoreError(f"{path}: damaged ({integrity.NOT_TEXT})") from error
        try:
            store = cls._prepare(Database(conn), path)
        except BaseException:
            lock.release()
            raise
        store._writer_lock = lock
        store._identity = _identity(path)
        return store

    @classmethod
    def _open_read_only(cls, path: Path, reason: str) -> Store:
        """Open without writing anything (no lock, no migration); writes are refused.

        Only a project of this version's schema is read: an older one would need its
        migrations, which are writes (the reason says how to upgrade it).
        """
        found = recognise(path)
        if found.kind != "unreadable" and found.refusal(path):
            raise StoreError(found.refusal(path))  # unreadable: the connection below says why
        try:
            conn = _read_only_connection(path)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot read the project ({error})") from error
        if version != migrations.latest_version():  # changed since it was recognised
            conn.close()
            raise StoreError(f"{path}: its schema changed while it was opened; try again")
        store = cls(Database(conn), path)
        store.read_only = reason
        store.writable_file = False
        return store

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

    def reader(self) -> Store:
        """A read-only store on the same file, for reading on another thread without waiting
        on this one (WAL gives each read a consistent snapshot of what is committed). An
        in-memory project has no file to share: it gives itself (reads then take turns)."""
        if self.path is None:
            return self
        return self._open_read_only(self.path, "a reader beside the window")

    @_serialized
    def refuse_writes(self, reason: str) -> None:
        """From now on refuse every write with `reason` (a damaged project is never written)."""
        self.db.conn.execute("PRAGMA query_only = ON")
        self.read_only = reason

    @_serialized
    def allow_writes(self) -> None:
        """Lift refuse_writes (the check it waited for passed); not for a read-only file."""
        if self.writable_file:
            self.db.conn.execute("PRAGMA query_only = OFF")
            self.read_only = ""

    @_serialized
    def check(self, full: bool = False) -> list[str]:
        """What is wrong with the project file ([] when nothing): SQLite's quick check, or with
        `full` its integrity check, orphans, the offset rule, the count tables and the search
        index word for word (on a private copy when this store may not write)."""
        conn = self.db.conn
        if self.path is not None:
            problems = check_file(self.path, full)
        elif full:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            problems = [p for p in problems if p != "ok"] or (
                integrity.damage_problems(conn)
                + integrity.count_problems(conn)
                + integrity.indexed_problems(conn)
            )
        else:
            problems = []
        if full and not problems:
            writable = self.writable_file and not self.read_only
            problems = (
                integrity.search_index_problems(conn)
                if writable
                else integrity.search_index_problems_of_copy(conn)
            )
        return problems

    @_serialized
    def repair(self) -> list[str]:
        """Mend what the full check finds beyond SQLite's own damage: rebuild the search index
        and the count tables, and remove orphaned rows (after a backup that keeps them).
        Returns what was done ([] when nothing needed it)."""
        if not self.writable_file or self.read_only:
            raise StoreError(f"{self.path}: not repaired: {self.read_only or 'read-only'}")
        conn = self.db.conn
        damaged = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if damaged:
            raise StoreError(
                f"{self.path}: damaged beyond what repair mends ({damaged[0]}); "
                "restore a backup (`marginalia restore`)"
            )
        done = []
        if integrity.orphan_problems(conn):
            kept = self.backup("before-repair")
            with self.db.atomic():
                removed = integrity.remove_orphans(conn)
            done.append(
                f"removed {removed} rows that referred to articles that are gone"
                + (f" (kept in {kept})" if kept else "")
            )
        if integrity.relation_problems(conn):
            with self.db.atomic():
                stray = integrity.delete_stray_relations(conn, now())
            done.append(f"deleted {stray} relations whose spans are gone")
        stale_index = integrity.indexed_problems(conn) or integrity.search_index_problems(conn)
        with self.db.atomic():
            done += [f"recounted {name}" for name in integrity.recount(conn)]
            if stale_index:
                integrity.rebuild_search_index(conn)
                done.append("rebuilt the search index")
        return done

    @_serialized
    def restore(self, backup: Path) -> Path | None:
        """Replace the project's content by a backup's (checked first), keeping the current
        content as a backup of its own; a backup of an older schema is migrated. Returns
        where the current content was kept (a raw copy when it was damaged)."""
        if not self.writable_file or self.file_gone():
            raise StoreError(f"{self.path}: not restored: {self.read_only or 'the file is gone'}")
        try:
            staged = staged_copy(backup, migrations.latest_version())
        except BackupError as error:
            raise StoreError(str(error)) from error
        try:
            kept = None
            if self.path is not None:
                # The current content is kept: as a checked backup, or as it is when damaged.
                sound = not check_file(self.path)
                kept = self.backup("before-restore") if sound else keep_damaged(self.path)
            # A damaged project refuses writes (refuse_writes), but replacing all of its
            # content by a good backup is what it needs; if that fails, it refuses them again.
            self.db.conn.execute("PRAGMA query_only = OFF")
            try:
                restore_into(self.db.conn, staged)
            except (BackupError, sqlite3.Error) as error:
                if self.read_only:
                    self.db.conn.execute("PRAGMA query_only = ON")
                raise StoreError(str(error)) from error
        except (BackupError, OSError) as error:
            raise StoreError(f"{self.path}: not restored ({error})") from error
        finally:
            staged.unlink(missing_ok=True)
        self.read_only = ""
        migrations.migrate(self.db, self.path)
        # A backup's derived tables are checked, not trusted: rebuilt when out of step.
        conn = self.db.conn
        with self.db.atomic():  # and so are its relations: none may link a span that is gone
            integrity.delete_stray_relations(conn, now())
        stale_index = integrity.indexed_problems(conn) or integrity.search_index_problems(conn)
        with self.db.atomic():
            integrity.recount(conn)
            if stale_index:
                integrity.rebuild_search_index(conn)
        self._changes_at_backup = self.db.conn.total_changes
        return kept

    def file_gone(self) -> str:
        """ "" while the project file is where it was opened; else what happened to it (deleted
        or replaced while open: the connection then writes to a file nobody can find)."""
        if self.path is None or self._identity is None:
            return ""
        now = _identity(self.path)
        if now is None:
            return "deleted"
        return "" if now == self._identity else "replaced by another file"

    @_serialized
    def write_back(self) -> Path | None:
        """Save what this connection holds when its file was deleted or replaced: at the
        project's path if it is free, else beside it. From then on the store reads that copy
        and refuses writes (they would land in the lost file). Returns where it was saved
        (None when nothing was gone)."""
        gone = self.file_gone()
        if not gone or self.path is None:
            return None
        self.refuse_writes(f"the project file was {gone} while open")
        self.writable_file = False  # a restore would write into the lost file too
        target, stamp = self.path, now().replace(":", "").replace("-", "")[:15]
        if target.exists():
            target = self.path.with_name(f"{self.path.stem}.recovered-{stamp}{self.path.suffix}")
        # The lost file's WAL is still beside it, under the project's names: a file there
        # (a new one, or the one that replaced ours) would replay it as its own.
        for suffix in ("-wal", "-shm"):
            stale = Path(f"{self.path}{suffix}")
            if stale.exists():
                os.replace(stale, stale.with_name(f"{stale.name}.orphaned-{stamp}"))
        copy = sqlite3.connect(target)
        try:
            self.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        # Read the copy from now on; the lost file's connection is let go of.
        lost = self.db
        self.db = Database(_read_only_connection(target))
        lost.close()
        self.path, self._identity = target, None
        self.read_only = (
            f"the project file was {gone} while open; everything saved was written to "
            f"{target}: open that"
        )
        self.recovered = f"the project file was {gone} while open; everything saved is in {target}"
        return target

    @_serialized
    def close(self) -> None:
        """Close the connection (everything is already committed), then let go of the lock.

        A project whose file was deleted while open is first written back (see write_back).
        """
        try:
            if self.file_gone():
                self.write_back()
        finally:
            self.db.close()
            if self._writer_lock is not None:
                self._writer_lock.release()
                self._writer_lock = None
