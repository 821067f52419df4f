"""Relations of one imported record, by the ids its format gives its spans (shared by readers).

Each format names a relation's ends by its own ids (span uuids in our JSONL, entity ids in
doccano, region ids in Label Studio, T ids in brat). A relation becomes a RelationDraft
whose ends index the draft's spans only when both ids name a span the reader took; any
other entry is kept as written (the caller keeps those in the article's metadata) with a
reason for the import report, so nothing is attached to a wrong span or lost unsaid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from desktop_app.core.model import RelationDraft

# Which keys name the ends, first found wins: doccano writes from_id/to_id, we from/to.
FROM_KEYS, TO_KEYS = ("from", "from_id"), ("to", "to_id")


def _end(item: Mapping[str, Any], keys: Sequence[str]) -> object:
    return next((item[key] for key in keys if key in item), None)


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) else None


def _key(value: object) -> object:
    """An id as a dict key: 3 and "3" are different ids, True is not 1."""
    return (type(value).__name__, value) if not isinstance(value, list | dict) else None


def index_ids(ids: Sequence[object]) -> dict[object, int]:
    """{id as _key: position} for each span's id in the format (later duplicates ignored)."""
    found: dict[object, int] = {}
    for position, ident in enumerate(ids):
        key = _key(ident)
        if ident is not None and key is not None:
            found.setdefault(key, position)
    return found


def read_relations(
    items: object, ids: Mapping[object, int], what: str = "relation"
) -> tuple[list[RelationDraft], list[Any], list[str]]:
    """(relations, entries kept as written, reasons) for a record's list of relations.

    `ids` is index_ids() of the record's spans. An entry is an object with a `type` (or
    `label`) and two ends; `annotator`, `note`, `uuid`, `created_at` and `updated_at` are
    taken when they are strings, `directed: false` makes a new type undirected.
    """
    relations: list[RelationDraft] = []
    kept: list[Any] = []
    reasons: list[str] = []
    if not isinstance(items, list):
        return relations, kept, reasons
    for number, item in enumerate(items):
        name = f"{what} {item.get('id', number) if isinstance(item, dict) else number}"
        found = _relation(item, ids)
        if isinstance(found, str):
            kept.append(item)
            reasons.append(f"{name}: {found}; kept in the article's metadata")
        else:
            relations.append(found)
    return relations, kept, reasons


def _relation(item: object, ids: Mapping[object, int]) -> RelationDraft | str:
    if not isinstance(item, dict):
        return "not an object"
    kind = _text(item, "type") or _text(item, "label")
    if not kind or not kind.strip():
        return "no type"
    ends = []
    for side, keys in (("from", FROM_KEYS), ("to", TO_KEYS)):
        ident = _end(item, keys)
        index = ids.get(_key(ident)) if ident is not None else None
        if index is None:
            return f"its {side} end {ident!r} is no span of this record"
        ends.append(index)
    if ends[0] == ends[1]:
        return "it links a span to itself"
    return RelationDraft(
        type=kind,
        from_index=ends[0],
        to_index=ends[1],
        annotator=_text(item, "annotator") or None,
        note=_text(item, "note") or "",
        uuid=_text(item, "uuid") or None,
        created_at=_text(item, "created_at"),
        updated_at=_text(item, "updated_at"),
        directed=item.get("directed") is not False,
    )
