"""What a sync client may rely on: each synced table's key, writer column and data columns.

Every synced table also has `deleted boolean` (a tombstone), `version bigint` (the counter
value of the transaction that last wrote the row, stamped by the server) and `changed_at
timestamptz` (server time); a client never sets those three. The server owns SQL for them in
sql/*.sql; tests/test_server_tables.py checks this description against a real server.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNEL = "marginalia_changes"  # NOTIFY channel; the payload is the committed version
SERVER_COLUMNS = ("deleted", "version", "changed_at")


@dataclass(frozen=True)
class SyncedTable:
    """One table of the team corpus as a client reads and writes it."""

    name: str  # in the `marginalia` schema
    key: tuple[str, ...]  # the primary key: what a push matches rows by
    writer: str  # whose the row is: RLS compares it with current_user (or the server sets it)
    columns: tuple[str, ...]  # everything else a client writes (besides the key and writer)
    adjudicators_only: bool = False  # the label schema and decisions: analysts only read them


# In the order a push writes them: what a row references is written before it.
SYNCED_TABLES: tuple[SyncedTable, ...] = (
    SyncedTable(
        "articles", ("uid",), "added_by",
        ("title", "source", "url", "published", "text", "text_sha256", "meta", "imported_at"),
    ),
    SyncedTable(
        "labels", ("name",), "changed_by",
        ("kind", "color", "key", "label_group", "description", "position"),
        adjudicators_only=True,
    ),
    SyncedTable(
        "relation_types", ("name",), "changed_by",
        ("color", "key", "directed", "from_labels", "to_labels", "description", "position"),
        adjudicators_only=True,
    ),
    SyncedTable("schema_settings", ("key",), "changed_by", ("value",), adjudicators_only=True),
    SyncedTable(
        "spans", ("uuid",), "annotator",
        ("article_uid", "label", "start", "end", "quote", "fragments", "note", "review_status",
         "created_at", "updated_at"),
    ),
    SyncedTable(
        "tags", ("uuid",), "annotator",
        ("article_uid", "label", "note", "created_at", "updated_at"),
    ),
    SyncedTable("statuses", ("article_uid", "annotator"), "annotator", ("status", "updated_at")),
    SyncedTable(
        "relations", ("uuid",), "annotator",
        ("article_uid", "type", "from_span", "to_span", "note", "created_at", "updated_at"),
    ),
    SyncedTable(
        "decisions", ("layer", "item_key"), "decided_by",
        ("article_uid", "kind", "decision", "source_uuid", "result_uuid", "created",
         "decided_at"),
        adjudicators_only=True,
    ),
)  # fmt: skip


def table(name: str) -> SyncedTable:
    """The synced table called `name` (KeyError if there is none)."""
    for candidate in SYNCED_TABLES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
