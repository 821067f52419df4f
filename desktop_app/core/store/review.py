"""What team review reads and writes: agreement input and the adjudicated layer."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.agreement import AgreementInput, SpanUnit, TagUnit
from desktop_app.core.store.annotations import AnnotationsMixin
from desktop_app.core.store.base import StoreError, _serialized


class ReviewMixin(AnnotationsMixin):
    """Agreement data over the articles that two or more of the compared annotators coded."""

    @_serialized
    def agreement_input(self, annotators: Sequence[str] = ()) -> AgreementInput:
        """Spans, tags, coded articles and text lengths for `annotators` (default: everyone).

        An annotator coded an article when they left an annotation on it (kept or deleted)
        or set its status beyond "todo": an article they read and left untagged is data
        ("not tagged"), one they never opened is missing.
        """
        known = [row[0] for row in self.db.conn.execute("SELECT name FROM annotators")]
        chosen = list(dict.fromkeys(annotators)) or sorted(
            name for name in known if self._has_work(name)
        )
        unknown = [name for name in chosen if name not in known]
        if unknown:
            raise StoreError(f"no annotator named {', '.join(map(repr, unknown))} in this project")
        if not chosen:
            return AgreementInput((), {}, {}, (), ())
        marks = ", ".join("?" for _ in chosen)
        self.db.execute("DROP TABLE IF EXISTS temp.coded")
        self.db.execute(
            "CREATE TEMP TABLE coded AS SELECT DISTINCT article, annotator FROM ("
            f"SELECT article, annotator FROM spans WHERE annotator IN ({marks}) "
            f"UNION ALL SELECT article, annotator FROM document_tags WHERE annotator IN ({marks}) "
            "UNION ALL SELECT article, annotator FROM article_status "
            f"WHERE status != 'todo' AND annotator IN ({marks}))",
            [*chosen, *chosen, *chosen],
        )
        try:
            return self._agreement_rows(tuple(chosen))
        finally:
            self.db.execute("DROP TABLE temp.coded")

    def _has_work(self, name: str) -> bool:
        return bool(
            self._one("SELECT 1 FROM spans WHERE annotator = ? LIMIT 1", (name,))
            or self._one("SELECT 1 FROM document_tags WHERE annotator = ? LIMIT 1", (name,))
        )

    def _agreement_rows(self, chosen: tuple[str, ...]) -> AgreementInput:
        # Only articles two or more of them coded can show agreement or disagreement.
        shared = (
            "SELECT article FROM temp.coded GROUP BY article HAVING count(DISTINCT annotator) > 1"
        )
        uids = dict(
            self.db.conn.execute(f"SELECT id, uid FROM articles WHERE id IN ({shared})").fetchall()
        )
        coded: dict[str, set[str]] = {name: set() for name in chosen}
        for article, annotator in self.db.conn.execute(
            f"SELECT article, annotator FROM temp.coded WHERE article IN ({shared})"
        ):
            coded[annotator].add(uids[article])
        lengths = {
            uid: int(length)
            for uid, length in self.db.conn.execute(
                f"SELECT uid, length(text) FROM articles WHERE id IN ({shared})"
            )
        }
        marks = ", ".join("?" for _ in chosen)
        spans = tuple(
            SpanUnit(uids[article], annotator, label, start, end)
            for article, annotator, label, start, end in self.db.conn.execute(
                'SELECT article, annotator, label, start, "end" FROM spans '
                f"WHERE deleted = 0 AND annotator IN ({marks}) AND article IN ({shared}) "
                "ORDER BY article, start",
                chosen,
            )
        )
        tags = tuple(
            TagUnit(uids[article], annotator, label)
            for article, annotator, label in self.db.conn.execute(
                "SELECT article, annotator, label FROM document_tags "
                f"WHERE deleted = 0 AND annotator IN ({marks}) AND article IN ({shared})",
                chosen,
            )
        )
        return AgreementInput(
            chosen, {name: frozenset(v) for name, v in coded.items()}, lengths, spans, tags
        )
