"""Reading what syncs and merges replaced: sync_history and annotation_history as one list."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from desktop_app.core.model import DOCUMENT, RELATION, SPAN
from desktop_app.core.replaced import SYNC_REASONS, ReplacedVersion
from desktop_app.core.store.base import StoreBase, _serialized

_TABLE = {SPAN: "spans", DOCUMENT: "tags", RELATION: "relations"}  # annotation_history kinds


class ReplacedMixin(StoreBase):
    """The History view's reading: every replaced version, whichever table kept it."""

    @_serialized
    def replaced_versions(self, article_uid: str | None = None) -> list[ReplacedVersion]:
        """Every version a sync or a merge replaced, newest first (only the article's, when
        given). A sync keeps a span's, tag's or relation's loser in both tables: it is listed
        once, whole, from sync_history; one kept before that table existed, from the other."""
        found = self._sync_losers(article_uid)
        in_sync = Counter((e.key, e.reason, str(e.row.get("updated_at"))) for e in found)
        for entry in self._annotation_losers(article_uid):
            mark = (entry.key, entry.reason, str(entry.row["updated_at"]))
            if entry.reason in SYNC_REASONS and in_sync[mark]:
                in_sync[mark] -= 1
                continue
            found.append(entry)
        found = self._with_quotes(found)
        order = {id(entry): n for n, entry in enumerate(found)}
        return sorted(found, key=lambda e: (e.replaced_at, order[id(e)]), reverse=True)

    def _sync_losers(self, article_uid: str | None) -> list[ReplacedVersion]:
        if not self._one("SELECT 1 FROM sqlite_master WHERE name = 'sync_history'"):
            return []  # an older project opened read-only: no sync kept any there
        query = (
            "SELECT h.tbl, h.key, coalesce(a.uid, ''), coalesce(a.title, ''), h.annotator, "
            "h.row, h.reason, h.replaced_at FROM sync_history h "
            "LEFT JOIN articles a ON a.id = h.article"
        )
        params: tuple[str, ...] = ()
        if article_uid is not None:
            query += " WHERE a.uid = ?"
            params = (article_uid,)
        return [
            ReplacedVersion(table, key, uid, title, who, json.loads(row), why, when)
            for table, key, uid, title, who, row, why, when in self.db.conn.execute(
                query + " ORDER BY h.id", params
            )
        ]

    def _annotation_losers(self, article_uid: str | None) -> list[ReplacedVersion]:
        query = (
            "SELECT h.uuid, h.kind, a.uid, a.title, h.annotator, h.label, h.note, h.deleted, "
            "h.updated_at, h.reason, h.replaced_at, h.from_span, h.to_span "
            "FROM annotation_history h JOIN articles a ON a.id = h.article"
        )
        params: tuple[str, ...] = ()
        if article_uid is not None:
            query += " WHERE a.uid = ?"
            params = (article_uid,)
        out = []
        for (
            uuid,
            kind,
            uid,
            title,
            who,
            label,
            note,
            deleted,
            updated,
            why,
            when,
            start,
            end,
        ) in self.db.conn.execute(query + " ORDER BY h.id", params):
            row: dict[str, object] = {"uuid": uuid, "annotator": who, "article_uid": uid}
            if kind == RELATION:
                row |= {"type": label, "from_span": start, "to_span": end}
            else:
                row["label"] = label
            row |= {"note": note, "deleted": bool(deleted), "updated_at": updated}
            out.append(ReplacedVersion(_TABLE[kind], uuid, uid, title, who, row, why, when))
        return out

    def _with_quotes(self, entries: list[ReplacedVersion]) -> list[ReplacedVersion]:
        """The entries with the current quotes of the spans they name (a span's own, when
        its kept version has none, and a relation's ends)."""
        wanted = set()
        for entry in entries:
            if entry.table == "spans" and "quote" not in entry.row:
                wanted.add(str(entry.row.get("uuid")))
            elif entry.table == "relations":
                wanted |= {str(entry.row.get("from_span")), str(entry.row.get("to_span"))}
        if not wanted:
            return entries
        quotes = dict(
            self.db.conn.execute(
                "SELECT uuid, quote FROM spans WHERE uuid IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(wanted)),),
            ).fetchall()
        )
        out = []
        for entry in entries:
            names = {str(entry.row.get(k)) for k in ("uuid", "from_span", "to_span")}
            mine = {uuid: quotes[uuid] for uuid in names if uuid in quotes}
            out.append(replace(entry, quotes=mine) if mine else entry)
        return out
