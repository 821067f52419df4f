"""Reading many articles with their annotations at once, for exports (a few queries a batch)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from desktop_app.core.model import AnnotatedArticle, DocumentTag, Span
from desktop_app.core.store.base import (
    _ARTICLE_COLUMNS,
    _SPAN_COLUMNS,
    _TAG_COLUMNS,
    StoreBase,
    _article,
    _serialized,
    _span,
    _tag,
)


class BulkMixin(StoreBase):
    """Batch reads: four queries for a whole batch of articles instead of four per article."""

    @_serialized
    def annotated_articles(self, ids: Sequence[int]) -> list[AnnotatedArticle]:
        """The articles with these ids (in that order) with their live spans, tags, statuses."""
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        params = list(ids)
        conn = self.db.conn
        articles = {
            row[0]: _article(row)
            for row in conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", params
            )
        }
        spans: dict[int, list[Span]] = defaultdict(list)
        for row in conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE article IN ({marks}) AND deleted = 0 "
            'ORDER BY article, start, "end" DESC, created_at',
            params,
        ):
            spans[row[1]].append(_span(row))
        tags: dict[int, list[DocumentTag]] = defaultdict(list)
        for row in conn.execute(
            f"SELECT {_TAG_COLUMNS} FROM document_tags WHERE article IN ({marks}) "
            "AND deleted = 0 ORDER BY article, created_at",
            params,
        ):
            tags[row[1]].append(_tag(row))
        statuses: dict[int, dict[str, str]] = defaultdict(dict)
        for article_id, annotator, status in conn.execute(
            f"SELECT article, annotator, status FROM article_status WHERE article IN ({marks}) "
            "ORDER BY article, annotator",
            params,
        ):
            statuses[article_id][annotator] = status
        return [
            AnnotatedArticle(articles[i], spans[i], tags[i], statuses[i])
            for i in ids
            if i in articles
        ]
