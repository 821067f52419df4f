"""`marginalia sync [URL] [--json]`: sync the project with its team server; `marginalia
history`: what syncs replaced (every conflict's loser, kept whole)."""

from __future__ import annotations

import argparse
import json
from typing import Any

EXIT_OK, EXIT_REJECTED = 0, 1
HANDLERS = ("sync", "history")


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add `sync [URL]` to the command line."""
    sync = commands.add_parser(
        "sync", parents=[common], help="pull and push the project's work with the team server"
    )
    sync.add_argument(
        "url",
        metavar="URL",
        nargs="?",
        help="the team server's libpq URL, e.g. postgresql://ana@db.example.org/team "
        "(remembered in the project, without any password; the password comes from "
        "~/.pgpass, PGPASSWORD or a service file)",
    )
    sync.add_argument("--json", action="store_true", help="machine-readable report")
    history = commands.add_parser(
        "history",
        parents=[common],
        help="what team syncs replaced here: each conflict's losing version, kept whole",
    )
    history.add_argument("--article", metavar="UID", help="only this article's")
    history.add_argument("--json", action="store_true", help="machine-readable list")


def run(args: argparse.Namespace) -> int:
    """Sync (exit 1 when something was refused or could not be taken), or show the history."""
    from desktop_app.cli import _open_writer, _recovered

    if args.command == "history":
        return _history(args)
    from desktop_app.core.sync.client import sync

    store = _open_writer(args, create=False)
    try:
        report = sync(store, args.url)
    finally:
        store.close()
    lost = _recovered(args, store)
    failed = bool(report.refused or report.problems or lost)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return EXIT_REJECTED if failed else EXIT_OK
    kind = "full sync" if report.full_sync else "sync"
    print(
        f"{report.server} as {report.user}: {kind}, {report.pulled} pulled, "
        f"{report.pushed} pushed, {len(report.conflicts)} conflicts, "
        f"{len(report.refused)} refused (server version {report.cursor})"
    )
    for conflict in report.conflicts:
        kept = conflict.ours if conflict.winner == "ours" else conflict.theirs
        other = conflict.theirs if conflict.winner == "ours" else conflict.ours
        print(
            f"  conflict {conflict.table} {conflict.key}: kept {conflict.winner} ({kept}); "
            f"the other ({other}) is in the history (marginalia history)"
        )
    # One line per table and reason, naming every row it covers (five labels the server
    # lacks are one thing to do, not five).
    grouped: dict[tuple[str, str], list[str]] = {}
    for refusal in report.refused:
        grouped.setdefault((refusal.table, refusal.reason), []).append(refusal.key)
    for (table, reason), keys in grouped.items():
        print(f"  refused {table} {', '.join(keys)}: {reason}")
    for problem in report.problems:
        print(f"  not taken: {problem}")
    return EXIT_REJECTED if failed else EXIT_OK


def _history(args: argparse.Namespace) -> int:
    """Print the versions syncs replaced, oldest first (read-only: a sync may run meanwhile)."""
    from desktop_app.cli import _open_reader

    store = _open_reader(args)
    try:
        entries = store.sync_history(args.article)
    finally:
        store.close()
    if args.json:
        print(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("no sync has replaced anything here")
    for entry in entries:
        fields = {k: v for k, v in entry.row.items() if k not in ("text", "quote")}
        who = f" ({entry.annotator}'s)" if entry.annotator else ""
        print(f"{entry.replaced_at} {entry.table} {entry.key}{who}: {entry.reason}")
        print("  " + ", ".join(f"{k}={v!r}" for k, v in fields.items()))
    return EXIT_OK
