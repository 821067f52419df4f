"""`marginalia annotate-all --history` and `--undo BATCH`: the recorded batches from the shell."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from typing import Any

from desktop_app.core.store.batches import Batch, BatchState

EXIT_OK = 0


def add_options(ann: argparse.ArgumentParser) -> None:
    """Add --history and --undo to `annotate-all` (they take no TEXT and no --label)."""
    ann.add_argument("--history", action="store_true",
                     help="list the recorded annotate-all batches, newest first")  # fmt: skip
    ann.add_argument("--undo", metavar="BATCH",
                     help="remove a batch's spans that are still as it made them "
                     "(its uuid, or enough of its start to name one)")  # fmt: skip


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors of annotate-all's two shapes, before anything is opened."""
    if args.command != "annotate-all":
        return
    if args.history and args.undo:
        parser.error("annotate-all: --history or --undo, not both")
    if args.history or args.undo:
        if args.text is not None or args.label is not None or args.dry_run:
            which = "--history" if args.history else "--undo"
            parser.error(f"annotate-all {which} takes no TEXT, --label or --dry-run")
    elif args.text is None or args.label is None:
        parser.error("annotate-all needs TEXT and --label (or --history, or --undo BATCH)")


def wanted(args: argparse.Namespace) -> bool:
    """Whether the command asks for the history or an undo (not a search)."""
    return bool(args.history or args.undo)


def run(
    args: argparse.Namespace,
    open_reader: Callable[[argparse.Namespace], Any],
    open_writer: Callable[[argparse.Namespace], Any],
) -> int:
    """List the batches, or undo one; returns the exit code."""
    if args.history:
        store = open_reader(args)
        try:
            batches = store.batches()
        finally:
            store.close()
        _print_history(batches, args.json)
        return EXIT_OK
    from desktop_app.core.editing import Editor

    store = open_writer(args)
    try:
        annotator = args.annotator or getpass.getuser() or "analyst"
        state = Editor(store, annotator).undo_batch(args.undo)
    finally:
        store.close()
    _print_undo(state, args.json)
    return EXIT_OK


def _print_history(batches: list[Batch], as_json: bool) -> None:
    if as_json:
        print(json.dumps([b.as_dict() for b in batches], ensure_ascii=False, indent=1))
        return
    if not batches:
        print("no annotate-all batches in this project")
        return
    for b in batches:
        undone = f"  undone {b.undone_at}" if b.undone_at else ""
        print(
            f"{b.uuid}  {b.created_at}  {b.annotator}  {b.label}  "
            f"{b.live}/{b.count} live  “{b.search}”{_options(b.options)}{undone}"
        )


def _options(options: dict[str, Any]) -> str:
    shown = [name for name in ("regex", "case") if options.get(name)]
    if options.get("whole_word") is False:
        shown.append("not whole word")
    return f" ({', '.join(shown)})" if shown else ""


def _print_undo(state: BatchState, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "batch": state.batch.uuid,
                    "removed": state.removable,
                    "changed": [s.uuid for s in state.changed],
                    "moved": [s.uuid for s in state.moved],
                    "gone": state.gone,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    print(f"batch {state.batch.uuid}: {state.summary()}")
    for span in state.changed:
        where = f"{span.article_id}:{span.start}-{span.end}"
        print(f"  kept (changed) {where} {span.label} “{span.quote}”")
    for span in state.moved:
        print(f"  kept (moved)   {span.article_id}:{span.start}-{span.end} “{span.quote}”")
