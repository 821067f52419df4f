"""The overview's figures (progress and content of a project or a filter) and their buckets."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from desktop_app.core.model import ArticleFilter, Status

STATUSES = (Status.TODO.value, Status.IN_PROGRESS.value, Status.DONE.value)
BY_SOURCE, BY_TAG = "source", "tag"
NO_DATE = ""  # the publication "day" of articles without a date
WEEKS_BY_WEEK = 26  # a publication range up to this long is shown by week, longer by month


@dataclass(frozen=True)
class Overview:
    """Counts over the articles in scope (the whole project, or a filter's articles).

    Every count is of live annotations; a status nobody recorded is "todo".
    """

    whole_project: bool
    articles: int
    annotators: tuple[str, ...]
    status: dict[str, dict[str, int]]  # annotator -> status -> articles
    activity: dict[str, dict[str, int]]  # annotator -> day (YYYY-MM-DD) -> annotations made
    activity_days: tuple[str, ...]  # the days of the activity window, oldest first
    span_labels: dict[str, int]  # span label -> spans
    tag_labels: dict[str, int]  # document tag -> tags
    sources: dict[str, int]  # source -> articles
    published: dict[str, int]  # publication day (NO_DATE: none) -> articles
    matrix_by: str  # BY_SOURCE or BY_TAG: what the matrix's columns are
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)  # (label, column) -> spans
    matrix_articles: dict[tuple[str, str], int] = field(default_factory=dict)  # ... -> articles


@dataclass(frozen=True)
class Bucket:
    """A stretch of publication dates: [start, end) as ISO dates, its name and its count."""

    start: str
    end: str
    name: str
    count: int


def narrows(flt: ArticleFilter | None) -> bool:
    """Whether the filter keeps fewer than all articles (sorting alone does not)."""
    if flt is None:
        return False
    return bool(
        flt.search.strip()
        or flt.tag
        or flt.label
        or flt.annotator
        or flt.status
        or flt.source is not None
        or flt.published_from
        or flt.published_to
    )


def activity_window(last: str | None, weeks: int) -> tuple[str, ...]:
    """The `weeks` * 7 days ending on `last` (the latest day with annotations), oldest first;
    none when nothing was annotated."""
    if not last:
        return ()
    end = date.fromisoformat(last[:10])
    return tuple((end - timedelta(days=back)).isoformat() for back in range(weeks * 7 - 1, -1, -1))


def published_buckets(days: dict[str, int]) -> tuple[str, list[Bucket]]:
    """Articles per week (Monday to Sunday) or per month, chosen by the range of dates:
    ("week" or "month", the buckets from the first date to the last, empty ones included).
    Articles without a date are left out (Overview.published[NO_DATE] counts them)."""
    dated: dict[date, int] = {}
    for day, count in days.items():
        try:
            when = date.fromisoformat(day[:10])
        except ValueError:
            continue  # no date, or not an ISO date
        dated[when] = dated.get(when, 0) + count
    if not dated:
        return "month", []
    first, last = min(dated), max(dated)
    if (last - first).days <= WEEKS_BY_WEEK * 7:
        start = first - timedelta(days=first.weekday())
        buckets: list[Bucket] = []
        while start <= last:
            end = start + timedelta(days=7)
            count = sum(n for when, n in dated.items() if start <= when < end)
            buckets.append(Bucket(start.isoformat(), end.isoformat(), start.isoformat(), count))
            start = end
        return "week", buckets
    totals: dict[tuple[int, int], int] = {}
    for when, n in dated.items():
        totals[(when.year, when.month)] = totals.get((when.year, when.month), 0) + n
    buckets = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = (year + month // 12, month % 12 + 1)
        begin, end = date(year, month, 1), date(*following, 1)
        count = totals.get((year, month), 0)
        buckets.append(Bucket(begin.isoformat(), end.isoformat(), begin.isoformat()[:7], count))
        year, month = following
    return "month", buckets


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write a chart's table as UTF-8 CSV; a name that a spreadsheet would run as a formula
    (starting with = + - @) is written with a leading apostrophe."""

    def cell(value: object) -> object:
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([cell(name) for name in header])
        writer.writerows([[cell(value) for value in row] for row in rows])
