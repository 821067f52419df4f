"""What a team-server sync keeps in the project, and how pulled rows are applied (one transaction).

Rows travel as dicts named like the server's columns (core/sync/server_tables.py): the client
speaks PostgreSQL, this mixin speaks SQLite; neither knows the other's SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.core.migrations import SCHEMA_SETTINGS
from desktop_app.core.model import DOCUMENT, SPAN
from desktop_app.core.plural import counted
from desktop_app.core.store.article_deletes import BY_ARTICLE
from desktop_app.core.store.base import StoreError, _serialized, now
from desktop_app.core.store.merge import MergeMixin, _Version
from desktop_app.core.store.merge_relations import _RelationVersion
from desktop_app.core.store.sync_bulk import BULK_TABLES, BulkPullMixin, Pulled
from desktop_app.core.sync.report import Applied, SyncConflict, SyncHistoryEntry
from desktop_app.core.times import comparable_time

Row = dict[str, Any]
SEP = "\x1f"  # joins the parts of a composite key (as the migration's triggers do)

# Per synced table: the local SELECT giving the server's fields in order (r: the local row,
# a: its article), the local expressions of the key's parts, and the server's field names.
_LOCAL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "articles": (
        "SELECT r.uid, r.title, r.source, r.url, r.published, r.text, r.text_sha256, r.meta, "
        "r.imported_at, 0 FROM articles r",
        ("r.uid",),
        ("uid", "title", "source", "url", "published", "text", "text_sha256", "meta",
         "imported_at", "deleted"),
    ),
    "labels": (
        "SELECT r.name, r.kind, r.color, r.key, r.label_group, r.description, r.position, 0 "
        "FROM labels r",
        ("r.name",),
        ("name", "kind", "color", "key", "label_group", "description", "position", "deleted"),
    ),
    "relation_types": (
        "SELECT r.name, r.color, r.key, r.directed, r.from_labels, r.to_labels, r.description, "
        "r.position, 0 FROM relation_types r",
        ("r.name",),
        ("name", "color", "key", "directed", "from_labels", "to_labels", "description",
         "position", "deleted"),
    ),
    # The label schema's other settings: a few keys of the project table (the rest, such as
    # whether the samples were loaded, are this project's own business).
    "schema_settings": (
        "SELECT r.key, r.value, 0 FROM (SELECT key, value FROM project WHERE key IN "
        f"({', '.join(repr(k) for k in SCHEMA_SETTINGS)})) r",
        ("r.key",),
        ("key", "value", "deleted"),
    ),
    "spans": (
        'SELECT r.uuid, r.annotator, a.uid, r.label, r.start, r."end", r.quote, r.fragments, '
        "r.note, r.review_status, r.created_at, r.updated_at, r.deleted "
        "FROM spans r JOIN articles a ON a.id = r.article",
        ("r.uuid",),
        ("uuid", "annotator", "article_uid", "label", "start", "end", "quote", "fragments",
         "note", "review_status", "created_at", "updated_at", "deleted"),
    ),
    "tags": (
        "SELECT r.uuid, r.annotator, a.uid, r.label, r.note, r.created_at, r.updated_at, "
        "r.deleted FROM document_tags r JOIN articles a ON a.id = r.article",
        ("r.uuid",),
        ("uuid", "annotator", "article_uid", "label", "note", "created_at", "updated_at",
         "deleted"),
    ),
    "statuses": (
        "SELECT a.uid, r.annotator, r.status, r.updated_at, 0 "
        "FROM article_status r JOIN articles a ON a.id = r.article",
        ("a.uid", "r.annotator"),
        ("article_uid", "annotator", "status", "updated_at", "deleted"),
    ),
    "relations": (
        "SELECT r.uuid, r.annotator, a.uid, r.type, r.from_span, r.to_span, r.note, "
        "r.created_at, r.updated_at, r.deleted "
        "FROM relations r JOIN articles a ON a.id = r.article",
        ("r.uuid",),
        ("uuid", "annotator", "article_uid", "type", "from_span", "to_span", "note",
         "created_at", "updated_at", "deleted"),
    ),
    "decisions": (
        "SELECT r.layer, r.item_key, a.uid, r.kind, r.decision, r.source_uuid, r.result_uuid, "
        "r.created, r.decided_at, 0 FROM adjudications r JOIN articles a ON a.id = r.article",
        ("r.layer", "r.item_key"),
        ("layer", "item_key", "article_uid", "kind", "decision", "source_uuid", "result_uuid",
         "created", "decided_at", "deleted"),
    ),
}  # fmt: skip
TRACKED = tuple(_LOCAL)  # the synced tables this project tracks
KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("uid",),
    "labels": ("name",),
    "relation_types": ("name",),
    "schema_settings": ("key",),
    "spans": ("uuid",),
    "tags": ("uuid",),
    "statuses": ("article_uid", "annotator"),
    "relations": ("uuid",),
    "decisions": ("layer", "item_key"),
}
_BOOLS = {"deleted", "directed", "created"}
_INTS = {"start", "end", "position"}
_TIME = {"spans": "updated_at", "tags": "updated_at", "statuses": "updated_at",
         "relations": "updated_at", "decisions": "decided_at"}  # fmt: skip
_HISTORY = {"spans": SPAN, "tags": DOCUMENT}  # also kept in annotation_history (and relations)
_ADJUDICATORS = {"labels", "relation_types", "schema_settings", "decisions"}  # theirs to write
_SCHEMA = ("labels", "relation_types", "schema_settings")  # the label schema, as a server holds it
# Rows that hang on an article, with the local SQL of their sync keys (:id the article's id,
# :uid its uid): what counts as unpushed work on an article the server deleted.
_ON_ARTICLE = {
    "spans": "SELECT uuid FROM spans WHERE article = :id AND deleted = 0",
    "tags": "SELECT uuid FROM document_tags WHERE article = :id AND deleted = 0",
    "relations": "SELECT uuid FROM relations WHERE article = :id AND deleted = 0",
    "statuses": "SELECT :uid || char(31) || annotator FROM article_status WHERE article = :id",
    "decisions": "SELECT layer || char(31) || item_key FROM adjudications WHERE article = :id",
}
# The version of a row a full sync marked for comparison that had no edit here (dirty 1):
# pushed as new like NULL, but not unpushed work (an edit after the mark makes it dirty 2).
FULL_SYNC_MARK = -1
BULK_FROM = 1  # pulled rows of a table from which the set-based way runs (tests set it high)


def fields(table: str) -> tuple[str, ...]:
    """The server's field names a synced row carries, in order (ends with `deleted`)."""
    return _LOCAL[table][2]


def row_key(table: str, row: Mapping[str, Any]) -> str:
    """The row's key as sync_rows holds it."""
    return SEP.join(str(row[name]) for name in KEYS[table])


def normalized(table: str, row: Mapping[str, Any]) -> Row:
    """The row's fields with one type each (booleans and integers), whichever side it came from."""
    out: Row = {}
    for name in fields(table):
        value = row.get(name)
        if name in _BOOLS:
            value = bool(value)
        elif name in _INTS and value is not None:
            value = int(value)
        out[name] = value
    return out


def describe(row: Mapping[str, Any] | None) -> str:
    """A row in words for a conflict report (its editable fields)."""
    if row is None:
        return "absent"
    skip = {"text", "quote", "created_at"}
    return ", ".join(f"{k}={v!r}" for k, v in row.items() if k not in skip)


@dataclass(frozen=True)
class DirtyRow:
    """A row with unpushed local changes: its key, the server version last seen, the dirty
    count when read (a write after that keeps it dirty) and its local state (None: gone)."""

    key: str
    version: int | None
    dirty: int
    row: Row | None


@dataclass(frozen=True)
class SyncSettings:
    """The project's sync state: the server (no password), its identity, the cursor."""

    url: str
    identity: str
    cursor: int
    pending: int  # rows with unpushed local changes
    last_sync: str  # when the last sync finished ("" never)


class SyncStateMixin(BulkPullMixin, MergeMixin):
    """Sync tracking (migration 16) and applying a server's rows through the merge rules."""

    # ----------------------------------------------------------------- state

    @_serialized
    def sync_settings(self) -> SyncSettings:
        """The project's sync state (url "" when it never synced)."""
        state = dict(self.db.conn.execute("SELECT key, value FROM sync_state").fetchall())
        pending = self._one("SELECT count(*) FROM sync_rows WHERE dirty > 0")
        return SyncSettings(
            url=str(state.get("url", "")),
            identity=str(state.get("identity", "")),
            cursor=int(state.get("cursor", 0)),
            pending=int(pending or 0),
            last_sync=str(state.get("last_sync", "")),
        )

    @_serialized
    def set_sync_url(self, url: str) -> None:
        """Remember the server's address (the caller has taken any password out of it)."""
        with self.db.atomic():
            self._set_state("url", url)

    @_serialized
    def begin_full_sync(self, identity: str) -> None:
        """Another server (or a first sync): every local row is to be compared and pushed.

        Versions seen on another server mean nothing here, so they are forgotten, the cursor
        goes back to 0 and every row is marked; the pull then clears the rows the server has
        as they are. One transaction with storing the identity: killed, it starts over.
        """
        with self.db.atomic():
            # A row with no edit here (clean, or only marked by an earlier full sync that did
            # not finish) gets FULL_SYNC_MARK and dirty 1, not NULL: it is to be compared, not
            # an edit the server lacks (an article the server deleted is not kept for it).
            mark = FULL_SYNC_MARK
            self.db.execute(
                "UPDATE sync_rows SET version = CASE WHEN dirty = 0 OR (version = ? AND dirty = 1) "
                "THEN ? END",
                (mark, mark),
            )
            for table, (select, parts, _) in _LOCAL.items():
                key = " || char(31) || ".join(parts)
                tail = select[select.index(" FROM ") :]  # the rows, by their key parts
                self.db.execute(
                    f"INSERT INTO sync_rows (tbl, key, version, dirty) "
                    f"SELECT '{table}', {key}, NULL, 1 {tail} WHERE true ON CONFLICT (tbl, key) "
                    f"DO UPDATE SET dirty = CASE WHEN version = {mark} THEN 1 ELSE dirty + 1 END"
                )
            self._set_state("identity", identity)
            self._set_state("cursor", "0")

    def _set_state(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @_serialized
    def finish_sync(self, when: str) -> None:
        """Note when a sync finished (for the window's indicator)."""
        with self.db.atomic():
            self._set_state("last_sync", when)

    # ----------------------------------------------------------------- local rows

    def _local(self, table: str, key: str) -> Row | None:
        select, parts, names = _LOCAL[table]
        where = " AND ".join(f"{part} = ?" for part in parts)
        found = self.db.conn.execute(f"{select} WHERE {where}", key.split(SEP)).fetchone()
        return None if found is None else normalized(table, dict(zip(names, found, strict=True)))

    @_serialized
    def sync_row(self, table: str, key: str) -> Row | None:
        """The local state of one synced row, as the server would hold it (None: not here)."""
        return self._local(table, key)

    @_serialized
    def dirty_rows(self, table: str, limit: int = 1000) -> list[DirtyRow]:
        """Up to `limit` rows of `table` with unpushed local changes."""
        marks = self.db.conn.execute(
            "SELECT key, version, dirty FROM sync_rows WHERE tbl = ? AND dirty > 0 "
            "ORDER BY key LIMIT ?",
            (table, limit),
        ).fetchall()
        return [
            DirtyRow(k, None if v == FULL_SYNC_MARK else v, d, self._local(table, k))
            for k, v, d in marks
        ]

    @_serialized
    def mark_pushed(self, table: str, done: Sequence[tuple[str, int | None, int]]) -> None:
        """The server took these rows (key, its new version, the dirty count pushed): clean
        unless written again since; a row that is gone here (version None) is forgotten."""
        with self.db.atomic():
            for key, version, dirty in done:
                if version is None:
                    self.db.execute(
                        "DELETE FROM sync_rows WHERE tbl = ? AND key = ? AND dirty = ?",
                        (table, key, dirty),
                    )
                    continue
                self.db.execute(
                    "UPDATE sync_rows SET version = ?, "
                    "dirty = CASE WHEN dirty = ? THEN 0 ELSE dirty END WHERE tbl = ? AND key = ?",
                    (version, dirty, table, key),
                )

    @_serialized
    def forget_version(self, table: str, key: str) -> None:
        """The server has no such row after all: push it as new."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE sync_rows SET version = NULL WHERE tbl = ? AND key = ?", (table, key)
            )

    # ----------------------------------------------------------------- applying

    @contextmanager
    def _applying(self) -> Iterator[None]:
        """One transaction in which the sync's own writes mark nothing dirty."""
        with self.db.atomic():
            self._set_state("applying", "1")
            yield
            self.db.execute("DELETE FROM sync_state WHERE key = 'applying'")

    @_serialized
    def apply_pulled(
        self,
        rows: Mapping[str, Sequence[Mapping[str, Any]]],
        me: str,
        cursor: int | None = None,
        overwrite: bool = False,
        schema_writer: bool = True,
    ) -> Applied:
        """Apply server rows (each with its `version`) in push order, in ONE transaction that
        also moves the cursor: killed midway, nothing is applied and the cursor stays.

        A row clean here is overwritten; a dirty one is merged: the same content is just
        clean; otherwise the newer edit wins (the server's when there is no time to compare),
        the loser goes to annotation_history and a conflict is reported. `overwrite` takes
        the server's version even over a dirty row (a change the server refused); without
        `schema_writer` (an analyst) the server's label schema and decisions simply win.
        Rows new here or clean here are written set-based (store/sync_bulk.py); the dirty
        ones and anything unusual take the per-row path, in the order pulled.
        """
        applied = Applied()
        with self._applying():
            for table in _LOCAL:
                batch = rows.get(table, ())
                quiet = overwrite or (not schema_writer and table in _ADJUDICATORS)
                if batch and not overwrite and table in BULK_TABLES and len(batch) >= BULK_FROM:
                    # Rows new or clean here set-based; the rest as below, in pulled order.
                    written, left = self._apply_set_based(
                        table, self._pulled_rows(table, batch), me
                    )
                    applied.pulled += written
                    batch = [item.raw for item in left]
                for server in batch:
                    self._apply_one(table, server, me, applied, quiet)
            if cursor is not None:
                self._set_state("cursor", str(cursor))
        return applied

    def _pulled_rows(self, table: str, batch: Sequence[Mapping[str, Any]]) -> list[Pulled]:
        """The pulled rows with their local marks and rows, read with one query each."""
        servers = [normalized(table, row) for row in batch]
        keys = [row_key(table, server) for server in servers]
        listed = json.dumps(keys)
        marks = dict(
            self.db.conn.execute(
                "SELECT key, dirty FROM sync_rows WHERE tbl = ? "
                "AND key IN (SELECT value FROM json_each(?))",
                (table, listed),
            ).fetchall()
        )
        select, parts, names = _LOCAL[table]
        # By the key's first part (an index each); a composite key's rows are then picked.
        firsts = json.dumps(sorted({str(server[KEYS[table][0]]) for server in servers}))
        found = self.db.conn.execute(
            f"{select} WHERE {parts[0]} IN (SELECT value FROM json_each(?))", (firsts,)
        )
        wanted = set(keys)
        local: dict[str, Row] = {}
        for values in found:
            row = normalized(table, dict(zip(names, values, strict=True)))
            key = row_key(table, row)
            if key in wanted:
                local[key] = row
        return [
            Pulled(key, server, int(raw["version"]), bool(marks.get(key)), local.get(key), raw)
            for key, server, raw in zip(keys, servers, batch, strict=True)
        ]  # fmt: skip

    def _mark(self, table: str, key: str, version: int | None, dirty: int | None) -> None:
        """Set a row's version; dirty None leaves the count as it is."""
        if dirty is None:
            self.db.execute(
                "INSERT INTO sync_rows (tbl, key, version, dirty) VALUES (?, ?, ?, 0) "
                "ON CONFLICT (tbl, key) DO UPDATE SET version = excluded.version",
                (table, key, version),
            )
        else:
            self.db.execute(
                "INSERT INTO sync_rows (tbl, key, version, dirty) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tbl, key) DO UPDATE SET version = excluded.version, "
                "dirty = excluded.dirty",
                (table, key, version, dirty),
            )

    def _apply_one(
        self, table: str, server_row: Mapping[str, Any], me: str, out: Applied, overwrite: bool
    ) -> None:
        server = normalized(table, server_row)
        version = int(server_row["version"])
        key = row_key(table, server)
        mark = self.db.conn.execute(
            "SELECT dirty, version FROM sync_rows WHERE tbl = ? AND key = ?", (table, key)
        ).fetchone()
        dirty = bool(mark and mark[0])
        seen = mark is not None and mark[1] == version  # this very version was judged here
        local = self._local(table, key)
        if local == server:
            self._mark(table, key, version, 0)
            return
        if table == "articles" and not overwrite and (server["deleted"] or self._gone_here(key)):
            # An article deleted there (we delete ours, unless we have work on it) or here
            # (not pushed yet, or removed from this project only): no merge, no conflict.
            problem = self._drop_article(server, local) if server["deleted"] else ""
            if problem:
                out.problems.append(f"articles {key}: {problem}")
            # Deleted here and not pushed: it stays to push (an adjudicator's tombstone).
            pending = dirty and local is None and not server["deleted"]
            self._mark(table, key, version, None if pending else 0)
            return
        if dirty and local is not None and not overwrite:
            time = _TIME.get(table)
            ours_newer = time is not None and comparable_time(local[time]) > comparable_time(
                server[time]
            )
            shown = key.replace(SEP, " / ")
            if ours_newer:
                # A pull stopped after its chunk committed brings the same version again:
                # it lost already and is in the history once (a second copy would be noise).
                if not seen:
                    out.conflicts.append(
                        SyncConflict(table, shown, "ours", describe(local), describe(server))
                    )
                    self._history(table, server, "lost a sync conflict", "")
                self._mark(table, key, version, None)  # still dirty: pushed over this version
                out.retry.append(key)
                return
            out.conflicts.append(
                SyncConflict(table, shown, "theirs", describe(local), describe(server))
            )
        why = "replaced by sync" if not overwrite else "refused"
        if local is not None and (dirty or overwrite) and local != server:
            self._history(table, local, why, me)
        elif local is None and dirty and table in _ADJUDICATORS and not server["deleted"]:
            # Deleted here (the schema's and decisions' deletions are real), changed there:
            # the server's row comes back, and the deletion that lost is kept as a tombstone.
            gone = {name: server[name] for name in KEYS[table]} | {"deleted": True}
            if not overwrite:
                out.conflicts.append(SyncConflict(table, key.replace(SEP, " / "), "theirs",
                                                  "deleted", describe(server)))  # fmt: skip
            self._history(table, gone, why, me)
        problem = self._write(table, server, local, me)
        if problem:
            out.problems.append(f"{table} {key.replace(SEP, ' / ')}: {problem}")
            self._mark(table, key, version, 0)
            return
        out.pulled += 1
        self._mark(table, key, version, 0)

    def _history(self, table: str, row: Mapping[str, Any], why: str, mine: str) -> None:
        """Keep a losing version whole in sync_history (and a span's, tag's or relation's in
        annotation_history too, where merges keep theirs). `mine`: the login, when the
        version is this project's (whose it was, for rows that do not name their writer)."""
        article = self._article_id(str(row["article_uid"])) if "article_uid" in row else None
        who = str(row.get("annotator") or mine)
        self.db.execute(
            "INSERT INTO sync_history (tbl, key, article, annotator, row, reason, replaced_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (table, row_key(table, row).replace(SEP, " / "), article, who,
             json.dumps(dict(row), ensure_ascii=False, default=str), why, now()),
        )  # fmt: skip
        if article is None or "uuid" not in row:
            return
        if table == "relations":
            self._relation_history(
                str(row["uuid"]), article, who,
                _RelationVersion(str(row["type"]), str(row["from_span"]), str(row["to_span"]),
                                 str(row["note"]), bool(row["deleted"]), str(row["updated_at"])),
                why,
            )  # fmt: skip
            return
        kind = _HISTORY.get(table)
        if kind is None:
            return
        version = _Version(
            str(row["label"]), str(row["note"]), bool(row["deleted"]), str(row["updated_at"])
        )
        self._keep_in_history(kind, str(row["uuid"]), article, who, version, why)

    @_serialized
    def sync_history(self, article_uid: str | None = None) -> list[SyncHistoryEntry]:
        """Every version a sync replaced, oldest first (only the article's, when given)."""
        if not self._one("SELECT 1 FROM sqlite_master WHERE name = 'sync_history'"):
            return []  # a project opened read-only before its migration: no sync kept any
        query = (
            "SELECT h.tbl, h.key, coalesce(a.uid, ''), h.annotator, h.row, h.reason, "
            "h.replaced_at FROM sync_history h LEFT JOIN articles a ON a.id = h.article"
        )
        params: tuple[str, ...] = ()
        if article_uid is not None:
            query += " WHERE a.uid = ?"
            params = (article_uid,)
        rows = self.db.conn.execute(query + " ORDER BY h.id", params).fetchall()
        return [
            SyncHistoryEntry(table, key, uid, who, json.loads(row), why, when)
            for table, key, uid, who, row, why, when in rows
        ]

    def _article_id(self, uid: str) -> int | None:
        found = self._one("SELECT id FROM articles WHERE uid = ?", (uid,))
        return None if found is None else int(found)

    def _gone_here(self, uid: str) -> bool:
        """Whether this project removed the article `uid` itself: from this project only, or
        deleted here and not pushed yet (its rows are no news to take)."""
        if self._one("SELECT 1 FROM sync_removed WHERE uid = ?", (uid,)):
            return True
        pending = self._one(
            "SELECT 1 FROM sync_rows WHERE tbl = 'articles' AND key = ? AND dirty > 0", (uid,)
        )
        return bool(pending) and self._article_id(uid) is None

    def _no_article(self, row: Row) -> str:
        """Why a row of an article this project lacks is not taken ("": nothing to take)."""
        if row["deleted"] or self._gone_here(str(row["article_uid"])):
            return ""  # a tombstone of nothing here, or an article this project let go
        return f"its article {row['article_uid']} is not in this project"

    def _drop_article(self, row: Row, local: Row | None) -> str:
        """The server deleted this article: delete it here with everything on it, unless this
        project has unpushed work on it (kept then; the reason is returned)."""
        if local is None:
            return ""
        uid = str(row["uid"])
        article = self._article_id(uid)
        assert article is not None
        params = {"id": article, "uid": uid}
        unpushed = 0
        for table, keys in _ON_ARTICLE.items():
            found = self.db.conn.execute(
                f"SELECT count(*) FROM sync_rows WHERE tbl = '{table}' AND dirty > 0 "
                f"AND NOT (ifnull(version, 0) = {FULL_SYNC_MARK} AND dirty = 1) "
                f"AND key IN ({keys})",
                params,
            ).fetchone()
            unpushed += int(found[0])
        if unpushed:
            title = self._one("SELECT title FROM articles WHERE id = ?", (article,))
            return (
                f"{title!r} was deleted from the team corpus by an adjudicator, but this "
                f"project has {counted(unpushed, 'unpushed edit')} on it: kept here (they "
                "cannot be sent; export them to keep them elsewhere)"
            )
        chosen = (article,)
        self.db.execute(
            "DELETE FROM merge_base WHERE uuid IN (SELECT uuid FROM spans WHERE article = ? "
            "UNION ALL SELECT uuid FROM document_tags WHERE article = ? "
            "UNION ALL SELECT uuid FROM relations WHERE article = ?)",
            chosen * 3,
        )
        for table in BY_ARTICLE:
            self.db.execute(f"DELETE FROM {table} WHERE article = ?", chosen)
        self.db.execute("DELETE FROM articles WHERE id = ?", chosen)
        return ""

    @_serialized
    def remove_locally(self, uids: Sequence[str]) -> None:
        """These articles were removed from this project only: pulls leave them out."""
        with self.db.atomic():
            for uid in uids:
                self.db.execute("INSERT OR IGNORE INTO sync_removed (uid) VALUES (?)", (uid,))

    @_serialized
    def schema_rows(self) -> dict[str, list[Row]]:
        """The project's label schema as a team server holds it (labels, relation types and
        settings, each row without its `deleted`): what `server init` seeds a server with."""
        out: dict[str, list[Row]] = {}
        for table in _SCHEMA:
            select, _, names = _LOCAL[table]
            rows = self.db.conn.execute(select).fetchall()
            out[table] = [
                {k: v for k, v in normalized(table, dict(zip(names, r, strict=True))).items()
                 if k != "deleted"}
                for r in rows
            ]  # fmt: skip
        return out

    def _write(self, table: str, row: Row, local: Row | None, me: str) -> str:
        """Make the local row equal the server's; a reason when it cannot ("" when done)."""
        try:
            return str(_WRITERS[table](self, row, local, me))
        except sqlite3.IntegrityError as error:
            return f"not taken here ({error})"

    def _write_article(self, row: Row, local: Row | None, me: str) -> str:
        if row["deleted"]:  # only with overwrite (a refusal): the server's deletion stands
            return self._drop_article(row, local)
        if local is not None:
            if local["text_sha256"] != row["text_sha256"]:
                return "the server's text differs from this project's (same uid); ours kept"
            self.db.execute(
                "UPDATE articles SET title = ?, source = ?, url = ?, published = ?, meta = ?, "
                "imported_at = ? WHERE uid = ?",
                (row["title"], row["source"], row["url"], row["published"], row["meta"],
                 row["imported_at"], row["uid"]),
            )  # fmt: skip
            return ""
        self.db.execute(
            "INSERT INTO articles (uid, title, source, url, published, text, text_sha256, meta, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tuple(row[name] for name in fields("articles")[:-1]),
        )
        return ""

    def _write_label(self, row: Row, local: Row | None, me: str) -> str:
        if row["deleted"]:
            used = self._one(
                "SELECT 1 FROM spans WHERE label = ? AND deleted = 0 UNION ALL "
                "SELECT 1 FROM document_tags WHERE label = ? AND deleted = 0 LIMIT 1",
                (row["name"], row["name"]),
            )
            if used:
                return "deleted on the server but still used here; kept"
            self.db.execute("DELETE FROM labels WHERE name = ?", (row["name"],))
            return ""
        self.db.execute(
            "INSERT INTO labels (name, kind, color, key, label_group, description, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
            "color = excluded.color, key = excluded.key, label_group = excluded.label_group, "
            "description = excluded.description, position = excluded.position",
            tuple(row[name] for name in fields("labels")[:-1]),
        )
        return ""

    def _write_schema_setting(self, row: Row, local: Row | None, me: str) -> str:
        if row["key"] not in SCHEMA_SETTINGS:
            return ""  # a newer Marginalia's setting: not this project's to hold
        if row["deleted"]:
            self.db.execute("DELETE FROM project WHERE key = ?", (row["key"],))
            return ""
        self.db.execute(
            "INSERT INTO project (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (row["key"], row["value"]),
        )
        return ""

    def _write_relation_type(self, row: Row, local: Row | None, me: str) -> str:
        if row["deleted"]:
            self.db.execute("DELETE FROM relation_types WHERE name = ?", (row["name"],))
            return ""
        self.db.execute(
            "INSERT INTO relation_types (name, color, key, directed, from_labels, to_labels, "
            "description, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
            "SET color = excluded.color, key = excluded.key, directed = excluded.directed, "
            "from_labels = excluded.from_labels, to_labels = excluded.to_labels, "
            "description = excluded.description, position = excluded.position",
            tuple(row[name] for name in fields("relation_types")[:-1]),
        )
        return ""

    def _write_span(self, row: Row, local: Row | None, me: str) -> str:
        article = self._article_id(row["article_uid"])
        if article is None:
            return self._no_article(row)
        if local is not None:
            if (local["article_uid"], local["start"], local["end"], local["fragments"]) != (
                row["article_uid"], row["start"], row["end"], row["fragments"]
            ):  # fmt: skip
                return "another article or other offsets here than on the server; ours kept"
            cascaded = []
            if row["deleted"] and not local["deleted"]:
                cascaded = [
                    r[0]
                    for r in self.db.conn.execute(
                        "SELECT uuid FROM relations WHERE deleted = 0 AND annotator = ? "
                        "AND (from_span = ? OR to_span = ?)",
                        (me, row["uuid"], row["uuid"]),
                    )
                ]
            self._ensure_label(row["label"], SPAN)
            self.db.execute(
                "UPDATE spans SET label = ?, note = ?, deleted = ?, review_status = ?, "
                "updated_at = ?, created_at = ? WHERE uuid = ?",
                (row["label"], row["note"], int(row["deleted"]), row["review_status"],
                 row["updated_at"], row["created_at"], row["uuid"]),
            )  # fmt: skip
            # The delete took my relations on it down (the trigger): the server must hear.
            for relation in cascaded:
                self.db.execute(
                    "INSERT INTO sync_rows (tbl, key, version, dirty) "
                    "VALUES ('relations', ?, NULL, 1) "
                    "ON CONFLICT (tbl, key) DO UPDATE SET dirty = dirty + 1",
                    (relation,),
                )
            return ""
        text = self._one("SELECT text FROM articles WHERE id = ?", (article,))
        if text[row["start"] : row["end"]] != row["quote"]:
            return "its quote is not this project's text there"
        self._ensure_label(row["label"], SPAN)
        self._ensure_annotator(row["annotator"])
        self.db.execute(
            'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, fragments, '
            "note, review_status, created_at, updated_at, deleted) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["uuid"], article, row["annotator"], row["label"], row["start"], row["end"],
             row["quote"], row["fragments"], row["note"], row["review_status"],
             row["created_at"], row["updated_at"], int(row["deleted"])),
        )  # fmt: skip
        return ""

    def _write_tag(self, row: Row, local: Row | None, me: str) -> str:
        article = self._article_id(row["article_uid"])
        if article is None:
            return self._no_article(row)
        self._ensure_label(row["label"], DOCUMENT)
        if local is not None:
            self.db.execute(
                "UPDATE document_tags SET label = ?, note = ?, deleted = ?, updated_at = ?, "
                "created_at = ? WHERE uuid = ?",
                (row["label"], row["note"], int(row["deleted"]), row["updated_at"],
                 row["created_at"], row["uuid"]),
            )  # fmt: skip
            return ""
        self._ensure_annotator(row["annotator"])
        self.db.execute(
            "INSERT INTO document_tags (uuid, article, annotator, label, note, created_at, "
            "updated_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row["uuid"], article, row["annotator"], row["label"], row["note"],
             row["created_at"], row["updated_at"], int(row["deleted"])),
        )  # fmt: skip
        return ""

    def _write_status(self, row: Row, local: Row | None, me: str) -> str:
        article = self._article_id(row["article_uid"])
        if article is None:
            return self._no_article(row)
        if row["deleted"]:
            self.db.execute(
                "DELETE FROM article_status WHERE article = ? AND annotator = ?",
                (article, row["annotator"]),
            )
            return ""
        self._ensure_annotator(row["annotator"])
        self.db.execute(
            "INSERT INTO article_status (article, annotator, status, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
            "status = excluded.status, updated_at = excluded.updated_at",
            (article, row["annotator"], row["status"], row["updated_at"]),
        )
        return ""

    def _write_relation(self, row: Row, local: Row | None, me: str) -> str:
        article = self._article_id(row["article_uid"])
        if article is None:
            return self._no_article(row)
        if local is not None:
            self.db.execute(
                "UPDATE relations SET type = ?, note = ?, deleted = ?, updated_at = ? "
                "WHERE uuid = ?",
                (row["type"], row["note"], int(row["deleted"]), row["updated_at"], row["uuid"]),
            )
            return ""
        self._ensure_annotator(row["annotator"])
        self.db.execute(
            "INSERT INTO relations (uuid, article, annotator, type, from_span, to_span, note, "
            "created_at, updated_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["uuid"], article, row["annotator"], row["type"], row["from_span"],
             row["to_span"], row["note"], row["created_at"], row["updated_at"],
             int(row["deleted"])),
        )  # fmt: skip
        return ""

    def _write_decision(self, row: Row, local: Row | None, me: str) -> str:
        article = self._article_id(row["article_uid"])
        if article is None:
            return self._no_article(row)
        if row["deleted"]:
            self.db.execute(
                "DELETE FROM adjudications WHERE layer = ? AND item_key = ?",
                (row["layer"], row["item_key"]),
            )
            return ""
        self.db.execute(
            "INSERT OR REPLACE INTO adjudications (layer, item_key, article, kind, decision, "
            "source_uuid, result_uuid, created, decided_by, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["layer"], row["item_key"], article, row["kind"], row["decision"],
             row["source_uuid"], row["result_uuid"], int(row["created"]),
             str(row.get("decided_by") or me), row["decided_at"]),
        )  # fmt: skip
        return ""

    @_serialized
    def sync_checksum(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every synced row here as the server would hold it, sorted (for comparisons)."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table, (select, _, names) in _LOCAL.items():
            rows = self.db.conn.execute(select).fetchall()
            out[table] = sorted(
                tuple(normalized(table, dict(zip(names, r, strict=True))).values()) for r in rows
            )
        return out


_WRITERS: dict[str, Any] = {
    "articles": SyncStateMixin._write_article,
    "labels": SyncStateMixin._write_label,
    "relation_types": SyncStateMixin._write_relation_type,
    "schema_settings": SyncStateMixin._write_schema_setting,
    "spans": SyncStateMixin._write_span,
    "tags": SyncStateMixin._write_tag,
    "statuses": SyncStateMixin._write_status,
    "relations": SyncStateMixin._write_relation,
    "decisions": SyncStateMixin._write_decision,
}


def check_table(table: str) -> None:
    """Raise StoreError unless `table` is a synced table this project tracks."""
    if table not in _LOCAL:
        raise StoreError(f"{table!r} is not a synced table")
