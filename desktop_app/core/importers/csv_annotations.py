"""Read annotation rows (the CSV export's spans, tags, relations) and attach them to articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from desktop_app.core.exporters.csv_rows import RELATION, unguard_cell
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    AnnotationDraft,
    ArticleDraft,
    ImportProblem,
    RelationDraft,
    SpanDraft,
    TagDraft,
)
from desktop_app.core.text import normalize_text
from desktop_app.core.times import TimeError, field_time

# The columns that make a CSV an annotations file rather than one article per row.
REQUIRED = ("kind", "article_uid", "label", "start", "end")


def is_annotation_header(columns: Iterable[str]) -> bool:
    """True when a CSV header has the annotation columns (and so rows are spans and tags)."""
    return set(REQUIRED) <= set(columns)


def annotation_rows(
    rows: Iterable[tuple[str, dict[str, str]] | ImportProblem],
) -> Iterator[AnnotationDraft | ImportProblem]:
    """Group (origin, row) pairs into one AnnotationDraft per run of rows of one article.

    A row that cannot be an annotation (unknown kind, no label, offsets that are not
    whole numbers) is a problem naming its line; the others go on.
    """
    uid, origin = "", ""
    spans: list[SpanDraft] = []
    origins: list[str] = []
    tags: list[TagDraft] = []
    links: list[tuple[str, _Link]] = []

    def group() -> Iterator[AnnotationDraft | ImportProblem]:
        relations = []
        for where, link in links:
            found = link.resolve(spans, where)
            if isinstance(found, str):
                yield ImportProblem(where, found)
            else:
                relations.append(found)
        yield AnnotationDraft(uid, origin, tuple(spans), tuple(tags), tuple(origins),
                              tuple(relations))  # fmt: skip

    for item in rows:
        if isinstance(item, ImportProblem):
            yield item
            continue
        where, row = item
        # Cells our CSV export guarded against formulas (a leading ') read back as they were;
        # a quote only where the guard is all that differs (see attach).
        row = {
            k: v if k == "quote" or not isinstance(v, str) else unguard_cell(v)
            for k, v in row.items()
        }
        found = _annotation(row)
        if isinstance(found, str):
            yield ImportProblem(where, found)
            continue
        row_uid = row["article_uid"].strip()
        if row_uid != uid and (spans or tags or links):
            yield from group()
            spans, origins, tags, links = [], [], [], []
        if not spans and not tags and not links:
            uid, origin = row_uid, where
        if isinstance(found, SpanDraft):
            spans.append(found)
            origins.append(where)
        elif isinstance(found, _Link):
            links.append((where, found))
        else:
            tags.append(found)
    if spans or tags or links:
        yield from group()


class _Link:
    """A relation row: its type and its ends as (label, start, end), found among the
    spans of its article's rows when the run of rows ends."""

    def __init__(self, row: dict[str, str], tag: TagDraft) -> None:
        self.tag = tag
        self.ends = [
            (row.get(f"{side}_label") or "", (row.get(f"{side}_start") or "").strip(),
             (row.get(f"{side}_end") or "").strip())
            for side in ("from", "to")
        ]  # fmt: skip

    def resolve(self, spans: list[SpanDraft], where: str) -> RelationDraft | str:
        """The relation between two of `spans` (the relation's annotator's first), or why
        it is none."""
        indexes = []
        for side, (label, start, end) in zip(("from", "to"), self.ends, strict=True):
            matching = [
                index
                for index, span in enumerate(spans)
                if (span.label, str(span.start), str(span.end)) == (label, start, end)
            ]
            mine = [i for i in matching if spans[i].annotator == self.tag.annotator]
            if not matching:
                return (
                    f"relation {self.tag.label!r}: its {side} span {label!r} at {start}..{end} "
                    "is no span row of this article; not added"
                )
            indexes.append((mine or matching)[0])
        return RelationDraft(
            self.tag.label,
            indexes[0],
            indexes[1],
            annotator=self.tag.annotator,
            note=self.tag.note,
            created_at=self.tag.created_at,
            updated_at=self.tag.updated_at,
            origin=where,
        )


def _annotation(row: dict[str, str]) -> SpanDraft | TagDraft | _Link | str:
    """One row as a span, a tag or a relation, or the reason it is none."""
    kind, label = row.get("kind", "").strip(), row.get("label", "")
    if not row.get("article_uid", "").strip():
        return "no article_uid"
    if not label.strip():
        return "no label"
    try:  # in UTC, as the store keeps them; a time that is not one refuses the row
        created_at = field_time(row.get("created_at"), "created_at")
        updated_at = field_time(row.get("updated_at"), "updated_at")
    except TimeError as error:
        return str(error)
    tag = TagDraft(
        label=label,
        note=row.get("note", ""),
        annotator=row.get("annotator") or None,
        created_at=created_at,
        updated_at=updated_at,
    )
    if kind == DOCUMENT:
        return tag
    if kind == RELATION:
        return _Link(row, tag)
    if kind != SPAN:
        return f"kind {kind!r} is not 'span', 'document' or 'relation'"
    start, end = row.get("start", "").strip(), row.get("end", "").strip()
    if not (start.isascii() and start.isdecimal() and end.isascii() and end.isdecimal()):
        return f"start and end must be whole numbers, got {start[:20]!r} and {end[:20]!r}"
    if len(start) > 15 or len(end) > 15:  # no text is that long; int() of 5,000 digits fails
        return f"start and end are too large for any text ({max(len(start), len(end)):,} digits)"
    return SpanDraft(
        int(start),
        int(end),
        label,
        annotator=tag.annotator,
        # A spreadsheet may save a line break inside a cell as CRLF; stored text has LF.
        quote=normalize_text(row["quote"]) if row.get("quote") else None,
        note=tag.note,
        created_at=tag.created_at,
        updated_at=tag.updated_at,
    )


def attach(found: AnnotationDraft, text: str) -> tuple[ArticleDraft, list[ImportProblem]]:
    """The draft that adds `found`'s annotations to the stored article with `text`, less the
    spans that do not fit it (each a problem: offsets outside it, a quote that is not the
    text there). Nothing is ever stored shifted."""
    problems: list[ImportProblem] = []
    spans: list[SpanDraft] = []
    kept: dict[int, int] = {}  # index in found.spans -> index in the draft's spans
    for index, span in enumerate(found.spans):
        origin = found.span_origins[index] if index < len(found.span_origins) else found.origin
        where = f"{span.label!r} at {span.start}..{span.end}"
        if span.start >= span.end:
            problems.append(ImportProblem(origin, f"span {where} is empty or reversed"))
        elif span.end > len(text):
            reason = f"span {where} is outside the article's text (length {len(text)})"
            problems.append(ImportProblem(origin, reason))
        elif span.quote is not None and text[span.start : span.end] not in (
            span.quote,
            unguard_cell(span.quote),
        ):
            reason = (
                f"span {where}: its quote {span.quote[:40]!r} is not the article's text there "
                f"({text[span.start : span.end][:40]!r})"
            )
            problems.append(ImportProblem(origin, reason))
        else:
            kept[index] = len(spans)
            spans.append(replace(span, quote=None))
    relations = []
    for relation in found.relations:
        if relation.from_index in kept and relation.to_index in kept:
            relations.append(
                replace(relation, from_index=kept[relation.from_index],
                        to_index=kept[relation.to_index])
            )  # fmt: skip
        else:
            reason = f"relation {relation.type!r}: one of its spans was not added; not added"
            problems.append(ImportProblem(relation.origin or found.origin, reason))
    draft = ArticleDraft(
        text=text,
        uid=found.uid,
        origin=found.origin,
        spans=tuple(spans),
        tags=found.tags,
        relations=tuple(relations),
    )
    return draft, problems
