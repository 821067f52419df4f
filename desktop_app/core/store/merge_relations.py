"""Merging a colleague's relations: by uuid, with the three-way rules spans follow.

A relation names its ends by span uuid. One is merged only where both ends are, here, the
very spans the colleague linked (same uuid, same article, same offsets) and, for a live
relation, live: otherwise it is refused and reported, never attached to another span.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from desktop_app.core.model import (
    RELATION,
    ImportProblem,
    MergeConflict,
    MergeReport,
    RelationRecord,
    RelationType,
    SpanDraft,
)
from desktop_app.core.store.base import now
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.times import TimeError, comparable_time, field_time


class _RelationVersion(NamedTuple):
    """What a merge compares of one relation: every editable field and when it changed."""

    type: str
    from_span: str
    to_span: str
    note: str
    deleted: bool
    updated_at: str

    def same_content(self, other: _RelationVersion) -> bool:
        return self[:5] == other[:5]

    def describe(self) -> str:
        state = "deleted" if self.deleted else "live"
        note = f", note {self.note!r}" if self.note else ""
        ends = f"{self.from_span} -> {self.to_span}"
        return f"{self.type} {ends}{note}, {state}, edited {self.updated_at}"


class RelationMergeMixin(LabelsMixin):
    """The relation half of a merge (MergeMixin calls it for each article, after its spans)."""

    def _add_relation_types(self, types: Iterable[RelationType]) -> list[str]:
        """Add the relation types the project lacks (never change ours); return their names.

        As with labels: theirs come with their colour and allowed labels; a key another type
        or label already uses here is dropped so the keyboard stays unambiguous.
        """
        added = []
        for kind in types:
            if not kind.name.strip() or self._one(
                "SELECT 1 FROM relation_types WHERE name = ?", (kind.name,)
            ):
                continue
            key_taken = kind.key and (
                self._one("SELECT 1 FROM relation_types WHERE lower(key) = lower(?)", (kind.key,))
                or self._one("SELECT 1 FROM labels WHERE lower(key) = lower(?)", (kind.key,))
            )
            position = self._one("SELECT ifnull(max(position) + 1, 0) FROM relation_types")
            self.db.execute(
                "INSERT INTO relation_types (name, color, key, directed, from_labels, to_labels, "
                "description, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind.name, kind.color, "" if key_taken else kind.key, int(kind.directed),
                 json.dumps(list(kind.from_labels), ensure_ascii=False),
                 json.dumps(list(kind.to_labels), ensure_ascii=False), kind.description,
                 position),
            )  # fmt: skip
            added.append(kind.name)
        return added

    def _merge_relations(
        self,
        article_id: int,
        uid: str,
        spans: Sequence[SpanDraft],
        records: Sequence[RelationRecord],
        report: MergeReport,
    ) -> None:
        """Merge the colleague's relations of one article whose spans are merged already.

        `spans` are their spans of the article as merged (a span refused on the way is not
        among them, so neither is a relation on it).
        """
        theirs_spans = {span.uuid: span for span in spans if span.uuid}
        for record in records:
            try:
                created = field_time(record.created_at, "created_at")
                updated = field_time(record.updated_at, "updated_at") or created
            except TimeError as error:
                self._refuse_relation(report, uid, record, f"{error}; not merged")
                continue
            stamp = updated or now()
            theirs = _RelationVersion(
                record.type, record.from_span, record.to_span, record.note, record.deleted,
                comparable_time(stamp),
            )  # fmt: skip
            if self._merge_existing_relation(article_id, uid, record, theirs, theirs_spans, report):
                continue
            why = self._ends_refused(article_id, theirs, theirs_spans)
            if why:
                if not record.deleted:  # a deletion of what we never had needs nothing
                    self._refuse_relation(report, uid, record, f"{why}; not merged")
                continue
            self._ensure_annotator(record.annotator)
            try:
                self.db.execute(
                    "INSERT INTO relations (uuid, article, annotator, type, from_span, to_span, "
                    "note, created_at, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (record.uuid, article_id, record.annotator, record.type, record.from_span,
                     record.to_span, record.note, created or stamp, stamp, int(record.deleted)),
                )  # fmt: skip
            except sqlite3.IntegrityError as error:  # only this statement is undone
                self._refuse_relation(report, uid, record, f"cannot be stored ({error})")
                continue
            if not record.deleted:
                report.relations_added += 1
            self._set_base(record.uuid, stamp, stamp)

    def _merge_existing_relation(
        self,
        article_id: int,
        uid: str,
        record: RelationRecord,
        theirs: _RelationVersion,
        theirs_spans: Mapping[str, SpanDraft],
        report: MergeReport,
    ) -> bool:
        """Merge a relation the project has (see MergeMixin._merge_existing); False if new."""
        row = self.db.conn.execute(
            "SELECT article, annotator, type, from_span, to_span, note, deleted, updated_at "
            "FROM relations WHERE uuid = ?",
            (record.uuid,),
        ).fetchone()
        if row is None:
            return False
        if row[0] != article_id:
            self._refuse_relation(report, uid, record, "is on another article here; ours was kept")
            return True
        ours = _RelationVersion(
            row[2], row[3], row[4], row[5], bool(row[6]), comparable_time(row[7])
        )
        base = self.db.conn.execute(
            "SELECT ours_at, theirs_at FROM merge_base WHERE uuid = ?", (record.uuid,)
        ).fetchone()
        if base is not None:
            base = (comparable_time(base[0]), comparable_time(base[1]))
        if ours.same_content(theirs):
            report.unchanged += 1
            seen = theirs.updated_at if base is None else max(base[1], theirs.updated_at)
            self._set_base(record.uuid, ours.updated_at, seen)
            return True
        theirs_changed = base is None or theirs.updated_at > base[1]
        ours_changed = base is None or ours.updated_at != base[0]
        if not theirs_changed:
            report.unchanged += 1
            return True
        winner = "theirs"
        if ours_changed:
            winner = "theirs" if theirs.updated_at > ours.updated_at else "ours"
        why = ""
        if winner == "theirs":
            why = self._ends_refused(article_id, theirs, theirs_spans)
            if why:
                winner = "ours"
                self._refuse_relation(
                    report, uid, record, f"their version {why}; ours was kept, theirs is in the "
                    "history",
                )  # fmt: skip
        if ours_changed:
            report.conflicts.append(
                MergeConflict(
                    RELATION, record.uuid, uid, row[1], winner, ours.describe(), theirs.describe()
                )
            )
        if winner == "theirs":
            self.db.execute(
                "UPDATE relations SET type = ?, from_span = ?, to_span = ?, note = ?, "
                "deleted = ?, updated_at = ? WHERE uuid = ?",
                (theirs.type, theirs.from_span, theirs.to_span, theirs.note, int(theirs.deleted),
                 theirs.updated_at, record.uuid),
            )  # fmt: skip
            self._relation_history(record.uuid, article_id, row[1], ours, "replaced by merge")
            report.relations_updated += 1
            self._set_base(record.uuid, theirs.updated_at, theirs.updated_at)
        else:
            reason = "lost a merge conflict" if ours_changed and not why else "refused by merge"
            self._relation_history(record.uuid, article_id, row[1], theirs, reason)
            self._set_base(record.uuid, ours.updated_at, theirs.updated_at)
        return True

    def _ends_refused(
        self, article_id: int, version: _RelationVersion, theirs_spans: Mapping[str, SpanDraft]
    ) -> str:
        """Why `version` cannot stand here ("" when it can): each end must be the span the
        colleague linked (same uuid, article and offsets), live when the relation is, and
        our type must allow their labels."""
        labels = []
        for side, end in (("from", version.from_span), ("to", version.to_span)):
            theirs = theirs_spans.get(end)
            if theirs is None:
                return f"its {side} span {end} was not merged (see above) or is not in their file"
            row = self.db.conn.execute(
                'SELECT article, start, "end", deleted, label FROM spans WHERE uuid = ?', (end,)
            ).fetchone()
            if row is None:
                return f"its {side} span {end} is not in this project"
            if row[0] != article_id or (row[1], row[2]) != (theirs.start, theirs.end):
                return f"its {side} span {end} is another span here (other article or offsets)"
            if row[3] and not version.deleted:
                return f"its {side} span {end} is deleted here"
            labels.append(str(row[4]))
        if version.deleted:
            return ""
        found = self.db.conn.execute(
            "SELECT directed, from_labels, to_labels FROM relation_types WHERE name = ?",
            (version.type,),
        ).fetchone()
        if found is None:
            return f"its type {version.type!r} is not a relation type here"
        kind = RelationType(
            version.type, directed=bool(found[0]), from_labels=tuple(json.loads(found[1])),
            to_labels=tuple(json.loads(found[2])),
        )  # fmt: skip
        if not kind.allows(labels[0], labels[1]):
            return f"{version.type} does not link {labels[0]} to {labels[1]} here"
        return ""

    def _refuse_relation(
        self, report: MergeReport, uid: str, record: RelationRecord, why: str
    ) -> None:
        report.relations_refused += 1
        what = f"relation {record.uuid} ({record.type} by {record.annotator})"
        report.problems.append(ImportProblem(uid, f"{what} {why}"))

    def _relation_history(
        self, uuid: str, article_id: int, annotator: str, version: _RelationVersion, why: str
    ) -> None:
        self.db.execute(
            "INSERT INTO annotation_history (uuid, kind, article, annotator, label, note, "
            "deleted, updated_at, replaced_at, reason, from_span, to_span) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid, RELATION, article_id, annotator, version.type, version.note,
             int(version.deleted), version.updated_at, now(), why, version.from_span,
             version.to_span),
        )  # fmt: skip

    def _set_base(self, uuid: str, ours_at: str, theirs_at: str) -> None:
        self.db.execute(
            "INSERT INTO merge_base (uuid, ours_at, theirs_at) VALUES (?, ?, ?) "
            "ON CONFLICT (uuid) DO UPDATE SET ours_at = excluded.ours_at, "
            "theirs_at = excluded.theirs_at",
            (uuid, ours_at, theirs_at),
        )
