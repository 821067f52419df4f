"""Machine suggestions in the project file: the one module through which they reach the store.

Suggestions are a layer of their own (table `suggestions`), never spans: exporters, merge,
agreement and stats read spans only, so a suggestion is none of those until a person accepts
it (the native export carries them, as suggestions, only when asked: --with-suggestions).
Accepting makes it that person's span and records the suggestion's source in
`span_provenance` (keyed by the span's uuid). Rejections are remembered per article uid,
offsets and label in `suggestion_rejections`, so the same proposal is not offered again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.model import Span
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.base import StoreError, _serialized, now

_COLUMNS = 'uuid, article, start, "end", label, score, source, explanation, created_at'


@dataclass(frozen=True)
class Proposal:
    """What a matcher or recommender proposes for one article (offsets in code points)."""

    article_id: int
    start: int
    end: int
    label: str
    score: float = 1.0
    explanation: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A stored suggestion: a proposal with its identity, source and time."""

    uuid: str
    article_id: int
    start: int
    end: int
    label: str
    score: float
    source: str
    explanation: str
    created_at: str


@dataclass
class AddReport:
    """What add_suggestions did: how many were stored, skipped, and each refusal's reason."""

    added: int = 0
    rejected_before: int = 0  # a person rejected this very proposal already
    annotated: int = 0  # a live span with the same label covers exactly this text
    duplicates: int = 0  # the same source proposed it already
    refused: list[str] = field(default_factory=list)


def _ordered_uuids(count: int) -> list[str]:
    """`count` fresh version-7 UUIDs: the time, random bits, then a counter, in order.

    Random version-4 UUIDs land all over the uuid index: storing a gazetteer's hundreds of
    thousands of suggestions then spends much of its time there. These are appended instead.
    """
    stamp = time.time_ns() // 1_000_000 & (1 << 48) - 1
    random = int.from_bytes(os.urandom(8))
    # 48-bit time, version 7, 12 random bits, variant 10, 14 random bits, then 48 bits
    # counted up from a random start below 2**38 (so the counter never carries over).
    head = stamp << 32 | 0x7 << 28 | (random >> 52) << 16 | 0b10 << 14 | random >> 38 & 0x3FFF
    h = f"{head:020x}"
    prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
    start = random & (1 << 38) - 1
    return [f"{prefix}{n:012x}" for n in range(start, start + count)]


def _suggestion(row: Sequence[Any]) -> Suggestion:
    return Suggestion(row[0], row[1], row[2], row[3], row[4], float(row[5]), row[6], row[7], row[8])


def proposal_problem(text: str, labels: Iterable[str], proposal: Proposal) -> str:
    """Why `proposal` cannot be a suggestion on `text` ("" when it can)."""
    start, end = proposal.start, proposal.end
    score = proposal.score
    if (
        type(start) is int
        and type(end) is int
        and 0 <= start < end <= len(text)
        and type(score) in (float, int)
        and 0 <= score <= 1
        and proposal.label in labels
    ):
        return ""  # the common case, checked at once (a gazetteer makes millions)
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        return f"offsets {start!r}-{end!r} are not whole numbers"
    if not 0 <= start < end <= len(text):
        return f"offsets {start}-{end} are outside the text (0-{len(text)} code points)"
    if proposal.label not in (labels if isinstance(labels, set | frozenset) else set(labels)):
        return f"{proposal.label!r} is not a span label of this project"
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        return f"score {score!r} is not a number from 0 to 1"
    return ""


class SuggestionsMixin(AnnotationsMixin):
    """The store's suggestions, rejections and the provenance of accepted spans."""

    @_serialized
    def span_label_names(self) -> list[str]:
        """The project's span label names, in the schema's order."""
        rows = self.db.conn.execute(
            "SELECT name FROM labels WHERE kind = 'span' ORDER BY position, name"
        ).fetchall()
        return [row[0] for row in rows]

    @_serialized
    def add_suggestions(
        self, source: str, proposals: Iterable[Proposal], texts: Mapping[int, str] | None = None
    ) -> AddReport:
        """Store proposals from `source` (one transaction); refuse each bad one with its reason.

        Skipped quietly (counted): proposals a person rejected before, proposals over text a
        live span of the same label already covers, and repeats from the same source. The
        lookups and the insert are done in bulk; `texts` (article id -> text) spares reading
        again the texts a caller has just read (a gazetteer streaming the articles).
        """
        if not source:
            raise StoreError("a suggestion needs a source (e.g. gazetteer:FILE, command:NAME)")
        report = AddReport()
        labels = set(self.span_label_names())
        given = list(proposals)
        ids = list({proposal.article_id for proposal in given})
        uids = self._by_ids("SELECT id, uid FROM articles", "id", ids)
        known = dict(texts or {})
        missing = [i for i in ids if i in uids and i not in known]
        known.update(self._by_ids("SELECT id, text FROM articles", "id", missing))
        checked: list[tuple[str, Proposal]] = []
        for proposal in given:
            uid = uids.get(proposal.article_id)
            if uid is None:
                report.refused.append(f"article {proposal.article_id}: no such article")
                continue
            problem = proposal_problem(known[proposal.article_id], labels, proposal)
            if problem:
                report.refused.append(f"article {uid}: {problem}")
                continue
            checked.append((uid, proposal))
        with self.db.atomic():
            self._add_checked(report, source, checked)
        return report

    def _by_ids(self, select: str, column: str, ids: list[int]) -> dict[Any, Any]:
        """Two-column rows of `select` whose `column` is one of `ids` (one query, any count)."""
        if not ids:
            return {}
        rows = self.db.conn.execute(
            f"{select} WHERE {column} IN (SELECT value FROM json_each(?))", (json.dumps(ids),)
        )
        return dict(rows.fetchall())

    def _add_checked(
        self, report: AddReport, source: str, checked: list[tuple[str, Proposal]]
    ) -> None:
        uids = sorted({uid for uid, _ in checked})
        rejected = set(
            self.db.conn.execute(
                'SELECT uid, start, "end", label FROM suggestion_rejections '
                "WHERE uid IN (SELECT value FROM json_each(?))",
                (json.dumps(uids),),
            ).fetchall()
        )
        articles = sorted({proposal.article_id for _, proposal in checked})
        annotated = set(
            self.db.conn.execute(
                'SELECT article, start, "end", label FROM spans WHERE deleted = 0 '
                "AND article IN (SELECT value FROM json_each(?))",
                (json.dumps(articles),),
            ).fetchall()
        )
        rows = []
        stamp = now()
        uuids = _ordered_uuids(len(checked))
        for (uid, proposal), suggestion_uuid in zip(checked, uuids, strict=True):
            key = (proposal.start, proposal.end, proposal.label)
            if (uid, *key) in rejected:
                report.rejected_before += 1
            elif (proposal.article_id, *key) in annotated:
                report.annotated += 1
            else:
                rows.append(
                    (
                        suggestion_uuid,
                        proposal.article_id,
                        *key,
                        float(proposal.score),
                        source,
                        proposal.explanation,
                        stamp,
                    )
                )
        cursor = self.db.conn.executemany(
            f"INSERT OR IGNORE INTO suggestions ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", rows
        )
        report.added = max(cursor.rowcount, 0)
        report.duplicates = len(rows) - report.added

    @_serialized
    def suggestions(
        self,
        article_ids: Iterable[int] | None = None,
        source: str | None = None,
        label: str | None = None,
        min_score: float | None = None,
    ) -> list[Suggestion]:
        """Stored suggestions in article and text order, filtered by each given argument."""
        sql = f"SELECT {_COLUMNS} FROM suggestions WHERE 1"
        params: list[Any] = []
        if article_ids is not None:
            ids = list(article_ids)
            sql += f" AND article IN ({','.join('?' * len(ids))})"
            params += ids
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if label is not None:
            sql += " AND label = ?"
            params.append(label)
        if min_score is not None:
            sql += " AND score >= ?"
            params.append(min_score)
        rows = self.db.conn.execute(f'{sql} ORDER BY article, start, "end", label, id', params)
        return [_suggestion(row) for row in rows.fetchall()]

    @_serialized
    def suggestion(self, suggestion_uuid: str) -> Suggestion:
        """One stored suggestion by uuid."""
        row = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestions WHERE uuid = ?", (suggestion_uuid,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no suggestion {suggestion_uuid} (accepted or rejected already?)")
        return _suggestion(row)

    @_serialized
    def accept_suggestions(
        self, suggestions: Sequence[Suggestion], annotator: str, span_uuids: Sequence[str]
    ) -> list[Span]:
        """Make each suggestion `annotator`'s span (uuid given, so redo restores the same span).

        The suggestion row goes; its source, score and explanation stay in span_provenance.
        """
        spans = []
        with self.db.atomic():
            for suggestion, span_uuid in zip(suggestions, span_uuids, strict=True):
                if self._one("SELECT 1 FROM spans WHERE uuid = ?", (span_uuid,)):
                    span = self.update_span(span_uuid, deleted=False)  # redo
                else:
                    span = self.add_span(
                        suggestion.article_id,
                        suggestion.start,
                        suggestion.end,
                        suggestion.label,
                        annotator,
                        span_uuid=span_uuid,
                    )
                self.db.execute(
                    "INSERT OR REPLACE INTO span_provenance "
                    "(span, source, suggestion, score, explanation, accepted_at) "
                    "VALUES (?,?,?,?,?,?)",
                    (
                        span_uuid,
                        suggestion.source,
                        suggestion.uuid,
                        suggestion.score,
                        suggestion.explanation,
                        now(),
                    ),
                )
                self.db.execute("DELETE FROM suggestions WHERE uuid = ?", (suggestion.uuid,))
                spans.append(span)
        return spans

    @_serialized
    def unaccept_suggestions(
        self, suggestions: Sequence[Suggestion], span_uuids: Sequence[str]
    ) -> None:
        """Undo an accept: the spans are soft-deleted and the very suggestions come back."""
        with self.db.atomic():
            for suggestion, span_uuid in zip(suggestions, span_uuids, strict=True):
                self.update_span(span_uuid, deleted=True)
                self._restore(suggestion)

    def _restore(self, suggestion: Suggestion) -> None:
        self.db.execute(
            f"INSERT OR IGNORE INTO suggestions ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                suggestion.uuid,
                suggestion.article_id,
                suggestion.start,
                suggestion.end,
                suggestion.label,
                suggestion.score,
                suggestion.source,
                suggestion.explanation,
                suggestion.created_at,
            ),
        )

    @_serialized
    def span_provenance(self, span_uuid: str) -> dict[str, Any] | None:
        """Where a span came from, when it was an accepted suggestion (None: made by hand)."""
        row = self.db.conn.execute(
            "SELECT source, suggestion, score, explanation, accepted_at FROM span_provenance "
            "WHERE span = ?",
            (span_uuid,),
        ).fetchone()
        if row is None:
            return None
        keys = ("source", "suggestion", "score", "explanation", "accepted_at")
        return dict(zip(keys, row, strict=True))

    @_serialized
    def reject_suggestions(self, suggestions: Sequence[Suggestion], annotator: str) -> None:
        """Remove the suggestions and remember each rejection (article uid, offsets, label)."""
        with self.db.atomic():
            for suggestion in suggestions:
                uid = self._one("SELECT uid FROM articles WHERE id = ?", (suggestion.article_id,))
                self.db.execute(
                    "INSERT OR REPLACE INTO suggestion_rejections "
                    '(uid, start, "end", label, source, rejected_by, rejected_at) '
                    "VALUES (?,?,?,?,?,?,?)",
                    (
                        uid,
                        suggestion.start,
                        suggestion.end,
                        suggestion.label,
                        suggestion.source,
                        annotator,
                        now(),
                    ),
                )
                self.db.execute("DELETE FROM suggestions WHERE uuid = ?", (suggestion.uuid,))

    @_serialized
    def unreject_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """Undo a reject: forget the rejections and put the suggestions back."""
        with self.db.atomic():
            for suggestion in suggestions:
                uid = self._one("SELECT uid FROM articles WHERE id = ?", (suggestion.article_id,))
                self.db.execute(
                    "DELETE FROM suggestion_rejections WHERE uid = ? AND start = ? "
                    'AND "end" = ? AND label = ?',
                    (uid, suggestion.start, suggestion.end, suggestion.label),
                )
                self._restore(suggestion)
