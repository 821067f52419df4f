"""The overview's counts: from the project-wide count tables for the whole project, from the
per-article tables for a filter's articles."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from desktop_app.core.model import ArticleFilter
from desktop_app.core.overview import (
    BY_SOURCE,
    BY_TAG,
    STATUSES,
    Overview,
    activity_window,
    narrows,
)
from desktop_app.core.store.base import _serialized
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.store.listing import ListingMixin

Rows = list[tuple[Any, ...]]


class OverviewMixin(ListingMixin, LabelsMixin):
    """The store's overview of a project or of the list's current filter."""

    @_serialized
    def overview(
        self, flt: ArticleFilter | None = None, matrix_by: str = BY_SOURCE, weeks: int = 8
    ) -> Overview:
        """Progress and content of the filter's articles (None, or a filter that keeps every
        article: the whole project), with the label-by-`matrix_by` matrix and the
        annotations made per day over `weeks` weeks up to the latest annotated day."""
        if matrix_by not in (BY_SOURCE, BY_TAG):
            raise ValueError(f"the matrix is by {BY_SOURCE!r} or {BY_TAG!r}, not {matrix_by!r}")
        whole = not narrows(flt)
        with self.db.atomic():  # one snapshot: every figure counts the same articles
            if whole:
                return self._whole_overview(matrix_by, weeks)
            assert flt is not None
            return self._filtered_overview(flt, matrix_by, weeks)

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Rows:
        return [tuple(row) for row in self.db.conn.execute(sql, params)]

    def _whole_overview(self, matrix_by: str, weeks: int) -> Overview:
        """Read from the count tables (a few thousand rows whatever the project's size)."""
        articles = int(self._one("SELECT ifnull(sum(n), 0) FROM article_days"))
        status = self._rows(
            "SELECT annotator, status, n FROM status_counts WHERE n > 0 AND status != 'todo'"
        )
        last = self._one("SELECT max(day) FROM annotation_days WHERE n > 0")
        days = activity_window(last, weeks)
        activity = (
            self._rows(
                "SELECT annotator, day, n FROM annotation_days WHERE day >= ? AND n > 0",
                (days[0],),
            )
            if days
            else []
        )
        label_sources = self._rows("SELECT label, source, n FROM label_sources WHERE n > 0")
        tag_sources = self._rows("SELECT label, source, n FROM tag_sources WHERE n > 0")
        published = self._rows("SELECT day, source, n FROM article_days WHERE n > 0")
        # Spans per cell only: articles per cell would need the per-article tables.
        if matrix_by == BY_SOURCE:
            matrix = [(label, source, n, None) for label, source, n in label_sources]
        else:
            matrix = [
                (label, tag, n, None)
                for label, tag, n in self._rows("SELECT label, tag, n FROM label_tags WHERE n > 0")
            ]
        return _assemble(
            True,
            articles,
            self.annotators(),
            status,
            activity,
            days,
            label_sources,
            tag_sources,
            published,
            matrix_by,
            matrix,
        )

    def _filtered_overview(self, flt: ArticleFilter, matrix_by: str, weeks: int) -> Overview:
        """Read the per-article tables of the filter's articles (as many rows as they have)."""
        where, params = self._plan(flt).where(probe=False)
        chosen = (
            "WITH chosen(id, source, day) AS MATERIALIZED (SELECT a.id, a.source, "
            f"ifnull(a.published, '') FROM articles a {where}) "
        )
        p = tuple(params)
        published = self._rows(
            f"{chosen} SELECT day, source, count(*) FROM chosen GROUP BY 1, 2", p
        )
        articles = sum(row[2] for row in published)
        status = self._rows(
            f"{chosen} SELECT st.annotator, st.status, count(*) FROM chosen c "
            "JOIN article_status st ON st.article = c.id WHERE st.status != 'todo' GROUP BY 1, 2",
            p,
        )
        label_rows = self._rows(
            f"{chosen} SELECT l.label, c.source, sum(l.n), count(*) FROM chosen c "
            "JOIN article_labels l ON l.article = c.id WHERE l.n > 0 GROUP BY 1, 2",
            p,
        )
        tag_sources = self._rows(
            f"{chosen} SELECT t.label, c.source, count(*) FROM chosen c "
            "JOIN document_tags t ON t.article = c.id AND t.deleted = 0 GROUP BY 1, 2",
            p,
        )
        made = (
            "SELECT annotator, substr(created_at, 1, 10) AS day FROM {table} x "
            "JOIN chosen c ON c.id = x.article WHERE x.deleted = 0"
        )
        union = f"{made.format(table='spans')} UNION ALL {made.format(table='document_tags')}"
        last = self._one(f"{chosen} SELECT max(day) FROM ({union})", p)
        days = activity_window(last, weeks)
        activity = (
            self._rows(
                f"{chosen} SELECT annotator, day, count(*) FROM ({union}) WHERE day >= ? "
                "GROUP BY 1, 2",
                (*p, days[0]),
            )
            if days
            else []
        )
        label_sources = [(label, source, n) for label, source, n, _ in label_rows]
        matrix = label_rows if matrix_by == BY_SOURCE else self._label_by_tag(chosen, p)
        return _assemble(
            False,
            articles,
            self.annotators(),
            status,
            activity,
            days,
            label_sources,
            tag_sources,
            published,
            matrix_by,
            matrix,
        )

    def _label_by_tag(self, chosen: str, params: tuple[Any, ...]) -> Rows:
        """(span label, document tag, spans, articles): spans of each label in `chosen`'s
        articles tagged with each tag (by anyone)."""
        return self._rows(
            f"{chosen} SELECT l.label, t.label, sum(l.n), count(*) FROM chosen c "
            "JOIN (SELECT DISTINCT article, label FROM document_tags WHERE deleted = 0) t "
            "ON t.article = c.id JOIN article_labels l ON l.article = c.id AND l.n > 0 "
            "GROUP BY 1, 2",
            params,
        )


def _assemble(
    whole: bool,
    articles: int,
    annotators: list[str],
    status_rows: Rows,
    activity_rows: Rows,
    days: tuple[str, ...],
    label_sources: Rows,
    tag_sources: Rows,
    published_rows: Rows,
    matrix_by: str,
    matrix_rows: Rows,
) -> Overview:
    """The Overview from the queries' rows (each a list of (key..., count) tuples)."""
    status: dict[str, dict[str, int]] = {}
    recorded: dict[str, dict[str, int]] = defaultdict(dict)
    for annotator, state, n in status_rows:
        recorded[annotator][state] = int(n)
    names = sorted({*annotators, *recorded})
    for name in names:
        counts = {state: recorded[name].get(state, 0) for state in STATUSES[1:]}
        status[name] = {STATUSES[0]: articles - sum(counts.values()), **counts}
    activity: dict[str, dict[str, int]] = defaultdict(dict)
    for annotator, day, n in activity_rows:
        activity[annotator][day] = int(n)
    return Overview(
        whole_project=whole,
        articles=articles,
        annotators=tuple(names),
        status=status,
        activity=dict(activity),
        activity_days=days,
        span_labels=_totals(label_sources),
        tag_labels=_totals(tag_sources),
        sources=_totals([(source, day, n) for day, source, n in published_rows]),
        published=_totals(published_rows),
        matrix_by=matrix_by,
        matrix={(row[0], row[1]): int(row[2]) for row in matrix_rows},
        matrix_articles={(r[0], r[1]): int(r[3]) for r in matrix_rows if r[3] is not None},
    )


def _totals(rows: Rows) -> dict[str, int]:
    """Sum (key, other, n) rows by key."""
    totals: dict[str, int] = defaultdict(int)
    for key, _, n in rows:
        totals[str(key)] += int(n)
    return dict(totals)
