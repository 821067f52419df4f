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
from desktop_app.core.store.listing import ListingMixin, _Plan

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
        days = activity_window(self._one(_LAST_DAY), weeks)
        activity = self._rows(_ACTIVITY_SINCE, (days[0],)) if days else []
        return self._from_count_tables(matrix_by, days, activity)

    def _from_count_tables(
        self,
        matrix_by: str,
        days: tuple[str, ...],
        activity: Rows,
        less: dict[int, Rows] | None = None,
    ) -> Overview:
        """The overview from the project-wide count tables; with `less` (the filtered
        statement's arms over the articles a filter leaves out), those articles' rows taken
        off. The matrix counts spans per cell only: articles per cell would need the
        per-article tables."""

        def counted(sql: str, arm: int, count: int) -> Rows:
            rows = self._rows(sql)
            if less is None:
                return rows
            return _minus(rows, [(row[0], row[1], row[count]) for row in less.get(arm, [])])

        published = counted("SELECT day, source, n FROM article_days WHERE n > 0", 0, 3)
        status = counted(
            "SELECT annotator, status, n FROM status_counts WHERE n > 0 AND status != 'todo'", 1, 3
        )
        label_sources = counted("SELECT label, source, n FROM label_sources WHERE n > 0", 2, 2)
        tag_sources = counted("SELECT label, source, n FROM tag_sources WHERE n > 0", 3, 3)
        cells = (
            label_sources
            if matrix_by == BY_SOURCE
            else counted("SELECT label, tag, n FROM label_tags WHERE n > 0", 5, 2)
        )
        return _assemble(
            less is None,
            sum(int(row[2]) for row in published),
            self.annotators(),
            status,
            activity,
            days,
            label_sources,
            tag_sources,
            published,
            matrix_by,
            [(first, second, n, None) for first, second, n in cells],
        )

    def _filtered_overview(self, flt: ArticleFilter, matrix_by: str, weeks: int) -> Overview:
        """Count the filter's articles' rows in the per-article indexes, in one statement.

        The filter's ids are found once (a MATERIALIZED CTE, computed once per statement)
        and each figure is one arm of a UNION ALL that walks them in id order, reading one
        range of a covering index per article (migrations._overview_by_article): no span,
        tag or status row is read. The latest annotation of each article is one seek, and
        the activity arm reads only the window's range of each article's annotations. The
        work grows with the filter's articles (the whole project reads the count tables).
        """
        plan = self._plan(flt)
        total = int(self._one("SELECT ifnull(sum(n), 0) FROM article_days"))
        if (plan.sets or plan.excludes) and self._count(plan) * 2 > total:
            complement = self._complement_overview(plan, matrix_by, weeks)
            if complement is not None:
                return complement
        # With no id set to read, every article's id is walked: the excluded ones are left
        # out as one set then, not by a probe per article.
        where, params = plan.where(probe=False, excluded_by_set=not plan.sets)
        sql = filtered_statement(where, matrix_by == BY_TAG)
        # One seek per article for its latest annotation: trying the whole project's window
        # first (their latest day there is theirs) doubled the work whenever they had nothing
        # in it, as for most filters of a project annotated in the past (measured at 1M).
        found = self._arms(sql, (*params, f"-{max(weeks * 7 - 1, 0)} days"))
        days = activity_window(found[6][0][0], weeks)
        made = [(who, day, n) for who, day, _, n in found[4]]
        published = [(day, source, n) for day, source, _, n in found[0]]
        articles = sum(row[2] for row in published)
        status = [(who, state, n) for who, state, _, n in found[1]]
        label_rows = [(label, source, n, kept) for label, source, n, kept in found[2]]
        tag_sources = [(tag, source, n) for tag, source, _, n in found[3]]
        # The SQL window is the same days; cut again here so a stamp SQL cannot read as a
        # date still counts exactly as activity_window says.
        activity = [(who, day, n) for who, day, n in made if days and days[-1] >= day >= days[0]]
        label_sources = [(label, source, n) for label, source, n, _ in label_rows]
        matrix = label_rows if matrix_by == BY_SOURCE else found[5]
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

    def _complement_overview(self, plan: _Plan, matrix_by: str, weeks: int) -> Overview | None:
        """A filter that keeps most articles: the whole project's count tables minus what
        the articles it leaves out hold, so the per-article walk covers the smaller part.

        Counts are exact; the matrix gives spans per cell only (as for the whole project:
        articles per cell would need the per-article tables). None when the kept articles'
        latest annotation is older than the whole project's window (the caller walks them).
        """
        left_out, params = plan.left_out()
        window = activity_window(self._one(_LAST_DAY), weeks)
        since = window[0] if window else ""
        by_tag = matrix_by == BY_TAG
        found = self._arms(filtered_statement(left_out, by_tag, since_given=True), (*params, since))

        def kept(since: str) -> Rows:  # the activity from `since` on, less the left-out part
            part = [(who, day, n) for who, day, _, n in found[4]]
            return _minus(self._rows(_ACTIVITY_SINCE, (since,)), part)

        activity = kept(since)
        kept_last = max((day for _, day, _n in activity), default=None)
        if window and kept_last is None:
            return None  # nothing kept in the whole project's window: walk the kept ones
        days = activity_window(kept_last, weeks)
        if days and days[0] < since:  # their window starts earlier: count its older days
            only = filtered_statement(left_out, by_tag, since_given=True, activity=True)
            found[4] = [tuple(row[1:]) for row in self._rows(only, (*params, days[0]))]
            activity = kept(days[0])
        activity = [row for row in activity if days and days[-1] >= row[1] >= days[0]]
        return self._from_count_tables(matrix_by, days, activity, found)

    def _arms(self, sql: str, params: tuple[Any, ...]) -> dict[int, Rows]:
        """The filtered statement's rows by arm (0 published, 1 status, ... 6 latest)."""
        found: dict[int, Rows] = defaultdict(list)
        for arm, *row in self.db.conn.execute(sql, params):
            found[arm].append(tuple(row))
        return found


_LAST_DAY = "SELECT max(day) FROM annotation_days WHERE n > 0"
_ACTIVITY_SINCE = "SELECT annotator, day, n FROM annotation_days WHERE day >= ? AND n > 0"


def _minus(whole: Rows, part: Rows) -> Rows:
    """(key, key, n) rows of the whole less the part's, by key (a NULL key counts as ''),
    keeping the rows left above zero."""
    left: dict[tuple[Any, Any], int] = defaultdict(int)
    for first, second, n in whole:
        left[(first if first is not None else "", second if second is not None else "")] += int(n)
    for first, second, n in part:
        left[(first if first is not None else "", second if second is not None else "")] -= int(n)
    return [(first, second, n) for (first, second), n in left.items() if n > 0]


def filtered_statement(
    where: str, by_tag: bool, since_given: bool = False, activity: bool = False
) -> str:
    """The filtered overview's one statement for the articles `a` that `where` keeps: rows
    of (arm, key, key, spans or NULL, count); its parameters are the WHERE clause's, then
    the activity window's length as a date modifier ("-55 days"), or with `since_given` its
    first day ("2026-10-08"; the latest arm then gives NULL). The articles' ids, sources
    and dates come from the narrow index by id (articles_keys), sought by id for an id set
    or walked in id order otherwise, never from their rows. `activity`: that arm alone."""
    arms = [_PUBLISHED, _STATUS, _LABELS, _TAGS, _ACTIVITY, _LATEST]
    if by_tag:
        arms.append(_LABEL_TAGS)
    if activity:
        arms = [_ACTIVITY]
    walked = "INDEXED BY articles_keys "
    return (
        "WITH chosen(id, source, day) AS MATERIALIZED (SELECT a.id, a.source, "
        f"ifnull(a.published, '') FROM articles a {walked}{where} ORDER BY a.id), "
        f"{_GIVEN_WINDOW if since_given else _WINDOW} " + " UNION ALL ".join(arms)
    )


# The arms of the filtered overview's statement: (arm, key, key, spans or NULL, count). Each
# joins from `chosen` (CROSS JOIN keeps it the outer loop) into an index that covers it.
_PUBLISHED = "SELECT 0, day, source, NULL, count(*) FROM chosen GROUP BY day, source"
_STATUS = (
    "SELECT 1, st.annotator, st.status, NULL, count(*) FROM chosen c "
    "CROSS JOIN article_status st INDEXED BY status_by_article ON st.article = c.id "
    "WHERE st.status != 'todo' GROUP BY st.annotator, st.status"
)
_LABELS = (
    "SELECT 2, l.label, c.source, sum(l.n), count(*) FROM chosen c "
    "CROSS JOIN article_labels l INDEXED BY labels_by_article ON l.article = c.id "
    "WHERE l.n > 0 GROUP BY l.label, c.source"
)
_TAGS = (
    "SELECT 3, t.label, c.source, NULL, count(*) FROM chosen c "
    "CROSS JOIN document_tags t INDEXED BY tags_by_article ON t.article = c.id "
    "AND t.deleted = 0 GROUP BY t.label, c.source"
)
# The latest annotation time of the chosen articles (a seek to the end of each article's
# range) and the first day of the activity window before it (the parameter: "-55 days");
# '' when that time is not a date SQL reads (the window is then cut in Python alone).
_WINDOW = (
    "latest(last, since) AS MATERIALIZED (SELECT m, ifnull(date(substr(m, 1, 10), ?), '') "
    "FROM (SELECT max(last) AS m FROM (SELECT (SELECT max(created_at) FROM spans "
    "INDEXED BY spans_by_article WHERE article = c.id AND deleted = 0) AS last FROM chosen c "
    "UNION ALL SELECT (SELECT max(created_at) FROM document_tags INDEXED BY tags_by_article "
    "WHERE article = c.id AND deleted = 0) FROM chosen c)))"
)
_GIVEN_WINDOW = "latest(last, since) AS MATERIALIZED (SELECT NULL, ?)"
_LATEST = "SELECT 6, last, NULL, NULL, 0 FROM latest"
_ACTIVITY = (
    "SELECT 4, annotator, day, NULL, count(*) FROM ("
    "SELECT x.annotator, substr(x.created_at, 1, 10) AS day FROM chosen c "
    "CROSS JOIN spans x INDEXED BY spans_by_article ON x.article = c.id AND x.deleted = 0 "
    "AND x.created_at >= (SELECT since FROM latest) "
    "UNION ALL SELECT x.annotator, substr(x.created_at, 1, 10) FROM chosen c "
    "CROSS JOIN document_tags x INDEXED BY tags_by_article ON x.article = c.id "
    "AND x.deleted = 0 AND x.created_at >= (SELECT since FROM latest)) "
    "GROUP BY annotator, day"
)
# Spans of each label in the chosen articles tagged with each tag (by anyone): a tag two
# annotators put on an article counts the article once.
_LABEL_TAGS = (
    "SELECT 5, l.label, t.tag, sum(l.n), count(*) FROM (SELECT DISTINCT c.id, x.label AS tag "
    "FROM chosen c CROSS JOIN document_tags x INDEXED BY tags_by_article "
    "ON x.article = c.id AND x.deleted = 0) t "
    "CROSS JOIN article_labels l INDEXED BY labels_by_article ON l.article = t.id "
    "WHERE l.n > 0 GROUP BY l.label, t.tag"
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
