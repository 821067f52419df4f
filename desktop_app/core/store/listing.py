"""The filtered, sorted article list, read by keyset pages."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from desktop_app.core.model import ArticleFilter, ArticleRow, Status
from desktop_app.core.store.base import StoreBase, StoreError, _serialized

SortKey = tuple[Any, int]  # (sort value, article id): a position in the article list

_SORT_EXPRESSIONS = {"date": "ifnull(a.published, '')", "title": "a.title COLLATE NOCASE"}
_ROW_COLUMNS = (
    "a.id, a.uid, a.title, a.published, a.source, "
    "(SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0), "
    "(SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0), "
    "ifnull((SELECT status FROM article_status st WHERE st.article = a.id "
    "AND st.annotator = ?), 'todo')"
)  # the first parameter is whose status to show


class ListingMixin(StoreBase):
    """The store's article list: filters, counts and (sort key, id) positions."""

    def _fts_query(self, typed: str) -> str:
        """Any typed text as a safe FTS5 query: every word quoted, so nothing is syntax."""
        # Control characters (a pasted line break, NUL) would split quote_fts's quoting.
        search = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in typed)
        return self.db.quote_fts(search) if search.strip() else ""

    def _where(self, flt: ArticleFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        query = self._fts_query(flt.search)
        if query:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(query)
        who = ""
        if flt.annotator:
            who = " AND annotator = ?"
        if flt.tag:
            clauses.append(
                "EXISTS (SELECT 1 FROM document_tags WHERE article = a.id AND deleted = 0 "
                f"AND label = ?{who})"
            )
            params += [flt.tag] + ([flt.annotator] if who else [])
        if flt.label:
            clauses.append(
                "EXISTS (SELECT 1 FROM spans WHERE article = a.id AND deleted = 0 "
                f"AND label = ?{who})"
            )
            params += [flt.label] + ([flt.annotator] if who else [])
        if flt.annotator and not (flt.tag or flt.label or flt.status):
            clauses.append(
                "(EXISTS (SELECT 1 FROM spans WHERE article = a.id AND deleted = 0 "
                "AND annotator = ?) OR EXISTS (SELECT 1 FROM document_tags "
                "WHERE article = a.id AND deleted = 0 AND annotator = ?))"
            )
            params += [flt.annotator, flt.annotator]
        if flt.status:
            whose = flt.status_annotator or flt.annotator or ""
            if flt.status == Status.TODO:
                # No status row means todo, so todo is "nothing else recorded".
                clauses.append(
                    "NOT EXISTS (SELECT 1 FROM article_status WHERE article = a.id "
                    "AND annotator = ? AND status != 'todo')"
                )
                params.append(whose)
            else:
                clauses.append(
                    "EXISTS (SELECT 1 FROM article_status WHERE article = a.id "
                    "AND annotator = ? AND status = ?)"
                )
                params += [whose, flt.status]
        where = " AND ".join(clauses)
        return (f"WHERE {where}" if where else ""), params

    @_serialized
    def count_articles(self, flt: ArticleFilter) -> int:
        """How many articles match the filter: the exact row count of the list."""
        where, params = self._where(flt)
        try:
            return int(self._one(f"SELECT count(*) FROM articles a {where}", params))
        except sqlite3.OperationalError as error:
            raise StoreError(f"search {flt.search!r} cannot be run: {error}") from error

    @_serialized
    def anchor_after(self, flt: ArticleFilter, start: SortKey | None, skip: int) -> SortKey | None:
        """The sort key `skip` rows after `start` (None: the list's first row), if there is one.

        Rows are always read by key (see article_rows). To find where a far page starts, SQLite
        steps over index entries from the nearest key the caller knows; it touches only the
        (key, id) index, never the rows themselves, so a jump deep into a million-row list
        costs milliseconds.
        """
        where, params = self._where(flt)
        key = _SORT_EXPRESSIONS[flt.sort]
        direction = "DESC" if flt.descending else "ASC"
        if start is not None:
            op = "<=" if flt.descending else ">="
            where = (where + " AND " if where else "WHERE ") + f"({key}, a.id) {op} (?, ?)"
            params = [*params, start[0], start[1]]
        row = self.db.conn.execute(
            f"SELECT {key}, a.id FROM articles a {where} "
            f"ORDER BY {key} {direction}, a.id {direction} LIMIT 1 OFFSET ?",
            [*params, skip],
        ).fetchone()
        return None if row is None else (row[0], row[1])

    @_serialized
    def article_rows(
        self, flt: ArticleFilter, anchor: SortKey | None, limit: int, status_annotator: str = ""
    ) -> list[ArticleRow]:
        """Up to `limit` list rows starting at `anchor` (inclusive), in the filter's order."""
        where, params = self._where(flt)
        key = _SORT_EXPRESSIONS[flt.sort]
        direction = "DESC" if flt.descending else "ASC"
        if anchor is not None:
            op = "<=" if flt.descending else ">="
            where = (where + " AND " if where else "WHERE ") + f"({key}, a.id) {op} (?, ?)"
            params = [*params, anchor[0], anchor[1]]
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM articles a {where} "
            f"ORDER BY {key} {direction}, a.id {direction} LIMIT ?"
        )
        rows = self.db.conn.execute(sql, [status_annotator, *params, limit]).fetchall()
        return [ArticleRow(*row) for row in rows]

    @_serialized
    def search_ranked(
        self, flt: ArticleFilter, limit: int = 50, status_annotator: str = ""
    ) -> list[ArticleRow]:
        """The best `limit` matches for flt.search (other filters apply), best first.

        Ranked by BM25 with a title match worth five times a match in the text.
        """
        query = self._fts_query(flt.search)
        if not query:
            return []
        where, params = self._where(replace(flt, search=""))
        where = (where + " AND " if where else "WHERE ") + "articles_fts MATCH ?"
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"{where} ORDER BY bm25(articles_fts, 5.0, 1.0), a.id LIMIT ?"
        )
        rows = self.db.conn.execute(sql, [status_annotator, *params, query, limit]).fetchall()
        return [ArticleRow(*row) for row in rows]

    @_serialized
    def row_of(self, flt: ArticleFilter, article_id: int) -> int | None:
        """The article's row in the filtered, sorted list (None when the filter hides it)."""
        where, params = self._where(flt)
        key = _SORT_EXPRESSIONS[flt.sort]
        found = self.db.conn.execute(
            f"SELECT {key} FROM articles a {where} {'AND' if where else 'WHERE'} a.id = ?",
            [*params, article_id],
        ).fetchone()
        if found is None:
            return None
        op = ">" if flt.descending else "<"
        before = (where + " AND " if where else "WHERE ") + f"({key}, a.id) {op} (?, ?)"
        return int(
            self._one(f"SELECT count(*) FROM articles a {before}", [*params, found[0], article_id])
        )

    @_serialized
    def keys_after(self, flt: ArticleFilter, after: SortKey | None, limit: int) -> list[SortKey]:
        """The next `limit` (sort key, id) pairs strictly after `after`, in list order."""
        where, params = self._where(flt)
        key = _SORT_EXPRESSIONS[flt.sort]
        direction = "DESC" if flt.descending else "ASC"
        if after is not None:
            op = "<" if flt.descending else ">"
            where = (where + " AND " if where else "WHERE ") + f"({key}, a.id) {op} (?, ?)"
            params = [*params, after[0], after[1]]
        rows = self.db.conn.execute(
            f"SELECT {key}, a.id FROM articles a {where} "
            f"ORDER BY {key} {direction}, a.id {direction} LIMIT ?",
            [*params, limit],
        )
        return [(row[0], row[1]) for row in rows]

    def iter_article_ids(self, flt: ArticleFilter, batch: int = 1000) -> Iterator[list[int]]:
        """The ids of the filtered articles in list order, in batches.

        Each batch starts strictly after the last key of the one before, so articles added
        meanwhile (an import running during an export) are never repeated or skipped over.
        """
        after: SortKey | None = None
        while keys := self.keys_after(flt, after, batch):
            yield [article_id for _, article_id in keys]
            after = keys[-1]
