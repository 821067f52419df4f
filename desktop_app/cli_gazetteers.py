"""`marginalia suggest --gazetteer FILE` and `marginalia gazetteers list|add|remove|enable|
disable|export` from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

EXIT_OK, EXIT_REJECTED = 0, 1
ACTIONS = ("list", "add", "remove", "enable", "disable", "export")


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add `gazetteers` to the command line."""
    gaz = commands.add_parser(
        "gazetteers", parents=[common], help="load, list, switch on/off and export term lists"
    )
    actions = gaz.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="the project's gazetteers")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    add = actions.add_parser(
        "add", parents=[common], help="load a term list (it then suggests on new imports)"
    )
    add.add_argument("file", metavar="FILE", help="term<TAB>label, CSV term,label or JSONL")
    add.add_argument("--case", action="store_true", help="match upper and lower case exactly")
    add.add_argument("--no-whole-word", dest="whole_word", action="store_false",
                     help="also match inside longer words")  # fmt: skip
    add.add_argument("--disabled", action="store_true", help="load it switched off")
    add.add_argument("--replace", action="store_true", help="replace one of the same name")
    for action, text in (
        ("remove", "remove a gazetteer and its pending suggestions"),
        ("enable", "switch a gazetteer on (new imports get its suggestions)"),
        ("disable", "switch a gazetteer off (its pending suggestions go)"),
        ("export", "write a gazetteer's terms as term<TAB>label lines"),
    ):
        sub = actions.add_parser(action, parents=[common], help=text)
        sub.add_argument("name", metavar="NAME", help="the gazetteer (its file's name)")
        if action == "export":
            sub.add_argument("out", metavar="OUT", help="the file to write")


def _report_file(read: Any) -> int:
    """Print what the file's reading left out; EXIT_REJECTED when anything was."""
    for problem in read.problems:
        print(f"marginalia: skipped: {problem}", file=sys.stderr)
    for label, count in sorted(read.unknown_labels.items()):
        print(
            f"marginalia: {read.path}: label {label!r} is not in the project "
            f"({count} terms left out)",
            file=sys.stderr,
        )
    return EXIT_REJECTED if read.problems or read.unknown_labels else EXIT_OK


def suggest(
    args: argparse.Namespace, article_ids: Callable[[Any, argparse.Namespace], list[int]] | None
) -> int:
    """Load (or re-use) the gazetteer file and apply it to the filtered articles."""
    from desktop_app.cli import _open_writer, _recovered
    from desktop_app.core.suggest.gazetteer_apply import apply_gazetteers, load_gazetteer

    store = _open_writer(args, create=False)
    try:
        loaded = load_gazetteer(store, args.gazetteer)
        ids = article_ids(store, args) if article_ids is not None else None
        report = apply_gazetteers(store, [loaded.gazetteer], ids)
    finally:
        store.close()
    code = _report_file(loaded.read)
    source = loaded.gazetteer.source
    stored = report.stored.get(source)
    counts = asdict(stored) if stored is not None else {}
    if args.json:
        line = {
            "source": source,
            "gazetteer": loaded.gazetteer.name,
            "terms": loaded.gazetteer.terms,
            "reused": loaded.reused,
            "articles": report.articles,
            "added": 0,
            "rejected_before": 0,
            "annotated": 0,
            "duplicates": 0,
            "refused": [],
            **counts,
            "skipped_lines": loaded.read.problems,
            "unknown_labels": loaded.read.unknown_labels,
        }
        print(json.dumps(line, ensure_ascii=False))
    else:
        how = "already loaded" if loaded.reused else "loaded"
        print(
            f"{loaded.gazetteer.name}: {loaded.gazetteer.terms:,} terms ({how}); {report.summary()}"
        )
    return max(code, _recovered(args, store))


def run(args: argparse.Namespace) -> int:
    """Run one `gazetteers` action."""
    if args.action == "list":
        return _list(args)
    return _change(args)


def _list(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_reader

    store = _open_reader(args)
    try:
        found = store.gazetteers()
    finally:
        store.close()
    for g in found:
        if args.json:
            fields = asdict(g)
            fields["source"] = g.source
            print(json.dumps(fields, ensure_ascii=False))
        else:
            state = "on" if g.enabled else "off"
            options = ("case" if g.case else "any case") + (
                ", whole words" if g.whole_word else ", inside words"
            )
            print(f"{g.name}\t{state}\t{g.terms} terms\t{options}\t{g.source_file}")
    return EXIT_OK


def _change(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_writer, _recovered
    from desktop_app.core.suggest.gazetteer_apply import export_gazetteer, load_gazetteer

    store = _open_writer(args, create=False)
    code = EXIT_OK
    try:
        if args.action == "add":
            loaded = load_gazetteer(
                store, args.file, case=args.case, whole_word=args.whole_word, replace=args.replace
            )
            if args.disabled:
                store.set_gazetteer_enabled(loaded.gazetteer.name, False)
            code = _report_file(loaded.read)
            how = "was loaded already" if loaded.reused else "loaded"
            said = f"{loaded.gazetteer.name}: {how}, {loaded.gazetteer.terms:,} terms"
            if loaded.read.unknown_labels:
                said += f" ({sum(loaded.read.unknown_labels.values())} left out: unknown labels)"
        elif args.action == "remove":
            gone = store.remove_gazetteer(args.name)
            said = f"{args.name}: removed, with {gone} pending suggestions"
        elif args.action in ("enable", "disable"):
            gone = store.set_gazetteer_enabled(args.name, args.action == "enable")
            said = f"{args.name}: switched {'on' if args.action == 'enable' else 'off'}"
            if gone:
                said += f" ({gone} pending suggestions taken away)"
        else:
            said = export_gazetteer(store, args.name, args.out)
    finally:
        store.close()
    print(said)
    return max(code, _recovered(args, store))
