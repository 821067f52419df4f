"""Verified, rotating backups of a project file, its integrity checks, and restoring one.

Backups live in PROJECT.backups/ beside the project, one SQLite file each, named
STEM.YYYYMMDDTHHMMSSffffffZ.REASON.sqlite. Each is made with SQLite's online backup API from
its own read-only connection (a consistent snapshot; the writer is not held up), written under
a temporary name, opened and checked, and only then given its name: an older backup is pruned
only once a newer one is known to be good.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.store import integrity
from desktop_app.core.store.integrity import table_names

KEEP_RECENT = 10  # the newest backups always kept
KEEP_DAYS = 7  # and the newest of each of the last days
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<stamp>\d{8}T\d{12}Z)\.(?P<reason>[a-z0-9-]+)\.sqlite$")
_STAMP = "%Y%m%dT%H%M%S%fZ"


_ONE_AT_A_TIME = threading.Lock()  # a merge's backup and the window's periodic one


class BackupError(RuntimeError):
    """A backup that could not be made, checked or restored; the message says why."""


@dataclass(frozen=True)
class Backup:
    """One backup file: where it is, why and when it was taken, how big it is, and why it
    cannot be restored ("" when it looks like a whole SQLite file; see newest_good)."""

    path: Path
    reason: str
    taken: datetime
    size: int
    problem: str = ""

    def describe(self) -> str:
        """One line for a list: local time, reason, size (and why it is not usable)."""
        when = self.taken.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        line = f"{when}  {self.reason:<16} {self.size / 2**20:8.1f} MB  {self.path.name}"
        return f"{line}  not usable: {self.problem}" if self.problem else line


def backup_folder(project: Path) -> Path:
    """Where the project's backups are kept."""
    return project.with_name(project.name + ".backups")


def list_backups(project: Path) -> list[Backup]:
    """The project's backups, newest first (files that are not backups are ignored), each
    with what its header says is wrong with it (an empty file, a file cut short)."""
    found = []
    folder = backup_folder(project)
    for path in folder.glob("*.sqlite") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match is None:
            continue
        taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        size = path.stat().st_size
        found.append(Backup(path, match["reason"], taken, size, header_problem(path, size)))
    return sorted(found, key=lambda backup: backup.taken, reverse=True)


def header_problem(path: Path, size: int) -> str:
    """What an SQLite file's size and header say is wrong with it ("" when nothing): cheap
    enough for every listing, it finds what a full disk or a killed copy leaves."""
    if size == 0:
        return "it is empty (0 bytes)"
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return f"it cannot be read ({error})"
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "it is not an SQLite file"
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page & (page - 1):
        return "its header is damaged"
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when its two change counters agree (SQLite 3.7+).
    if header[24:28] == header[92:96] and pages * page > size:
        return f"it is cut short ({size:,} of {pages * page:,} bytes)"
    if size % page:
        return "it is cut short (not a whole number of pages)"
    return ""


# Backups never change once named, so a check is remembered by (path, size, mtime).
_CHECKED: dict[tuple[str, str, int, int], list[str]] = {}


def _remembered(path: Path, kind: str, check: Callable[[], list[str]]) -> list[str]:
    try:
        found = path.stat()
    except OSError as error:
        return [f"cannot be read ({error})"]
    key = (str(path.resolve()), kind, found.st_size, found.st_mtime_ns)
    if key not in _CHECKED:
        _CHECKED[key] = check()
    return _CHECKED[key]


def take_backup(
    project: Path, reason: str, now: datetime | None = None, keep: int = KEEP_RECENT
) -> Backup:
    """Copy the project into its backup folder, check the copy, then prune older ones (the
    newest `keep` and the newest of each of the last KEEP_DAYS days stay)."""
    if not re.fullmatch(r"[a-z0-9-]+", reason):
        raise ValueError(f"a backup reason is lowercase letters, digits and '-', not {reason!r}")
    taken = now or datetime.now(UTC)
    folder = backup_folder(project)
    target = folder / f"{project.stem}.{taken.strftime(_STAMP)}.{reason}.sqlite"
    partial = target.with_name(target.name + ".partial")
    with _ONE_AT_A_TIME:
        backup = _take(project, reason, taken, target, partial)
        prune(project, taken, keep)
        return backup


def _take(project: Path, reason: str, taken: datetime, target: Path, partial: Path) -> Backup:
    folder = target.parent
    try:
        folder.mkdir(exist_ok=True)
        # A backup killed half-way (the process died) leaves its partial copy: one writer
        # per project, and backups one at a time here, so any partial left is stale.
        for stale in folder.glob("*.partial*"):
            stale.unlink(missing_ok=True)
        _checked_copy(project, partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"{target}: the backup could not be written ({error})") from error
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, reason, taken, target.stat().st_size)


def _checked_copy(project: Path, partial: Path, target: Path) -> None:
    """Copy `project` to `partial` (a consistent snapshot), check it, then name it `target`."""
    source = _read_only(project)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    problems = check_file(partial)
    if problems:
        raise BackupError(f"{target}: the copy did not check out ({problems[0]})")
    os.replace(partial, target)


def copy_project(project: Path, target: Path) -> Path:
    """Write a verified copy of `project` to `target` (a new file: an existing one is never
    replaced), made the way backups are: a snapshot of what is committed, checked, renamed."""
    if target.exists():
        raise BackupError(f"{target}: already exists; choose a new name for the copy")
    if target.resolve() == project.resolve():
        raise BackupError(f"{target}: is the project itself")
    partial = target.with_name(target.name + ".partial")
    try:
        with _ONE_AT_A_TIME:
            _checked_copy(project, partial, target)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"{target}: the copy could not be written ({error})") from error
    finally:
        partial.unlink(missing_ok=True)
    return target


def prune(project: Path, now: datetime, keep: int = KEEP_RECENT) -> list[Path]:
    """Delete backups beyond the newest `keep` and the newest of each of KEEP_DAYS days."""
    keep = max(1, keep)  # the backup just taken is always kept
    kept_days: set[str] = set()
    removed = []
    # A file that is no backup (empty, cut short) keeps no good one from being kept, and
    # is left for the analyst to look at (list_backups names it).
    usable = [backup for backup in list_backups(project) if not backup.problem]
    for index, backup in enumerate(usable):
        day = backup.taken.strftime("%Y-%m-%d")
        recent_day = now - backup.taken < timedelta(days=KEEP_DAYS)
        if index < keep or (recent_day and day not in kept_days):
            kept_days.add(day)
            continue
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def check_file(path: Path, full: bool = False) -> list[str]:
    """What is wrong with the SQLite file at `path` ([] when nothing): SQLite's quick check,
    or with `full` its integrity check and the project's own (integrity.py): orphans, the
    offset rule, the count tables and which articles the search index holds. Its words
    need a connection that may write (integrity.search_index_problems)."""
    try:
        conn = _read_only(path)
    except sqlite3.Error as error:
        return [f"cannot be opened ({error})"]
    try:
        pragma = "integrity_check" if full else "quick_check"
        problems = [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
        if full and not problems:
            problems += integrity.damage_problems(conn)
            problems += integrity.count_problems(conn)
            problems += integrity.indexed_problems(conn)
        return problems
    except sqlite3.Error as error:
        return [f"cannot be read ({error})"]
    except UnicodeDecodeError:
        return [integrity.NOT_TEXT]
    finally:
        conn.close()


def newest_good(project: Path) -> Backup | None:
    """The newest backup that is a whole Marginalia project file passing the quick check
    (an empty or cut-short newer one is passed over), if there is one."""
    for backup in list_backups(project):
        if not usable_problem(backup):
            return backup
    return None


def usable_problem(backup: Backup) -> str:
    """Why a backup cannot be used ("" when it can): its header, then the quick check and
    whether it is a Marginalia project (remembered while the file is unchanged)."""
    if backup.problem:
        return backup.problem
    problems = _remembered(backup.path, "quick", lambda: _quick_project_problems(backup.path))
    return problems[0] if problems else ""


def _quick_project_problems(path: Path) -> list[str]:
    problems = check_file(path)
    if problems:
        return [f"it does not check out ({problems[0]})"]
    return _project_problems(path)


def _project_problems(path: Path) -> list[str]:
    """Whether the file at `path` is a Marginalia project (its tables and schema version)."""
    try:
        conn = _read_only(path)
        try:
            tables = table_names(conn)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as error:
        return [f"cannot be read ({error})"]
    if not {"articles", "spans", "document_tags", "labels"} <= tables or version < 1:
        return ["it is not a Marginalia project"]
    return []


def restorable_problems(backup: Path, latest: int) -> list[str]:
    """Why `backup` cannot replace a project ([] when it can): it must pass the full check,
    be a Marginalia project, and not be newer than this version (schema `latest`). A file
    in the backup folder is checked once while it is unchanged."""
    if backup.parent.name.endswith(".backups"):
        return _remembered(backup, f"restore-{latest}", lambda: _restorable(backup, latest))
    return _restorable(backup, latest)


def _restorable(backup: Path, latest: int) -> list[str]:
    problem = header_problem(backup, backup.stat().st_size) if backup.is_file() else ""
    if problem:
        return [problem]
    # What is derived (the search index, the counts) is rebuilt once restored; damage is not.
    problems = [p for p in check_file(backup, full=True) if not integrity.rebuildable(p)]
    if problems:
        return [f"it does not check out ({problems[0]})"]
    problems = _project_problems(backup)
    if problems:
        return problems
    conn = _read_only(backup)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    if version > latest:
        return [f"it was made by a newer Marginalia (schema {version}, this one knows {latest})"]
    return []


def staged_copy(backup: Path, latest: int) -> Path:
    """Check `backup` for restoring and copy it aside: taking the backup of what the project
    holds now may prune the chosen one, and must not change what is restored."""
    problems = restorable_problems(backup, latest)
    if problems:
        raise BackupError(f"{backup}: not restored, {problems[0]}")
    staged = backup.with_name(backup.name + ".restoring")
    try:
        shutil.copyfile(backup, staged)
    except OSError as error:
        staged.unlink(missing_ok=True)
        raise BackupError(f"{backup}: not restored, it cannot be read ({error})") from error
    return staged


def restore_into(connection: sqlite3.Connection, staged: Path) -> None:
    """Replace the open project's whole content by a staged backup's (SQLite's backup API, in
    the writer's own connection: no file is swapped under anyone, the lock stays held)."""
    source = _read_only(staged)
    try:
        source.backup(connection)
    except sqlite3.Error as error:
        raise BackupError(f"{staged}: could not be restored ({error})") from error
    finally:
        source.close()


def restore_file(project: Path, backup: Path, latest: int) -> Path | None:
    """Put the backup in place of a project file that cannot even be opened (or is gone);
    the damaged file (and its WAL) is kept beside its backups. Returns where it was kept.

    Only for a project nobody has open: the caller holds the writer's lock. The copy is
    made and flushed before anything is moved, so a full disk leaves the project as it was.
    """
    problems = restorable_problems(backup, latest)
    if problems:
        raise BackupError(f"{backup}: not restored, {problems[0]}")
    stamp = datetime.now(UTC).strftime(_STAMP)
    folder = backup_folder(project)
    folder.mkdir(exist_ok=True)
    partial = project.with_name(project.name + ".restoring")
    try:
        shutil.copyfile(backup, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{project}: not restored, the copy failed ({error})") from error
    kept = None
    for suffix in ("", "-wal", "-shm"):
        current = Path(str(project) + suffix)
        if current.exists():
            moved = folder / f"{project.name}{suffix}.damaged-{stamp}"
            os.replace(current, moved)  # a stale WAL must never be replayed onto the backup
            kept = kept or moved
    os.replace(partial, project)
    return kept


def keep_damaged(project: Path) -> Path:
    """Copy a damaged project file (and its WAL) beside its backups, as it is, before it is
    replaced: what is in it may still be recovered by hand. Returns the main file's copy."""
    stamp = datetime.now(UTC).strftime(_STAMP)
    folder = backup_folder(project)
    folder.mkdir(exist_ok=True)
    kept = folder / f"{project.name}.damaged-{stamp}"
    for suffix in ("", "-wal"):
        current = Path(str(project) + suffix)
        if current.exists():
            shutil.copyfile(current, folder / f"{project.name}{suffix}.damaged-{stamp}")
    return kept


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read `path` (and never creates it)."""
    if not path.is_file():
        raise sqlite3.OperationalError(f"no such file: {path}")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"  # read-only media: no WAL index can be made, nobody writes
    return sqlite3.connect(uri, uri=True, timeout=5.0)
