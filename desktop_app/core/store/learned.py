"""What the learned recommender reads (human-made spans) and how its suggestions are replaced."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.store.base import _serialized
from desktop_app.core.store.suggestions import AddReport, Proposal, SuggestionsMixin

# Human-made: live, continuous (a discontinuous span's quote is not what was labelled), and
# not an accepted suggestion of any source (those have a span_provenance row).
_HUMAN = (
    "FROM spans s WHERE s.deleted = 0 AND (s.fragments = '' OR s.fragments = '[]') "
    "AND NOT EXISTS (SELECT 1 FROM span_provenance p WHERE p.span = s.uuid)"
)


@dataclass
class ReplaceReport:
    """What replace_suggestions did: the additions (as add_suggestions reports them) and the
    stale suggestions of the source it removed."""

    stored: AddReport = field(default_factory=AddReport)
    removed: int = 0


class LearnedMixin(SuggestionsMixin):
    """Human-made spans as evidence, and one source's suggestions replaced per article."""

    @_serialized
    def human_spans(
        self, annotator: str | None = None, article_id: int | None = None
    ) -> list[tuple[str, int, str, str]]:
        """(uuid, article, quote, label) of every human-made span, optionally one annotator's
        or one article's."""
        sql = f"SELECT s.uuid, s.article, s.quote, s.label {_HUMAN}"
        params: list[Any] = []
        if annotator is not None:
            sql += " AND s.annotator = ?"
            params.append(annotator)
        if article_id is not None:
            sql += " AND s.article = ?"
            params.append(article_id)
        return [tuple(row) for row in self.db.conn.execute(sql, params).fetchall()]

    @_serialized
    def span_counts(self, article_id: int) -> tuple[int, int]:
        """(rows in spans, rows in spans of one article), deleted ones included: both cheap
        (an index count), so the window can tell after an edit whether spans came or went in
        other articles too."""
        row = self.db.conn.execute(
            "SELECT (SELECT count(*) FROM spans), (SELECT count(*) FROM spans WHERE article = ?)",
            (article_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    @_serialized
    def replace_suggestions(
        self, source: str, article_id: int, proposals: Iterable[Proposal]
    ) -> ReplaceReport:
        """Make `source`'s suggestions on one article exactly `proposals` (less the rejected
        and the already annotated): stale ones go, new ones come, the rest stay as they are.
        Nothing is written when nothing changes (the window calls this after every edit)."""
        wanted = {(p.start, p.end, p.label): p for p in proposals}
        rows = self.db.conn.execute(
            'SELECT uuid, start, "end", label, score, explanation FROM suggestions '
            "WHERE article = ? AND source = ?",
            (article_id, source),
        ).fetchall()
        stale = [
            row[0]
            for row in rows
            if (key := (row[1], row[2], row[3])) not in wanted
            or (wanted[key].score, wanted[key].explanation) != (row[4], row[5])
        ]
        have = {(row[1], row[2], row[3]) for row in rows if row[0] not in stale}
        new = [p for key, p in wanted.items() if key not in have]
        report = ReplaceReport()
        if not stale and not new:
            return report
        uid = self._one("SELECT uid FROM articles WHERE id = ?", (article_id,))
        labels = set(self.span_label_names())
        with self.db.atomic():
            for uuid in stale:
                self.db.execute("DELETE FROM suggestions WHERE uuid = ?", (uuid,))
            report.removed = len(stale)
            checked = []
            for proposal in new:
                if proposal.label not in labels:
                    report.stored.refused.append(f"{proposal.label!r} is not a span label")
                    continue
                checked.append((uid, proposal))
            self._add_checked(report.stored, source, checked)
        return report
