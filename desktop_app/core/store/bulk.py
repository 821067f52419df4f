"""Deleting many annotations at once (a label with all its uses, an article's annotations),
backed up first and reversible as one step."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from desktop_app.core.model import Label
from desktop_app.core.store.base import BOTH_ENDS_LIVE, StoreError, _serialized, now
from desktop_app.core.store.labels import LabelsMixin

HANDFUL = 5  # deleting more annotations than this at once is asked about and backed up first


class Deletion(NamedTuple):
    """What one bulk delete took away, so that undo can bring exactly that back."""

    span_uuids: tuple[str, ...]
    tag_uuids: tuple[str, ...]
    label: Label | None = None  # the label itself, when the label was deleted
    position: int = 0  # its place in the palette
    # The live relations (anyone's) on the deleted spans, deleted with them.
    relation_uuids: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """How many annotations it deleted."""
        return len(self.span_uuids) + len(self.tag_uuids)


class BulkMixin(LabelsMixin):
    """Bulk deletes: one transaction, a backup before a large one, an exact way back."""

    @_serialized
    def label_uses(self, name: str) -> Deletion:
        """The live annotations (everyone's) that deleting label `name` would delete."""
        return Deletion(
            tuple(r[0] for r in self.db.conn.execute(
                "SELECT uuid FROM spans WHERE label = ? AND deleted = 0", (name,))),
            tuple(r[0] for r in self.db.conn.execute(
                "SELECT uuid FROM document_tags WHERE label = ? AND deleted = 0", (name,))),
        )  # fmt: skip

    @_serialized
    def article_uses(self, article_id: int, annotator: str) -> Deletion:
        """An annotator's live spans and tags on one article."""
        return Deletion(
            tuple(r[0] for r in self.db.conn.execute(
                "SELECT uuid FROM spans WHERE article = ? AND annotator = ? AND deleted = 0",
                (article_id, annotator))),
            tuple(r[0] for r in self.db.conn.execute(
                "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? "
                "AND deleted = 0", (article_id, annotator))),
        )  # fmt: skip

    @_serialized
    def delete_label(self, name: str) -> Deletion:
        """Delete label `name` and every live annotation that uses it, in one transaction
        (soft: the annotations stay, deleted, for undo and merges)."""
        row = self.db.conn.execute(
            "SELECT name, kind, color, key, label_group, description, position FROM labels "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise StoreError(f"there is no label {name!r}")
        uses = self._with_relations(self.label_uses(name))
        if uses.size > HANDFUL:
            self.backup("bulk-delete")
        with self.db.atomic():
            self._set_deleted(uses, True)
            self.db.execute("DELETE FROM labels WHERE name = ?", (name,))
        return uses._replace(label=Label(*row[:6]), position=int(row[6]))

    @_serialized
    def delete_annotations(self, deletion: Deletion) -> Deletion:
        """Delete these annotations (those still live) in one transaction; what was deleted."""
        live = self._with_relations(
            Deletion(
                self._live("spans", deletion.span_uuids),
                self._live("document_tags", deletion.tag_uuids),
            )
        )
        if live.size > HANDFUL:
            self.backup("bulk-delete")
        with self.db.atomic():
            self._set_deleted(live, True)
        return live

    @_serialized
    def undo_deletion(self, deletion: Deletion) -> None:
        """Bring back what a bulk delete took: the label (where it was) and its annotations."""
        with self.db.atomic():
            if deletion.label is not None:
                self.db.execute(
                    "UPDATE labels SET position = position + 1 WHERE position >= ?",
                    (deletion.position,),
                )
                self._upsert_label(deletion.label, deletion.position)
            self._set_deleted(deletion, False)

    def _live(self, table: str, uuids: Sequence[str]) -> tuple[str, ...]:
        rows = self.db.conn.execute(
            f"SELECT uuid FROM {table} WHERE deleted = 0 AND uuid IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(list(uuids)),),
        )
        return tuple(row[0] for row in rows)

    def _with_relations(self, deletion: Deletion) -> Deletion:
        """`deletion` with the live relations on its spans (a relation links live spans)."""
        rows = self.db.conn.execute(
            "SELECT uuid FROM relations WHERE deleted = 0 AND (from_span IN "
            "(SELECT value FROM json_each(?1)) OR to_span IN (SELECT value FROM json_each(?1)))",
            (json.dumps(list(deletion.span_uuids)),),
        )
        return deletion._replace(relation_uuids=tuple(row[0] for row in rows))

    def _set_deleted(self, deletion: Deletion, deleted: bool) -> None:
        stamp = now()
        tables = (
            ("spans", deletion.span_uuids),
            ("document_tags", deletion.tag_uuids),
            ("relations", deletion.relation_uuids),
        )
        for table, uuids in tables:
            # A tag comes back only where no live twin took its place meanwhile (an import,
            # a merge): one live tag per article, annotator and label.
            unless = (
                " AND NOT EXISTS (SELECT 1 FROM document_tags live WHERE live.deleted = 0 AND "
                "live.article = document_tags.article AND live.annotator = "
                "document_tags.annotator AND live.label = document_tags.label)"
                if table == "document_tags" and not deleted
                else ""
            )
            if table == "relations" and not deleted:
                unless = f" AND {BOTH_ENDS_LIVE}"
            self.db.conn.execute(
                f"UPDATE {table} SET deleted = ?, updated_at = ? "
                f"WHERE uuid IN (SELECT value FROM json_each(?)){unless}",
                (int(deleted), stamp, json.dumps(list(uuids))),
            )
