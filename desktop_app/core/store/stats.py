"""Counts over the whole project file, for `marginalia stats`."""

from __future__ import annotations

import sqlite3
from typing import Any

from desktop_app.core import migrations
from desktop_app.core.store.base import _serialized
from desktop_app.core.store.labels import LabelsMixin


class StatsMixin(LabelsMixin):
    """The store's project-wide counts."""

    @_serialized
    def stats(self) -> dict[str, Any]:
        """Counts for `marginalia stats`: articles, annotations per label, annotator, status."""

        def grouped(sql: str) -> dict[str, int]:
            return {str(r[0]): int(r[1]) for r in self.db.conn.execute(sql)}

        relations = self._relations_by_type()
        return {
            "articles": int(self._one("SELECT count(*) FROM articles")),
            "spans": int(self._one("SELECT count(*) FROM spans WHERE deleted = 0")),
            "document_tags": int(self._one("SELECT count(*) FROM document_tags WHERE deleted = 0")),
            "annotators": self.annotators(),
            "labels": len(self.labels()),
            "spans_by_label": grouped(
                "SELECT label, count(*) FROM spans WHERE deleted = 0 GROUP BY label ORDER BY label"
            ),
            "tags_by_label": grouped(
                "SELECT label, count(*) FROM document_tags WHERE deleted = 0 "
                "GROUP BY label ORDER BY label"
            ),
            "annotations_by_annotator": grouped(
                "SELECT annotator, count(*) FROM (SELECT annotator FROM spans WHERE deleted = 0 "
                "UNION ALL SELECT annotator FROM document_tags WHERE deleted = 0) "
                "GROUP BY annotator ORDER BY annotator"
            ),
            "status": grouped(
                "SELECT status, count(*) FROM article_status GROUP BY status ORDER BY status"
            ),
            # Live relations per type, then per annotator.
            "relations": sum(sum(by.values()) for by in relations.values()),
            "relations_by_type": relations,
            "schema_version": migrations.current_version(self.db),
        }

    def _relations_by_type(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        if not self._one("SELECT 1 FROM sqlite_master WHERE name = 'relations'"):
            return counts  # an older project read as it is
        for kind, annotator, n in self.db.conn.execute(
            "SELECT type, annotator, count(*) FROM relations WHERE deleted = 0 "
            "GROUP BY type, annotator ORDER BY type, annotator"
        ):
            counts.setdefault(str(kind), {})[str(annotator)] = int(n)
        return counts

    @_serialized
    def schema_version(self) -> int:
        """The project file's schema version (PRAGMA user_version), read at once."""
        return int(migrations.current_version(self.db))


def sqlite_version() -> str:
    """The SQLite library's version, as the store uses it."""
    return sqlite3.sqlite_version
