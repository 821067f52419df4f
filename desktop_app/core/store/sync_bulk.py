"""Pulled rows applied set-based: those new here and those clean here, a chunk at a time.

A first sync of a large corpus brings a million rows; applied one at a time (a read of the
row's mark, a read of the local row, a write, a mark, and the span count triggers) 1,100,000
rows took 131 s on the bench machine, 76 s this way (bench/sync.py; what is left is mostly the
B-tree work of random uuids in the span index and sync_rows, which both ways do). Here a
chunk's rows are looked up with one query each for their marks and local rows (sync_state),
and the plain ones are written with one executemany per kind of write. Everything else (a
dirty row, a deletion, another text or other offsets, a missing article, a quote that does not
match) is left to the per-row path, which reports it exactly as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.core.model import DOCUMENT, SPAN
from desktop_app.core.store import span_counts
from desktop_app.core.store.labels import LabelsMixin

Row = dict[str, Any]

# The tables with a set-based way; the label schema and decisions are few rows (and the
# adjudicators' rules for them live in the per-row path).
BULK_TABLES = frozenset({"articles", "spans", "tags", "statuses", "relations"})
_ENDS = ("from_span", "to_span")  # a relation's spans


@dataclass(frozen=True)
class Pulled:
    """One pulled row with what the project has of it: the mark's dirty count and the row."""

    key: str
    server: Row  # the server's row, normalized
    version: int
    dirty: bool
    local: Row | None  # the local row, normalized (None: not here)
    raw: Mapping[str, Any]  # the row as pulled (the per-row path takes it as it is)


@dataclass
class _Plan:
    """A chunk's rows sorted by what happens to them."""

    same: list[Pulled]  # as the server has it already: only marked clean
    updates: list[Pulled]  # clean here and changed there: overwritten
    inserts: list[Pulled]  # not here: inserted
    left: list[Pulled]  # everything else: the per-row path


class BulkPullMixin(LabelsMixin):
    """Writes the plain part of a pulled chunk with one statement per kind of write."""

    def _apply_set_based(
        self, table: str, items: Sequence[Pulled], me: str
    ) -> tuple[int, list[Pulled]]:
        """Apply what can be applied set-based; (rows written, the rows left for the per-row
        path). All or nothing: a write the project refuses (a constraint) rolls the set-based
        part back and leaves every row to the per-row path, which reports it as before."""
        plan = self._pulled_plan(table, items)
        if not plan.updates and not plan.inserts and not plan.same:
            return 0, list(items)
        try:
            with self.db.atomic():  # a savepoint: undone whole if a write is refused
                self._pulled_updates(table, plan.updates)
                self._pulled_inserts(table, plan.inserts)
                self.db.conn.executemany(
                    "INSERT INTO sync_rows (tbl, key, version, dirty) VALUES (?, ?, ?, 0) "
                    "ON CONFLICT (tbl, key) DO UPDATE SET version = excluded.version, dirty = 0",
                    [(table, p.key, p.version) for p in (*plan.same, *plan.updates, *plan.inserts)],
                )
        except sqlite3.IntegrityError:
            return 0, list(items)
        return len(plan.updates) + len(plan.inserts), plan.left

    # ----------------------------------------------------------------- sorting

    def _pulled_plan(self, table: str, items: Sequence[Pulled]) -> _Plan:
        plan = _Plan([], [], [], [])
        uids = {p.server["article_uid"] for p in items if "article_uid" in p.server}
        articles = self._pulled_article_ids(uids) if uids else {}
        texts: dict[int, str] = {}
        keys: set[str] = set()  # see _plain
        if table == "articles":
            # Articles this project removed for itself: the per-row path leaves them out.
            keys = self._pulled_removed({p.key for p in items if p.local is None})
        elif table == "spans":
            wanted = {articles[p.server["article_uid"]] for p in items
                      if p.local is None and p.server["article_uid"] in articles}  # fmt: skip
            texts = self._pulled_texts(wanted)
        elif table == "relations":
            ends = {p.server[end] for p in items if p.local is None for end in _ENDS}
            keys = self._pulled_spans(ends)
        for item in items:
            if item.local == item.server:
                plan.same.append(item)
            elif item.dirty or not _plain(table, item, articles, texts, keys):
                plan.left.append(item)
            elif item.local is None:
                plan.inserts.append(item)
            else:
                plan.updates.append(item)
        return plan

    def _pulled_article_ids(self, uids: set[str]) -> dict[str, int]:
        return {
            str(uid): int(i)
            for uid, i in self.db.conn.execute(
                "SELECT uid, id FROM articles WHERE uid IN (SELECT value FROM json_each(?))",
                (_json_list(uids),),
            )
        }

    def _pulled_texts(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {
            int(i): str(text)
            for i, text in self.db.conn.execute(
                "SELECT id, text FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (_json_list(ids),),
            )
        }

    def _pulled_removed(self, uids: set[str]) -> set[str]:
        """Which of these articles were removed from this project only (sync_removed, in a
        project that has that table)."""
        if not uids or not self._one("SELECT 1 FROM sqlite_master WHERE name = 'sync_removed'"):
            return set()
        return {
            str(row[0])
            for row in self.db.conn.execute(
                "SELECT uid FROM sync_removed WHERE uid IN (SELECT value FROM json_each(?))",
                (_json_list(uids),),
            )
        }

    def _pulled_spans(self, uuids: set[str]) -> set[str]:
        """Which of these spans are here."""
        return {
            str(row[0])
            for row in self.db.conn.execute(
                "SELECT uuid FROM spans WHERE uuid IN (SELECT value FROM json_each(?))",
                (_json_list(uuids),),
            )
        }

    # ----------------------------------------------------------------- writing

    def _pulled_labels(self, rows: Sequence[Row], kind: str) -> None:
        for name in dict.fromkeys(row["label"] for row in rows):  # first seen first
            self._ensure_label(name, kind)

    def _pulled_annotators(self, rows: Sequence[Row]) -> None:
        for name in dict.fromkeys(row["annotator"] for row in rows):
            self._ensure_annotator(name)

    def _pulled_updates(self, table: str, items: Sequence[Pulled]) -> None:
        """Overwrite rows clean here (the statements of the per-row path's _write_*)."""
        if not items:
            return
        rows = [p.server for p in items]
        conn = self.db.conn
        if table == "articles":
            conn.executemany(
                "UPDATE articles SET title = ?, source = ?, url = ?, published = ?, meta = ?, "
                "imported_at = ? WHERE uid = ?",
                [(r["title"], r["source"], r["url"], r["published"], r["meta"],
                  r["imported_at"], r["uid"]) for r in rows],
            )  # fmt: skip
        elif table == "spans":
            self._pulled_labels(rows, SPAN)
            conn.executemany(
                "UPDATE spans SET label = ?, note = ?, deleted = ?, review_status = ?, "
                "updated_at = ?, created_at = ? WHERE uuid = ?",
                [(r["label"], r["note"], int(r["deleted"]), r["review_status"],
                  r["updated_at"], r["created_at"], r["uuid"]) for r in rows],
            )  # fmt: skip
        elif table == "tags":
            self._pulled_labels(rows, DOCUMENT)
            conn.executemany(
                "UPDATE document_tags SET label = ?, note = ?, deleted = ?, updated_at = ?, "
                "created_at = ? WHERE uuid = ?",
                [(r["label"], r["note"], int(r["deleted"]), r["updated_at"], r["created_at"],
                  r["uuid"]) for r in rows],
            )  # fmt: skip
        elif table == "statuses":
            self._pulled_statuses(rows)
        elif table == "relations":
            conn.executemany(
                "UPDATE relations SET type = ?, note = ?, deleted = ?, updated_at = ? "
                "WHERE uuid = ?",
                [(r["type"], r["note"], int(r["deleted"]), r["updated_at"], r["uuid"])
                 for r in rows],
            )  # fmt: skip

    def _pulled_inserts(self, table: str, items: Sequence[Pulled]) -> None:
        """Insert rows new here (the statements of the per-row path's _write_*)."""
        if not items:
            return
        rows = [p.server for p in items]
        conn = self.db.conn
        if table == "articles":
            self._pulled_articles(rows)
            return
        articles = self._pulled_article_ids({r["article_uid"] for r in rows})
        if table == "spans":
            self._pulled_labels(rows, SPAN)
            self._pulled_annotators(rows)
            insert = (
                'INSERT INTO spans (uuid, article, annotator, label, start, "end", quote, '
                "fragments, note, review_status, created_at, updated_at, deleted) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            values = [
                (r["uuid"], articles[r["article_uid"]], r["annotator"], r["label"], r["start"],
                 r["end"], r["quote"], r["fragments"], r["note"], r["review_status"],
                 r["created_at"], r["updated_at"], int(r["deleted"]))
                for r in rows
            ]  # fmt: skip
            if span_counts.bulk_ready(conn, len(values)):
                # _pulled_plan checked every quote against its article's (immutable) text.
                span_counts.insert_spans(conn, insert, values, quotes_cut=True)
            else:
                conn.executemany(insert, values)
        elif table == "tags":
            self._pulled_labels(rows, DOCUMENT)
            self._pulled_annotators(rows)
            conn.executemany(
                "INSERT INTO document_tags (uuid, article, annotator, label, note, created_at, "
                "updated_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(r["uuid"], articles[r["article_uid"]], r["annotator"], r["label"], r["note"],
                  r["created_at"], r["updated_at"], int(r["deleted"])) for r in rows],
            )  # fmt: skip
        elif table == "statuses":
            self._pulled_statuses(rows)
        elif table == "relations":
            self._pulled_annotators(rows)
            conn.executemany(
                "INSERT INTO relations (uuid, article, annotator, type, from_span, to_span, "
                "note, created_at, updated_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r["uuid"], articles[r["article_uid"]], r["annotator"], r["type"],
                  r["from_span"], r["to_span"], r["note"], r["created_at"], r["updated_at"],
                  int(r["deleted"])) for r in rows],
            )  # fmt: skip

    def _pulled_statuses(self, rows: Sequence[Row]) -> None:
        articles = self._pulled_article_ids({r["article_uid"] for r in rows})
        self._pulled_annotators(rows)
        self.db.conn.executemany(
            "INSERT INTO article_status (article, annotator, status, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
            "status = excluded.status, updated_at = excluded.updated_at",
            [(articles[r["article_uid"]], r["annotator"], r["status"], r["updated_at"])
             for r in rows],
        )  # fmt: skip

    def _pulled_articles(self, rows: Sequence[Row]) -> None:
        """Insert articles with the search index filled once for them all (as an import
        does): the per-row index trigger stands aside while 'fts_deferred' is set."""
        conn = self.db.conn
        before = int(self._one("SELECT ifnull(max(id), 0) FROM articles"))
        conn.execute("INSERT OR REPLACE INTO project (key, value) VALUES ('fts_deferred', '1')")
        conn.executemany(
            "INSERT INTO articles (uid, title, source, url, published, text, text_sha256, meta, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r["uid"], r["title"], r["source"], r["url"], r["published"], r["text"],
              r["text_sha256"], r["meta"], r["imported_at"]) for r in rows],
        )  # fmt: skip
        # New rows get ids above every id in use (an INTEGER PRIMARY KEY's rule).
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, text) "
            "SELECT id, title, text FROM articles WHERE id > ?",
            (before,),
        )
        conn.execute("DELETE FROM project WHERE key = 'fts_deferred'")


def _plain(
    table: str, item: Pulled, articles: dict[str, int], texts: dict[int, str], keys: set[str]
) -> bool:
    """Whether a row that is new here, or clean here, is written exactly as the per-row path
    would write it, without anything to report or cascade (else the per-row path takes it).
    `keys`: for articles, those removed here; for relations, the spans that are here."""
    server, local = item.server, item.local
    if table == "articles":
        if server["deleted"] or item.key in keys:
            return False  # nothing written, maybe a problem to report
        return local is None or local["text_sha256"] == server["text_sha256"]
    article = articles.get(server["article_uid"])
    if article is None:
        return False  # "its article ... is not in this project"
    if table == "spans":
        if local is not None:
            same_place = (local["article_uid"], local["start"], local["end"],
                          local["fragments"]) == (server["article_uid"], server["start"],
                                                  server["end"], server["fragments"])  # fmt: skip
            # A deletion may take my relations down with it: they must be marked to push.
            return same_place and not (server["deleted"] and not local["deleted"])
        text = texts.get(article)
        start, end = server["start"], server["end"]
        # As strict as the quote trigger: within the text, and the text there.
        return (
            text is not None
            and 0 <= start < end <= len(text)
            and text[start:end] == server["quote"]
        )
    if table == "statuses":
        return not server["deleted"]
    if table == "relations" and local is None:
        return all(server[end] in keys for end in _ENDS)  # else "not taken here"
    return True  # tags, relations


def _json_list(values: Any) -> str:
    return json.dumps(sorted(values))
