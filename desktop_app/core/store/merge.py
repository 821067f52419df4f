"""Merging a colleague's articles and annotations into the project, in one transaction."""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from desktop_app.core.fragments import from_json, to_json
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    ArticleDraft,
    ImportProblem,
    ImportReport,
    Label,
    MergeConflict,
    MergeReport,
    RelationRecord,
    RelationType,
    SpanDraft,
    TagDraft,
)
from desktop_app.core.schema import LabelNameError
from desktop_app.core.store.articles import (
    ArticlesMixin,
    LabelNames,
    _Annotations,
    provenance_row,
)
from desktop_app.core.store.base import (
    IDENTITY_NAMESPACE,
    _serialized,
    now,
    span_identity,
    tag_identity,
)
from desktop_app.core.store.merge_relations import RelationMergeMixin
from desktop_app.core.text import text_sha256
from desktop_app.core.times import TimeError, comparable_time, field_time

_Item = TypeVar("_Item", SpanDraft, TagDraft)
# The colleague's relations of one article draft (as read, before the merge checks it).
RelationsOf = Callable[[ArticleDraft], Sequence[RelationRecord]]


class _Version(NamedTuple):
    """What a merge compares of one annotation: its editable fields and when they changed."""

    label: str
    note: str
    deleted: bool
    updated_at: str

    def same_content(self, other: _Version) -> bool:
        return (self.label, self.note, self.deleted) == (other.label, other.note, other.deleted)

    def describe(self) -> str:
        state = "deleted" if self.deleted else "live"
        note = f", note {self.note!r}" if self.note else ""
        return f"{self.label}{note}, {state}, edited {self.updated_at}"


_TABLES = {SPAN: "spans", DOCUMENT: "document_tags"}
MERGED_BY = "imported"  # the annotator of a merged annotation whose source names none


class MergeMixin(RelationMergeMixin, ArticlesMixin):
    """Merge: articles matched by uid and text hash, annotations by uuid, newer edit wins."""

    @_serialized
    def merge(
        self,
        batches: Iterable[Sequence[ArticleDraft]],
        labels: Sequence[Label] = (),
        source: str = "",
        relation_types: Sequence[RelationType] = (),
        relations_of: RelationsOf | None = None,
    ) -> MergeReport:
        """Back up, then merge every batch in ONE transaction: an error changes nothing.

        An annotation both sides have is compared with the versions they last agreed on
        (merge_base): changed on their side only, theirs is taken; changed on both, the newer
        edit wins, the other goes to annotation_history and the conflict is reported; an
        older copy of an edit we already have (another colleague's, an old export) is stale.
        Relations (`relations_of` each draft) follow the same rules once the article's spans
        are merged; relation types we lack are added, as labels are.
        """
        report = MergeReport(source=source)
        backup = self.backup("merge")  # under the same lock: nothing lands in between
        report.backup = "" if backup is None else str(backup)
        with self.db.atomic():
            self.add_labels(labels)
            names = self.label_names()
            mapped = ImportReport()  # their label names read as ours, counted
            for batch in batches:
                for draft in batch:
                    checked = self._with_uuids(_checked(draft, names, report, mapped))
                    article_id = self._merge_article(checked, report)
                    records = relations_of(draft) if relations_of else ()
                    if records and article_id is None:
                        report.relations_refused += len(records)
                    elif records and article_id is not None:
                        # Types we lack, added before their first relation (a JSONL file
                        # declares them as its relations are read).
                        report.relation_types_added += self._add_relation_types(relation_types)
                        uid = checked.uid or f"sha256:{text_sha256(checked.text)[:24]}"
                        self._merge_relations(article_id, uid, checked.spans, records, report)
        report.notes[:0] = mapped.label_notes()
        return report

    def _with_uuids(self, draft: ArticleDraft) -> ArticleDraft:
        """The draft with a content-derived uuid on each span and tag that has none (one an
        earlier version derived, when that is the one this project holds)."""
        if all(s.uuid for s in draft.spans) and all(t.uuid for t in draft.tags):
            return draft
        uid = draft.uid or f"sha256:{text_sha256(draft.text)[:24]}"

        def known(new: str, item: SpanDraft | TagDraft) -> str:
            if isinstance(item, SpanDraft) and item.fragments:
                return new  # pieces are newer than the old identities
            table = "spans" if isinstance(item, SpanDraft) else "document_tags"
            old = _legacy_identity(draft.text, draft.uid, item)
            here = f"SELECT 1 FROM {table} WHERE uuid = ?"
            return old if not self._one(here, (new,)) and self._one(here, (old,)) else new

        spans = tuple(
            s
            if s.uuid
            else replace(
                s,
                uuid=known(
                    span_identity(
                        uid, s.annotator or MERGED_BY, s.label, s.start, s.end,
                        to_json(s.fragments),
                    ),
                    s,
                ),
            )
            for s in draft.spans
        )  # fmt: skip
        tags = tuple(
            t
            if t.uuid
            else replace(t, uuid=known(tag_identity(uid, t.annotator or MERGED_BY, t.label), t))
            for t in draft.tags
        )
        return replace(draft, spans=spans, tags=tags)

    def _merge_article(self, draft: ArticleDraft, report: MergeReport) -> int | None:
        """Merge one article and its spans and tags; its id here (None: it was refused)."""
        digest = text_sha256(draft.text)
        uid = draft.uid or f"sha256:{digest[:24]}"
        row = self.db.conn.execute(
            "SELECT id, text_sha256 FROM articles WHERE uid = ?", (uid,)
        ).fetchone()
        if row is not None and row[1] != digest:
            report.problems.append(
                ImportProblem(
                    uid,
                    "this article's text differs between the two projects (same uid, other "
                    f"text); its {len(draft.spans)} spans and {len(draft.tags)} tags were "
                    "not merged",
                )
            )
            return None
        if row is None:
            twins = self.db.conn.execute(
                "SELECT id FROM articles WHERE text_sha256 = ? LIMIT 2", (digest,)
            ).fetchall()
            if len(twins) == 1:
                report.articles_matched_by_text += 1
                self._merge_annotations(int(twins[0][0]), uid, draft, report)
                return int(twins[0][0])
            added = ImportReport()
            # A merge matches by uuid: their span is theirs to edit later, even when it
            # equals another of theirs or ours today. Relations a reader put on the draft
            # are left to _merge_relations (one set of rules, one count), not to the import.
            if getattr(draft, "relations", ()):
                none: dict[str, Any] = {"relations": ()}
                draft = replace(draft, **none)
            self._add_batch([draft], MERGED_BY, added, skip_identical=False, rekey=False)
            report.articles_added += added.added
            report.spans_added += added.spans_added
            report.tags_added += added.tags_added
            report.statuses_changed += len(draft.statuses)
            report.problems.extend(added.problems)  # with each uuid another annotation holds
            article_id = self._one("SELECT id FROM articles WHERE uid = ?", (uid,))
            self._record_base(article_id, draft.spans, draft.tags, every=not added.problems)
            return None if article_id is None else int(article_id)
        report.articles_matched += 1
        self._merge_annotations(int(row[0]), uid, draft, report)
        return int(row[0])

    def _merge_annotations(
        self, article_id: int, uid: str, draft: ArticleDraft, report: MergeReport
    ) -> None:
        new_spans = [
            span
            for span in draft.spans
            if not self._merge_existing(SPAN, span, article_id, uid, report)
        ]
        # Deletions first: a tag that moves from one uuid to another stays unique while live.
        new_tags = [
            tag
            for tag in sorted(draft.tags, key=lambda tag: not tag.deleted)
            if not self._merge_existing(DOCUMENT, tag, article_id, uid, report)
            and not self._same_live_tag(tag, article_id, uid, report)
        ]
        if new_spans or new_tags:
            added = ImportReport()
            collected = _Annotations(MERGED_BY, self.label_names())
            collected.collect(
                ArticleDraft(text=draft.text, spans=tuple(new_spans), tags=tuple(new_tags)),
                article_id,
                uid,
            )
            self._store_annotations(collected, added, skip_identical=False, rekey=False)
            report.spans_added += added.spans_added
            report.tags_added += added.tags_added
            report.problems.extend(added.problems)
            self._record_base(article_id, new_spans, new_tags, every=not added.problems)
        # Where a span both sides have came from (an accepted suggestion) travels too.
        self._store_provenance(
            [provenance_row(s.uuid, article_id, s) for s in draft.spans if s.provenance and s.uuid]
        )
        for annotator, status in draft.statuses.items():
            report.statuses_changed += self._merge_status(
                article_id, annotator, status, draft.status_times.get(annotator, "")
            )

    def _merge_existing(
        self,
        kind: str,
        item: SpanDraft | TagDraft,
        article_id: int,
        uid: str,
        report: MergeReport,
    ) -> bool:
        """Merge one annotation the project already has; False when it is new here."""
        if item.uuid is None:
            return False
        table = _TABLES[kind]
        row = self.db.conn.execute(
            f"SELECT article, annotator, label, note, deleted, updated_at FROM {table} "
            "WHERE uuid = ?",
            (item.uuid,),
        ).fetchone()
        if row is None:
            return False
        if row[0] != article_id or (isinstance(item, SpanDraft) and not self._same_offsets(item)):
            report.problems.append(
                ImportProblem(
                    uid,
                    f"{kind} {item.uuid} is on another article or other offsets here; "
                    "ours was kept",
                )
            )
            return True
        # Times compare as instants: ours and the merge base may hold values stored before
        # times were normalised (another offset, or not a time at all: the oldest).
        ours = _Version(row[2], row[3], bool(row[4]), comparable_time(row[5]))
        theirs = _Version(
            item.label, item.note, item.deleted, comparable_time(item.updated_at or item.created_at)
        )
        base = self.db.conn.execute(
            "SELECT ours_at, theirs_at FROM merge_base WHERE uuid = ?", (item.uuid,)
        ).fetchone()
        if base is not None:
            base = (comparable_time(base[0]), comparable_time(base[1]))
        if ours.same_content(theirs):
            report.unchanged += 1
            seen = theirs.updated_at if base is None else max(base[1], theirs.updated_at)
            self._set_base(item.uuid, ours.updated_at, seen)
            return True
        # Older than or equal to what we already saw of theirs: a stale copy, not an edit.
        theirs_changed = base is None or theirs.updated_at > base[1]
        ours_changed = base is None or ours.updated_at != base[0]
        if not theirs_changed:
            report.unchanged += 1  # only we edited it since (or theirs is an old copy)
            return True
        winner = "theirs"
        if ours_changed:
            winner = "theirs" if theirs.updated_at > ours.updated_at else "ours"
        if winner == "theirs" and not self._apply(kind, item.uuid, theirs):
            winner = "ours"  # refused (see _apply): ours stays, theirs goes to the history
            label_kind = self._one("SELECT kind FROM labels WHERE name = ?", (theirs.label,))
            why = (
                f"would be a second live {theirs.label!r} tag by {row[1]}"
                if label_kind == kind
                else f"has the label {theirs.label!r}, which is a {label_kind} label here"
            )
            what = "span" if kind == SPAN else "tag"
            report.problems.append(
                ImportProblem(
                    uid,
                    f"{what} {item.uuid}: their version {why}; ours was kept and theirs is "
                    "in the history",
                )
            )
        if ours_changed:
            report.conflicts.append(
                MergeConflict(
                    kind, item.uuid, uid, row[1], winner, ours.describe(), theirs.describe()
                )
            )
        if winner == "theirs":
            self._keep_in_history(kind, item.uuid, article_id, row[1], ours, "replaced by merge")
            if kind == SPAN:
                report.spans_updated += 1
            else:
                report.tags_updated += 1
            self._set_base(item.uuid, theirs.updated_at, theirs.updated_at)
        else:
            reason = "lost a merge conflict" if ours_changed else "refused by merge"
            self._keep_in_history(kind, item.uuid, article_id, row[1], theirs, reason)
            self._set_base(item.uuid, ours.updated_at, theirs.updated_at)
        return True

    def _same_live_tag(self, tag: TagDraft, article_id: int, uid: str, report: MergeReport) -> bool:
        """True when the project already has this live tag under another uuid (same fact).

        Both sides ticked the same tag for the same annotator (an import of the same feed,
        say). Ours stands; a note of theirs that differs is kept in the history and reported.
        """
        if tag.deleted:
            return False
        row = self.db.conn.execute(
            "SELECT uuid, note FROM document_tags WHERE article = ? AND annotator = ? "
            "AND label = ? AND deleted = 0",
            (article_id, tag.annotator or MERGED_BY, tag.label),
        ).fetchone()
        if row is None:
            return False
        report.unchanged += 1
        if tag.note and tag.note != row[1]:
            version = _Version(
                tag.label, tag.note, False, comparable_time(tag.updated_at or tag.created_at)
            )
            annotator = tag.annotator or MERGED_BY
            self._keep_in_history(DOCUMENT, row[0], article_id, annotator, version, "same tag")
            report.problems.append(
                ImportProblem(
                    uid,
                    f"tag {tag.label!r} by {annotator} is here already (as {row[0]}); their "
                    f"note {tag.note!r} is in the annotation history",
                )
            )
        return True

    def _same_offsets(self, span: SpanDraft) -> bool:
        """True when the stored span covers the same text (extent and pieces) as `span`."""
        row = self.db.conn.execute(
            'SELECT start, "end", fragments FROM spans WHERE uuid = ?', (span.uuid,)
        ).fetchone()
        return row is not None and (row[0], row[1], from_json(row[2])) == (
            span.start,
            span.end,
            span.fragments,
        )

    def _apply(self, kind: str, uuid: str, version: _Version) -> bool:
        """Take their version; False when the one-live-tag rule or the label's kind (a span
        relabelled with a name that is a document tag here) refuses it."""
        self._ensure_label(version.label, kind)
        if self._one("SELECT kind FROM labels WHERE name = ?", (version.label,)) != kind:
            return False
        try:
            self.db.execute(
                f"UPDATE {_TABLES[kind]} SET label = ?, note = ?, deleted = ?, updated_at = ? "
                "WHERE uuid = ?",
                (version.label, version.note, int(version.deleted), version.updated_at, uuid),
            )
        except sqlite3.IntegrityError:  # only this statement is undone, not the merge
            return False
        return True

    def _keep_in_history(
        self, kind: str, uuid: str, article_id: int, annotator: str, version: _Version, why: str
    ) -> None:
        self.db.execute(
            "INSERT INTO annotation_history (uuid, kind, article, annotator, label, note, "
            "deleted, updated_at, replaced_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uuid,
                kind,
                article_id,
                annotator,
                version.label,
                version.note,
                int(version.deleted),
                version.updated_at,
                now(),
                why,
            ),
        )

    def _record_base(
        self,
        article_id: int | None,
        spans: Iterable[SpanDraft],
        tags: Iterable[TagDraft],
        every: bool,
    ) -> None:
        """Their stamps as the agreed version of each annotation now stored on the article;
        one refused because another annotation holds its uuid leaves that one's base alone.
        `every`: nothing was refused, so each is stored (no need to look)."""
        items: list[tuple[str, SpanDraft | TagDraft]] = [
            *((SPAN, span) for span in spans),
            *((DOCUMENT, tag) for tag in tags),
        ]
        for kind, item in items:
            if item.uuid is None:
                continue
            stored = f"SELECT 1 FROM {_TABLES[kind]} WHERE uuid = ? AND article = ?"
            if not every and not self._one(stored, (item.uuid, article_id)):
                continue
            stamp = item.updated_at or item.created_at or ""
            self._set_base(item.uuid, stamp, stamp)

    def _merge_status(self, article_id: int, annotator: str, status: str, when: str) -> int:
        """Take their status when ours is missing or older; 1 when it changed."""
        row = self.db.conn.execute(
            "SELECT status, updated_at FROM article_status WHERE article = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        if row is not None and (
            row[0] == status or not when or comparable_time(when) <= comparable_time(row[1])
        ):
            return 0
        self._ensure_annotator(annotator)
        self.db.execute(
            "INSERT INTO article_status (article, annotator, status, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
            "status = excluded.status, updated_at = excluded.updated_at",
            (article_id, annotator, status, comparable_time(when) if when else now()),
        )
        return 1


def _checked(
    draft: ArticleDraft, names: LabelNames, report: MergeReport, mapped: ImportReport
) -> ArticleDraft:
    """The draft with our names for its labels and its times in UTC. An annotation whose label
    name no project may hold, or whose time is not a time, is left out and reported."""
    where = draft.origin or draft.uid or "?"

    def check(item: _Item, kind: str, what: str) -> _Item | None:
        try:
            label = names.resolve(item.label)
            created = field_time(item.created_at, "created_at")
            updated = field_time(item.updated_at, "updated_at")
        except (LabelNameError, TimeError) as error:
            report.problems.append(ImportProblem(where, f"{what}: {error}; not merged"))
            return None
        if label != item.label:
            key = (item.label, label, kind)
            mapped.mapped_labels[key] = mapped.mapped_labels.get(key, 0) + 1
        return replace(item, label=label, created_at=created, updated_at=updated)

    spans = [
        check(s, SPAN, f"span {i} ({s.label!r} at {s.start}..{s.end})")
        for i, s in enumerate(draft.spans)
    ]
    tags = [check(t, DOCUMENT, f"tag {i} ({t.label!r})") for i, t in enumerate(draft.tags)]
    times = {who: comparable_time(when) for who, when in draft.status_times.items() if when}
    return replace(
        draft,
        spans=tuple(s for s in spans if isinstance(s, SpanDraft)),
        tags=tuple(t for t in tags if isinstance(t, TagDraft)),
        status_times=times,
        suggestions=(),  # a colleague's machine suggestions are never merged, only spans
    )


def _legacy_identity(text: str, uid: str | None, item: SpanDraft | TagDraft) -> str:
    """The content uuid merges derived before schema 7 (the annotator as given, the uid or
    the whole text hash), so a file merged then is still recognised."""
    name = f"{uid or text_sha256(text)}|{item.annotator}|{item.label}"
    if isinstance(item, SpanDraft):
        return str(uuidlib.uuid5(IDENTITY_NAMESPACE, f"span|{name}|{item.start}|{item.end}"))
    return str(uuidlib.uuid5(IDENTITY_NAMESPACE, f"tag|{name}"))
