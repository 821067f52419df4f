"""Relations between spans and their types (from the label schema) in the project file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from desktop_app.core.model import LabelSchema, Relation, RelationType
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.base import (
    _RELATION_COLUMNS,
    BOTH_ENDS_LIVE,
    StoreError,
    _relation,
    _serialized,
    new_uuid,
    now,
)

_TYPE_COLUMNS = "name, color, key, directed, from_labels, to_labels, description"


def _labels(value: str) -> tuple[str, ...]:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return ()  # a hand-edited value: any label rather than a crash
    return tuple(str(name) for name in found) if isinstance(found, list) else ()


def _type(row: Sequence[Any]) -> RelationType:
    name, color, key, directed, from_labels, to_labels, description = row
    return RelationType(
        name, color, key, bool(directed), _labels(from_labels), _labels(to_labels), description
    )


class RelationsMixin(AnnotationsMixin):
    """The store's relations: links between two live spans of one article, by an annotator."""

    # ----------------------------------------------------------------- types

    @_serialized
    def apply_schema(self, schema: LabelSchema) -> list[str]:
        """Make the project's labels and relation types those of `schema`; return the names
        kept because in use (see LabelsMixin.apply_schema)."""
        kept = super().apply_schema(schema)
        return kept + self.set_relation_types(schema.relation_types)

    @_serialized
    def schema(self) -> LabelSchema:
        """The project's labels and relation types as a schema."""
        return replace(super().schema(), relation_types=tuple(self.relation_types()))

    @_serialized
    def relation_types(self) -> list[RelationType]:
        """The project's relation types in schema order."""
        rows = self.db.conn.execute(
            f"SELECT {_TYPE_COLUMNS} FROM relation_types ORDER BY position, rowid"
        ).fetchall()
        return [_type(row) for row in rows]

    @_serialized
    def relation_type(self, name: str) -> RelationType:
        """One relation type by name."""
        row = self.db.conn.execute(
            f"SELECT {_TYPE_COLUMNS} FROM relation_types WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise StoreError(f"{name!r} is not a relation type of this project")
        return _type(row)

    @_serialized
    def set_relation_types(self, types: Sequence[RelationType]) -> list[str]:
        """Make the project's relation types `types`; return the names kept because in use
        (a relation never loses its type, as an annotation never loses its label)."""
        with self.db.atomic():
            for position, kind in enumerate(types):
                self.db.execute(
                    f"INSERT INTO relation_types ({_TYPE_COLUMNS}, position) "
                    "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET "
                    "color = excluded.color, key = excluded.key, directed = excluded.directed, "
                    "from_labels = excluded.from_labels, to_labels = excluded.to_labels, "
                    "description = excluded.description, position = excluded.position",
                    (
                        kind.name,
                        kind.color,
                        kind.key,
                        int(kind.directed),
                        json.dumps(list(kind.from_labels), ensure_ascii=False),
                        json.dumps(list(kind.to_labels), ensure_ascii=False),
                        kind.description,
                        position,
                    ),
                )
            wanted = {kind.name for kind in types}
            kept = []
            for (name,) in self.db.conn.execute("SELECT name FROM relation_types").fetchall():
                if name in wanted:
                    continue
                if self._one("SELECT 1 FROM relations WHERE type = ? LIMIT 1", (name,)):
                    kept.append(str(name))
                    self.db.execute("UPDATE relation_types SET key = '' WHERE name = ?", (name,))
                else:
                    self.db.execute("DELETE FROM relation_types WHERE name = ?", (name,))
        return kept

    # ----------------------------------------------------------------- relations

    @_serialized
    def relations(
        self, article_id: int, annotator: str | None = None, include_deleted: bool = False
    ) -> list[Relation]:
        """The article's relations in the order they were made, optionally one annotator's."""
        rows = self._of_article(
            "relations", _RELATION_COLUMNS, "created_at, rowid", article_id, annotator,
            include_deleted,
        )  # fmt: skip
        return [_relation(row) for row in rows]

    @_serialized
    def relation(self, relation_uuid: str) -> Relation:
        """One relation by uuid, deleted or not."""
        row = self.db.conn.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE uuid = ?", (relation_uuid,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no relation {relation_uuid}")
        return _relation(row)

    @_serialized
    def span_relations(self, span_uuid: str, include_deleted: bool = False) -> list[Relation]:
        """The relations (everyone's) with `span_uuid` at either end."""
        live = "" if include_deleted else " AND deleted = 0"
        rows = self.db.conn.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE from_span = ?{live} "
            f"UNION SELECT {_RELATION_COLUMNS} FROM relations WHERE to_span = ?{live} "
            "ORDER BY created_at",
            (span_uuid, span_uuid),
        ).fetchall()
        return [_relation(row) for row in rows]

    def _check_ends(self, kind: str, from_span: str, to_span: str) -> int:
        """The article both ends are live spans of, if `kind` may link them; else raise."""
        if from_span == to_span:
            raise StoreError("a relation links two different spans")
        ends = [self.span(from_span), self.span(to_span)]
        for end in ends:
            if end.deleted:
                raise StoreError(f"span {end.uuid} is deleted; a relation links live spans")
        if ends[0].article_id != ends[1].article_id:
            raise StoreError("a relation links two spans of the same article")
        declared = self.relation_type(kind)
        if not declared.allows(ends[0].label, ends[1].label):
            raise StoreError(
                f"{kind} does not link {ends[0].label} to {ends[1].label} "
                f"(from: {', '.join(declared.from_labels) or 'any'}; "
                f"to: {', '.join(declared.to_labels) or 'any'})"
            )
        return ends[0].article_id

    @_serialized
    def add_relation(
        self,
        kind: str,
        from_span: str,
        to_span: str,
        annotator: str,
        note: str = "",
        relation_uuid: str | None = None,
    ) -> Relation:
        """Link two live spans of one article with a relation of type `kind` (committed)."""
        article_id = self._check_ends(kind, from_span, to_span)
        stamp = now()
        relation_uuid = relation_uuid or new_uuid()
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                f"INSERT INTO relations ({_RELATION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,0)",
                (relation_uuid, article_id, annotator, kind, from_span, to_span, note, stamp,
                 stamp),
            )  # fmt: skip
        return self.relation(relation_uuid)

    @_serialized
    def update_relation(
        self,
        relation_uuid: str,
        *,
        kind: str | None = None,
        from_span: str | None = None,
        to_span: str | None = None,
        note: str | None = None,
        deleted: bool | None = None,
    ) -> Relation:
        """Retype, reverse (new ends), re-note, delete or restore a relation (committed).

        A live relation's ends must be live spans its type allows; a restore checks them too.
        """
        before = self.relation(relation_uuid)
        after = before._replace(
            type=before.type if kind is None else kind,
            from_span=before.from_span if from_span is None else from_span,
            to_span=before.to_span if to_span is None else to_span,
            note=before.note if note is None else note,
            deleted=before.deleted if deleted is None else deleted,
        )
        ends = (after.type, after.from_span, after.to_span, after.deleted)
        changed = ends != (before.type, before.from_span, before.to_span, before.deleted)
        checked = changed and not after.deleted
        if checked and self._check_ends(*ends[:3]) != before.article_id:
            raise StoreError("a relation stays on its article")
        with self.db.atomic():
            self.db.execute(
                "UPDATE relations SET type = ?, from_span = ?, to_span = ?, note = ?, "
                "deleted = ?, updated_at = ? WHERE uuid = ?",
                (after.type, after.from_span, after.to_span, after.note, int(after.deleted),
                 now(), relation_uuid),
            )  # fmt: skip
        return self.relation(relation_uuid)

    @_serialized
    def delete_span_with_relations(self, span_uuid: str) -> list[str]:
        """Soft-delete a span and every live relation on it (anyone's), in one transaction;
        return the uuids of the relations deleted (for undo)."""
        touching = [r.uuid for r in self.span_relations(span_uuid)]
        stamp = now()
        with self.db.atomic():
            self.db.execute(
                "UPDATE spans SET deleted = 1, updated_at = ? WHERE uuid = ?", (stamp, span_uuid)
            )
            self._set_relations_deleted(touching, True, stamp)
        return touching

    @_serialized
    def restore_span_with_relations(self, span_uuid: str, relation_uuids: Sequence[str]) -> None:
        """Undo delete_span_with_relations: the span and those relations live again."""
        stamp = now()
        with self.db.atomic():
            self.db.execute(
                "UPDATE spans SET deleted = 0, updated_at = ? WHERE uuid = ?", (stamp, span_uuid)
            )
            self._set_relations_deleted(relation_uuids, False, stamp)

    def _set_relations_deleted(
        self, relation_uuids: Sequence[str], deleted: bool, stamp: str
    ) -> None:
        unless = "" if deleted else f" AND {BOTH_ENDS_LIVE}"
        self.db.conn.executemany(
            f"UPDATE relations SET deleted = ?, updated_at = ? WHERE uuid = ?{unless}",
            [(int(deleted), stamp, uuid) for uuid in relation_uuids],
        )
