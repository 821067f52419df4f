"""Storing the relations an import brings, once their spans are stored (see store.articles).

A relation's ends are spans of its own draft. Each end is found again among the stored live
spans: the span its row named (by uuid, where that uuid is still the same span), else a
live span with the same annotator, label and extent (a span the project already had). A
relation is never attached to another span: one whose end was not stored, whose type does
not allow its ends' labels, or that links a span to itself is reported by origin and left
out. A type the project lacks is added, like an unknown span label, directed or not as the
file says and with any label at either end. A relation already here (its uuid, or the same
type between the same spans by the same annotator) is not added again, so importing a file
twice adds nothing.
"""

from __future__ import annotations

import json
import sqlite3
from typing import NamedTuple

from desktop_app.core.model import ImportProblem, ImportReport, RelationDraft, RelationType
from desktop_app.core.schema import LabelNameError, check_label_name, next_free_color
from desktop_app.core.store.base import now, relation_identity
from desktop_app.core.times import TimeError, field_time

Row = tuple[object, ...]  # a spans row as store.articles collects it

# The stored span a collected row became: numbered parameters as in store.articles.
_BY_UUID = (
    'uuid = ?1 AND article = ?2 AND deleted = 0 AND annotator = ?3 AND start = ?5 AND "end" = ?6 '
    "AND (fragments = ?12 OR ?12 = '')"
)
_BY_CONTENT = (
    'article = ?2 AND deleted = 0 AND annotator = ?3 AND label = ?4 AND start = ?5 AND "end" = ?6 '
    "AND (fragments = ?12 OR ?12 = '')"
)


class PendingRelation(NamedTuple):
    """A relation of a draft waiting for its spans to be stored."""

    article_id: int
    uid: str
    draft: RelationDraft
    annotator: str
    ends: tuple[Row | None, Row | None]  # the collected span rows, None when not collected
    origin: str


def _stored(conn: sqlite3.Connection, row: Row | None) -> tuple[str, str] | None:
    """(uuid, label) of the live span the collected `row` is stored as, or None."""
    if row is None:
        return None
    for where in (_BY_UUID, _BY_CONTENT):
        found = conn.execute(
            f"SELECT uuid, label FROM spans WHERE {where} ORDER BY created_at LIMIT 1", row
        ).fetchone()
        if found is not None:
            return str(found[0]), str(found[1])
    return None


def _types(conn: sqlite3.Connection) -> dict[str, RelationType]:
    found = {}
    for name, color, directed, from_labels, to_labels in conn.execute(
        "SELECT name, color, directed, from_labels, to_labels FROM relation_types"
    ):
        found[str(name)] = RelationType(
            str(name),
            str(color),
            directed=bool(directed),
            from_labels=tuple(json.loads(from_labels or "[]")),
            to_labels=tuple(json.loads(to_labels or "[]")),
        )
    return found


def _describe(draft: RelationDraft, ends: list[tuple[str, str] | None]) -> str:
    labels = [end[1] if end else "?" for end in ends]
    return f"relation {draft.type!r} ({labels[0]} -> {labels[1]})"


def store_relations(
    conn: sqlite3.Connection, pending: list[PendingRelation], out: ImportReport
) -> None:
    """Store the pending relations whose ends are stored live spans; report the others."""
    if not pending:
        return
    types = _types(conn)
    for item in pending:
        why = _store_one(conn, item, types, out)
        if why:
            out.problems.append(ImportProblem(item.draft.origin or item.origin, why))


def _store_one(
    conn: sqlite3.Connection,
    item: PendingRelation,
    types: dict[str, RelationType],
    out: ImportReport,
) -> str:
    """Store one relation; '' when stored or already here, else why it was not."""
    draft = item.draft
    ends = [_stored(conn, row) for row in item.ends]
    what = _describe(draft, ends)
    for name, end in zip(("from", "to"), ends, strict=True):
        if end is None:
            return f"{what}: its {name} span was not imported, so the relation was not added"
    assert ends[0] is not None and ends[1] is not None
    if ends[0][0] == ends[1][0]:
        return f"{what}: it links a span to itself; not added"
    try:
        kind = check_label_name(draft.type)
    except LabelNameError as error:
        return f"{what}: {error}; not added"
    declared = types.get(kind)
    if declared is None:
        color = next_free_color(t.color for t in types.values())
        declared = RelationType(kind, color, directed=draft.directed)
        conn.execute(
            "INSERT INTO relation_types (name, color, directed, position) VALUES (?, ?, ?, ?)",
            (kind, color, int(draft.directed), len(types)),
        )
        types[kind] = declared
    if not declared.allows(ends[0][1], ends[1][1]):
        return (
            f"{what}: {kind} does not link {ends[0][1]} to {ends[1][1]} here "
            f"(from: {', '.join(declared.from_labels) or 'any'}; "
            f"to: {', '.join(declared.to_labels) or 'any'}); not added"
        )
    try:
        created = field_time(draft.created_at, "created_at")
        updated = field_time(draft.updated_at, "updated_at")
    except TimeError as error:
        return f"{what}: {error}; not added"
    from_span, to_span = ends[0][0], ends[1][0]
    reverse = "" if declared.directed else " OR (from_span = ?5 AND to_span = ?4)"
    same = conn.execute(
        "SELECT 1 FROM relations WHERE article = ?1 AND annotator = ?2 AND type = ?3 AND "
        f"deleted = 0 AND ((from_span = ?4 AND to_span = ?5){reverse}) LIMIT 1",
        (item.article_id, item.annotator, kind, from_span, to_span),
    ).fetchone()
    if same is not None:
        out.annotations_unchanged += 1
        return ""
    identity = relation_identity(item.uid, item.annotator, kind, from_span, to_span)
    uuid = draft.uuid or identity
    held = conn.execute(
        "SELECT article, type, from_span, to_span FROM relations WHERE uuid = ?", (uuid,)
    ).fetchone()
    if held is not None and uuid != identity:
        # The file's uuid names another relation here: the content's own identity instead.
        out.notes.append(
            ImportProblem(
                draft.origin or item.origin,
                f"{what}: uuid {uuid} is already another relation's here; stored under "
                f"the uuid {identity}",
            )
        )
        uuid = identity
        held = conn.execute("SELECT 1 FROM relations WHERE uuid = ?", (uuid,)).fetchone()
    if held is not None:
        out.annotations_unchanged += 1  # the same relation, deleted here: it stays so
        return ""
    stamp = created or now()
    conn.execute(
        "INSERT INTO relations (uuid, article, annotator, type, from_span, to_span, note, "
        "created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,0)",
        (uuid, item.article_id, item.annotator, kind, from_span, to_span, draft.note, stamp,
         updated or stamp),
    )  # fmt: skip
    out.relations_added += 1
    return ""
