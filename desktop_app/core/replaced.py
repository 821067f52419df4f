"""Versions a sync or a merge replaced, and how to say them in words (the History view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a sync writes in the reason (core/store/sync_state.py); the merge writes the others.
SYNC_REASONS = ("lost a sync conflict", "replaced by sync", "refused")

KINDS = {
    "spans": "Span",
    "tags": "Document tag",
    "relations": "Relation",
    "statuses": "Status",
    "labels": "Label",
    "relation_types": "Relation type",
    "schema_settings": "Schema setting",
    "decisions": "Review decision",
    "articles": "Article details",
}

# Why, at length: whose version this was, and what took its place.
EXPLAINED = {
    "lost a sync conflict": "The team server's version, which lost a sync conflict: this "
    "project's edit of the same row was newer, so it stayed and was sent to the server.",
    "replaced by sync": "This project's version, replaced by the team server's in a sync "
    "(the server's edit was newer, or reached the server first).",
    "refused": "This project's change, which the team server refused (someone else's row, or "
    "the label schema, which adjudicators write); the server's version was taken instead.",
    "replaced by merge": "This project's version, replaced by a newer edit in a merged file "
    "(File > Merge).",
    "lost a merge conflict": "A merged file's version, which lost a conflict: this project's "
    "edit of the same annotation was newer, so it stayed.",
    "refused by merge": "A merged file's version that this project could not take (a second "
    "live tag, a label of another kind, a relation whose ends do not fit); this project's stayed.",
    "same tag": "A merged file had the same tag with another note; this project's tag stayed "
    "and the other note is kept here.",
}

_LONG = 200  # an article's text in the details: its start only (the count says how long)


@dataclass(frozen=True)
class ReplacedVersion:
    """One version a sync or a merge replaced, kept whole: its fields named as the team
    server's columns (a merge's loser: uuid, label or type, note, deleted, updated_at and a
    relation's ends), the table it belongs to, and why and when it was replaced."""

    table: str  # the server's table name: spans, tags, relations, statuses, labels, ...
    key: str  # the row's key (composite keys joined by " / ")
    article_uid: str  # "" for the label schema
    article_title: str
    annotator: str  # whose version it was ("" when unknown)
    row: dict[str, Any]
    reason: str
    replaced_at: str  # UTC, ISO 8601
    # The quotes of the spans it names (itself, a relation's ends), as they read now.
    quotes: dict[str, str] = field(default_factory=dict)

    @property
    def by_sync(self) -> bool:
        """Whether a sync replaced it (else a merge)."""
        return self.reason in SYNC_REASONS


def kind(entry: ReplacedVersion) -> str:
    """What sort of thing it is, in words ("Span", "Status", ...)."""
    return KINDS.get(entry.table, entry.table)


def why(entry: ReplacedVersion) -> str:
    """The reason, as shown in the list ("Lost a sync conflict")."""
    return entry.reason[:1].upper() + entry.reason[1:]


def explained(entry: ReplacedVersion) -> str:
    """The reason at length: whose version it was and what took its place."""
    return EXPLAINED.get(entry.reason, why(entry) + ".")


def _quote(entry: ReplacedVersion, uuid: object) -> str:
    found = entry.quotes.get(str(uuid))
    return _cited(found) if found is not None else "(a span no longer here)"


def _cited(quote: str) -> str:
    return f"«{_short(quote, 40)}»"


def _short(text: str, most: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "…"


def what_it_was(entry: ReplacedVersion) -> str:
    """The replaced version in a few words: its label, status, type or value, its note, and
    whether it was a deletion."""
    row, table = entry.row, entry.table
    if table in ("spans", "tags"):
        said = str(row.get("label", ""))
        if table == "spans":
            kept = row.get("quote")  # a merge's loser keeps none: the span's own, as it reads
            said += " " + (_quote(entry, row.get("uuid")) if kept is None else _cited(str(kept)))
        else:
            said += " (document tag)"
    elif table == "relations":
        ends = f"{_quote(entry, row.get('from_span'))} → {_quote(entry, row.get('to_span'))}"
        said = f"{row.get('type', '')}: {ends}"
    elif table == "statuses":
        said = f"status “{row.get('status', '')}”"
    elif table == "labels":
        said = f"{row.get('name', '')}"
        if not row.get("deleted"):
            key = row.get("key") or "none"
            said += f" ({row.get('kind', '')} label, colour {row.get('color', '')}, key {key})"
    elif table == "relation_types":
        said = f"{row.get('name', '')}"
        if not row.get("deleted"):
            way = "directed" if row.get("directed") else "undirected"
            said += f" ({way}, colour {row.get('color', '')})"
    elif table == "schema_settings":
        said = f"{row.get('key', '')} = “{row.get('value', '')}”"
    elif table == "decisions":
        said = f"{row.get('decision', '')} ({row.get('kind', '')} item {row.get('item_key', '')})"
    elif table == "articles":
        said = f"“{_short(str(row.get('title', '')), 60)}”, source {row.get('source') or 'none'}"
    else:
        said = entry.key
    note = row.get("note")
    if note:
        said += f", note “{_short(str(note), 60)}”"
    if row.get("deleted"):
        said = f"deleted: {said}"
    return said


def details(entry: ReplacedVersion, when: str = "") -> str:
    """Everything kept of the version, one field a line, after what, whose, why and when
    (`when`: the time as the reader reads it, else as stored); plain text, as the details
    pane shows it and Copy puts it on the clipboard."""
    lines = [
        f"{kind(entry)} {entry.key}",
        f"Was: {what_it_was(entry)}",
        f"Whose: {entry.annotator or 'not recorded'}",
        f"Replaced: {when or entry.replaced_at} by {'a sync' if entry.by_sync else 'a merge'}",
        f"Why: {explained(entry)}",
    ]
    if entry.article_uid:
        title = f"“{entry.article_title}” " if entry.article_title else ""
        lines.append(f"Article: {title}({entry.article_uid})")
    lines += ["", "The replaced version, field by field:"]
    for name, value in entry.row.items():
        if name == "text" and isinstance(value, str) and len(value) > _LONG:
            value = f"{value[:_LONG]}… ({len(value):,} characters)"
        lines.append(f"  {name}: {value!r}" if isinstance(value, str) else f"  {name}: {value}")
    return "\n".join(lines)
