"""The overview's figures: how soon it appears, how soon it follows an edit, and a filter's."""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from figures import Figure, median_time  # noqa: E402
from synth import COMMON_WORD  # noqa: E402

from desktop_app.core.model import ArticleFilter  # noqa: E402
from desktop_app.core.overview import BY_TAG  # noqa: E402
from desktop_app.core.store import Store  # noqa: E402

FIRST_TARGET_MS = 1000.0  # the targets at 1,000,000 articles and 10,000,000 spans
REFRESH_TARGET_MS = 500.0


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def measure_overview(project: Path, repeats: int, seed: int = 1) -> list[Figure]:
    """First overview (a fresh reader, as the window opens one), refresh after an edit, a
    filter's overview, and the label-by-tag matrix; checked against plain SQL counts."""
    writer = Store.open(project)
    rng = random.Random(seed)
    figures = []
    try:
        firsts = []
        for _ in range(repeats):
            start = time.perf_counter()
            reader = Store.open(project, read_only=True)
            overview = reader.overview()
            firsts.append(time.perf_counter() - start)
            reader.close()
        _check(writer, overview)
        first = _ms(statistics.median(firsts))
        plain = _ms(median_time(lambda: _plain_counts(writer), 1))
        spans = sum(overview.span_labels.values())
        figures.append(
            Figure(
                key="overview_first",
                label="overview appears (whole project)",
                value=first,
                unit="ms",
                target=f"< {FIRST_TARGET_MS:,.0f} ms",
                met=first < FIRST_TARGET_MS,
                baseline=plain,
                baseline_label="the same figures as GROUP BY over spans, tags, articles, statuses",
                note=f"{overview.articles:,} articles, {spans:,} spans; opening a reader and "
                f"counting every figure; median of {repeats}",
            )
        )
        reader = Store.open(project, read_only=True)
        labels = [label.name for label in writer.labels("span")]
        total = writer.article_total()
        refreshes = []
        try:
            for _ in range(repeats):
                article_id = rng.randrange(1, total + 1)
                text = writer.article(article_id).text
                where = rng.randrange(len(text) - 1)
                writer.add_span(article_id, where, where + 1, rng.choice(labels), "bench-overview")
                start = time.perf_counter()
                overview = reader.overview()
                refreshes.append(time.perf_counter() - start)
            _check(writer, overview)
            refresh = _ms(statistics.median(refreshes))
            figures.append(
                Figure(
                    key="overview_refresh",
                    label="overview refresh after an edit",
                    value=refresh,
                    unit="ms",
                    target=f"< {REFRESH_TARGET_MS:,.0f} ms",
                    met=refresh < REFRESH_TARGET_MS,
                    note=f"a span added, then every figure counted again; median of {repeats}",
                )
            )
            source = max(overview.sources, key=lambda name: overview.sources[name])
            tag = max(overview.tag_labels, key=lambda name: overview.tag_labels[name])
            who = overview.annotators[0]
            for key, label, flt, what in (
                ("overview_filter", "overview of a filter (one source)",
                 ArticleFilter(source=source), f"from {source!r}"),
                ("overview_filter_search", "overview of a search (a common word)",
                 ArticleFilter(search=COMMON_WORD), f"containing {COMMON_WORD!r}"),
                ("overview_filter_tag", "overview of a filter (one tag)",
                 ArticleFilter(tag=tag), f"tagged {tag!r}"),
                ("overview_filter_most", "overview of a filter keeping most (a word left out)",
                 ArticleFilter(search=f"-{COMMON_WORD}"), f"without {COMMON_WORD!r}"),
                ("overview_filter_todo", "overview of a filter keeping most (todo for one)",
                 ArticleFilter(status="todo", status_annotator=who), f"todo for {who}"),
            ):  # fmt: skip
                figures.append(_filtered(writer, reader, key, label, flt, what, repeats))
            by_tag = _ms(median_time(lambda: reader.overview(matrix_by=BY_TAG), 1))
            figures.append(
                Figure(
                    key="overview_by_tag",
                    label="overview with the label-by-tag matrix",
                    value=by_tag,
                    unit="ms",
                    note="spans of each label in the articles with each tag (whole project, "
                    "from the label_tags count table); one run",
                )
            )
        finally:
            reader.close()
    finally:
        writer.close()
    return figures


def _filtered(
    writer: Store, reader: Store, key: str, label: str, flt: ArticleFilter, what: str, repeats: int
) -> Figure:
    """The overview of a filter's articles, timed on a reader and checked against plain SQL."""
    value = _ms(median_time(lambda: reader.overview(flt), repeats))
    kept = reader.overview(flt)
    _check_filtered(writer, flt, kept)
    return Figure(
        key=key,
        label=label,
        value=value,
        unit="ms",
        target=f"< {FIRST_TARGET_MS:,.0f} ms",
        met=value < FIRST_TARGET_MS,
        note=f"{kept.articles:,} articles {what}, {sum(kept.span_labels.values()):,} spans; "
        + (
            "the count tables less the articles left out"
            if kept.articles * 2 > writer.article_total()
            else "one statement over covering indexes per article"
        )
        + f"; median of {repeats}",
    )


def _check_filtered(store: Store, flt: ArticleFilter, overview: object) -> None:
    """A filter's overview counts the articles and spans plain SQL finds for the filter."""
    ids = json.dumps([i for batch in store.iter_article_ids(flt, 10_000) for i in batch])
    spans = store.db.conn.execute(
        "SELECT count(*) FROM spans WHERE deleted = 0 AND article IN "
        "(SELECT value FROM json_each(?))",
        (ids,),
    ).fetchone()[0]
    articles = len(json.loads(ids))
    got = (overview.articles, sum(overview.span_labels.values()))  # type: ignore[attr-defined]
    if got != (articles, spans):
        raise RuntimeError(
            f"the overview of {flt} counts {got[0]} articles and {got[1]} spans, "
            f"plain SQL {articles} and {spans}"
        )


def _check(store: Store, overview: object) -> None:
    """The overview's span and article totals equal plain SQL counts."""
    conn = store.db.conn
    spans = conn.execute("SELECT count(*) FROM spans WHERE deleted = 0").fetchone()[0]
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    got_spans = sum(overview.span_labels.values())  # type: ignore[attr-defined]
    got_articles = overview.articles  # type: ignore[attr-defined]
    if (got_spans, got_articles) != (spans, articles):
        raise RuntimeError(
            f"overview counts {got_articles} articles and {got_spans} spans, "
            f"plain SQL {articles} and {spans}"
        )


def _plain_counts(store: Store) -> None:
    """The whole project's figures as one would count them without the count tables."""
    conn = store.db.conn
    for sql in (
        "SELECT annotator, status, count(*) FROM article_status GROUP BY 1, 2",
        "SELECT annotator, substr(created_at, 1, 10), count(*) FROM (SELECT annotator, "
        "created_at FROM spans WHERE deleted = 0 UNION ALL SELECT annotator, created_at "
        "FROM document_tags WHERE deleted = 0) GROUP BY 1, 2",
        "SELECT s.label, a.source, count(*) FROM spans s JOIN articles a ON a.id = s.article "
        "WHERE s.deleted = 0 GROUP BY 1, 2",
        "SELECT label, count(*) FROM document_tags WHERE deleted = 0 GROUP BY 1",
        "SELECT source, ifnull(published, ''), count(*) FROM articles GROUP BY 1, 2",
    ):
        conn.execute(sql).fetchall()
