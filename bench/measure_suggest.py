"""The suggestions' benchmark: a gazetteer over every article, and the open article's suggestions.

Issue 15 asks that applying a gazetteer of 10,000 terms to 100,000 articles runs at no less
than half the rate of a bare pass of the same library (pyahocorasick) over the same texts,
and that the open article's suggestions appear within 50 ms at 300,000 characters.
Run alone: python bench/measure_suggest.py [--quick] [--articles N] (builds its own project).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import ahocorasick  # noqa: E402
from figures import Figure, median_time  # noqa: E402
from synth import _FIRST, _LAST, _ORGS, _PLACES, Synth  # noqa: E402

from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.store.suggestions import Proposal  # noqa: E402
from desktop_app.core.suggest.matcher import Matcher, Term, fold  # noqa: E402

Log = Callable[[str], None]
BATCH = 1000  # articles read from the project at a time (reading is not timed)
TERMS, QUICK_TERMS = 10_000, 1_000
SOURCE = "gazetteer:bench.tsv"


def _quiet(_: str) -> None:
    pass


def make_terms(n: int, seed: int = 1) -> list[Term]:
    """`n` gazetteer terms as analysts keep them: the synthetic news' people, organisations
    and places (these hit often), then made-up words of its long-tail vocabulary (rarely)."""
    synth = Synth(seed)
    labels = synth.kind
    terms = [Term(f"{a} {b}", labels["person"]) for a, b in itertools.product(_FIRST, _LAST)]
    terms += [Term(name, labels["org"]) for name in _ORGS]
    terms += [Term(name, labels["place"]) for name in _PLACES]
    rng = random.Random(seed)
    rare = sorted(synth._lexicon)  # the same seed gives the same vocabulary
    rng.shuffle(rare)
    terms += [Term(word.capitalize(), labels["event"]) for word in rare[: max(0, n - len(terms))]]
    return terms[:n]


def _batches(project: Path, limit: int | None) -> Iterator[list[tuple[int, str]]]:
    """(article id, text) batches from the project, in id order."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        after, seen = 0, 0
        while limit is None or seen < limit:
            size = BATCH if limit is None else min(BATCH, limit - seen)
            rows = conn.execute(
                "SELECT id, text FROM articles WHERE id > ? ORDER BY id LIMIT ?", (after, size)
            ).fetchall()
            if not rows:
                return
            yield rows
            after, seen = rows[-1][0], seen + len(rows)
    finally:
        conn.close()


def _bare_automaton(terms: list[Term]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for index, term in enumerate(terms):
        automaton.add_word(fold(term.text), index)
    automaton.make_automaton()
    return automaton


def measure_gazetteer(
    project: Path, n_terms: int, limit: int | None = None, log: Log = _quiet
) -> list[Figure]:
    """Matcher (10,000 literal terms, whole word, any case) over every article's text, then
    the same storing each hit with store.add_suggestions, against pyahocorasick's bare pass."""
    terms = make_terms(n_terms)
    started = time.perf_counter()
    matcher = Matcher(terms, case=False, whole_word=True)
    build = time.perf_counter() - started
    bare = _bare_automaton(terms)
    store = Store.open(project)
    chars = articles = hits = bare_hits = 0
    t_bare = t_raw = t_match = t_store = 0.0
    try:
        for rows in _batches(project, limit):
            texts = [text for _, text in rows]
            start = time.perf_counter()
            for text in texts:
                for _ in bare.iter(text.lower()):
                    bare_hits += 1
            t_bare += time.perf_counter() - start
            start = time.perf_counter()
            for text in texts:
                for _ in bare.iter(text):
                    pass
            t_raw += time.perf_counter() - start
            start = time.perf_counter()
            found = [matcher.find(text) for text in texts]
            t_match += time.perf_counter() - start
            start = time.perf_counter()
            proposals = [
                Proposal(article_id, hit.start, hit.end, hit.label, 1.0, hit.term)
                for (article_id, _), article_hits in zip(rows, found, strict=True)
                for hit in article_hits
            ]
            store.add_suggestions(SOURCE, proposals)
            t_store += time.perf_counter() - start
            chars += sum(len(text) for text in texts)
            articles += len(rows)
            hits += len(proposals)
            if articles % 20_000 < BATCH:
                log(f"  gazetteer: {articles:,} articles, {hits:,} hits")
        stored = store.db.conn.execute(
            "SELECT count(*) FROM suggestions WHERE source = ?", (SOURCE,)
        ).fetchone()[0]
    finally:
        store.close()
    megabytes = chars / 1e6  # code points; the texts are mostly one UTF-8 byte each
    bare_rate = megabytes / t_bare
    what = f"{n_terms:,} terms, {articles:,} articles ({megabytes:,.0f} M chars)"
    common = dict(
        unit="MB/s",
        target=">= 0.5x the bare pass's rate",
        baseline=round(bare_rate, 1),
        baseline_label="pyahocorasick Automaton.iter over each text lower-cased, the same "
        f"lower-cased terms: the least a case-insensitive pass does ({bare_hits:,} raw hits, "
        f"not whole-word, overlapping); over the texts as they are, no lower(): "
        f"{megabytes / t_raw:,.1f} MB/s",
    )
    match_rate = megabytes / t_match
    store_rate = megabytes / (t_match + t_store)
    return [
        Figure(
            key="gazetteer_match_rate",
            label=f"gazetteer matcher, {what}",
            value=round(match_rate, 1),
            met=match_rate >= 0.5 * bare_rate,
            note=f"Matcher.find (case-folded, whole word, longest first): {hits:,} hits in "
            f"{t_match:.1f} s; the matcher took {build:.2f} s to build",
            **common,  # type: ignore[arg-type]
        ),
        Figure(
            key="gazetteer_store_rate",
            label=f"gazetteer matched and stored as suggestions, {what}",
            value=round(store_rate, 1),
            met=store_rate >= 0.5 * bare_rate,
            note=f"Matcher.find + store.add_suggestions: {stored:,} suggestions stored, "
            f"storing took {t_store:.1f} s",
            **common,  # type: ignore[arg-type]
        ),
    ]


def measure_open_suggestions(workdir: Path, quick: bool, repeats: int) -> list[Figure]:
    """The open article's suggestions at 300,000 characters (2,000 of them): read from the
    store and drawn (SuggestionController.refresh + the repaint it causes), in a real window."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from measure_ui import ANNOTATOR, _app, make_text
    from PySide6.QtCore import QSettings

    from desktop_app.core.model import ArticleDraft
    from desktop_app.core.project import open_project
    from desktop_app.paths import default_schema_path
    from desktop_app.ui.main_window import MainWindow

    n_chars, n_suggestions = (30_000, 200) if quick else (300_000, 2_000)
    app = _app()
    path = workdir / "suggest_open.sqlite"
    path.unlink(missing_ok=True)
    store, _ = open_project(path, default_schema_path())
    rng = random.Random(n_chars)
    text = make_text(n_chars, rng)
    store.add_articles(
        [ArticleDraft("A short article to switch away to.", "small"), ArticleDraft(text, "big")],
        default_annotator=ANNOTATOR,
    )
    big, small = store.article_id("big"), store.article_id("small")
    assert big is not None and small is not None
    labels = store.span_label_names()
    step = n_chars // n_suggestions
    proposals = [
        Proposal(big, i * step, i * step + rng.randint(3, step - 1), rng.choice(labels), 0.8, "x")
        for i in range(n_suggestions)
    ]
    store.add_suggestions("bench", proposals)
    settings = QSettings(str(workdir / "suggest_settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("annotator_confirmed", True)
    window = MainWindow(store, settings, ANNOTATOR)
    window.show()
    app.processEvents()
    try:
        window.show_article(big)
        app.processEvents()

        def refresh() -> None:
            window.suggesting.refresh()
            window.view.viewport().repaint()

        def open_article() -> None:
            window.show_article(small)
            app.processEvents()
            start = time.perf_counter()
            window.show_article(big)
            app.processEvents()
            times.append(time.perf_counter() - start)

        drawn = len(window.view.suggestions())
        refresh()  # warm up
        value = median_time(refresh, max(3, repeats))
        runs = max(3, repeats)
        parts = {
            "store.suggestions": median_time(lambda: store.suggestions([big]), runs),
            "draw (controller to view)": median_time(window.suggesting._draw, runs),
            "repaint": median_time(window.view.viewport().repaint, runs),
        }
        times: list[float] = []
        for _ in range(max(3, repeats)):
            open_article()
        whole = statistics.median(times)
    finally:
        window.close()
        store.close()
    return [
        Figure(
            key="suggestions_open_300k",
            label=f"open article's suggestions, {n_chars:,} chars, {n_suggestions:,} "
            "suggestions (read from the store and drawn)",
            value=round(value * 1000, 2),
            unit="ms",
            target="< 50 ms",
            met=value * 1000 < 50 and drawn == n_suggestions,
            note=f"SuggestionController.refresh + a viewport repaint; {drawn:,} drawn; parts, "
            "each alone: "
            + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in parts.items())
            + f"; opening the whole article with them in the window: {whole * 1000:.0f} ms",
        )
    ]


def measure_suggest(
    project: Path, workdir: Path, quick: bool, repeats: int, log: Log = _quiet
) -> list[Figure]:
    """Every figure of this group (the window's one only when Qt can be imported)."""
    figures = measure_gazetteer(project, QUICK_TERMS if quick else TERMS, log=log)
    try:
        import PySide6.QtWidgets  # noqa: F401
    except Exception as error:  # a missing system library raises ImportError or OSError
        log(f"suggestions_open_300k skipped: PySide6 cannot be imported ({error})")
        return figures
    return figures + measure_open_suggestions(workdir, quick, repeats)


def main(argv: list[str] | None = None) -> int:
    """Build a project of --articles articles and print this group's figures."""
    from synth import build_project

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--project", type=Path, help="an existing bench project")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="marginalia-suggest-") as folder:
        workdir = Path(folder)
        project = args.project or workdir / "project.sqlite"
        if not args.project:
            build_project(project, args.articles, 10, 1)

        def log(message: str) -> None:
            print(message, file=sys.stderr, flush=True)

        for figure in measure_suggest(project, workdir, args.quick, 3, log):
            ratio = "" if figure.ratio is None else f" ({figure.ratio:.2f}x the baseline)"
            base = "" if figure.baseline is None else f", baseline {figure.baseline}"
            print(f"{figure.key}: {figure.value} {figure.unit}{base}{ratio} met={figure.met}")
            print(f"    {figure.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
