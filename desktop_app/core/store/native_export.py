"""The native JSONL export read straight from SQLite as JSON text, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from desktop_app.core.model import ArticleFilter
from desktop_app.core.store.base import _serialized
from desktop_app.core.store.listing import _SORT_EXPRESSIONS, ListingMixin, SortKey


class NativeLine(NamedTuple):
    """One article of the native export: its uid, its JSON record, offset-rule breaches."""

    uid: str
    json: str
    mismatches: int


# The native JSONL record, built by SQLite's JSON functions (in C, not a Python dict per
# span). Scalar subqueries drop the JSON subtype, hence json() around them.
_NATIVE_RECORD = """json_object(
    'uid', a.uid, 'title', a.title, 'source', a.source, 'url', a.url,
    'published', a.published, 'text', a.text, 'meta', json(a.meta),
    'spans', json((SELECT json_group_array(json_object(
        'uuid', s.uuid, 'start', s.start, 'end', s."end", 'label', s.label, 'quote', s.quote,
        'note', s.note, 'annotator', s.annotator, 'created_at', s.created_at))
        FROM (SELECT * FROM spans s WHERE s.article = a.id AND s.deleted = 0
              ORDER BY s.start, s."end" DESC, s.created_at) s)),
    'tags', json((SELECT json_group_array(json_object(
        'uuid', t.uuid, 'label', t.label, 'annotator', t.annotator, 'note', t.note,
        'created_at', t.created_at))
        FROM (SELECT * FROM document_tags t WHERE t.article = a.id AND t.deleted = 0
              ORDER BY t.created_at) t)),
    'status', json((SELECT json_group_object(st.annotator, st.status)
        FROM (SELECT * FROM article_status st WHERE st.article = a.id
              ORDER BY st.annotator) st)))"""


class NativeExportMixin(ListingMixin):
    """The native JSONL export's records, as JSON text, in list order, a batch at a time."""

    def native_json(self, flt: ArticleFilter, batch: int = 500) -> Iterator[list[NativeLine]]:
        """Batches of (uid, JSON record, spans breaking the offset rule), strictly by key."""
        after: SortKey | None = None
        while True:
            lines, after = self._native_batch(flt, after, batch)
            if not lines:
                return
            yield lines

    @_serialized
    def _native_batch(
        self, flt: ArticleFilter, after: SortKey | None, batch: int
    ) -> tuple[list[NativeLine], SortKey | None]:
        source, params, order = self._ordered(flt, self._plan(flt), after, inclusive=False)
        key = _SORT_EXPRESSIONS[flt.sort]
        rows = self.db.conn.execute(
            f"SELECT {key}, a.id, a.uid, {_NATIVE_RECORD}, a.text FROM {source} {order} LIMIT ?",
            [*params, batch],
        ).fetchall()
        if not rows:
            return [], after
        # The offset rule, checked again on the way out. In Python, because slicing a str by
        # code points costs the same anywhere in the text; SQLite's substr() walks from the
        # start, which made this check a quarter of the export.
        texts = {row[1]: row[4] for row in rows}
        marks = ", ".join("?" for _ in rows)
        broken: dict[int, int] = {}
        for article, start, end, quote in self.db.conn.execute(
            f'SELECT article, start, "end", quote FROM spans WHERE article IN ({marks}) '
            "AND deleted = 0",
            list(texts),
        ):
            if texts[article][start:end] != quote:
                broken[article] = broken.get(article, 0) + 1
        lines = [NativeLine(row[2], row[3], broken.get(row[1], 0)) for row in rows]
        return lines, (rows[-1][0], rows[-1][1])
