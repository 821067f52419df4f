"""Read another analyst's project file, read-only, as article drafts with every annotation."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from desktop_app.core.fragments import from_json
from desktop_app.core.migrations import latest_version
from desktop_app.core.model import (
    ArticleDraft,
    Label,
    Provenance,
    RelationRecord,
    RelationType,
    SpanDraft,
    TagDraft,
)
from desktop_app.core.store.base import StoreError
from desktop_app.core.store.integrity import table_names
from desktop_app.core.times import OLDEST, TimeError, normalize_time

SQLITE_HEADER = b"SQLite format 3\x00"
_TABLES = {"articles", "spans", "document_tags", "article_status", "labels"}


def is_project_file(path: Path) -> bool:
    """True when `path` starts with SQLite's file header (else it is read as JSONL)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


class ForeignProject:
    """A colleague's project file opened read-only: its labels and its articles in batches.

    Deleted annotations are read too (a deletion is an edit that a merge carries), and so
    are the times of every edit, which decide which side is newer.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            tables = table_names(self._conn)
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot read it as a Marginalia project ({error})") from error
        if not tables >= _TABLES or version < 1:
            raise StoreError(f"{path}: not a Marginalia project file (no articles and spans)")
        if version > latest_version():
            raise StoreError(
                f"{path}: made by a newer Marginalia (schema {version}); update before merging"
            )
        # Times it holds that are not times (an older version stored what an import gave):
        # read as the oldest time, so they never win a conflict, and said.
        self.notes: list[str] = []
        # A project from before discontinuous spans (schema < 7) has no fragments column.
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(spans)")}
        self._fragments = "fragments" if "fragments" in columns else "''"
        # A project from before suggestions (schema < 12) has no provenance to carry.
        self._has_provenance = "span_provenance" in tables
        # A project from before relations (schema < 14) has none to give.
        self._has_relations = {"relations", "relation_types"} <= tables
        self._relations: dict[str, list[RelationRecord]] = {}  # of the last batch, by origin

    def close(self) -> None:
        """Close the read-only connection."""
        self._conn.close()

    def __enter__(self) -> ForeignProject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def labels(self) -> list[Label]:
        """The colleague's labels, so merged annotations keep their kind and colour."""
        rows = self._conn.execute(
            "SELECT name, kind, color, key, label_group, description FROM labels "
            "ORDER BY position, rowid"
        ).fetchall()
        return [Label(*row) for row in rows]

    def relation_types(self) -> list[RelationType]:
        """The colleague's relation types, so merged relations keep their colour and rules."""
        if not self._has_relations:
            return []
        rows = self._conn.execute(
            "SELECT name, color, key, directed, from_labels, to_labels, description "
            "FROM relation_types ORDER BY position, rowid"
        ).fetchall()
        return [
            RelationType(
                str(name), str(color), str(key), bool(directed), _names(from_labels),
                _names(to_labels), str(description),
            )
            for name, color, key, directed, from_labels, to_labels, description in rows
        ]  # fmt: skip

    def relations_of(self, draft: ArticleDraft) -> list[RelationRecord]:
        """The relations (deleted ones too) of an article of the batch last read."""
        return self._relations.get(draft.origin, [])

    def article_total(self) -> int:
        """How many articles the colleague's project holds."""
        return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def batches(self, size: int = 500) -> Iterator[list[ArticleDraft]]:
        """Every article with all its annotations, `size` articles at a time, by id."""
        after = 0
        try:
            while True:
                rows = self._conn.execute(
                    "SELECT id, uid, title, source, url, published, text, meta FROM articles "
                    "WHERE id > ? ORDER BY id LIMIT ?",
                    (after, size),
                ).fetchall()
                if not rows:
                    return
                yield self._drafts(rows)
                after = rows[-1][0]
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot read it ({error})") from error

    def _meta(self, uid: object, meta: object) -> dict[str, object]:
        """An article's meta; a damaged one stops the merge, naming the file and article."""
        try:
            value = json.loads(str(meta) or "{}")
        except ValueError as error:
            raise StoreError(
                f"{self.path}: article {uid}: its metadata is not JSON ({error}); nothing was "
                "merged"
            ) from error
        return value if isinstance(value, dict) else {"meta": value}

    def _time(self, value: object, where: str) -> str | None:
        """A stored time in UTC (see core.times), None when empty; one that is not a time
        is the oldest of all, and noted."""
        if value is None or value == "":
            return None
        try:
            return normalize_time(str(value))
        except TimeError as error:
            self.notes.append(f"{self.path}#{where} {error}: read as the oldest time")
            return OLDEST

    def _provenance(self, marks: str, ids: list[object]) -> dict[object, Provenance]:
        """Where each accepted suggestion's span on these articles came from, by span uuid."""
        if not self._has_provenance:
            return {}
        return {
            row[0]: Provenance(str(row[1]), str(row[2]), row[3], str(row[4]), str(row[5]))
            for row in self._conn.execute(
                "SELECT p.span, p.source, p.suggestion, p.score, p.explanation, p.accepted_at "
                f"FROM span_provenance p JOIN spans s ON s.uuid = p.span WHERE s.article IN "
                f"({marks})",
                ids,
            )
        }

    def _drafts(self, rows: list[tuple[object, ...]]) -> list[ArticleDraft]:
        ids = [row[0] for row in rows]
        uids = {row[0]: row[1] for row in rows}
        marks = ", ".join("?" for _ in ids)
        provenance = self._provenance(marks, ids)
        spans: dict[object, list[SpanDraft]] = {}
        for row in self._conn.execute(
            'SELECT article, uuid, start, "end", label, annotator, quote, note, created_at, '
            f"updated_at, deleted, {self._fragments} FROM spans WHERE article IN ({marks}) "
            'ORDER BY article, start, "end" DESC, created_at',
            ids,
        ):
            where = f"{uids[row[0]]}: span {row[1]}"
            spans.setdefault(row[0], []).append(
                SpanDraft(
                    start=row[2], end=row[3], label=row[4], uuid=row[1], annotator=row[5],
                    quote=row[6], note=row[7],
                    created_at=self._time(row[8], f"{where}: created_at"),
                    updated_at=self._time(row[9], f"{where}: updated_at"),
                    deleted=bool(row[10]), fragments=from_json(row[11]),
                    provenance=provenance.get(row[1]),
                )
            )  # fmt: skip
        tags: dict[object, list[TagDraft]] = {}
        for row in self._conn.execute(
            "SELECT article, uuid, label, annotator, note, created_at, updated_at, deleted "
            f"FROM document_tags WHERE article IN ({marks}) ORDER BY article, created_at",
            ids,
        ):
            where = f"{uids[row[0]]}: tag {row[1]}"
            tags.setdefault(row[0], []).append(
                TagDraft(
                    label=row[2], uuid=row[1], annotator=row[3], note=row[4],
                    created_at=self._time(row[5], f"{where}: created_at"),
                    updated_at=self._time(row[6], f"{where}: updated_at"), deleted=bool(row[7]),
                )
            )  # fmt: skip
        statuses: dict[object, dict[str, str]] = {}
        times: dict[object, dict[str, str]] = {}
        for article, annotator, status, updated_at in self._conn.execute(
            "SELECT article, annotator, status, updated_at FROM article_status "
            f"WHERE article IN ({marks})",
            ids,
        ):
            statuses.setdefault(article, {})[annotator] = status
            where = f"{uids[article]}: status of {annotator}: updated_at"
            times.setdefault(article, {})[annotator] = self._time(updated_at, where) or ""
        self._relations = self._batch_relations(ids, uids) if self._has_relations else {}
        return [
            ArticleDraft(
                text=str(row[6]),
                uid=str(row[1]),
                title=str(row[2]),
                source=str(row[3]),
                url=str(row[4]),
                published=None if row[5] is None else str(row[5]),
                meta=self._meta(row[1], row[7]),
                origin=f"{self.path}#{row[1]}",
                spans=tuple(spans.get(row[0], ())),
                tags=tuple(tags.get(row[0], ())),
                statuses=statuses.get(row[0], {}),
                status_times=times.get(row[0], {}),
            )
            for row in rows
        ]

    def _batch_relations(
        self, ids: list[object], uids: dict[object, object]
    ) -> dict[str, list[RelationRecord]]:
        marks = ", ".join("?" for _ in ids)
        found: dict[str, list[RelationRecord]] = {}
        for row in self._conn.execute(
            "SELECT article, uuid, type, from_span, to_span, annotator, note, created_at, "
            f"updated_at, deleted FROM relations WHERE article IN ({marks}) "
            "ORDER BY article, created_at, rowid",
            ids,
        ):
            where = f"{uids[row[0]]}: relation {row[1]}"
            found.setdefault(f"{self.path}#{uids[row[0]]}", []).append(
                RelationRecord(
                    uuid=str(row[1]), type=str(row[2]), from_span=str(row[3]),
                    to_span=str(row[4]), annotator=str(row[5]), note=str(row[6]),
                    created_at=self._time(row[7], f"{where}: created_at") or "",
                    updated_at=self._time(row[8], f"{where}: updated_at") or "",
                    deleted=bool(row[9]),
                )
            )  # fmt: skip
        return found


def _names(value: object) -> tuple[str, ...]:
    """A JSON list of label names as stored; anything else allows any label."""
    try:
        found = json.loads(str(value or "[]"))
    except ValueError:
        return ()
    return tuple(str(name) for name in found) if isinstance(found, list) else ()
