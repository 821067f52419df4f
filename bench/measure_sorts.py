"""The list sorted by each of its columns, and ranked by relevance: first page and jumps."""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))

from figures import Figure, median_time  # noqa: E402
from synth import COMMON_WORD, FREQUENT_WORD  # noqa: E402

from desktop_app.core.model import ArticleFilter  # noqa: E402
from desktop_app.core.store import SORTS, Store  # noqa: E402

PAGE = 50  # rows the list reads per page, as in measure_core
TARGET_MS = 50  # "instant": the same target as the date-ordered list's
RANKED_TARGET_MS = 500  # relevance ranks every match on each page: a bound, not instant


def _ms(seconds: float) -> float:
    return seconds * 1000


def _timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def measure_sorts(project: Path, jumps: int, repeats: int, seed: int = 1) -> list[Figure]:
    """Each sortable column, both ways: count + first page, and jumps to random rows."""
    store = Store.open(project)
    figures: list[Figure] = []
    try:
        total = store.count_articles(ArticleFilter())
        rng = random.Random(seed)
        rows = [rng.randrange(total) for _ in range(jumps)]
        for name in SORTS:
            worst_first, worst_jump, deepest = 0.0, 0.0, 0.0
            for descending in (False, True):
                flt = ArticleFilter(sort=name, descending=descending)

                def first_page(flt: ArticleFilter = flt) -> None:
                    store.count_articles(flt)
                    assert store.article_rows(flt, None, PAGE)

                def jump(row: int, flt: ArticleFilter = flt) -> None:
                    anchor = store.anchor_after(flt, None, row)
                    assert store.article_rows(flt, anchor, PAGE)

                first_page()  # warm the cache, as an analyst's second look would be
                worst_first = max(worst_first, median_time(first_page, repeats))
                worst_jump = max(
                    worst_jump, statistics.median(_timed(lambda r=r: jump(r)) for r in rows)
                )
                deepest = max(deepest, _timed(lambda: jump(total - 1)))
            value = _ms(max(worst_first, worst_jump))
            figures.append(
                Figure(
                    key=f"sort_{name}",
                    label=f"list sorted by {name}",
                    value=value,
                    unit="ms",
                    target=f"< {TARGET_MS} ms",
                    met=value < TARGET_MS,
                    note=f"the slower of: count + first page ({_ms(worst_first):.1f} ms), "
                    f"a jump to a random row ({_ms(worst_jump):.1f} ms, median of {jumps}); "
                    f"ascending and descending; the last row took {_ms(deepest):.1f} ms",
                )
            )
        for kind, word in (("common", COMMON_WORD), ("frequent", FREQUENT_WORD)):
            flt = ArticleFilter(search=word, ranked=True)
            matches = store.count_articles(flt)

            def ranked_page(flt: ArticleFilter = flt) -> None:
                store.count_articles(flt)
                store.article_rows(flt, None, PAGE)  # as the window reads its first page

            ranked_page()
            value = _ms(median_time(ranked_page, repeats))
            figures.append(
                Figure(
                    key=f"sort_relevance_{kind}",
                    label=f"list by relevance, {kind} word",
                    value=value,
                    unit="ms",
                    target=f"< {RANKED_TARGET_MS} ms",
                    met=value < RANKED_TARGET_MS,
                    note=f"'{word}' in {matches:,} of {total:,} articles; count + first page, "
                    f"each page ranks every match (BM25); median of {repeats}",
                )
            )
    finally:
        store.close()
    return figures
