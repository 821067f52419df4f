"""Spans, document tags and per-annotator statuses in the project file."""

from __future__ import annotations

from typing import Any

from desktop_app.core.model import DocumentTag, Span, Status
from desktop_app.core.store.base import (
    _SPAN_COLUMNS,
    _TAG_COLUMNS,
    StoreError,
    _serialized,
    _span,
    _tag,
    new_uuid,
    now,
)
from desktop_app.core.store.labels import LabelsMixin


class AnnotationsMixin(LabelsMixin):
    """The store's annotations (which record their annotators)."""

    def _of_article(
        self,
        table: str,
        columns: str,
        order: str,
        article_id: int,
        annotator: str | None,
        include_deleted: bool,
    ) -> list[Any]:
        """Rows of `table` on one article, live only unless asked, optionally one annotator's."""
        sql = f"SELECT {columns} FROM {table} WHERE article = ?"
        params: list[Any] = [article_id]
        if not include_deleted:
            sql += " AND deleted = 0"
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        return self.db.conn.execute(f"{sql} ORDER BY {order}", params).fetchall()

    # ----------------------------------------------------------------- spans

    @_serialized
    def spans(
        self, article_id: int, annotator: str | None = None, include_deleted: bool = False
    ) -> list[Span]:
        """The article's spans in text order, optionally one annotator's."""
        order = 'start, "end" DESC, created_at'
        rows = self._of_article(
            "spans", _SPAN_COLUMNS, order, article_id, annotator, include_deleted
        )
        return [_span(row) for row in rows]

    @_serialized
    def span(self, span_uuid: str) -> Span:
        """One span by uuid, deleted or not."""
        row = self.db.conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE uuid = ?", (span_uuid,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no span {span_uuid}")
        return _span(row)

    @_serialized
    def add_span(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        note: str = "",
        span_uuid: str | None = None,
    ) -> Span:
        """Create a span (committed); its quote is cut from the stored text."""
        text = self._one("SELECT text FROM articles WHERE id = ?", (article_id,))
        if text is None:
            raise StoreError(f"no article with id {article_id}")
        if not 0 <= start < end <= len(text):
            raise StoreError(f"span {start}-{end} is outside the text (0-{len(text)})")
        if not self._one("SELECT 1 FROM labels WHERE name = ? AND kind = 'span'", (label,)):
            raise StoreError(f"{label!r} is not a span label of this project")
        stamp = now()
        span_uuid = span_uuid or new_uuid()
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                f"INSERT INTO spans ({_SPAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,0,'')",
                (
                    span_uuid,
                    article_id,
                    annotator,
                    label,
                    start,
                    end,
                    text[start:end],
                    note,
                    stamp,
                    stamp,
                ),
            )
        return self.span(span_uuid)

    @_serialized
    def update_span(
        self,
        span_uuid: str,
        *,
        label: str | None = None,
        note: str | None = None,
        deleted: bool | None = None,
    ) -> Span:
        """Relabel, re-note, delete or restore a span (committed); returns the new state."""
        if label is not None and not self._one(
            "SELECT 1 FROM labels WHERE name = ? AND kind = 'span'", (label,)
        ):
            raise StoreError(f"{label!r} is not a span label of this project")
        before = self.span(span_uuid)
        with self.db.atomic():
            self.db.execute(
                "UPDATE spans SET label = ?, note = ?, deleted = ?, updated_at = ? WHERE uuid = ?",
                (
                    before.label if label is None else label,
                    before.note if note is None else note,
                    int(before.deleted if deleted is None else deleted),
                    now(),
                    span_uuid,
                ),
            )
        return self.span(span_uuid)

    @_serialized
    def replace_span(self, span_uuid: str, start: int, end: int) -> Span:
        """A copy of a span over [start, end) (label, note, annotator kept) replaces it.

        Offsets are immutable (the spans_offsets_fixed trigger), so the old span is soft-deleted
        in the same transaction; the copy's quote is cut afresh from the stored text.
        """
        old = self.span(span_uuid)
        if old.deleted or old.fragments:
            raise StoreError(f"span {span_uuid} is deleted or discontinuous; its edges stay")
        with self.db.atomic():
            new = self.add_span(old.article_id, start, end, old.label, old.annotator, old.note)
            self._move_relations(span_uuid, new.uuid, now())  # before the delete would take them
            self.db.execute(
                "UPDATE spans SET deleted = 1, updated_at = ? WHERE uuid = ?", (now(), span_uuid)
            )
        return new

    @_serialized
    def swap_spans(self, hide: str, show: str) -> None:
        """Soft-delete span `hide` and restore span `show` in one transaction (an adjust); the
        relations on `hide` move to `show`."""
        stamp = now()
        with self.db.atomic():
            # Shown first, and the relations moved, before the delete would take them.
            for span_uuid, deleted in ((show, 0), (hide, 1)):
                if deleted:
                    self._move_relations(hide, show, stamp)
                self.db.execute(
                    "UPDATE spans SET deleted = ?, updated_at = ? WHERE uuid = ?",
                    (deleted, stamp, span_uuid),
                )

    def _move_relations(self, old_span: str, new_span: str, stamp: str) -> None:
        """Point the live relations on `old_span` at `new_span` (an adjusted span's copy)."""
        for end in ("from_span", "to_span"):
            self.db.execute(
                f"UPDATE relations SET {end} = ?, updated_at = ? WHERE {end} = ? AND deleted = 0",
                (new_span, stamp, old_span),
            )

    # ----------------------------------------------------------------- document tags

    @_serialized
    def tags(
        self, article_id: int, annotator: str | None = None, include_deleted: bool = False
    ) -> list[DocumentTag]:
        """The article's document tags, optionally one annotator's."""
        rows = self._of_article(
            "document_tags", _TAG_COLUMNS, "created_at", article_id, annotator, include_deleted
        )
        return [_tag(row) for row in rows]

    @_serialized
    def set_tag(self, article_id: int, label: str, annotator: str, present: bool) -> bool:
        """Put a document tag on or off (committed); return whether anything changed."""
        if not self._one("SELECT 1 FROM labels WHERE name = ? AND kind = 'document'", (label,)):
            raise StoreError(f"{label!r} is not a document tag of this project")
        live = self._one(
            "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? AND label = ? "
            "AND deleted = 0",
            (article_id, annotator, label),
        )
        if bool(live) == present:
            return False
        stamp = now()
        with self.db.atomic():
            if present:
                self._ensure_annotator(annotator)
                # Bring back the most recent deleted tag, so undo keeps the same uuid.
                revived = self._one(
                    "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? "
                    "AND label = ? AND deleted = 1 ORDER BY updated_at DESC LIMIT 1",
                    (article_id, annotator, label),
                )
                if revived:
                    self.db.execute(
                        "UPDATE document_tags SET deleted = 0, updated_at = ? WHERE uuid = ?",
                        (stamp, revived),
                    )
                else:
                    self.db.execute(
                        f"INSERT INTO document_tags ({_TAG_COLUMNS}) VALUES (?,?,?,?,'',?,?,0)",
                        (new_uuid(), article_id, annotator, label, stamp, stamp),
                    )
            else:
                self.db.execute(
                    "UPDATE document_tags SET deleted = 1, updated_at = ? WHERE uuid = ?",
                    (stamp, live),
                )
        return True

    # ----------------------------------------------------------------- status

    @_serialized
    def status(self, article_id: int, annotator: str) -> str:
        """The annotator's status on the article (todo when never set)."""
        value = self._one(
            "SELECT status FROM article_status WHERE article = ? AND annotator = ?",
            (article_id, annotator),
        )
        return str(value) if value else Status.TODO.value

    @_serialized
    def statuses(self, article_id: int) -> dict[str, str]:
        """Every annotator's status on the article."""
        rows = self.db.conn.execute(
            "SELECT annotator, status FROM article_status WHERE article = ? ORDER BY annotator",
            (article_id,),
        )
        return {row[0]: row[1] for row in rows}

    @_serialized
    def set_status(self, article_id: int, annotator: str, status: str) -> None:
        """Set the annotator's status on the article (committed)."""
        if status not in {s.value for s in Status}:
            raise StoreError(f"{status!r} is not a status (todo, in progress, done)")
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                "INSERT INTO article_status (article, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
                "status = excluded.status, updated_at = excluded.updated_at",
                (article_id, annotator, status, now()),
            )
