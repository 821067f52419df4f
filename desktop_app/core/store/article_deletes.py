"""Deleting whole articles (with everything that hangs on them) and bringing them back.

Articles are hard data: a delete removes the rows, in one transaction, and hands back every
row it removed, so that undo re-inserts exactly those rows with the same ids and uuids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_app.core.store.base import StoreBase, _serialized

# Tables holding rows of an article, in the order a delete removes them: spans before the
# articles they belong to (the count triggers read the article's source), the article last.
BY_ARTICLE = (
    "relations",  # before the spans they link
    "spans",
    "document_tags",
    "article_status",
    "annotation_history",
    "sync_history",
    "adjudications",
    "suggestions",
)


@dataclass
class ArticleDeletion:
    """The rows one delete removed, table by table (columns, rows), for an exact undo."""

    article_ids: tuple[int, ...]
    rows: dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]] = field(default_factory=dict)

    @property
    def annotations(self) -> int:
        """How many live spans and document tags went with the articles."""
        return sum(self._live(table) for table in ("spans", "document_tags"))

    def _live(self, table: str) -> int:
        columns, rows = self.rows.get(table, ((), []))
        if "deleted" not in columns:
            return 0
        at = columns.index("deleted")
        return sum(1 for row in rows if not row[at])


class ArticleDeletesMixin(StoreBase):
    """Hard deletes of articles, each one transaction, and their exact undo."""

    @_serialized
    def article_deletion_size(self, article_ids: Sequence[int]) -> tuple[int, int]:
        """(articles, live annotations) that deleting `article_ids` would remove."""
        ids = json.dumps(list(article_ids))
        within = "article IN (SELECT value FROM json_each(?)) AND deleted = 0"
        articles = self._one(
            "SELECT count(*) FROM articles WHERE id IN (SELECT value FROM json_each(?))", (ids,)
        )
        spans = self._one(f"SELECT count(*) FROM spans WHERE {within}", (ids,))
        tags = self._one(f"SELECT count(*) FROM document_tags WHERE {within}", (ids,))
        return int(articles), int(spans) + int(tags)

    @_serialized
    def delete_articles(self, article_ids: Sequence[int]) -> ArticleDeletion:
        """Remove these articles with their spans, tags, statuses, history, decisions and
        search-index entries, in one transaction; every removed row comes back for undo."""
        ids = json.dumps(sorted(set(article_ids)))
        deletion = ArticleDeletion(tuple(sorted(set(article_ids))))
        chosen = "IN (SELECT value FROM json_each(?))"
        with self.db.atomic():
            uuids = [
                row[0]
                for table in ("spans", "document_tags", "relations")
                for row in self.db.conn.execute(
                    f"SELECT uuid FROM {table} WHERE article {chosen}", (ids,)
                )
            ]
            self._take(deletion, "merge_base", f"uuid {chosen}", json.dumps(uuids))
            for table in BY_ARTICLE:
                self._take(deletion, table, f"article {chosen}", ids)
            self._take(deletion, "articles", f"id {chosen}", ids)  # its trigger unindexes it
        return deletion

    def _take(self, deletion: ArticleDeletion, table: str, where: str, param: str) -> None:
        cursor = self.db.conn.execute(f"SELECT * FROM {table} WHERE {where}", (param,))
        columns = tuple(description[0] for description in cursor.description)
        deletion.rows[table] = (columns, [tuple(row) for row in cursor])
        self.db.conn.execute(f"DELETE FROM {table} WHERE {where}", (param,))

    @_serialized
    def restore_articles(self, deletion: ArticleDeletion) -> None:
        """Put back exactly the rows `deletion` removed (same ids, uuids, times), in one
        transaction; the insert triggers re-index the text and recount."""
        with self.db.atomic():
            for table in ("articles", *reversed(BY_ARTICLE), "merge_base"):
                columns, rows = deletion.rows.get(table, ((), []))
                if not rows:
                    continue
                names = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join("?" for _ in columns)
                self.db.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    @_serialized
    def article_titles(
        self, article_ids: Sequence[int] = (), uids: Sequence[str] = ()
    ) -> dict[object, tuple[int, str, str]]:
        """(id, uid, title) of the articles named by id or by uid, keyed by what named them."""
        found: dict[object, tuple[int, str, str]] = {}
        for column, keys in (("id", list(article_ids)), ("uid", list(uids))):
            for start in range(0, len(keys), 5000):
                for row in self.db.conn.execute(
                    f"SELECT id, uid, title FROM articles WHERE {column} IN "
                    "(SELECT value FROM json_each(?))",
                    (json.dumps(keys[start : start + 5000]),),
                ):
                    found[row[0] if column == "id" else row[1]] = (row[0], row[1], row[2])
        return found

    @_serialized
    def article_near(self, article_id: int) -> int | None:
        """The article with the nearest id at or after `article_id` (else before); None: none."""
        after = self._one("SELECT min(id) FROM articles WHERE id >= ?", (article_id,))
        found = after if after is not None else self._one("SELECT max(id) FROM articles")
        return None if found is None else int(found)
