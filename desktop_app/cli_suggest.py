"""`marginalia suggest`, `suggestions list|accept|reject` and `gazetteers` from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from desktop_app import cli_gazetteers

EXIT_OK, EXIT_REJECTED = 0, 1
STATUSES = ("todo", "in progress", "done")
HANDLERS = ("suggest", "suggestions", "gazetteers")


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
        "suggest",
        parents=[common],
        help="suggest spans from a gazetteer, what people annotated, or an external recommender",
    )
    # Where suggestions come from: exactly one (a group, so more sources slot in beside).
    sources = suggest.add_mutually_exclusive_group(required=True)
    sources.add_argument(
        "--command", dest="command_line", metavar="CMD", help="an external recommender to run"
    )
    sources.add_argument(
        "--gazetteer",
        metavar="FILE",
        help="a term list (term<TAB>label, CSV term,label or Prodigy JSONL): loaded into the "
        "project under the file's name (re-used when loaded already) and applied",
    )
    sources.add_argument(
        "--learn", action="store_true", help="propose what people annotated by hand elsewhere"
    )
    _learn_options(suggest)
    _article_filters(suggest, label=True)
    suggest.add_argument(
        "--annotator",
        help="only articles this annotator annotated (with --learn: learn only from their spans)",
    )
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
    cli_gazetteers.add_command(commands, common)


def _learn_options(suggest: argparse.ArgumentParser) -> None:
    """The learned recommender's options (core/suggest/learned.py)."""
    suggest.add_argument(
        "--min-length", type=int, default=3, metavar="N", help="--learn: shortest text (3)"
    )
    suggest.add_argument(
        "--stop-words", metavar="FILE", help="--learn: more words never to learn, one a line"
    )
    suggest.add_argument(
        "--export-learned",
        metavar="FILE",
        help="--learn: write what was learned as a text<TAB>label gazetteer instead of suggesting",
    )


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors these commands share with the others (before anything is opened)."""
    if args.command not in ("suggest", "suggestions"):
        return
    if args.command == "suggest":
        # The sources are a required, mutually exclusive group: argparse says "exactly one".
        if not args.learn and (args.export_learned or args.stop_words or args.min_length != 3):
            parser.error("--export-learned, --stop-words and --min-length go with --learn")
        if args.min_length < 1:
            parser.error("--min-length must be at least 1")
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
        # With --learn, --annotator says whose spans to learn from, not which articles.
        annotator=args.annotator if args.command == "suggest" and not args.learn else None,
        status=args.status,
        status_annotator=args.annotator,
    )


def _filtered(args: argparse.Namespace) -> bool:
    """Whether any article filter was given (without one, every article is read in turn)."""
    return any((args.query, args.tag, args.label, args.status, args.annotator))


def _article_ids(store, args: argparse.Namespace) -> list[int]:  # type: ignore[no-untyped-def]
    return [i for batch in store.iter_article_ids(_filter(args)) for i in batch]


def run(args: argparse.Namespace) -> int:
    """Run `suggest` or one `suggestions` action."""
    if args.command == "gazetteers":
        return cli_gazetteers.run(args)
    if args.command == "suggest" and args.gazetteer:
        return cli_gazetteers.suggest(args, _article_ids if _filtered(args) else None)
    if args.command == "suggest":
        return _suggest(args)
    return {"list": _list, "accept": _decide, "reject": _decide}[args.action](args)


def _suggest(args: argparse.Namespace) -> int:
    if args.learn:
        return _learn(args)
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


def _stop_words(args: argparse.Namespace) -> set[str]:
    from desktop_app.core.suggest.learned import STOP_WORDS, read_stop_words

    words = set(STOP_WORDS)
    if args.stop_words:
        try:
            with open(args.stop_words, encoding="utf-8") as stream:
                words |= read_stop_words(stream)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else error
            raise ValueError(f"{args.stop_words}: cannot read the stop list ({reason})") from error
    return words


def _learn(args: argparse.Namespace) -> int:
    from desktop_app.cli import _open_reader, _open_writer, _recovered
    from desktop_app.core.suggest import learned

    stop = _stop_words(args)
    if args.export_learned:
        store = _open_reader(args)
        try:
            model = learned.learn(
                store, args.annotator, min_length=args.min_length, stop_words=stop
            )
        finally:
            store.close()
        whose = f"spans by {args.annotator}" if args.annotator else "human-made spans"
        try:
            with open(args.export_learned, "w", encoding="utf-8", newline="\n") as stream:
                written = learned.write_gazetteer(model.learned(), stream, f"learned from {whose}")
        except OSError as error:
            reason = error.strerror
            raise ValueError(f"{args.export_learned}: cannot write it ({reason})") from error
        print(f"{written} learned terms written to {args.export_learned}")
        return EXIT_OK
    store = _open_writer(args, create=False)
    try:
        model = learned.learn(store, args.annotator, min_length=args.min_length, stop_words=stop)
        articles, report = learned.suggest_learned(store, model, _article_ids(store, args))
    finally:
        store.close()
    stored = report.stored
    terms = len(model.learned())
    if args.json:
        extra = {"source": learned.SOURCE, "articles": articles, "terms": terms}
        print(json.dumps(extra | asdict(stored) | {"removed": report.removed}))
    else:
        print(
            f"{stored.added} suggestions stored from {learned.SOURCE} ({terms} terms learned) on "
            f"{articles} articles ({report.removed} outdated removed, {stored.rejected_before} "
            f"rejected before, {stored.annotated} already annotated)"
        )
    return _recovered(args, store)


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
