"""`marginalia suggest` and `marginalia suggestions list|accept|reject` from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

EXIT_OK, EXIT_REJECTED = 0, 1
STATUSES = ("todo", "in progress", "done")
HANDLERS = ("suggest", "suggestions")


def _article_filters(parser: argparse.ArgumentParser, label: bool) -> None:
    parser.add_argument("--query", default="", help="only articles matching this search")
    parser.add_argument("--tag", help="only articles with this document tag")
    parser.add_argument(
        "--relation", metavar="TYPE", help="only articles with relations of this type"
    )
    if label:
        parser.add_argument("--label", help="only articles with spans of this label")
    parser.add_argument("--status", choices=STATUSES, help="only articles with this status")


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add `suggest` and `suggestions` to the command line."""
    suggest = commands.add_parser(
        "suggest", parents=[common], help="run an external recommender; store its suggestions"
    )
    suggest.add_argument(
        "--command", dest="command_line", required=True, metavar="CMD", help="program and arguments"
    )
    _article_filters(suggest, label=True)
    suggest.add_argument("--annotator", help="only articles this annotator annotated")
    suggest.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    suggest.add_argument("--json", action="store_true", help="machine-readable report")
    many = commands.add_parser(
        "suggestions", parents=[common], help="list, accept or reject stored suggestions"
    )
    actions = many.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("list", "list suggestions"),
        ("accept", "make suggestions the annotator's spans"),
        ("reject", "reject suggestions (remembered)"),
    ):
        sub = actions.add_parser(action, parents=[common], help=text)
        sub.add_argument("--source", help="only suggestions from this source")
        sub.add_argument("--label", help="only suggestions of this label")
        sub.add_argument("--min-score", type=float, help="only suggestions scoring at least")
        _article_filters(sub, label=False)
        whom = "who accepts or rejects" if action != "list" else "whose --status"
        sub.add_argument("--annotator", help=whom)
        if action == "list":
            sub.add_argument("--json", action="store_true", help="one JSON object per line")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors these commands share with the others (before anything is opened)."""
    if args.command not in HANDLERS:
        return
    if args.status and not args.annotator:
        parser.error("--status needs --annotator (whose status?)")
    if getattr(args, "action", "") in ("accept", "reject") and not args.annotator:
        parser.error(f"suggestions {args.action} needs --annotator (whose decision?)")


def _filter(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from desktop_app.core.model import ArticleFilter

    return ArticleFilter(
        search=args.query,
        tag=args.tag,
        relation=args.relation,
        label=getattr(args, "label", None) if args.command == "suggest" else None,
        annotator=args.annotator if args.command == "suggest" else None,
        status=args.status,
        status_annotator=args.annotator,
    )


def _article_ids(store, args: argparse.Namespace) -> list[int]:  # type: ignore[no-untyped-def]
    return [i for batch in store.iter_article_ids(_filter(args)) for i in batch]


def run(args: argparse.Namespace) -> int:
    """Run `suggest` or one `suggestions` action."""
    if args.command == "suggest":
        return _suggest(args)
    return {"list": _list, "accept": _decide, "reject": _decide}[args.action](args)


def _suggest(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_writer, _recovered
    from desktop_app.core.suggest.external import run_recommender

    store = _open_writer(args, create=False)
    try:
        ids = _article_ids(store, args)
        report = run_recommender(store, args.command_line, ids, timeout=args.timeout)
    finally:
        store.close()
    stored = report.stored
    for reason in stored.refused:
        print(f"marginalia suggest: refused: {reason}", file=sys.stderr)
    if args.json:
        print(json.dumps({"source": report.source, "articles": report.articles, **asdict(stored)}))
    else:
        print(
            f"{stored.added} suggestions stored from {report.source} on {report.articles} "
            f"articles ({len(stored.refused)} refused, {stored.rejected_before} rejected before, "
            f"{stored.annotated} already annotated, {stored.duplicates} already suggested)"
        )
    code = _recovered(args, store)
    return EXIT_REJECTED if stored.refused else code


def _chosen(store, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return store.suggestions(
        _article_ids(store, args), source=args.source, label=args.label, min_score=args.min_score
    )


def _list(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_reader

    store = _open_reader(args)
    try:
        found = _chosen(store, args)
        uids = {s.article_id: store.article(s.article_id).uid for s in found}
        texts = {i: store.article(i).text for i in uids}
    finally:
        store.close()
    for s in found:
        quote = texts[s.article_id][s.start : s.end]
        if args.json:
            line = asdict(s) | {"uid": uids[s.article_id], "quote": quote}
            print(json.dumps(line, ensure_ascii=False))
        else:
            print(
                f"{uids[s.article_id]}\t{s.start}-{s.end}\t{s.label}\t{s.score:.2f}\t"
                f"{s.source}\t{quote}"
            )
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_writer, _recovered
    from desktop_app.core.editing import Editor

    store = _open_writer(args, create=False)
    try:
        found = _chosen(store, args)
        editor = Editor(store, args.annotator)
        if args.action == "accept":
            editor.accept_suggestions(found)
        else:
            editor.reject_suggestions(found)
    finally:
        store.close()
    done = "accepted as spans of" if args.action == "accept" else "rejected by"
    print(f"{len(found)} suggestions {done} {args.annotator}")
    return _recovered(args, store)
