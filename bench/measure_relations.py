"""What relations cost the window: opening a 20,000-character article with 300 spans and 200
relations with View > Show all relations on, against the same article without relations.

`measure_relations(workdir, repeats, quick)` is what bench/run.py calls; alone:
`python bench/measure_relations.py`. Qt runs offscreen; paints are forced with `repaint()`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from figures import Figure  # noqa: E402
from measure_ui import ANNOTATOR, _app, _names, make_span_ranges, make_text  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from desktop_app.core.model import ArticleDraft, Span, SpanDraft  # noqa: E402
from desktop_app.core.project import open_project  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.paths import default_schema_path  # noqa: E402

CHARS, SPANS, RELATIONS = 20_000, 300, 200
TARGET_MS = 100.0  # more than the same article without relations


def add_relations(store: Store, spans: list[Span], wanted: int) -> int:
    """Link nearby spans with the default schema's types (each as its labels allow)."""
    types = store.relation_types()
    made = 0
    ordered = sorted(spans, key=lambda s: s.start)
    for reach in range(1, 40):
        for i, a in enumerate(ordered[:-reach]):
            b = ordered[i + reach]
            for kind in types:
                ends = (a, b) if kind.allows(a.label, b.label) else None
                if ends is None and kind.allows(b.label, a.label):
                    ends = (b, a)
                if ends is not None:
                    store.add_relation(kind.name, ends[0].uuid, ends[1].uuid, ANNOTATOR)
                    made += 1
                    break
            if made >= wanted:
                return made
    return made


def _build(workdir: Path) -> tuple[Path, int]:
    path = workdir / "relations.sqlite"
    if path.exists():
        path.unlink()
    store, _ = open_project(path, default_schema_path())
    rng = random.Random(16)
    text = make_text(CHARS, rng)
    ranges = make_span_ranges(text, SPANS, rng, _names("span"))
    spans = tuple(SpanDraft(a, b, label, annotator=ANNOTATOR) for a, b, label in ranges)
    store.add_articles(
        [
            ArticleDraft("A short article to switch away to.", "small", title="small"),
            ArticleDraft(text, "with", title="with relations", spans=spans),
            ArticleDraft(text, "without", title="without relations", spans=spans),
        ],
        default_annotator=ANNOTATOR,
    )
    made = add_relations(store, store.spans(store.article_id("with")), RELATIONS)
    store.close()
    return path, made


def measure_relations(workdir: Path, repeats: int, quick: bool) -> list[Figure]:
    """Open (show_article + paint) with every relation drawn, against no relations."""
    from desktop_app.ui.main_window import MainWindow

    app = _app()
    workdir.mkdir(parents=True, exist_ok=True)
    path, made = _build(workdir)
    store = Store.open(path)
    settings = QSettings(str(workdir / "relations_settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("annotator_confirmed", True)
    window = MainWindow(store, settings, ANNOTATOR)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    window.relating.show_all_action.setChecked(True)
    window.relating.toggle_show_all()
    view = window.view
    small, runs = store.article_id("small"), max(3, repeats) if quick else max(7, repeats)

    def open_ms(article_id: int | None) -> float:
        window.show_article(small)
        app.processEvents()
        start = time.perf_counter()
        window.show_article(article_id)
        app.processEvents()
        view.viewport().repaint()
        return (time.perf_counter() - start) * 1000

    def scroll_ms() -> float:
        """The slowest page of a walk down the article (arcs are redrawn at every one)."""
        bar, worst = view.verticalScrollBar(), 0.0
        bar.setValue(0)
        while True:
            start = time.perf_counter()
            view.viewport().repaint()
            worst = max(worst, (time.perf_counter() - start) * 1000)
            if bar.value() >= bar.maximum():
                return worst
            bar.setValue(bar.value() + bar.pageStep())

    try:
        pairs = {"with": store.article_id("with"), "without": store.article_id("without")}
        times: dict[str, list[float]] = {name: [] for name in pairs}
        scrolls: dict[str, float] = {}
        for _ in range(runs + 1):  # the first round warms up
            for name, article_id in pairs.items():
                times[name].append(open_ms(article_id))
        for name, article_id in pairs.items():
            window.show_article(article_id)
            scrolls[name] = scroll_ms()
        window.show_article(pairs["with"])
        drawn = len(window.relating.scene.relations)
        with_ms = statistics.median(times["with"][1:])
        without_ms = statistics.median(times["without"][1:])
        extra = with_ms - without_ms
        note = (
            f"{made} relations ({drawn} read), {SPANS} spans, {CHARS:,} chars, show-all on; "
            f"open with {with_ms:.1f} ms, without {without_ms:.1f} ms"
        )
        return [
            Figure(
                key="relations_open_extra",
                label="open article with 200 relations shown, extra over none",
                value=round(extra, 2),
                unit="ms",
                target=f"< {TARGET_MS:g} ms",
                met=extra < TARGET_MS,
                baseline=round(without_ms, 2),
                baseline_label="the same article and spans without relations (open + paint)",
                note=note,
            ),
            Figure(
                key="relations_scroll_page",
                label="slowest page painted scrolling down, all relations shown",
                value=round(scrolls["with"], 2),
                unit="ms",
                baseline=round(scrolls["without"], 2),
                baseline_label="the same page walk without relations",
            ),
        ]
    finally:
        window.close()
        window.close_project()


def main(argv: list[str] | None = None) -> int:
    """Print the relation figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="marginalia-relations-"))
    for figure in measure_relations(workdir, args.repeats, args.quick):
        print(f"{figure.key:24} {figure.value:>9g} ms  base {figure.baseline} ms  {figure.target}")
        if figure.note:
            print(f"    {figure.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
