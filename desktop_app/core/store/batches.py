"""Annotate-all batches in the project file: each batch, with the spans it made, kept beyond
the session so it can be undone after a restart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.model import Span, Status
from desktop_app.core.store import span_counts
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.base import (
    _SPAN_COLUMNS,
    StoreError,
    _serialized,
    _span,
    new_uuid,
    now,
)

# A moved span is hidden and its copy made in one store call: their stamps are this close.
_MOVED_WITHIN_DAYS = 2.0 / 86400


@dataclass(frozen=True)
class Batch:
    """One annotate-all batch: what was searched, by whom, and what is left of it."""

    uuid: str
    created_at: str
    annotator: str
    label: str
    search: str
    options: dict[str, Any]
    scope: dict[str, Any]
    count: int
    undone_at: str | None
    live: int  # its spans still there (not deleted), changed since or not

    def as_dict(self) -> dict[str, Any]:
        """The batch as JSON-ready fields."""
        return {
            "uuid": self.uuid,
            "created_at": self.created_at,
            "annotator": self.annotator,
            "label": self.label,
            "search": self.search,
            "options": self.options,
            "scope": self.scope,
            "count": self.count,
            "live": self.live,
            "undone_at": self.undone_at,
        }


@dataclass(frozen=True)
class BatchState:
    """What undoing a batch would do: the spans still as made (to remove), and those kept."""

    batch: Batch
    removable: list[str] = field(default_factory=list)  # span uuids, live and as made
    changed: list[Span] = field(default_factory=list)  # live, relabelled or re-noted since
    moved: list[Span] = field(default_factory=list)  # hidden by a move; their copies stay
    gone: int = 0  # already deleted (by hand, by an undo) or their article deleted

    def summary(self) -> str:
        """What undoing the batch does (or did), in one sentence."""
        parts = [f"removed {len(self.removable)} of the batch's {self.batch.count} spans"]
        if self.changed:
            parts.append(f"kept {len(self.changed)} changed since (relabelled or re-noted)")
        if self.moved:
            parts.append(f"kept {len(self.moved)} moved since (their new edges stay)")
        if self.gone:
            parts.append(f"{self.gone} were already gone")
        return "; ".join(parts)


class BatchesMixin(AnnotationsMixin):
    """The store's record of annotate-all batches."""

    @_serialized
    def add_batch(
        self,
        wanted: Sequence[tuple[int, int, int, str]],
        annotator: str,
        search: str,
        options: dict[str, Any],
        scope: dict[str, Any],
        batch_uuid: str | None = None,
    ) -> tuple[str, list[Span]]:
        """Create the spans (article, start, end, label) as `annotator`'s and record them as
        one batch, all in one transaction: either the batch and every span are saved, or
        nothing is. Each article the annotator had not started ("todo") is put "in progress"
        in the same transaction (one commit, not one per article). Returns the batch's uuid
        and its spans."""
        if not wanted:
            raise StoreError("an annotate-all batch needs at least one span")
        labels = {label for _, _, _, label in wanted}
        for label in labels:
            if not self._one("SELECT 1 FROM labels WHERE name = ? AND kind = 'span'", (label,)):
                raise StoreError(f"{label!r} is not a span label of this project")
        batch_uuid = batch_uuid or new_uuid()
        stamp = now()
        rows = self._span_rows(wanted, annotator, stamp)
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                "INSERT INTO annotate_all_batches (uuid, created_at, annotator, label, search, "
                "options, scope, count) VALUES (?,?,?,?,?,?,?,?)",
                (
                    batch_uuid,
                    stamp,
                    annotator,
                    ", ".join(sorted(labels)),
                    search,
                    json.dumps(options, sort_keys=True),
                    json.dumps(scope, sort_keys=True),
                    len(wanted),
                ),
            )
            insert = f"INSERT INTO spans ({_SPAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,0,'')"
            if span_counts.bulk_ready(self.db.conn, len(rows)):
                # _span_rows cut each quote from its article's text.
                span_counts.insert_spans(self.db.conn, insert, rows, quotes_cut=True)
            else:
                self.db.conn.executemany(insert, rows)
            made = [_span((*row, 0, "")) for row in rows]
            self.db.conn.executemany(
                "INSERT INTO annotate_all_batch_spans (batch, span, label, note) VALUES (?,?,?,?)",
                [(batch_uuid, span.uuid, span.label, span.note) for span in made],
            )
            # Each article still "todo" for the annotator (no row, or a "todo" row) is started.
            self.db.conn.executemany(
                "INSERT INTO article_status (article, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
                "status = excluded.status, updated_at = excluded.updated_at "
                "WHERE article_status.status = ?",
                [
                    (article_id, annotator, Status.IN_PROGRESS.value, stamp, Status.TODO.value)
                    for article_id in dict.fromkeys(span.article_id for span in made)
                ],
            )
        return batch_uuid, made

    def _span_rows(
        self, wanted: Sequence[tuple[int, int, int, str]], annotator: str, stamp: str
    ) -> list[tuple[Any, ...]]:
        """The spans' rows, each checked against its article's text and its quote cut from
        it (as add_span does); the hits come grouped by article, so one text is held."""
        rows: list[tuple[Any, ...]] = []
        held: tuple[int, str] | None = None
        for article_id, start, end, label in wanted:
            if held is None or held[0] != article_id:
                text = self._one("SELECT text FROM articles WHERE id = ?", (article_id,))
                if text is None:
                    raise StoreError(f"no article with id {article_id}")
                held = (article_id, text)
            text = held[1]
            if not 0 <= start < end <= len(text):
                raise StoreError(f"span {start}-{end} is outside the text (0-{len(text)})")
            quote = text[start:end]
            rows.append(
                (new_uuid(), article_id, annotator, label, start, end, quote, "", stamp, stamp)
            )
        return rows

    @_serialized
    def batches(self, limit: int | None = None) -> list[Batch]:
        """The annotate-all batches, newest first, with how many of their spans are live."""
        sql = (
            "SELECT b.uuid, b.created_at, b.annotator, b.label, b.search, b.options, b.scope, "
            "b.count, b.undone_at, "
            "(SELECT count(*) FROM annotate_all_batch_spans l JOIN spans s ON s.uuid = l.span "
            " WHERE l.batch = b.uuid AND s.deleted = 0) "
            "FROM annotate_all_batches b ORDER BY b.rowid DESC"
        )
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_batch(row) for row in self.db.conn.execute(sql, params)]

    @_serialized
    def batch(self, batch_uuid: str) -> Batch:
        """One batch by its uuid, or by a prefix of it that names only one batch."""
        rows = self.db.conn.execute(
            "SELECT uuid FROM annotate_all_batches WHERE uuid >= ? AND uuid < ? LIMIT 2",
            (batch_uuid, batch_uuid + "\uffff"),
        ).fetchall()
        if not rows or not batch_uuid:
            raise StoreError(f"no annotate-all batch {batch_uuid!r} in this project")
        if len(rows) > 1:
            raise StoreError(f"{batch_uuid!r} names more than one batch: give more of its uuid")
        found = [b for b in self.batches() if b.uuid == rows[0][0]]
        return found[0]

    @_serialized
    def batch_state(self, batch_uuid: str) -> BatchState:
        """Which of a batch's spans are still as it made them (live, same label and note),
        which were changed since (kept), moved (kept) or are gone."""
        batch = self.batch(batch_uuid)
        rows = self.db.conn.execute(
            f"SELECT l.label, l.note, {', '.join('s.' + c.strip() for c in _columns())} "
            "FROM annotate_all_batch_spans l LEFT JOIN spans s ON s.uuid = l.span "
            "WHERE l.batch = ? ORDER BY s.article, s.start",
            (batch.uuid,),
        ).fetchall()
        removable: list[str] = []
        changed: list[Span] = []
        moved: list[Span] = []
        gone = 0
        for row in rows:
            if row[2] is None:  # its article was deleted
                gone += 1
                continue
            span = _span(row[2:])
            if not span.deleted:
                if (span.label, span.note) == (row[0], row[1]):
                    removable.append(span.uuid)
                else:
                    changed.append(span)
            elif self._moved_copy(span):
                moved.append(span)
            else:
                gone += 1
        return BatchState(batch, removable, changed, moved, gone)

    def _moved_copy(self, span: Span) -> bool:
        """Whether a hidden span was moved: a live copy by the same annotator, over part of
        the same text, was made the moment it was hidden (replace_span does both at once)."""
        return bool(
            self._one(
                "SELECT 1 FROM spans WHERE article = ? AND annotator = ? AND deleted = 0 "
                'AND uuid != ? AND start < ? AND "end" > ? '
                "AND abs(julianday(created_at) - julianday(?)) <= ? LIMIT 1",
                (
                    span.article_id,
                    span.annotator,
                    span.uuid,
                    span.end,
                    span.start,
                    span.updated_at,
                    _MOVED_WITHIN_DAYS,
                ),
            )
        )

    @_serialized
    def set_batch_spans(self, batch_uuid: str, span_uuids: Sequence[str], deleted: bool) -> None:
        """Hide (undo) or show again (redo) some of a batch's spans, and mark the batch undone
        or not, in one transaction."""
        stamp = now()
        with self.db.atomic():
            if span_counts.bulk_ready(self.db.conn, len(span_uuids)):
                span_counts.set_deleted(self.db.conn, span_uuids, deleted, stamp)
            else:
                self.db.conn.executemany(
                    "UPDATE spans SET deleted = ?, updated_at = ? WHERE uuid = ?",
                    [(int(deleted), stamp, span_uuid) for span_uuid in span_uuids],
                )
            self.db.execute(
                "UPDATE annotate_all_batches SET undone_at = ? WHERE uuid = ?",
                (stamp if deleted else None, batch_uuid),
            )


def _columns() -> list[str]:
    return _SPAN_COLUMNS.split(",")


def _batch(row: Sequence[Any]) -> Batch:
    return Batch(
        uuid=row[0],
        created_at=row[1],
        annotator=row[2],
        label=row[3],
        search=row[4],
        options=json.loads(row[5] or "{}"),
        scope=json.loads(row[6] or "{}"),
        count=row[7],
        undone_at=row[8],
        live=row[9],
    )
