"""Turn one JSONL or CSV record (a dict) into an ArticleDraft, using a field mapping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core.importers.doccano import (
    DOCCANO_KEYS,
    entity_ids,
    is_doccano,
    read_doccano,
)
from desktop_app.core.importers.native import (
    NATIVE_KEYS,
    AnnotationError,
    is_native,
    read_annotations,
    read_suggestions,
)
from desktop_app.core.importers.relations import index_ids, read_relations
from desktop_app.core.model import (
    ArticleDraft,
    ImportProblem,
    RelationDraft,
    SpanDraft,
    SuggestionDraft,
    TagDraft,
)
from desktop_app.core.text import DecodedText, DecodeError, normalize_text


@dataclass(frozen=True)
class FieldMapping:
    """Which record field holds each article attribute (JSONL keys or CSV column names)."""

    text: str = "text"
    title: str = "title"
    date: str = "published"
    id: str = "uid"
    source: str = "source"
    url: str = "url"


DEFAULT_MAPPING = FieldMapping()

# When a mapped name is left at its default and absent, these common alternatives are tried.
# One article's text, as for a .txt file: larger is a data dump, not an article to read and mark.
MAX_TEXT_CHARS = 50 << 20

_ALTERNATIVES = {"published": "date", "uid": "id"}


def record_to_draft(
    record: Mapping[str, Any],
    mapping: FieldMapping,
    origin: str,
    file_meta: Mapping[str, Any] | None = None,
    doccano_only: bool = False,
) -> ArticleDraft | ImportProblem:
    """Build an article from one record, or say why the record cannot be imported.

    `file_meta` (such as a guessed encoding) is added to meta without overriding the record's.
    `doccano_only` (`--format doccano`) reads the record's annotations as doccano's whatever
    other fields it has.
    """
    keys = _resolve_keys(record, mapping)
    text_value = record.get(keys["text"])
    if text_value is None:
        available = ", ".join(repr(key) for key in record) or "none"
        return ImportProblem(origin, f"no {keys['text']!r} field (fields: {available})")
    if not isinstance(text_value, str):
        kind = type(text_value).__name__
        return ImportProblem(origin, f"field {keys['text']!r} is a {kind}, not a string")
    if not text_value.strip():
        return ImportProblem(origin, f"field {keys['text']!r} is empty")
    if len(text_value) > MAX_TEXT_CHARS:
        limit = MAX_TEXT_CHARS >> 20
        return ImportProblem(
            origin, f"field {keys['text']!r} is over the {limit} M characters limit"
        )
    text = normalize_text(text_value)
    # A "meta" object is the native export's own; any other "meta" value is an ordinary field.
    raw_meta = record.get("meta")
    meta: dict[str, Any] = dict(raw_meta) if isinstance(raw_meta, dict) else {}
    doccano = doccano_only or is_doccano(record)
    try:
        statuses: dict[str, str] = {}
        spans: tuple[SpanDraft, ...] = ()
        tags: tuple[TagDraft, ...] = ()
        suggestions: tuple[SuggestionDraft, ...] = ()
        if not doccano_only:
            spans, tags, statuses = read_annotations(record, text, changed=text != text_value)
            suggestions = read_suggestions(record, text, changed=text != text_value)
        if doccano:
            spans, tags = read_doccano(record, text, changed=text != text_value)
    except AnnotationError as exc:
        return ImportProblem(origin, str(exc))
    published, published_raw = parse_published(record.get(keys["date"]))
    used = set(keys.values()) | {key for key in NATIVE_KEYS if is_native(record, key)}
    relations: list[RelationDraft] = []
    problems: list[str] = []
    listed = record.get("relations")
    if isinstance(listed, list) and listed and (doccano or is_native(record, "spans")):
        # Relations whose ends are spans of this record become relations; the rest stay,
        # as written, in meta (each said in the report).
        ids = entity_ids(record) if doccano else [span.uuid for span in spans]
        relations, kept, problems = read_relations(listed, index_ids(ids))
        used.add("relations")
        if kept:
            meta["relations"] = kept
    if doccano:
        used |= DOCCANO_KEYS if not record.get("relations") else DOCCANO_KEYS - {"relations"}
        whose = record.get("annotator")
        if isinstance(whose, str) and whose.strip():
            # Our per-annotator export names the annotator in each record: its file name may
            # be cut or cleaned (a file system's limits), the record's name is whole.
            spans = tuple(s if s.annotator else replace(s, annotator=whose) for s in spans)
            tags = tuple(t if t.annotator else replace(t, annotator=whose) for t in tags)
            relations = [r if r.annotator else replace(r, annotator=whose) for r in relations]
            used.add("annotator")
    if isinstance(raw_meta, dict):
        used.add("meta")
    meta.update((key, value) for key, value in record.items() if key not in used)
    if published_raw is not None:
        meta["published_raw"] = published_raw
    for key, value in (file_meta or {}).items():
        meta.setdefault(key, value)
    uid = _as_str(record.get(keys["id"])).strip()
    if doccano and keys["id"] == "id" and mapping.id == DEFAULT_MAPPING.id:
        # doccano's "id" numbers examples within one doccano project (1, 2, 3…): as an
        # identity it would clash across files. The text hash identifies the article instead.
        uid = ""
        meta["doccano_id"] = record.get("id")
    return ArticleDraft(
        text=text,
        uid=uid or None,
        title=_as_str(record.get(keys["title"])).strip(),
        source=_as_str(record.get(keys["source"])).strip(),
        url=_as_str(record.get(keys["url"])).strip(),
        published=published,
        meta=meta,
        origin=origin,
        spans=spans,
        tags=tags,
        statuses=statuses,
        suggestions=suggestions,
        relations=tuple(relations),
        problems=tuple(problems),
    )


def parse_published(value: object) -> tuple[str | None, object | None]:
    """Return (YYYY-MM-DD, None) for an ISO date or datetime, else (None, the raw value)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if not isinstance(value, str):
        return None, value
    raw = value.strip()
    try:
        return dt.date.fromisoformat(raw).isoformat(), None
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(raw).date().isoformat(), None
    except ValueError:
        return None, value


def _resolve_keys(record: Mapping[str, Any], mapping: FieldMapping) -> dict[str, str]:
    """Map attribute -> record key, taking a default name's alternative when it is absent."""
    keys = {
        "text": mapping.text,
        "title": mapping.title,
        "date": mapping.date,
        "id": mapping.id,
        "source": mapping.source,
        "url": mapping.url,
    }
    for attribute, key in keys.items():
        alternative = _ALTERNATIVES.get(key)
        default = getattr(DEFAULT_MAPPING, attribute)
        if key == default and alternative and key not in record and alternative in record:
            keys[attribute] = alternative
    return keys


def _as_str(value: object) -> str:
    """A record value as text: None is empty, numbers are written out."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def unreadable(path: Path, exc: OSError | DecodeError) -> ImportProblem:
    """The problem for a file that cannot be opened or whose encoding cannot be found."""
    if isinstance(exc, OSError):
        return ImportProblem(str(path), f"cannot read: {exc.strerror or exc}")
    return ImportProblem(str(path), str(exc))


def encoding_meta(decoded: DecodedText) -> dict[str, Any]:
    """Meta recording a guessed encoding on each record; nothing when the file was UTF or BOM'd."""
    if not decoded.fallback:
        return {}
    return {"encoding": decoded.encoding, "encoding_fallback": True}
