"""Marginalia's benchmark: build seeded synthetic projects, measure, print a table or JSON."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import measure_core  # noqa: E402
import measure_learned  # noqa: E402
import measure_sorts  # noqa: E402
from figures import Figure  # noqa: E402
from measure_annotate_all import measure_annotate_all  # noqa: E402
from measure_overview import measure_overview  # noqa: E402
from synth import build_project, write_jsonl  # noqa: E402

DEFAULT_ARTICLES = 100_000
QUICK_ARTICLES = 2_000
RESUME_FROM = 1_000_000  # the resume check runs by itself from this size (or --resume-check)
CORE = (
    "import", "export", "list", "sorts", "search", "filters", "edits", "overview", "annotate",
    "learned", "suggest",
)  # fmt: skip
GROUPS = (*CORE, "ui", "relations", "resume")
# The groups that measure a built project (import, relations and resume make their own).
PROJECT_GROUPS = tuple(name for name in GROUPS if name not in ("import", "relations", "resume"))
_STARTED = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with the time since start, so stdout stays the report."""
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, help=f"project size (default {DEFAULT_ARTICLES:,})")
    parser.add_argument("--quick", action="store_true", help="a small size CI runs in seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--only", help=f"comma-separated groups of: {', '.join(GROUPS)}")
    parser.add_argument("--workdir", type=Path, help="where to create the temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--repeats", type=int, help="runs per timing (default 3)")
    parser.add_argument("--spans", type=int, default=10, help="spans per article (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--project",
        type=Path,
        help="reuse a project an earlier run built (with --keep) instead of building one; "
        "its size must match --articles, and the edits group adds a few spans to it",
    )
    parser.add_argument(
        "--resume-check", action="store_true", help="run the kill-and-resume import check"
    )
    return parser


def _groups(args: argparse.Namespace, n: int) -> list[str]:
    if args.only:
        chosen = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(GROUPS))
        if unknown:
            raise ValueError(f"unknown group(s) {', '.join(unknown)}; known: {', '.join(GROUPS)}")
        return [name for name in GROUPS if name in chosen]
    groups = [*CORE, "ui", "relations"]
    if args.resume_check or n >= RESUME_FROM:
        groups.append("resume")
    return groups


def _ui_figures(
    workdir: Path, project: Path, jsonl: Path, repeats: int, quick: bool
) -> list[Figure]:
    """The window's figures from bench/measure_ui.py, when it and Qt are available."""
    if not (BENCH / "measure_ui.py").is_file():
        raise _Skipped("bench/measure_ui.py is not there yet")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is first imported
    try:
        import PySide6.QtWidgets  # noqa: F401
    except Exception as error:  # a missing system library raises ImportError or OSError
        raise _Skipped(f"PySide6 cannot be imported ({error})") from error
    from measure_ui import measure_ui

    return list(measure_ui(workdir, project, jsonl, repeats, quick))


def _suggest_figures(project: Path, workdir: Path, repeats: int, quick: bool) -> list[Figure]:
    """The gazetteer and open-article suggestion figures from bench/measure_suggest.py."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is first imported
    from measure_suggest import measure_suggest

    return measure_suggest(project, workdir, quick, repeats, log)


def _relation_figures(workdir: Path, repeats: int, quick: bool) -> list[Figure]:
    """What relations cost the window, from bench/measure_relations.py (Qt needed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        import PySide6.QtWidgets  # noqa: F401
    except Exception as error:
        raise _Skipped(f"PySide6 cannot be imported ({error})") from error
    from measure_relations import measure_relations

    return measure_relations(workdir, repeats, quick)


class _Skipped(Exception):
    """A group that cannot run here; the reason goes into the notes, not the exit code."""


def run(args: argparse.Namespace, workdir: Path) -> tuple[int, list[Figure], list[str], bool]:
    """Generate the inputs the chosen groups need, run them; return (n, figures, notes, failed)."""
    n = args.articles or (QUICK_ARTICLES if args.quick else DEFAULT_ARTICLES)
    repeats = args.repeats or 3
    groups = _groups(args, n)
    many = 7 if args.quick else 21  # cheap queries: more runs make a steadier median
    jsonl = workdir / "articles.jsonl"
    project = args.project or workdir / "project.sqlite"
    figures: list[Figure] = []
    notes: list[str] = []
    failed = False
    if {"import", "ui", "resume"} & set(groups):
        log(f"writing {n:,} articles to {jsonl.name}")
        size = write_jsonl(jsonl, n, args.seed, annotated=False)
        log(f"wrote {size / 1e6:,.0f} MB")
    if args.project:
        log(f"using the project {project}")
    elif set(PROJECT_GROUPS) & set(groups):
        log(f"building a project of {n:,} articles with {args.spans} spans each")
        step = max(n // 10, 1)

        def built(done: int) -> None:
            if done % step < 5000 or done == n:
                log(f"  {done:,} articles")

        counts = build_project(project, n, args.spans, args.seed, progress=built)
        log(f"built: {counts}")
    measures: dict[str, Callable[[], list[Figure]]] = {
        "list": lambda: measure_core.measure_list(project, 50 if not args.quick else 20, many),
        "sorts": lambda: measure_sorts.measure_sorts(project, 10 if args.quick else 30, many),
        "search": lambda: measure_core.measure_search(project, many),
        "filters": lambda: measure_core.measure_filters(project, many),
        "export": lambda: measure_core.measure_export(project, workdir, repeats, log),
        "edits": lambda: measure_core.measure_edits(project, 10 if args.quick else 30),
        "import": lambda: measure_core.measure_import(workdir, jsonl, n, repeats, log),
        "overview": lambda: measure_overview(project, args.repeats or (5 if args.quick else 11)),
        "annotate": lambda: measure_annotate_all(project, 1 if args.quick else repeats),
        "learned": lambda: measure_learned.measure_learned(5 if args.quick else 11),
        "suggest": lambda: _suggest_figures(project, workdir, repeats, args.quick),
        "ui": lambda: _ui_figures(workdir, project, jsonl, repeats, args.quick),
        "relations": lambda: _relation_figures(workdir, repeats, args.quick),
        "resume": lambda: measure_core.measure_resume(workdir, jsonl, n, args.seed, log),
    }
    # Read-only groups first; edits change the project, so they come after the reads.
    # The suggest group stores suggestions in the project: after every other read of it.
    order = (
        "list", "sorts", "search", "filters", "export", "edits", "overview", "annotate", "learned",
        "suggest", "import", "ui", "relations", "resume",
    )  # fmt: skip
    for name in (group for group in order if group in groups):
        log(f"measuring {name}")
        try:
            got = measures[name]()
        except _Skipped as skipped:
            notes.append(f"{name} skipped: {skipped}")
            log(notes[-1])
            continue
        except Exception:
            failed = True
            notes.append(
                f"{name} crashed: {traceback.format_exc(limit=1).strip().splitlines()[-1]}"
            )
            traceback.print_exc()
            continue
        figures.extend(got)
        for figure in got:
            log(f"  {_row(figure)}")
    return n, figures, notes, failed


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit.endswith("/s") or unit in ("articles",):
        return f"{value:,.0f} {unit}"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def _row(figure: Figure) -> str:
    ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}x"
    met = {True: "yes", False: "NO", None: ""}[figure.met]
    # A long label gets its own line, so the columns stay aligned.
    label = figure.label if len(figure.label) <= 44 else f"{figure.label}\n{'':<44}"
    return (
        f"{label:<44} {_number(figure.value, figure.unit):>18} "
        f"{_number(figure.baseline, figure.unit):>18} {ratio:>7}  {figure.target:<44} {met}"
    )


def table(n: int, figures: list[Figure], notes: list[str]) -> str:
    """The figures as a text table, with each figure's note and baseline below it."""
    header = (
        f"{'figure':<44} {'ours':>18} {'baseline':>18} {'ratio':>7}  {'target':<44} met\n"
        + "-" * 140
    )
    lines = [f"Marginalia benchmark, {n:,} articles", header]
    for figure in figures:
        lines.append(_row(figure))
        if figure.baseline_label:
            lines.append(f"    baseline: {figure.baseline_label}")
        if figure.note:
            lines.append(f"    {figure.note}")
    lines.extend(f"note: {note}" for note in notes)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark: exit 0 with a report (targets met or not), 1 if a measure crashed."""
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.repeats is not None and args.repeats < 1) or (
        args.articles is not None and args.articles < 1
    ):
        parser.error("--repeats and --articles must be at least 1")
    if args.project and not args.project.is_file():
        parser.error(f"--project {args.project}: no such file")
    try:
        _groups(args, 0)
    except ValueError as error:
        parser.error(str(error))
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="marginalia-bench-", dir=args.workdir))
    log(f"working in {workdir}")
    try:
        n, figures, notes, failed = run(args, workdir)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        report = {
            "articles": n,
            "spans_per_article": args.spans,
            "figures": {figure.key: figure.as_dict() for figure in figures},
            "notes": notes,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(table(n, figures, notes))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
