"""Read and validate the spans, tags and statuses of Marginalia's own JSONL records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_app.core.fragments import FragmentError, Fragments, check_fragments
from desktop_app.core.model import Provenance, SpanDraft, Status, SuggestionDraft, TagDraft

NATIVE_KEYS = frozenset({"spans", "tags", "status", "suggestions"})
_STATUSES = frozenset(status.value for status in Status)


class AnnotationError(ValueError):
    """A native annotation that cannot be imported; the message names it and says why."""


def read_annotations(
    record: Mapping[str, Any], text: str, *, changed: bool
) -> tuple[tuple[SpanDraft, ...], tuple[TagDraft, ...], dict[str, str]]:
    """Return the record's native spans, tags and statuses, validated against `text`.

    `changed` says normalisation altered the text (CR line endings or a BOM): offsets written
    against the original would point at the wrong characters, so spans are refused then.
    """
    span_items = _native_list(record, "spans")
    tag_items = _native_list(record, "tags")
    if span_items and changed:
        raise AnnotationError(
            "text has CR line endings or a BOM, which import normalises, so span offsets "
            "would no longer match the text"
        )
    spans = tuple(_read_span(item, index, text) for index, item in enumerate(span_items))
    tags = tuple(_read_tag(item, index) for index, item in enumerate(tag_items))
    return spans, tags, _read_statuses(record.get("status"))


def is_native(record: Mapping[str, Any], key: str) -> bool:
    """True when `record[key]` has the native shape and so is read as annotations, not meta."""
    value = record.get(key)
    if key == "status":
        return isinstance(value, dict)
    if key == "suggestions":  # ours carry offsets and a source; another tool's stay in meta
        return isinstance(value, list) and all(
            isinstance(v, dict) and {"start", "end", "source"} <= v.keys() for v in value
        )
    # Other tools write e.g. "tags": ["politics"]; only lists of objects are Marginalia's own.
    return isinstance(value, list) and (not value or any(isinstance(v, dict) for v in value))


def _native_list(record: Mapping[str, Any], key: str) -> list[Any]:
    """The record's native annotation list under `key`, or an empty list."""
    return list(record[key]) if is_native(record, key) else []


def _checked_range(item: Mapping[str, Any], where: str, text: str) -> tuple[int, int, str | None]:
    """A native span's or suggestion's offsets: a non-empty range inside the text, and its
    quote (when given) equal to that slice."""
    start = _int_field(item, "start", where)
    end = _int_field(item, "end", where)
    if not 0 <= start < end <= len(text):
        raise AnnotationError(
            f"{where}: offsets {start}..{end} are not a non-empty range inside the text "
            f"(length {len(text)})"
        )
    quote = _optional_str(item, "quote", where)
    if quote is not None and quote != text[start:end]:
        raise AnnotationError(
            f"{where}: quote {_short(quote)!r} does not match the text at {start}..{end} "
            f"({_short(text[start:end])!r})"
        )
    return start, end, quote


def _read_span(item: object, index: int, text: str) -> SpanDraft:
    """Validate one native span: types, offsets inside the text, quote equal to the slice."""
    where = f"span {index}"
    if not isinstance(item, dict):
        raise AnnotationError(f"{where}: not an object")
    start, end, quote = _checked_range(item, where, text)
    return SpanDraft(
        start=start,
        end=end,
        fragments=_fragments(item, start, end, where),
        label=_label(item, where),
        uuid=_optional_str(item, "uuid", where),
        annotator=_optional_str(item, "annotator", where),
        quote=quote,
        note=_optional_str(item, "note", where) or "",
        created_at=_optional_str(item, "created_at", where),
        updated_at=_optional_str(item, "updated_at", where),
        provenance=_provenance(item.get("provenance"), where),
    )


def read_suggestions(
    record: Mapping[str, Any], text: str, *, changed: bool
) -> tuple[SuggestionDraft, ...]:
    """The record's suggestions (a native export made with --with-suggestions), checked.

    They stay suggestions on import: only a person's accepting makes one a span.
    """
    items = _native_list(record, "suggestions")
    if items and changed:
        raise AnnotationError(
            "text has CR line endings or a BOM, which import normalises, so suggestion "
            "offsets would no longer match the text"
        )
    return tuple(_read_suggestion(item, index, text) for index, item in enumerate(items))


def _read_suggestion(item: object, index: int, text: str) -> SuggestionDraft:
    where = f"suggestion {index}"
    if not isinstance(item, dict):
        raise AnnotationError(f"{where}: not an object")
    start, end, _quote = _checked_range(item, where, text)
    source = _optional_str(item, "source", where)
    if not source:
        raise AnnotationError(f"{where}: missing or empty 'source'")
    return SuggestionDraft(
        start=start,
        end=end,
        label=_label(item, where),
        source=source,
        score=_score(item.get("score", 1.0), where),
        explanation=_optional_str(item, "explanation", where) or "",
        uuid=_optional_str(item, "uuid", where),
        created_at=_optional_str(item, "created_at", where),
    )


def _score(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise AnnotationError(f"{where}: score {value!r} is not a number from 0 to 1")
    return float(value)


def _provenance(value: object, where: str) -> Provenance | None:
    """A span's provenance object (the suggestion it was accepted from), when it has one."""
    if value is None:
        return None
    where = f"{where}: provenance"
    if not isinstance(value, dict):
        raise AnnotationError(f"{where}: not an object")
    source = _optional_str(value, "source", where)
    if not source:
        raise AnnotationError(f"{where}: missing or empty 'source'")
    score = value.get("score")
    return Provenance(
        source=source,
        suggestion=_optional_str(value, "suggestion", where) or "",
        score=None if score is None else _score(score, where),
        explanation=_optional_str(value, "explanation", where) or "",
        accepted_at=_optional_str(value, "accepted_at", where) or "",
    )


def _fragments(item: Mapping[str, Any], start: int, end: int, where: str) -> Fragments:
    """A discontinuous span's checked pieces, or () when it has none."""
    value = item.get("fragments")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(p, list) for p in value):
        raise AnnotationError(f"{where}: 'fragments' must be a list of [start, end] pairs")
    try:
        return check_fragments(value, start, end)
    except FragmentError as error:
        raise AnnotationError(f"{where}: {error}") from None


def _read_tag(item: object, index: int) -> TagDraft:
    """Validate one native document tag."""
    where = f"tag {index}"
    if not isinstance(item, dict):
        raise AnnotationError(f"{where}: not an object")
    return TagDraft(
        label=_label(item, where),
        uuid=_optional_str(item, "uuid", where),
        annotator=_optional_str(item, "annotator", where),
        note=_optional_str(item, "note", where) or "",
        created_at=_optional_str(item, "created_at", where),
        updated_at=_optional_str(item, "updated_at", where),
    )


def _read_statuses(value: object) -> dict[str, str]:
    """Validate the {annotator: status} object, when there is one."""
    if not isinstance(value, dict):
        return {}
    statuses: dict[str, str] = {}
    for annotator, status in value.items():
        if not annotator.strip():
            raise AnnotationError("status: empty annotator name")
        if status not in _STATUSES:
            allowed = ", ".join(sorted(_STATUSES))
            raise AnnotationError(f"status of {annotator!r}: {status!r} is not one of {allowed}")
        statuses[annotator] = status
    return statuses


def _int_field(item: Mapping[str, Any], key: str, where: str) -> int:
    """A required integer field; bool is refused although Python counts it as an int."""
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise AnnotationError(f"{where}: {key!r} must be an integer, got {value!r}")
    return value


def _optional_str(item: Mapping[str, Any], key: str, where: str) -> str | None:
    """An optional string field: missing or null gives None."""
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise AnnotationError(f"{where}: {key!r} must be a string, got {value!r}")
    return value


def _label(item: Mapping[str, Any], where: str) -> str:
    """The required, non-empty label of a span or tag."""
    label = _optional_str(item, "label", where)
    if not label or not label.strip():
        raise AnnotationError(f"{where}: missing or empty 'label'")
    return label


def _short(value: str, limit: int = 60) -> str:
    """Shorten a quote for a report line."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
