"""The command line's project-safety commands: backup, restore and check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop_app import paths
from desktop_app.core.migrations import latest_version
from desktop_app.core.store import ProjectLocked, ReadOnlyProject, Store, StoreError, integrity
from desktop_app.core.store.backups import (
    BackupError,
    check_file,
    list_backups,
    newest_good,
    restorable_problems,
    restore_file,
    usable_problem,
)
from desktop_app.core.store.project_file import writer_lock
from desktop_app.core.store.recognise import recognise

EXIT_OK, EXIT_REJECTED = 0, 1
# A quick check reads the whole file (about 6 s a GB): writing commands run it on projects up
# to this size before they write; `marginalia check` runs it, or the full one, on any.
CHECK_BEFORE_WRITING_BYTES = 256 << 20


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add backup, restore and check to the command line's subcommands."""
    backup = commands.add_parser(
        "backup", parents=[common], help="take a verified backup now, or list the backups"
    )
    backup.add_argument("--list", action="store_true", help="list the backups, newest first")
    restore = commands.add_parser(
        "restore", parents=[common], help="replace the project by a backup (newest good one)"
    )
    restore.add_argument("backup", nargs="?", metavar="BACKUP", help="a file from --list")
    check = commands.add_parser("check", parents=[common], help="check the project for damage")
    check.add_argument("--quick", action="store_true", help="SQLite's quick check only")
    check.add_argument(
        "--repair",
        action="store_true",
        help="rebuild the search index and counts, remove orphans (after a backup), check again",
    )


HANDLERS = ("backup", "restore", "check")


def run(args: argparse.Namespace) -> int:
    """Run one of this module's commands."""
    project, _ = paths.resolve_db_path(getattr(args, "db", None))
    found = recognise(project)
    # Another program's file is never touched; restore may replace a missing or damaged one.
    refused = ("foreign",) if args.command == "restore" else ("foreign", "missing", "empty")
    if found.kind in refused:
        print(f"marginalia {args.command}: {found.refusal(project)}", file=sys.stderr)
        return EXIT_REJECTED
    if found.kind == "older" and args.command == "check":
        return _check_older(args, project, found.refusal(project))
    return {"backup": _backup, "restore": _restore, "check": _check}[args.command](args, project)


def damage_report(project: Path) -> str:
    """ "" for a sound project, else what is wrong and what to do (for writing commands)."""
    if not project.is_file() or project.stat().st_size > CHECK_BEFORE_WRITING_BYTES:
        return ""
    problems = check_file(project)
    if not problems:
        return ""
    return f"{project} is damaged ({problems[0]}); nothing was written. {_advice(project)}"


def _advice(project: Path) -> str:
    good = newest_good(project)
    if good is None:
        return "There is no good backup to restore."
    return f"The newest good backup is {good.path.name}: run `marginalia restore` to use it."


def _backup(args: argparse.Namespace, project: Path) -> int:
    if args.list:
        backups = list_backups(project)
        for backup in backups:
            print(backup.describe())
        if not backups:
            print(f"no backups yet (they go in {project.name}.backups/)")
        return EXIT_OK
    store = Store.open(project)
    try:
        made = store.backup("manual")
    finally:
        store.close()
    print(f"backed up to {made}")
    return EXIT_OK


def _restore(args: argparse.Namespace, project: Path) -> int:
    if args.backup:
        chosen = Path(args.backup)
        if not chosen.is_file():
            chosen = project.with_name(project.name + ".backups") / args.backup
        return _restore_from(project, chosen)
    # The newest backup that can be restored: an empty, cut-short or damaged newer one (a
    # full disk, a killed copy) is named and passed over, not tried and failed on.
    for backup in list_backups(project):
        problem = usable_problem(backup)
        if not problem:
            found = restorable_problems(backup.path, latest_version())
            problem = found[0] if found else ""
        if not problem:
            return _restore_from(project, backup.path)
        print(f"skipped {backup.path.name}: {problem}")
    print(f"marginalia restore: {project}: no good backup to restore", file=sys.stderr)
    return EXIT_REJECTED


def _restore_from(project: Path, chosen: Path) -> int:
    if not project.is_file():  # deleted: the backup simply takes its place
        return _restore_unopenable(project, chosen)
    try:
        store = Store.open(project)
    except (ProjectLocked, ReadOnlyProject):
        raise  # open elsewhere, or not writable here: said as it is
    except StoreError:
        return _restore_unopenable(project, chosen)  # too damaged to open
    try:
        kept = store.restore(chosen)
    finally:
        store.close()
    print(f"restored {project} from {chosen.name}")
    if kept:
        print(f"what it held before is kept in {kept}")
    return EXIT_OK


def _restore_unopenable(project: Path, chosen: Path) -> int:
    """A project too damaged to open: put the backup in its place, under the writer's lock."""
    lock = writer_lock(project, create=False)  # a missing project gets the backup's file
    try:
        kept = restore_file(project, chosen, latest_version())
    except BackupError as error:
        print(f"marginalia restore: {error}", file=sys.stderr)
        return EXIT_REJECTED
    finally:
        lock.release()
    where = f" (the damaged file is kept in {kept})" if kept else ""
    print(f"restored {project} from {chosen.name}{where}")
    return EXIT_OK


def _check_older(args: argparse.Namespace, project: Path, why: str) -> int:
    """Check a project of an older schema as it is: upgrading it first would write to it."""
    problems = check_file(project, full=not args.quick)
    for problem in problems[:20]:
        print(f"{project}: {problem}")
    if problems:
        print(_advice(project))
        return EXIT_REJECTED
    print(f"{project}: ok ({'quick' if args.quick else 'full'} check; {why.split(': ', 1)[1]})")
    return EXIT_OK


def _check(args: argparse.Namespace, project: Path) -> int:
    if args.repair:
        return _repair(project)
    try:
        try:
            store = Store.open(project)  # the writer's connection checks the search index
        except (ProjectLocked, ReadOnlyProject):
            store = Store.open(project, read_only=True)  # ... else a private copy does
            print(f"{project}: open elsewhere or not writable here: checked read-only")
    except StoreError as error:
        reason = str(error).removeprefix(f"{project}: ")  # said once, in front
        if not reason.startswith("damaged"):
            reason = f"damaged: {reason}"
        print(f"{project}: {reason}. {_advice(project)}")
        return EXIT_REJECTED
    try:
        problems = store.check(full=not args.quick)
    finally:
        store.close()
    return _report(project, problems, "quick" if args.quick else "full")


def _report(project: Path, problems: list[str], kind: str) -> int:
    if not problems:
        print(f"{project}: ok ({kind} check)")
        return EXIT_OK
    for problem in problems[:20]:
        print(f"{project}: {problem}")
    if not all(integrity.rebuildable(problem) for problem in problems):
        print(_advice(project))
    return EXIT_REJECTED


def _repair(project: Path) -> int:
    """Mend what is derived or orphaned, then run the full check again (needs the writer)."""
    store = Store.open(project)  # ProjectLocked: "close it there" is the answer
    try:
        done = store.repair()
        problems = store.check(full=True)
    finally:
        store.close()
    if done:
        print(f"{project}: repaired: " + "; ".join(done))
    else:
        print(f"{project}: nothing to repair")
    return _report(project, problems, "full")
