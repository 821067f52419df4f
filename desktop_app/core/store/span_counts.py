"""Writing many spans at once with the count tables kept exact set-based: the per-row span
triggers are dropped inside the write's transaction and made again before it commits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

# From this many spans a write takes the set-based way: below it, dropping and re-creating the
# triggers (a schema change every connection then re-reads) costs more than the rows do.
BULK_FROM = 100

# The span triggers that only keep derived tables (counts, relations) up to date, each one
# replaced by a statement below. Why: with ~20 such triggers, each span written cost ~20
# B-tree upserts one row at a time (about 1 ms a span on a loaded machine).
INSERT_TRIGGERS = (
    "spans_count_insert",
    "spans_label_insert",
    "spans_total_insert",
    "spans_label_sources_insert",
    "spans_annotation_days_insert",
    "spans_label_tags_insert",
)
UPDATE_TRIGGERS = (
    "spans_count_update",
    "spans_label_update",
    "spans_total_update",
    "spans_label_sources_update",
    "spans_annotation_days_update",
    "spans_label_tags_out",
    "spans_label_tags_in",
    "spans_delete_relations",
)
DELETE_TRIGGERS = (
    "spans_count_delete",
    "spans_label_delete",
    "spans_total_delete",
    "spans_label_sources_delete",
    "spans_annotation_days_delete",
    "spans_label_tags_delete",
)
# Checks and the team-server sync's dirty marks (migration sync_tracking), not counts: they
# stay and run per row, so a bulk write is marked for the next sync like any other.
CHECK_TRIGGERS = (
    "spans_quote_matches",
    "spans_offsets_fixed",
    "spans_sync_insert",
    "spans_sync_update",
    "spans_sync_delete",
)
KNOWN_TRIGGERS = frozenset(INSERT_TRIGGERS + UPDATE_TRIGGERS + DELETE_TRIGGERS + CHECK_TRIGGERS)

# The spans being made live (sign +1) or taken out (sign -1) are copied to temp.bulk_spans
# first, so each statement reads that small table and finds other rows by their keys.
_COUNTS = (
    # article_annotators (spans_count_*)
    "INSERT INTO article_annotators (article, annotator, n) "
    "SELECT article, annotator, :sign * count(*) FROM temp.bulk_spans GROUP BY article, annotator "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
    # article_labels (spans_label_*)
    "INSERT INTO article_labels (article, label, n) "
    "SELECT article, label, :sign * count(*) FROM temp.bulk_spans GROUP BY article, label "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
    # article_counts (spans_total_*)
    "UPDATE article_counts SET spans = spans + x.c FROM "
    "(SELECT article, :sign * count(*) AS c FROM temp.bulk_spans GROUP BY article) AS x "
    "WHERE article_counts.id = x.article",
    # label_sources (spans_label_sources_*)
    "INSERT INTO label_sources (label, source, n) "
    "SELECT s.label, ifnull(a.source, ''), :sign * count(*) FROM temp.bulk_spans s "
    "LEFT JOIN articles a ON a.id = s.article GROUP BY s.label, ifnull(a.source, '') "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
    # annotation_days (spans_annotation_days_*)
    "INSERT INTO annotation_days (day, annotator, n) "
    "SELECT day, annotator, :sign * count(*) FROM temp.bulk_spans GROUP BY day, annotator "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
    # label_tags (spans_label_tags_*): each span counts once for each tag live on its article
    "WITH per_article AS (SELECT article, label, count(*) AS c FROM temp.bulk_spans "
    " GROUP BY article, label), "
    "tags AS (SELECT DISTINCT t.article, t.label FROM "
    " (SELECT DISTINCT article FROM temp.bulk_spans) a CROSS JOIN document_tags t "
    " ON t.article = a.article AND t.deleted = 0) "
    "INSERT INTO label_tags (label, tag, n) "
    "SELECT p.label, tags.label, :sign * sum(p.c) FROM per_article p "
    "JOIN tags ON tags.article = p.article GROUP BY p.label, tags.label "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n",
)
# spans_delete_relations: a span hidden takes its live relations with it (same stamp).
_HIDE_RELATIONS = (
    "UPDATE relations SET deleted = 1, updated_at = ? "
    "WHERE deleted = 0 AND from_span IN (SELECT uuid FROM temp.bulk_spans)",
    "UPDATE relations SET deleted = 1, updated_at = ? "
    "WHERE deleted = 0 AND to_span IN (SELECT uuid FROM temp.bulk_spans)",
)


def _triggers(conn: sqlite3.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = 'spans'"
    )
    return {str(name): str(sql) for name, sql in rows}


def bulk_ready(conn: sqlite3.Connection, n: int) -> bool:
    """Whether a write of `n` spans takes the set-based way: big enough, and the project's
    span triggers are exactly the ones this module replaces (else rows go one at a time)."""
    return n >= BULK_FROM and set(_triggers(conn)) == KNOWN_TRIGGERS


@contextmanager
def _suspended(conn: sqlite3.Connection, names: Sequence[str]) -> Iterator[None]:
    """Drop the triggers `names` for the block and make them again from their own SQL. Must
    run inside a transaction: a failure rolls the drops back with everything else."""
    if not conn.in_transaction:
        raise RuntimeError("span triggers may only be suspended inside a transaction")
    sqls = _triggers(conn)
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for name in names:
            conn.execute(sqls[name])


def _fill(conn: sqlite3.Connection, uuids: Sequence[str], unless_deleted: int | None) -> None:
    """Copy the spans `uuids` (those not already `deleted == unless_deleted`) to
    temp.bulk_spans with the columns the counts group by."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_uuids (uuid TEXT PRIMARY KEY)")
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bulk_spans (uuid TEXT PRIMARY KEY, "
        "article INTEGER, annotator TEXT, label TEXT, day TEXT)"
    )
    conn.execute("DELETE FROM temp.bulk_uuids")
    conn.execute("DELETE FROM temp.bulk_spans")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.bulk_uuids (uuid) VALUES (?)", ((u,) for u in uuids)
    )
    conn.execute(
        "INSERT INTO temp.bulk_spans (uuid, article, annotator, label, day) "
        "SELECT s.uuid, s.article, s.annotator, s.label, substr(s.created_at, 1, 10) "
        "FROM temp.bulk_uuids b CROSS JOIN spans s ON s.uuid = b.uuid "
        "WHERE s.deleted IS NOT ?",
        (unless_deleted,),
    )


def _clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM temp.bulk_uuids")
    conn.execute("DELETE FROM temp.bulk_spans")


def insert_spans(
    conn: sqlite3.Connection,
    sql: str,
    rows: Sequence[Sequence[object]],
    *,
    quotes_cut: bool = False,
) -> None:
    """Insert spans (`sql` takes one row; the uuid is each row's first value) and count the
    live ones set-based: the same count tables, to the row, as the insert triggers would leave
    (they count no deleted span: a sync pulls tombstones too).
    `quotes_cut`: the caller cut every quote from its article's stored text (immutable), so
    the per-row quote check (half the insert's time: it reads each text again) is skipped."""
    checks = ("spans_quote_matches",) if quotes_cut else ()
    with _suspended(conn, INSERT_TRIGGERS + checks):
        conn.executemany(sql, rows)
        _fill(conn, [str(row[0]) for row in rows], 1)
        for statement in _COUNTS:
            conn.execute(statement, {"sign": 1})
    _clear(conn)


def set_deleted(conn: sqlite3.Connection, uuids: Sequence[str], deleted: bool, stamp: str) -> None:
    """Hide or show spans again, counting only those whose state changes, set-based: what the
    update triggers would leave (a hidden span's live relations are hidden with it)."""
    with _suspended(conn, UPDATE_TRIGGERS):
        # Only spans that change state count (a trigger's +1 and -1 cancel for the others).
        _fill(conn, uuids, int(deleted))
        conn.execute(
            "UPDATE spans SET deleted = ?, updated_at = ? "
            "WHERE uuid IN (SELECT uuid FROM temp.bulk_uuids)",
            (int(deleted), stamp),
        )
        for statement in _COUNTS:
            conn.execute(statement, {"sign": -1 if deleted else 1})
        if deleted:
            for statement in _HIDE_RELATIONS:
                conn.execute(statement, (stamp,))
    _clear(conn)
