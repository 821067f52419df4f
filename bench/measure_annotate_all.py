"""Annotate all matches over the whole project: search rate (vs a bare pass of the matcher over
the same texts), how soon progress first shows, how soon a stop takes effect, and applying and
undoing a recorded batch."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from figures import Figure  # noqa: E402

from desktop_app.core.editing import Editor  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402
from desktop_app.core.suggest.annotate_all import (  # noqa: E402
    Scope,
    apply_batch,
    find_all,
    make_matcher,
)

TERM, LABEL = "Tbilisi", "Location"  # a place synth.py writes into about one article in ten
FIRST_PROGRESS_TARGET_MS = 250.0  # the window shows the search is running within a blink
STOP_TARGET_MS = 250.0


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _bare_pass(reader: Store) -> int:
    """The matcher over every article's text read by id, nothing else: the baseline."""
    matcher = make_matcher(TERM, LABEL)
    ids = [i for batch in reader.iter_article_ids(Scope().filter) for i in batch]
    rows = reader.db.conn.execute  # the baseline may speak SQL: it is not the app
    hits = 0
    for article_id in ids:
        text = rows("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        hits += len(matcher.find(text))
    return hits


def measure_annotate_all(project: Path, repeats: int) -> list[Figure]:
    """The search on a reader (as the window's thread does), its progress and stop, then a
    batch applied and undone through the editor (on a copy of what it adds: it is undone)."""
    reader = Store.open(project, read_only=True)
    figures: list[Figure] = []
    try:
        matcher = make_matcher(TERM, LABEL)
        n = reader.article_total()
        runs, found = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            found = find_all(reader, matcher, Scope(), "bench")
            runs.append(time.perf_counter() - start)
        ours = n / statistics.median(runs)
        bare_runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            _bare_pass(reader)
            bare_runs.append(time.perf_counter() - start)
        bare = n / statistics.median(bare_runs)
        figures.append(
            Figure(
                key="annotate_all_search_rate",
                label="annotate-all search, whole project",
                value=ours,
                unit="articles/s",
                baseline=bare,
                baseline_label="the matcher over each article's text read by id, nothing else",
                note=f"“{TERM}”: {len(found):,} hits in {n:,} articles; "
                f"{statistics.median(runs):.1f} s; median of {repeats}",
            )
        )
        figures += _first_progress_and_stop(reader, n)
    finally:
        reader.close()
    figures += _apply_and_undo(project, found)
    return figures


def _first_progress_and_stop(reader: Store, n: int) -> list[Figure]:
    """Time to the first progress call, and from a stop to find_all's return (on a thread)."""
    matcher = make_matcher(TERM, LABEL)
    stop, first, began = threading.Event(), threading.Event(), time.perf_counter()
    shown: list[float] = []

    def progress(searched: int, total: int) -> None:
        if not first.is_set():
            shown.append(time.perf_counter() - began)
            first.set()

    returned: list[float] = []

    def work() -> None:
        find_all(reader, matcher, Scope(), "bench", stop.is_set, progress)
        returned.append(time.perf_counter())

    thread = threading.Thread(target=work)
    thread.start()
    first.wait(30)
    time.sleep(0.2)  # well into the search
    asked = time.perf_counter()
    stop.set()
    thread.join()
    first_ms, stop_ms = _ms(shown[0]), _ms(returned[0] - asked)
    return [
        Figure(
            key="annotate_all_first_progress",
            label="annotate-all: first progress shown",
            value=first_ms,
            unit="ms",
            target=f"< {FIRST_PROGRESS_TARGET_MS:.0f} ms",
            met=first_ms < FIRST_PROGRESS_TARGET_MS,
            note=f"counting the scope ({n:,} articles) and searching its first article",
        ),
        Figure(
            key="annotate_all_stop",
            label="annotate-all: stop takes effect",
            value=stop_ms,
            unit="ms",
            target=f"< {STOP_TARGET_MS:.0f} ms",
            met=stop_ms < STOP_TARGET_MS,
            note="from Stop searching to the hits found so far (asked before each article)",
        ),
    ]


def _apply_and_undo(project: Path, found: list) -> list[Figure]:  # type: ignore[type-arg]
    """Apply the hits as one recorded batch, then undo the batch; the project ends as it was
    but for the batch's record and its hidden spans."""
    store = Store.open(project)
    try:
        editor = Editor(store, "bench")
        start = time.perf_counter()
        batch, made = apply_batch(editor, found, TERM, {}, {"all": True})
        applied = time.perf_counter() - start
        start = time.perf_counter()
        state = editor.undo_batch(batch)
        undone = time.perf_counter() - start
    finally:
        store.close()
    return [
        Figure(
            key="annotate_all_apply",
            label="annotate-all: apply a batch (one transaction)",
            value=_ms(applied),
            unit="ms",
            note=f"{len(made):,} spans and the batch's record",
        ),
        Figure(
            key="annotate_all_undo_batch",
            label="annotate-all: undo a recorded batch",
            value=_ms(undone),
            unit="ms",
            note=f"{len(state.removable):,} spans hidden, one transaction",
        ),
    ]
