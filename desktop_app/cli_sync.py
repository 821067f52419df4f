"""`marginalia sync [URL] [--json]`: sync the project with its team server."""

from __future__ import annotations

import argparse
import json
from typing import Any

EXIT_OK, EXIT_REJECTED = 0, 1
HANDLERS = ("sync",)


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


def run(args: argparse.Namespace) -> int:
    """Sync; exit 1 when something was refused or could not be taken."""
    from desktop_app.cli import _open_writer, _recovered
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
            f"the other ({other}) is in the history"
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
