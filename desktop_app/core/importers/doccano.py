"""Read doccano's JSONL shapes: spans as "label" triples or "entities", tags as a "label" list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_app.core.importers.native import AnnotationError
from desktop_app.core.model import SpanDraft, TagDraft

DOCCANO_KEYS = frozenset({"label", "entities", "relations"})


def is_doccano(record: Mapping[str, Any]) -> bool:
    """True when the record carries doccano annotations (and no native "spans")."""
    if isinstance(record.get("spans"), list):
        return False
    entities = record.get("entities")
    if isinstance(entities, list) and all(
        isinstance(e, dict) and "start_offset" in e for e in entities
    ):
        return True
    label = record.get("label")
    return isinstance(label, list) and all(
        isinstance(item, str) or (isinstance(item, list) and len(item) == 3) for item in label
    )


def read_doccano(
    record: Mapping[str, Any], text: str, *, changed: bool
) -> tuple[tuple[SpanDraft, ...], tuple[TagDraft, ...]]:
    """The record's spans and document tags; offsets are code points, as doccano counts them.

    Spans are refused when import had to normalise the text (CR line endings, a BOM), since
    their offsets were counted in the original. The caller reads relations against
    entity_ids().
    """
    spans: list[SpanDraft] = []
    tags: list[TagDraft] = []
    labels, entities = record.get("label"), record.get("entities")
    if labels is not None and not isinstance(labels, list):
        raise AnnotationError(f"'label' must be a list, got {type(labels).__name__}")
    if entities is not None and not (
        isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
    ):
        raise AnnotationError("'entities' must be a list of objects")
    for index, item in enumerate(labels or []):
        if isinstance(item, str):
            if not item.strip():
                raise AnnotationError(f"label {index}: empty document label")
            tags.append(TagDraft(label=item))
        elif isinstance(item, list) and len(item) == 3:
            start, end, label = item
            spans.append(_span(start, end, label, f"label {index}", text))
        else:
            raise AnnotationError(f"label {index}: expected [start, end, label] or a string")
    for index, entity in enumerate(entities or []):
        spans.append(
            _span(
                entity.get("start_offset"),
                entity.get("end_offset"),
                entity.get("label"),
                f"entity {entity.get('id', index)}",
                text,
            )
        )
    if spans and changed:
        raise AnnotationError(
            "text has CR line endings or a BOM, which import normalises, so doccano offsets "
            "would no longer match the text"
        )
    return tuple(spans), tuple(tags)


def entity_ids(record: Mapping[str, Any]) -> list[object]:
    """The id of each span read_doccano gives, in its order: a "label" triple has none, an
    entity its "id" (else its place among the entities), against which relations point."""
    labels, entities = record.get("label"), record.get("entities")
    triples = sum(1 for item in labels if isinstance(item, list)) if isinstance(labels, list) else 0
    listed = entities if isinstance(entities, list) else []
    ids: list[object] = [None] * triples
    return ids + [e.get("id", k) if isinstance(e, dict) else None for k, e in enumerate(listed)]


def _span(start: object, end: object, label: object, where: str, text: str) -> SpanDraft:
    if not isinstance(start, int) or isinstance(start, bool):
        raise AnnotationError(f"{where}: start must be an integer, got {start!r}")
    if not isinstance(end, int) or isinstance(end, bool):
        raise AnnotationError(f"{where}: end must be an integer, got {end!r}")
    if not isinstance(label, str) or not label.strip():
        raise AnnotationError(f"{where}: missing or empty label")
    if not 0 <= start < end <= len(text):
        raise AnnotationError(
            f"{where}: offsets {start}..{end} are not a non-empty range inside the text "
            f"(length {len(text)})"
        )
    return SpanDraft(start=start, end=end, label=label)
