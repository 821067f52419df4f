"""The native JSONL export read straight from SQLite as JSON text, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from desktop_app.core.model import ArticleFilter
from desktop_app.core.store.base import _serialized
from desktop_app.core.store.listing import ListingMixin, SortKey


class NativeLine(NamedTuple):
    """One article of the native export: its uid, its JSON record, offset-rule breaches."""

    uid: str
    json: str
    mismatches: int
    spans: int = 0  # how many spans and tags the record holds, for the export's report
    tags: int = 0
    relations: int = 0


def _json_fields(alias: str, fields: tuple[tuple[str, str], ...], tail: str = "''") -> str:
    """SQL text for one JSON object, by concatenation: '{"key":' || json_quote(col) || ...

    Written out instead of json_object() because that builds a JSON value (and a subquery's
    json_group_array must be parsed again by json()); concatenating quoted values makes the
    export's SQL about a third faster. Kind "n" is an integer column, "s" a text one;
    `tail` is SQL for more members (each starting with a comma) or for nothing.
    """
    parts = []
    for index, (key, kind) in enumerate(fields):
        column = f'{alias}."{key}"'
        value = column if kind == "n" else f"json_quote({column})"
        parts.append(f"'{'{' if index == 0 else ','}\"{key}\":' || {value}")
    return " || ".join(parts) + f" || {tail} || '}}'"


_SPAN_JSON = _json_fields(
    "s",
    (("uuid", "s"), ("start", "n"), ("end", "n"), ("label", "s"), ("quote", "s"),
     ("note", "s"), ("annotator", "s"), ("created_at", "s"), ("updated_at", "s")),
    # A discontinuous span's pieces, stored as JSON already; absent from a contiguous one.
    # An accepted suggestion's source (span_provenance, joined as p); absent from the rest.
    tail="""CASE s.fragments WHEN '' THEN '' ELSE ',"fragments":' || s.fragments END
    || CASE WHEN p.span IS NULL THEN '' ELSE ',"provenance":{"source":' || json_quote(p.source)
    || ',"suggestion":' || json_quote(p.suggestion) || ',"score":' || json_quote(p.score)
    || ',"explanation":' || json_quote(p.explanation)
    || ',"accepted_at":' || json_quote(p.accepted_at) || '}' END""",
)  # fmt: skip
_SUGGESTION_JSON = _json_fields(
    "g",
    (("uuid", "s"), ("start", "n"), ("end", "n"), ("label", "s"), ("score", "n"),
     ("source", "s"), ("explanation", "s"), ("created_at", "s")),
)  # fmt: skip
_TAG_JSON = _json_fields(
    "t",
    (("uuid", "s"), ("label", "s"), ("annotator", "s"), ("note", "s"), ("created_at", "s"),
     ("updated_at", "s")),
)  # fmt: skip
# A relation names its ends by span uuid (both live: a relation never outlives its spans).
_RELATION_JSON = (
    """'{"uuid":' || json_quote(r.uuid) || ',"type":' || json_quote(r.type) """
    """|| ',"from":' || json_quote(r.from_span) || ',"to":' || json_quote(r.to_span) """
    """|| ',"annotator":' || json_quote(r.annotator) || ',"note":' || json_quote(r.note) """
    """|| ',"created_at":' || json_quote(r.created_at) """
    """|| ',"updated_at":' || json_quote(r.updated_at) || '}'"""
)

# An article's record up to its meta, built in SQLite (in C); json(a.meta) checks and compacts
# the stored meta. Python appends the spans, tags and statuses, each read once per batch.
_RECORD_HEAD = """'{"uid":' || json_quote(a.uid) || ',"title":' || json_quote(a.title)
    || ',"source":' || json_quote(a.source) || ',"url":' || json_quote(a.url)
    || ',"published":' || json_quote(a.published) || ',"text":' || json_quote(a.text)
    || ',"meta":' || json(a.meta)"""


class NativeExportMixin(ListingMixin):
    """The native JSONL export's records, as JSON text, in list order, a batch at a time."""

    def native_json(
        self, flt: ArticleFilter, batch: int = 500, with_suggestions: bool = False
    ) -> Iterator[list[NativeLine]]:
        """Batches of (uid, JSON record, spans breaking the offset rule), strictly by key.

        `with_suggestions` adds each article's machine suggestions as "suggestions" (never
        otherwise: they are not annotations).
        """
        after: SortKey | None = None
        while True:
            lines, after = self._native_batch(flt, after, batch, with_suggestions)
            if not lines:
                return
            yield lines

    @_serialized
    def _native_batch(
        self, flt: ArticleFilter, after: SortKey | None, batch: int, with_suggestions: bool
    ) -> tuple[list[NativeLine], SortKey | None]:
        rows = self._page(flt, after, False, batch, f"a.uid, {_RECORD_HEAD}, a.text")
        if not rows:
            return [], after
        texts = {row[1]: row[4] for row in rows}
        marks = ", ".join("?" for _ in rows)
        # One query per kind for the whole batch, not a subquery per article (a sort each).
        # The offset rule is checked again on the way out, in Python: slicing a str by code
        # points costs the same anywhere in the text, where SQLite's substr() walks from the
        # start of it.
        spans: dict[int, list[str]] = {}
        broken: dict[int, int] = {}
        for article, start, end, quote, record in self.db.conn.execute(
            f'SELECT s.article, s.start, s."end", s.quote, {_SPAN_JSON} FROM spans s '
            "LEFT JOIN span_provenance p ON p.span = s.uuid "
            f"WHERE s.article IN ({marks}) AND s.deleted = 0 "
            'ORDER BY s.article, s.start, s."end" DESC, s.created_at',
            list(texts),
        ):
            if texts[article][start:end] != quote:
                broken[article] = broken.get(article, 0) + 1
            spans.setdefault(article, []).append(record)
        tags: dict[int, tuple[str, int]] = {
            article: (records, count)
            for article, records, count in self.db.conn.execute(
                f"SELECT article, group_concat(record, ','), count(*) FROM (SELECT t.article, "
                f"{_TAG_JSON} AS record FROM document_tags t WHERE t.article IN ({marks}) "
                "AND t.deleted = 0 ORDER BY t.article, t.created_at) GROUP BY article",
                list(texts),
            )
        }
        relations: dict[int, tuple[str, int]] = {
            article: (records, count)
            for article, records, count in self.db.conn.execute(
                f"SELECT article, group_concat(record, ','), count(*) FROM (SELECT r.article, "
                f"{_RELATION_JSON} AS record FROM relations r WHERE r.article IN ({marks}) "
                "AND r.deleted = 0 ORDER BY r.article, r.created_at, r.rowid) GROUP BY article",
                list(texts),
            )
        }
        statuses = dict(
            self.db.conn.execute(
                "SELECT article, json_group_object(annotator, status) FROM (SELECT * FROM "
                f"article_status WHERE article IN ({marks}) ORDER BY article, annotator) "
                "GROUP BY article",
                list(texts),
            ).fetchall()
        )
        suggestions: dict[int, str] = {}
        if with_suggestions:
            suggestions = {
                article: f',"suggestions":[{records}]'
                for article, records in self.db.conn.execute(
                    f"SELECT article, group_concat(record, ',') FROM (SELECT g.article, "
                    f"{_SUGGESTION_JSON} AS record FROM suggestions g WHERE g.article IN "
                    f'({marks}) ORDER BY g.article, g.start, g."end", g.label, g.id) '
                    "GROUP BY article",
                    list(texts),
                )
            }
        empty = ',"suggestions":[]' if with_suggestions else ""
        lines = [
            NativeLine(
                uid,
                f'{head},"spans":[{",".join(spans.get(article, ()))}],'
                f'"tags":[{tags.get(article, ("", 0))[0]}],'
                f'"relations":[{relations.get(article, ("", 0))[0]}],'
                f'"status":{statuses.get(article, "{}")}'
                f"{suggestions.get(article, empty)}}}",
                broken.get(article, 0),
                len(spans.get(article, ())),
                tags.get(article, ("", 0))[1],
                relations.get(article, ("", 0))[1],
            )
            for _, article, uid, head, _ in rows
        ]
        return lines, (rows[-1][0], rows[-1][1])
