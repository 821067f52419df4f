"""Gazetteers in the project file: their options, their terms, and texts read for applying them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from desktop_app.core.store.base import StoreBase, StoreError, _serialized, now

SOURCE_PREFIX = "gazetteer:"
_COLUMNS = (
    "g.id, g.name, g.source_file, g.sha256, g.enabled, g.case_sensitive, g.whole_word, "
    "g.created_at, (SELECT count(*) FROM gazetteer_terms t WHERE t.gazetteer = g.id)"
)


@dataclass(frozen=True)
class Gazetteer:
    """A gazetteer loaded into the project (its terms are read apart: there may be many)."""

    id: int
    name: str
    source_file: str
    sha256: str
    enabled: bool
    case: bool
    whole_word: bool
    created_at: str
    terms: int

    @property
    def source(self) -> str:
        """The source its suggestions carry: "gazetteer:NAME"."""
        return SOURCE_PREFIX + self.name


def _gazetteer(row: Sequence[object]) -> Gazetteer:
    return Gazetteer(
        int(row[0]),  # type: ignore[call-overload]
        str(row[1]),
        str(row[2]),
        str(row[3]),
        bool(row[4]),
        bool(row[5]),
        bool(row[6]),
        str(row[7]),
        int(row[8]),  # type: ignore[call-overload]
    )


class GazetteersMixin(StoreBase):
    """The project's gazetteers: load, list, switch on and off, remove; their terms."""

    @_serialized
    def add_gazetteer(
        self,
        name: str,
        terms: Sequence[tuple[str, str]],
        *,
        source_file: str = "",
        sha256: str = "",
        case: bool = False,
        whole_word: bool = True,
        enabled: bool = True,
        replace: bool = False,
    ) -> Gazetteer:
        """Store a gazetteer and its (term, label) pairs in one transaction.

        A gazetteer of that name is refused, or with `replace` its terms and options are
        replaced (its pending suggestions go: they came from the old terms).
        """
        if not name.strip():
            raise StoreError("a gazetteer needs a name")
        with self.db.atomic():
            old = self._one("SELECT id FROM gazetteers WHERE name = ?", (name,))
            if old is not None and not replace:
                raise StoreError(f"there is a gazetteer {name!r} already; remove it first")
            if old is not None:
                self.db.conn.execute("DELETE FROM gazetteer_terms WHERE gazetteer = ?", (old,))
                self.db.conn.execute("DELETE FROM gazetteers WHERE id = ?", (old,))
                self._drop_suggestions(SOURCE_PREFIX + name)
            cursor = self.db.conn.execute(
                "INSERT INTO gazetteers (name, source_file, sha256, enabled, case_sensitive, "
                "whole_word, created_at) VALUES (?,?,?,?,?,?,?)",
                (name, source_file, sha256, int(enabled), int(case), int(whole_word), now()),
            )
            new_id = cursor.lastrowid
            self.db.conn.executemany(
                "INSERT INTO gazetteer_terms (gazetteer, position, term, label) VALUES (?,?,?,?)",
                ((new_id, i, term, label) for i, (term, label) in enumerate(terms)),
            )
        return self.gazetteer(name)

    @_serialized
    def gazetteers(self, enabled_only: bool = False) -> list[Gazetteer]:
        """The project's gazetteers by name (only the enabled ones if asked)."""
        where = "WHERE g.enabled = 1" if enabled_only else ""
        rows = self.db.conn.execute(f"SELECT {_COLUMNS} FROM gazetteers g {where} ORDER BY g.name")
        return [_gazetteer(row) for row in rows.fetchall()]

    @_serialized
    def gazetteer(self, name: str) -> Gazetteer:
        """One gazetteer by name; a StoreError naming it when there is none."""
        row = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM gazetteers g WHERE g.name = ?", (name,)
        ).fetchone()
        if row is None:
            known = ", ".join(g.name for g in self.gazetteers()) or "none"
            raise StoreError(f"no gazetteer {name!r} in this project (there are: {known})")
        return _gazetteer(row)

    @_serialized
    def gazetteer_terms(self, name: str) -> list[tuple[str, str]]:
        """A gazetteer's (term, label) pairs in the order they were loaded."""
        found = self.gazetteer(name)
        rows = self.db.conn.execute(
            "SELECT term, label FROM gazetteer_terms WHERE gazetteer = ? ORDER BY position",
            (found.id,),
        )
        return [(row[0], row[1]) for row in rows.fetchall()]

    @_serialized
    def set_gazetteer_enabled(self, name: str, enabled: bool) -> int:
        """Switch a gazetteer on or off; off also takes away its pending suggestions
        (returns how many). Rejections stay remembered either way."""
        found = self.gazetteer(name)
        with self.db.atomic():
            self.db.conn.execute(
                "UPDATE gazetteers SET enabled = ? WHERE id = ?", (int(enabled), found.id)
            )
            if enabled:
                return 0
            return self._drop_suggestions(found.source)

    @_serialized
    def remove_gazetteer(self, name: str) -> int:
        """Remove a gazetteer, its terms and its pending suggestions (returns how many)."""
        found = self.gazetteer(name)
        with self.db.atomic():
            self.db.conn.execute("DELETE FROM gazetteer_terms WHERE gazetteer = ?", (found.id,))
            self.db.conn.execute("DELETE FROM gazetteers WHERE id = ?", (found.id,))
            return self._drop_suggestions(found.source)

    def _drop_suggestions(self, source: str) -> int:
        cursor = self.db.conn.execute("DELETE FROM suggestions WHERE source = ?", (source,))
        return int(cursor.rowcount)

    @_serialized
    def article_texts(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The texts of these articles by id (ids not in the project are left out)."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = self.db.conn.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks})", list(article_ids)
        )
        return {row[0]: row[1] for row in rows.fetchall()}

    def iter_all_texts(self, batch: int = 500) -> Iterator[dict[int, str]]:
        """Every article's text by id, in batches of ids (each batch read under the lock,
        so an edit in the window waits for one batch at most)."""
        after = 0
        while found := self._texts_after(after, batch):
            yield found
            after = max(found)

    @_serialized
    def _texts_after(self, after: int, batch: int) -> dict[int, str]:
        rows = self.db.conn.execute(
            "SELECT id, text FROM articles WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
        )
        return {row[0]: row[1] for row in rows.fetchall()}
