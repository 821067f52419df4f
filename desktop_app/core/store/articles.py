"""Adding article drafts (with their annotations) to the project file, and reading articles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from desktop_app.core.fragments import FragmentError, check_fragments, to_json
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    Article,
    ArticleDraft,
    ImportProblem,
    ImportReport,
    SpanDraft,
    Status,
)
from desktop_app.core.schema import LabelNameError, canonical_label, check_label_name
from desktop_app.core.store.base import (
    _ARTICLE_COLUMNS,
    _SPAN_COLUMNS,
    _TAG_COLUMNS,
    StoreError,
    _article,
    _serialized,
    new_uuid,
    now,
    span_identity,
    tag_identity,
)
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.store.relation_import import PendingRelation, store_relations
from desktop_app.core.store.uuids import settle_uuids
from desktop_app.core.text import text_sha256
from desktop_app.core.times import TimeError, comparable_time, field_time

_REFUSED = (StoreError, sqlite3.IntegrityError, ValueError)
# ValueError: text that cannot be stored, such as a lone surrogate from JSON's \ud83d
# escape. Disk or lock errors (sqlite3.OperationalError) are not refusals: they stop.

_STATUSES = frozenset(status.value for status in Status)


# The same span as the row's (numbered parameters: uuid ?1 … fragments ?12), live, by its
# annotator; a contiguous row also matches a discontinuous span with its extent.
_SAME_SPAN = (
    'article = ?2 AND deleted = 0 AND annotator = ?3 AND label = ?4 AND start = ?5 AND "end" = ?6 '
    "AND (fragments = ?12 OR ?12 = '')"
)


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def provenance_row(uuid: str, article_id: int, span: SpanDraft) -> tuple[object, ...]:
    """A span_provenance row for `span`, stored as `uuid` on `article_id` (_store_provenance)."""
    given = span.provenance
    assert given is not None
    return (uuid, article_id, span.start, span.end, given.source, given.suggestion,
            given.score, given.explanation, given.accepted_at or now())  # fmt: skip


class LabelNames:
    """Label names as this project holds them (core.schema's one rule): a case variant reads
    as the label it varies, a name no project may hold raises LabelNameError."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self._known = set(self.names)
        self._resolved: dict[str, str | LabelNameError] = {}

    def resolve(self, given: str) -> str:
        """The label `given` means here (a new name becomes a label of its own)."""
        found = self._resolved.get(given)
        if found is None:
            try:
                found = canonical_label(check_label_name(given), self.names)
            except LabelNameError as error:
                found = error
            else:
                if found not in self._known:  # new: later variants of it read as it
                    self.names.append(found)
                    self._known.add(found)
            self._resolved[given] = found
        if isinstance(found, LabelNameError):
            raise found
        return found


class _Annotations:
    """A batch's spans, tags and statuses, checked and gathered for one executemany each.

    Label names follow core.schema's rule and times are normalised to UTC on the way in;
    an annotation whose label name or time cannot be taken is left out and reported.
    """

    def __init__(self, default_annotator: str, names: LabelNames) -> None:
        self.default = default_annotator
        self.names = names
        self.spans: list[tuple[object, ...]] = []
        self.tags: list[tuple[object, ...]] = []
        self.statuses: list[tuple[object, ...]] = []
        self.annotators: set[str] = set()
        self.labels: dict[str, str] = {}
        self.origins: dict[int, str] = {}  # article id -> where its draft came from
        self.uids: dict[int, str] = {}  # article id -> uid
        self.problems: list[ImportProblem] = []
        self.mapped: dict[tuple[str, str, str], int] = {}  # as ImportReport.mapped_labels
        self.refused: dict[tuple[int, str, str], tuple[int, str]] = {}  # bad label names
        # (span uuid, article id, start, end, source, suggestion, score, explanation, time)
        self.provenance: list[tuple[object, ...]] = []
        # (uuid, article id, start, end, label, score, source, explanation, time, article uid)
        self.suggestions: list[tuple[object, ...]] = []
        self.relations: list[PendingRelation] = []

    def collect(self, draft: ArticleDraft, article_id: int, uid: str) -> None:
        """Check the draft's annotations against its text and keep them for storing."""
        self.origins.setdefault(article_id, draft.origin or uid)
        self.uids.setdefault(article_id, uid)
        origin = draft.origin or uid
        self.problems.extend(ImportProblem(origin, reason) for reason in draft.problems)
        rows: dict[int, tuple[object, ...]] = {}  # draft span index -> its collected row
        for index, span in enumerate(draft.spans):
            if not 0 <= span.start < span.end <= len(draft.text):
                raise StoreError(f"span {index}: offsets {span.start}-{span.end} out of range")
            quote = draft.text[span.start : span.end]
            if span.quote is not None and span.quote != quote:
                raise StoreError(f"span {index}: quote does not match the text")
            try:
                fragments = to_json(check_fragments(span.fragments, span.start, span.end))
            except FragmentError as error:
                raise StoreError(f"span {index}: {error}") from None
            label = self._label(span.label, SPAN, article_id)
            what = f"span {index} ({span.label!r} at {span.start}..{span.end})"
            times = (
                None
                if label is None
                else self._times(span.created_at, span.updated_at, article_id, what)
            )
            if label is None or times is None:
                continue
            annotator = span.annotator or self.default
            self.annotators.add(annotator)
            self.labels.setdefault(label, SPAN)
            uuid = span.uuid or span_identity(
                uid, annotator, label, span.start, span.end, fragments
            )
            self.spans.append(
                (uuid, article_id, annotator, label, span.start,
                 span.end, quote, span.note, *times, int(span.deleted), fragments)
            )  # fmt: skip
            if span.provenance is not None:
                self.provenance.append(provenance_row(uuid, article_id, span))
            rows[index] = self.spans[-1]
        for index, suggestion in enumerate(draft.suggestions):
            try:
                label = self.names.resolve(suggestion.label)
            except LabelNameError as error:
                self.problems.append(
                    ImportProblem(
                        self.origins[article_id], f"suggestion {index}: {error}; not imported"
                    )
                )
                continue
            self.suggestions.append(
                (suggestion.uuid or new_uuid(), article_id, suggestion.start, suggestion.end,
                 label, suggestion.score, suggestion.source, suggestion.explanation,
                 suggestion.created_at or now(), uid)
            )  # fmt: skip
        for relation in draft.relations:
            annotator = relation.annotator or self.default
            self.annotators.add(annotator)
            ends = (rows.get(relation.from_index), rows.get(relation.to_index))
            self.relations.append(
                PendingRelation(article_id, uid, relation, annotator, ends, origin)
            )
        for index, tag in enumerate(draft.tags):
            label = self._label(tag.label, DOCUMENT, article_id)
            what = f"tag {index} ({tag.label!r})"
            times = (
                None
                if label is None
                else self._times(tag.created_at, tag.updated_at, article_id, what)
            )
            if label is None or times is None:
                continue
            annotator = tag.annotator or self.default
            self.annotators.add(annotator)
            self.labels.setdefault(label, DOCUMENT)
            uuid = tag.uuid or tag_identity(uid, annotator, label)
            self.tags.append(
                (uuid, article_id, annotator, label, tag.note, *times, int(tag.deleted))
            )  # fmt: skip
        for annotator, status in draft.statuses.items():
            if status not in _STATUSES:
                raise StoreError(
                    f"status {status!r} for {annotator!r} is not todo/in progress/done"
                )
            self.annotators.add(annotator)
            when = draft.status_times.get(annotator)
            self.statuses.append(
                (article_id, annotator, status, comparable_time(when) if when else now())
            )

    def _label(self, given: str, kind: str, article_id: int) -> str | None:
        """The project's name for `given`; None (and counted as refused) when it cannot be one."""
        try:
            label = self.names.resolve(given)
        except LabelNameError as error:
            count, _ = self.refused.get((article_id, given, kind), (0, ""))
            self.refused[article_id, given, kind] = (count + 1, str(error))
            return None
        if label != given:
            self.mapped[given, label, kind] = self.mapped.get((given, label, kind), 0) + 1
        return label

    def _times(
        self, created: str | None, updated: str | None, article_id: int, what: str
    ) -> tuple[str, str] | None:
        """(created_at, updated_at) in UTC, a missing one filled in; None (reported) when one
        is not a time."""
        try:
            created = field_time(created, "created_at")
            updated = field_time(updated, "updated_at")
        except TimeError as error:
            origin = self.origins.get(article_id, str(article_id))
            self.problems.append(ImportProblem(origin, f"{what}: {error}; not added"))
            return None
        stamp = created or now()
        return stamp, updated or stamp

    def report_into(self, out: ImportReport) -> None:
        """Move what was left out or read as another label into `out`."""
        out.problems.extend(self.problems)
        for key, count in self.mapped.items():
            out.mapped_labels[key] = out.mapped_labels.get(key, 0) + count
        for (article_id, given, kind), (count, reason) in self.refused.items():
            what = f"{count} spans" if kind == SPAN else f"{count} document tags"
            out.spans_refused += count if kind == SPAN else 0
            out.problems.append(
                ImportProblem(
                    self.origins.get(article_id, str(article_id)),
                    f"{what} labelled {given!r} were not added: {reason}",
                )
            )
        self.problems, self.mapped, self.refused = [], {}, {}


class ArticlesMixin(LabelsMixin):
    """The store's articles: import (which may add labels and annotators) and reading."""

    # ----------------------------------------------------------------- articles: import

    @_serialized
    def add_articles(
        self, drafts: Iterable[ArticleDraft], default_annotator: str = "imported"
    ) -> ImportReport:
        """Add a batch of drafts in one transaction; existing uids only gain new annotations.

        The batch is first tried whole (lookups in bulk, the search index filled once). If
        any draft is refused, it is redone one draft at a time, each in a savepoint, so a bad
        one is reported with its reason and the rest go on.
        """
        batch = list(drafts)
        with self.db.atomic():
            try:
                whole = ImportReport()
                with self.db.atomic():
                    self._add_batch(batch, default_annotator, whole)
                return whole
            except _REFUSED:
                pass
            result = ImportReport()
            for draft in batch:
                one = ImportReport()  # counted only if the draft's savepoint commits
                try:
                    with self.db.atomic():
                        self._add_batch([draft], default_annotator, one)
                except _REFUSED as error:
                    result.problems.append(ImportProblem(draft.origin or "?", str(error)))
                    continue
                result.add(one)
            return result

    def _add_batch(
        self,
        drafts: list[ArticleDraft],
        default_annotator: str,
        out: ImportReport,
        skip_identical: bool = True,
        rekey: bool = True,
    ) -> None:
        digests = [text_sha256(draft.text) for draft in drafts]
        uids = [d.uid or f"sha256:{h[:24]}" for d, h in zip(drafts, digests, strict=True)]
        known = self._articles_by_uid(uids)
        twins = self._uids_by_digest(digests)
        self.db.conn.execute(
            "INSERT OR REPLACE INTO project (key, value) VALUES ('fts_deferred', '1')"
        )
        # New rows are numbered here (one writer: max(id) + 1 onwards) and inserted with one
        # executemany; the search index then takes exactly that id range.
        first_id = int(self._one("SELECT ifnull(max(id), 0) + 1 FROM articles"))
        rows: list[tuple[object, ...]] = []
        annotations = _Annotations(default_annotator, self.label_names())
        stamp = now()
        for draft, digest, uid in zip(drafts, digests, uids, strict=True):
            found = known.get(uid)
            if found is not None and found[1] != digest and draft.uid_derived:
                # A uid made up from a path (sport/001.txt in two feeds): the text tells
                # them apart.
                uid = f"{uid}@{digest[:12]}"
                found = known.get(uid) or self._articles_by_uid([uid]).get(uid)
            if found is not None:
                if found[1] != digest:
                    raise StoreError(
                        f"article {uid!r} is already in the project with a different text; "
                        "article text never changes after import, so it was not replaced"
                    )
                out.unchanged += 1
                article_id = found[0]
            else:
                article_id = first_id + len(rows)
                twin = twins.get(digest)
                out.duplicates += twin is not None
                if twin is not None:
                    out.duplicate_pairs.append((uid, twin))
                rows.append(self._article_row(article_id, draft, uid, digest, twin))
                known[uid] = (article_id, digest)
                twins.setdefault(digest, uid)
            annotations.collect(draft, article_id, uid)
        if rows:
            self.db.conn.executemany(
                "INSERT INTO articles (id, uid, title, source, url, published, text, "
                "text_sha256, meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, stamp) for row in rows],
            )
            out.added += len(rows)
            out.added_ids.append((first_id, first_id + len(rows) - 1))
            self.db.conn.execute(
                "INSERT INTO articles_fts (rowid, title, text) "
                "SELECT id, title, text FROM articles WHERE id BETWEEN ? AND ?",
                (first_id, first_id + len(rows) - 1),
            )
        self.db.conn.execute("DELETE FROM project WHERE key = 'fts_deferred'")
        self._store_annotations(annotations, out, skip_identical, rekey)

    def _articles_by_uid(self, uids: list[str]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(uids):
            marks = ", ".join("?" for _ in chunk)
            for uid, article_id, digest in self.db.conn.execute(
                f"SELECT uid, id, text_sha256 FROM articles WHERE uid IN ({marks})", chunk
            ):
                found[uid] = (article_id, digest)
        return found

    def _uids_by_digest(self, digests: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(digests):
            marks = ", ".join("?" for _ in chunk)
            for digest, uid in self.db.conn.execute(
                f"SELECT text_sha256, min(uid) FROM articles WHERE text_sha256 IN ({marks}) "
                "GROUP BY text_sha256",
                chunk,
            ):
                found[digest] = uid
        return found

    @staticmethod
    def _article_row(
        article_id: int, draft: ArticleDraft, uid: str, digest: str, twin: str | None
    ) -> tuple[object, ...]:
        """The articles row for a new draft, less its import time; meta notes a twin text."""
        meta = dict(draft.meta)
        if twin is not None:
            meta["duplicate_of"] = twin
        return (
            article_id,
            uid,
            draft.title,
            draft.source,
            draft.url,
            draft.published,
            draft.text,
            digest,
            json.dumps(meta, ensure_ascii=False),
        )

    def label_names(self) -> LabelNames:
        """The project's label names in palette order, to resolve imported names against."""
        return LabelNames(
            row[0]
            for row in self.db.conn.execute("SELECT name FROM labels ORDER BY position, rowid")
        )

    def _store_annotations(
        self,
        found: _Annotations,
        out: ImportReport,
        skip_identical: bool = True,
        rekey: bool = True,
    ) -> None:
        """Insert the collected annotations; a uuid already here for the same annotation is
        left as it is (a re-import). A uuid another annotation holds (see store.uuids) is replaced
        by a derived one and noted, or with `rekey` off (a merge) refused and reported.

        With `skip_identical`, a span equal to a live one of the same annotator (label,
        offsets, pieces) is not added either: a file exported from this project and
        imported back carries no uuids (doccano, brat, CSV), and must not double its spans.
        A contiguous span equal to a discontinuous one's extent is that span as written by
        a format without pieces. A note such a span brings that differs from the one here is
        reported, not taken: an import adds, it never edits.
        """
        found.report_into(out)
        for annotator in found.annotators:
            self._ensure_annotator(annotator)
        for label, kind in found.labels.items():
            self._ensure_label(label, kind)
        self._drop_kind_clashes(found, out)
        settle_uuids(self.db.conn, found, out, rekey)
        if found.spans:
            if skip_identical:
                self._report_other_notes(found, out)
            unless = (
                f" WHERE NOT EXISTS (SELECT 1 FROM spans WHERE {_SAME_SPAN})"
                if skip_identical
                else ""
            )
            added = self.db.conn.executemany(
                f"INSERT OR IGNORE INTO spans ({_SPAN_COLUMNS}) "
                f"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12"
                f"{unless if skip_identical else ''}",
                found.spans,
            ).rowcount
            out.spans_added += added
            out.annotations_unchanged += len(found.spans) - added
        if found.tags:
            added = self.db.conn.executemany(
                f"INSERT OR IGNORE INTO document_tags ({_TAG_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                found.tags,
            ).rowcount
            out.tags_added += added
            out.annotations_unchanged += len(found.tags) - added
        if found.statuses:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO article_status (article, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?)",
                found.statuses,
            )
        self._store_provenance(found.provenance)
        if found.suggestions:
            # Suggestions stay suggestions: of a span label here, not rejected before, and
            # not over text a live span of the same label already covers (as add_suggestions).
            out.suggestions_added += self.db.conn.executemany(
                'INSERT OR IGNORE INTO suggestions (uuid, article, start, "end", label, score, '
                "source, explanation, created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
                "WHERE EXISTS (SELECT 1 FROM labels WHERE name = ?5 AND kind = 'span') "
                "AND NOT EXISTS (SELECT 1 FROM suggestion_rejections WHERE uid = ?10 "
                'AND start = ?3 AND "end" = ?4 AND label = ?5) '
                "AND NOT EXISTS (SELECT 1 FROM spans WHERE article = ?2 AND start = ?3 "
                'AND "end" = ?4 AND label = ?5 AND deleted = 0)',
                found.suggestions,
            ).rowcount
            found.suggestions = []

        store_relations(self.db.conn, found.relations, out)
        found.relations = []

    def _store_provenance(self, rows: list[tuple[object, ...]]) -> None:
        """Record where spans came from; a span stored under another uuid (or not stored) gets
        none, and provenance the project has for a span already is kept."""
        if rows:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO span_provenance (span, source, suggestion, score, "
                "explanation, accepted_at) SELECT ?1, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS "
                "(SELECT 1 FROM spans WHERE uuid = ?1 AND article = ?2 AND start = ?3 "
                'AND "end" = ?4)',
                rows,
            )

    def _report_other_notes(self, found: _Annotations, out: ImportReport) -> None:
        """A problem for each span already here (by uuid or content) whose note differs."""
        for row in found.spans:
            if not row[7]:
                continue
            here = self.db.conn.execute(
                f"SELECT note FROM spans WHERE uuid = ?1 OR ({_SAME_SPAN}) LIMIT 1", row
            ).fetchone()
            if here is not None and here[0] != row[7]:
                article_id = row[1]
                assert isinstance(article_id, int)
                out.problems.append(
                    ImportProblem(
                        found.origins.get(article_id, str(article_id)),
                        f"span {row[3]!r} at {row[4]}..{row[5]} by {row[2]} is here already "
                        f"with another note; the file's note {str(row[7])[:40]!r} was not taken",
                    )
                )

    def _drop_kind_clashes(self, found: _Annotations, out: ImportReport) -> None:
        """Leave out spans whose label is a document tag here, and tags whose label is a span
        label: one name is one kind. Each article's refused ones are one problem."""
        kinds = dict(
            self.db.conn.execute(
                "SELECT name, kind FROM labels WHERE name IN (SELECT value FROM json_each(?))",
                (json.dumps(list(found.labels)),),
            ).fetchall()
        )
        refused: dict[tuple[int, str, str], int] = {}
        for rows, kind in ((found.spans, SPAN), (found.tags, DOCUMENT)):
            kept = []
            for row in rows:
                article_id, label = row[1], str(row[3])
                if kinds.get(label, kind) == kind:
                    kept.append(row)
                else:
                    assert isinstance(article_id, int)
                    refused[article_id, label, kind] = refused.get((article_id, label, kind), 0) + 1
            rows[:] = kept
        out.spans_refused += sum(n for (_, _, kind), n in refused.items() if kind == SPAN)
        for (article_id, label, kind), count in refused.items():
            what = f"{count} spans" if kind == SPAN else f"{count} document tags"
            other = "a document tag" if kind == SPAN else "a span label"
            out.problems.append(
                ImportProblem(
                    found.origins.get(article_id, str(article_id)),
                    f"{what} labelled {label!r} were not added: {label!r} is {other} in this "
                    "project (a name is one kind)",
                )
            )

    # ----------------------------------------------------------------- articles: read

    @_serialized
    def article(self, article_id: int) -> Article:
        """One article with its full text."""
        row = self.db.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        return _article(row)

    @_serialized
    def article_id(self, uid: str) -> int | None:
        """The id of the article with this uid, if it is in the project."""
        value = self._one("SELECT id FROM articles WHERE uid = ?", (uid,))
        return None if value is None else int(value)

    @_serialized
    def article_total(self) -> int:
        """How many articles the project holds."""
        return int(self._one("SELECT count(*) FROM articles"))
