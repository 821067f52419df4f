"""The `marginalia` command: no arguments opens the window; subcommands work on core only."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from desktop_app import cli_batches, cli_safety, cli_server, cli_suggest, cli_sync, paths
from desktop_app.core.store import StoreError

if TYPE_CHECKING:
    from desktop_app.core.model import ImportProblem

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
FORMATS = ("auto", "txt", "jsonl", "csv", "doccano", "labelstudio", "conll", "brat", "refi", "qdpx")
EXPORT_FORMATS = ("jsonl", "doccano", "labelstudio", "conll", "brat", "refi", "qdpx", "csv")
ALIASES = {"qdpx": "refi"}  # REFI-QDA's project files are .qdpx
STATUSES = ("todo", "in progress", "done")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        # SUPPRESS: a subcommand that was not given --db must not overwrite one given before it.
        default=argparse.SUPPRESS,
        help="project file (else $MARGINALIA_DB, else the default project in your data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="marginalia",
        description="Annotate news articles by hand. With no command, opens the window.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = commands.add_parser(
        "import", parents=[common], help="import .txt files, folders, JSONL or CSV"
    )
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument(
        "--annotator",
        help="whose the annotations are that the files name nobody for (default: imported; "
        "doccano's per-user zip names each file's)",
    )
    imp.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="auto tells formats by extension (and doccano JSONL by its fields); doccano reads "
        "every file as doccano JSONL; qdpx is refi",
    )
    for field in ("text", "title", "date", "id", "source", "url"):
        imp.add_argument(
            f"--{field}-field", metavar="NAME", help=f"JSONL/CSV field holding the {field}"
        )

    exp = commands.add_parser("export", parents=[common], help="export annotated articles")
    exp.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    exp.add_argument("-o", "--output", required=True, metavar="OUT")
    exp.add_argument(
        "--doccano-shape",
        choices=("entities", "label"),
        default="entities",
        help="doccano: spans as entities (with document tags) or as label triples",
    )
    exp.add_argument(
        "--per-annotator",
        action="store_true",
        help="doccano: OUT is a folder with one NAME.jsonl per annotator",
    )
    exp.add_argument(
        "--with-suggestions",
        action="store_true",
        help="jsonl: add each article's machine suggestions (never spans) as 'suggestions'",
    )
    exp.add_argument("--bom", action="store_true", help="csv: UTF-8 with BOM (for Excel)")
    exp.add_argument(
        "--raw-cells",
        action="store_true",
        help="csv: write cells starting with = + - @ as they are (by default they get a ' "
        "so a spreadsheet shows them as text instead of running them as formulas)",
    )
    exp.add_argument("--query", default="", help="full-text search")
    exp.add_argument("--tag", help="only articles with this document tag")
    exp.add_argument("--label", help="only articles with spans of this label")
    exp.add_argument("--relation", metavar="TYPE", help="only articles with relations of this type")
    exp.add_argument("--annotator", help="only articles this annotator annotated")
    exp.add_argument("--status", choices=STATUSES, help="the --annotator's status")

    merge = commands.add_parser(
        "merge",
        parents=[common],
        help="merge a colleague's project file or Marginalia JSONL export into the project",
    )
    merge.add_argument("other", metavar="OTHER", help="a .sqlite project or a native .jsonl")
    merge.add_argument("--json", action="store_true", help="machine-readable report")

    sample = commands.add_parser(
        "sample",
        parents=[common],
        help="draw a seeded double-coding sample and pack it for a colleague",
    )
    sample.add_argument("--size", type=int, required=True, help="how many articles")
    sample.add_argument("--seed", type=int, default=1, help="the same seed draws the same sample")
    sample.add_argument("--by", choices=("none", "source", "tag"), default="none",
                        help="stratify by source or by (first) document tag")  # fmt: skip
    sample.add_argument("--for", dest="for_whom", required=True, metavar="NAME",
                        help="the colleague who codes it")  # fmt: skip
    sample.add_argument("--name", help="the sample's name (default: for whom and seed)")
    sample.add_argument("-o", "--output", required=True, metavar="PACKAGE.zip")

    agree = commands.add_parser(
        "agreement", parents=[common], help="inter-annotator agreement (kappa, alpha, F1)"
    )
    agree.add_argument(
        "--annotators", metavar="A,B,...", help="whom to compare (default: everyone with work)"
    )
    agree.add_argument("--label", help="only this span label or document tag")
    agree.add_argument("--json", action="store_true", help="machine-readable figures")

    _annotate_all_parser(commands, common)

    stats = commands.add_parser("stats", parents=[common], help="counts of articles and labels")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    cli_safety.add_commands(commands, common)
    cli_suggest.add_commands(commands, common)
    cli_server.add_commands(commands, common)
    cli_sync.add_commands(commands, common)
    return parser


def _annotate_all_parser(commands, common: argparse.ArgumentParser) -> None:  # type: ignore[no-untyped-def]
    """`annotate-all TEXT --label L`: every match of a term as a span, in one undoable step."""
    ann = commands.add_parser(
        "annotate-all",
        parents=[common],
        help="annotate every match of a text (or regular expression) with a label",
    )
    ann.add_argument("text", metavar="TEXT", nargs="?",
                     help="the text (or, with --regex, the pattern)")  # fmt: skip
    ann.add_argument("--label", help="the span label to give each match (needed with TEXT)")
    ann.add_argument("--annotator", help="whose spans they become (default: your user name)")
    ann.add_argument("--regex", action="store_true", help="TEXT is a Python regular expression")
    ann.add_argument("--case", action="store_true", help="match upper and lower case exactly")
    ann.add_argument("--no-whole-word", dest="whole_word", action="store_false",
                     help="also match inside longer words")  # fmt: skip
    ann.add_argument("--query", default="", help="only articles matching this search")
    ann.add_argument("--tag", help="only articles with this document tag")
    ann.add_argument("--relation", metavar="TYPE", help="only articles with relations of this type")
    ann.add_argument("--status", choices=STATUSES, help="only articles with the annotator's status")
    ann.add_argument("--not-done", action="store_true",
                     help="only articles the annotator has not marked done")  # fmt: skip
    ann.add_argument("--dry-run", action="store_true", help="list the matches, change nothing")
    ann.add_argument("--json", action="store_true", help="machine-readable output")
    cli_batches.add_options(ann)


class _TerminalProgress:
    """A one-line progress bar on a terminal; silent when the output is piped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.enabled or total == 0:
            return
        width = 30
        filled = width * done // total
        name = what if len(what) < 40 else "…" + what[-39:]
        self.stream.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {name:<40}")
        self.stream.flush()
        if done == total:
            self.stream.write("\n")


def _project_path(args: argparse.Namespace) -> Path:
    """The project the command works on; a warning when its place is unsafe for SQLite."""
    from desktop_app.core.location import location_warning

    db_path, _ = paths.resolve_db_path(getattr(args, "db", None))
    warning = location_warning(db_path)
    if warning:
        print(f"marginalia: warning: {warning}", file=sys.stderr)
    return db_path


def _open_writer(args: argparse.Namespace, create: bool):  # type: ignore[no-untyped-def]
    """The project as its one writer (checked first); only `create` makes a new one."""
    from desktop_app.core.project import open_project
    from desktop_app.core.store.recognise import recognise

    db_path = _project_path(args)
    found = recognise(db_path)
    if found.kind in ("foreign", "newer"):  # before the damage check reads it
        raise StoreError(found.refusal(db_path))
    damage = cli_safety.damage_report(db_path)
    if damage:
        raise StoreError(damage)
    store, _ = open_project(db_path, paths.default_schema_path(), create=create)
    return store


def _open_reader(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The project read-only: no lock (a writer may work meanwhile), nothing migrated or made."""
    from desktop_app.core.store import Store

    return Store.open(_project_path(args), read_only=True)


def _recovered(args: argparse.Namespace, store) -> int:  # type: ignore[no-untyped-def]
    """After closing a writer: say where the work went if its file was deleted or replaced."""
    if not store.recovered:
        return EXIT_OK
    what = store.recovered.replace("while open", "while the command ran")
    print(f"marginalia {args.command}: {what}", file=sys.stderr)
    return EXIT_REJECTED


def _import(args: argparse.Namespace) -> int:
    from desktop_app.core.importers import FieldMapping
    from desktop_app.core.importing import import_paths

    overrides = {
        field: getattr(args, f"{field}_field")
        for field in ("text", "title", "date", "id", "source", "url")
        if getattr(args, f"{field}_field")
    }
    store = _open_writer(args, create=True)
    try:
        report = import_paths(
            store,
            args.paths,
            fmt=ALIASES.get(args.format, args.format),
            annotator=args.annotator or "imported",
            per_user_files=args.annotator is None,
            mapping=FieldMapping(**overrides) if overrides else None,
            progress=_TerminalProgress(sys.stderr),
        )
    finally:
        store.close()
    for problem in report.problems:
        print(f"rejected: {problem}", file=sys.stderr)
    for detected in report.detected:  # only where the content overrode the extension
        print(detected)
    for line in _skipped_lines(report.skipped):
        print(line)
    for note in [*report.label_notes(), *report.notes]:
        print(f"note: {note}")
    print(f"{report.files} files: {report.summary()}")
    lost = _recovered(args, store)
    return EXIT_REJECTED if report.problems or lost else EXIT_OK


def _skipped_lines(skipped: Sequence[ImportProblem], examples: int = 3) -> list[str]:
    """One line per reason a file was skipped: how many, and the first few names."""
    by_reason: dict[str, list[str]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item.origin)
    lines = []
    for reason, origins in by_reason.items():
        shown = ", ".join(origins[:examples]) + (", …" if len(origins) > examples else "")
        lines.append(f"skipped {len(origins)} ({reason}): {shown}")
    return lines


def _export(args: argparse.Namespace) -> int:
    from desktop_app.core.exporters.output import output_paths, refuse_project_paths
    from desktop_app.core.model import ArticleFilter

    flt = ArticleFilter(
        search=args.query,
        tag=args.tag,
        label=args.label,
        relation=args.relation,
        annotator=args.annotator,
        status=args.status,
        status_annotator=args.annotator,
    )
    fmt = ALIASES.get(args.format, args.format)
    store = _open_reader(args)
    try:
        for target, folder in output_paths(fmt, Path(args.output), args.per_annotator):
            refuse_project_paths(store.path, target, folder)
        report = _write_export(store, fmt, args, flt)
    finally:
        store.close()
    if not report.files:  # --per-annotator with no annotator: not an error, nothing to do
        print("no annotator has annotations here: nothing was written")
    else:
        print(f"{report.summary()}; to {', '.join(report.files)}")
    return EXIT_OK


def _write_export(store, fmt: str, args: argparse.Namespace, flt):  # type: ignore[no-untyped-def]
    """Run the chosen exporter; the native JSONL count becomes a report too."""
    if fmt == "jsonl":
        from desktop_app.core.exporters.jsonl import export_jsonl

        return export_jsonl(store, args.output, flt, with_suggestions=args.with_suggestions)
    if fmt == "doccano":
        from desktop_app.core.exporters.doccano import export_doccano

        return export_doccano(
            store, args.output, flt, args.doccano_shape, per_annotator=args.per_annotator
        )
    if fmt == "conll":
        from desktop_app.core.exporters.conll import export_conll

        # CoNLL has one tag per token: --annotator also picks whose spans are written.
        return export_conll(store, args.output, flt, annotator=args.annotator)
    if fmt == "refi":
        from desktop_app.core.exporters.refi import export_refi

        return export_refi(store, args.output, flt)
    if fmt == "brat":
        from desktop_app.core.exporters.brat import export_brat

        return export_brat(store, args.output, flt, annotator=args.annotator)
    if fmt == "labelstudio":
        from desktop_app.core.exporters.labelstudio import export_labelstudio

        return export_labelstudio(store, args.output, flt)
    from desktop_app.core.exporters.csv_rows import export_csv

    return export_csv(store, args.output, flt, bom=args.bom, formula_guard=not args.raw_cells)


def _merge(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from desktop_app.core.merging import merge_path, naming_other
    from desktop_app.core.store.recognise import recognise

    db_path, _ = paths.resolve_db_path(getattr(args, "db", None))
    found = recognise(db_path)
    if found.kind in ("missing", "empty"):
        raise StoreError(
            f"{found.refusal(db_path)}; a merge brings a colleague's work into an existing "
            "project (make one with `marginalia import`); nothing was created"
        )
    store = _open_writer(args, create=False)
    try:
        report = merge_path(store, args.other)
    finally:
        store.close()
    lost = _recovered(args, store)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
        return EXIT_REJECTED if report.problems or lost else EXIT_OK
    for conflict in report.conflicts:
        kept = conflict.ours if conflict.winner == "ours" else conflict.theirs
        other = conflict.theirs if conflict.winner == "ours" else conflict.ours
        print(
            f"conflict: {conflict.kind} {conflict.uuid} by {conflict.annotator} on "
            f"{conflict.article_uid}: kept {conflict.winner} ({kept}); in history: {other}"
        )
    for problem in report.problems:
        print(f"not merged: {naming_other(problem, args.other)}", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}")
    print(f"merged {args.other}: {report.summary()}")
    if report.backup:
        print(f"the project before the merge is in {report.backup}")
    # Something refused is something the analyst must look at: 1, as the README says.
    return EXIT_REJECTED if report.problems or lost else EXIT_OK


def _sample(args: argparse.Namespace) -> int:
    import getpass

    from desktop_app.core.exporters.output import refuse_project_paths
    from desktop_app.core.sampling import draw_sample, sample_name, write_package

    store = _open_reader(args)
    notes: list[str] = []  # labels an older project holds that a package cannot carry
    try:
        refuse_project_paths(store.path, Path(args.output))
        drawn = draw_sample(store, args.size, args.seed, args.by)
        name = args.name or sample_name(args.for_whom, args.seed)
        path = write_package(
            store, drawn, args.output, name, args.for_whom, getpass.getuser(), notes
        )
    finally:
        store.close()
    for note in notes:
        print(f"note: {note}")
    strata = ", ".join(f"{key or 'all'}: {n}" for key, n in drawn.strata.items())
    print(f"{len(drawn.ids)} articles ({strata}) written to {path} for {args.for_whom}")
    print(f"they import it with: marginalia import {path.name}; their work comes back by merge")
    return EXIT_OK


def _agreement(args: argparse.Namespace) -> int:
    from desktop_app.core.agreement import agreement
    from desktop_app.core.agreement_output import format_report, report_to_json

    names = [n.strip() for n in (args.annotators or "").split(",") if n.strip()]
    store = _open_reader(args)
    try:
        data = store.agreement_input(names)
    finally:
        store.close()
    report = agreement(data, args.label)
    if args.json:
        print(json.dumps(report_to_json(report), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return EXIT_OK


def _annotate_all(args: argparse.Namespace) -> int:
    import getpass

    from desktop_app.core.editing import Editor
    from desktop_app.core.model import ArticleFilter
    from desktop_app.core.suggest import annotate_all as aa

    if cli_batches.wanted(args):
        return cli_batches.run(args, _open_reader, lambda a: _open_writer(a, create=False))
    annotator = args.annotator or getpass.getuser() or "analyst"
    flt = ArticleFilter(
        search=args.query,
        tag=args.tag,
        relation=args.relation,
        status=args.status,
        status_annotator=annotator,
    )
    matcher = aa.make_matcher(
        args.text, args.label, case=args.case, whole_word=args.whole_word, regex=args.regex
    )  # a pattern that does not compile is refused before the project is opened
    store = _open_reader(args) if args.dry_run else _open_writer(args, create=False)
    try:
        aa.check_label(store, args.label)
        scope = aa.Scope(flt, not_done=args.not_done)
        found = aa.find_all(store, matcher, scope, annotator)
        options = {"case": args.case, "whole_word": args.whole_word, "regex": args.regex}
        batch, made = (
            ("", [])
            if args.dry_run
            else aa.apply_batch(
                Editor(store, annotator), found, args.text, options, aa.describe_scope(scope)
            )
        )
    finally:
        store.close()
    if args.json:
        hits = [f.as_dict() for f in found]
        print(
            json.dumps(
                {"hits": hits, "added": len(made), "batch": batch or None},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for f in found:
            mark = "  (already annotated)" if f.covered else ""
            print(
                f"{f.article_id}:{f.start}-{f.end} {f.title}: {f.before}[{f.quote}]{f.after}{mark}"
            )
        covered = sum(f.covered for f in found)
        done = "would add" if args.dry_run else "added"
        count = len(found) - covered if args.dry_run else len(made)
        print(
            f"{len(found)} matches ({covered} already annotated); "
            f"{done} {count} {args.label} spans as {annotator}"
            + (f" (batch {batch}; `--undo {batch[:8]}` takes it back)" if batch else "")
        )
    return EXIT_OK if args.dry_run else _recovered(args, store)


def _stats(args: argparse.Namespace) -> int:
    store = _open_reader(args)
    try:
        figures = store.stats()
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"articles       {figures['articles']}")
    print(f"spans          {figures['spans']}")
    print(f"document tags  {figures['document_tags']}")
    print(f"annotators     {', '.join(figures['annotators']) or '-'}")
    for label, count in figures["spans_by_label"].items():
        print(f"  span  {label:<24} {count}")
    for label, count in figures["tags_by_label"].items():
        print(f"  tag   {label:<24} {count}")
    relations = figures["relations_by_type"]
    print(f"relations      {figures['relations']}")
    for kind, by_annotator in relations.items():
        whose = ", ".join(f"{name} {n}" for name, n in by_annotator.items())
        print(f"  rel   {kind:<24} {sum(by_annotator.values())}  ({whose})")
    return EXIT_OK


PROJECT_SUFFIXES = (".sqlite", ".db", ".marginalia")


def _project_argument(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """`marginalia PATH`: a first argument that names no command but a project file."""
    if not argv or argv[0].startswith("-"):
        return None
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    first = argv[0]
    if first in commands.choices:
        return None
    if first.lower().endswith(PROJECT_SUFFIXES) or Path(first).expanduser().is_file():
        return first
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 inputs rejected, 2 usage)."""
    parser = _parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    project = _project_argument(parser, arguments)
    args = parser.parse_args(arguments[1:] if project else arguments)
    if project and (args.command or getattr(args, "db", None)):
        parser.error(f"give the project once: {project} or --db, with no command")
    if args.command == "export" and args.status and not args.annotator:
        # Status is per annotator: "done" means nothing without saying whose.
        parser.error("--status needs --annotator (whose status?)")
    if args.command == "export" and args.with_suggestions and args.format != "jsonl":
        parser.error("--with-suggestions is for --format jsonl (the native export) only")
    cli_suggest.check(parser, args)
    cli_batches.check(parser, args)
    if args.command is None:
        from desktop_app.app import main as open_window

        explicit = project or getattr(args, "db", None)
        # No explicit project: the window decides (the last one, else the default).
        return open_window(Path(explicit).expanduser() if explicit else None)
    if args.command in cli_suggest.HANDLERS:
        return _guarded(args, cli_suggest.run)
    if args.command in cli_safety.HANDLERS:
        return _guarded(args, cli_safety.run)
    if args.command in cli_server.HANDLERS:
        return _guarded(args, cli_server.run)
    if args.command in cli_sync.HANDLERS:
        return _guarded(args, cli_sync.run)
    handler = {
        "import": _import,
        "export": _export,
        "merge": _merge,
        "agreement": _agreement,
        "sample": _sample,
        "stats": _stats,
        "annotate-all": _annotate_all,
    }[args.command]
    return _guarded(args, handler)


def _guarded(args: argparse.Namespace, handler: Callable[[argparse.Namespace], int]) -> int:
    """Run a command; an error becomes one line naming the file and the reason."""
    try:
        code = handler(args)
        sys.stdout.flush()  # a reader that went away is met here, not at exit
        return code
    except BrokenPipeError:
        # `marginalia stats | head -1`: the reader has what it wanted (Python's advice:
        # point stdout at devnull, so the flush at exit does not fail again).
        _stdout_to_devnull()
        return EXIT_OK
    except (OSError, ValueError, RuntimeError) as error:
        # Store, schema, import and export errors all name the file and the reason.
        print(f"marginalia {args.command}: {error}", file=sys.stderr)
        return EXIT_REJECTED


def _stdout_to_devnull() -> None:
    """Send what is still buffered for stdout nowhere (quietly, also without a descriptor)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


if __name__ == "__main__":
    sys.exit(main())
