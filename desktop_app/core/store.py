"""The project file: the only module that speaks SQL to it (one connection, one writer)."""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlite_utils import Database

from desktop_app.core import migrations
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    Article,
    ArticleDraft,
    ArticleFilter,
    ArticleRow,
    DocumentTag,
    ImportProblem,
    Label,
    LabelSchema,
    Span,
    Status,
)
from desktop_app.core.schema import next_free_color
from desktop_app.core.text import text_sha256

P = ParamSpec("P")
R = TypeVar("R")

SortKey = tuple[Any, int]  # (sort value, article id): a position in the article list


class StoreError(ValueError):
    """An edit or query the project file refuses, with a reason a person can read."""


def now() -> str:
    """The current UTC time as an ISO 8601 string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_uuid() -> str:
    """A fresh random identity for a span or tag (stable across merges and exports)."""
    return str(uuidlib.uuid4())


def _serialized(method: Callable[P, R]) -> Callable[P, R]:
    """Run a Store method under the store's lock: one thread at a time uses the connection."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, Store)
        with store._lock:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as error:
                # Locked, read-only, disk full, corrupt: one readable error type for callers,
                # naming the file; the failed statement's transaction is already rolled back.
                raise StoreError(f"{store.path or 'project'}: {error}") from error

    return wrapper


@dataclass
class BatchResult:
    """What one add_articles batch did."""

    added: int = 0
    unchanged: int = 0
    duplicates: int = 0
    spans_added: int = 0
    tags_added: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        """Add another result's counts and problems to this one."""
        self.added += other.added
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.spans_added += other.spans_added
        self.tags_added += other.tags_added
        self.problems.extend(other.problems)


_SPAN_COLUMNS = (
    'uuid, article, annotator, label, start, "end", quote, note, created_at, updated_at, deleted'
)
_TAG_COLUMNS = "uuid, article, annotator, label, note, created_at, updated_at, deleted"
_ARTICLE_COLUMNS = "id, uid, title, source, url, published, text, text_sha256, meta, imported_at"
_SORT_EXPRESSIONS = {"date": "ifnull(a.published, '')", "title": "a.title COLLATE NOCASE"}


def _span(row: Sequence[Any]) -> Span:
    return Span(
        uuid=row[0],
        article_id=row[1],
        annotator=row[2],
        label=row[3],
        start=row[4],
        end=row[5],
        quote=row[6],
        note=row[7],
        created_at=row[8],
        updated_at=row[9],
        deleted=bool(row[10]),
    )


def _tag(row: Sequence[Any]) -> DocumentTag:
    return DocumentTag(
        uuid=row[0],
        article_id=row[1],
        annotator=row[2],
        label=row[3],
        note=row[4],
        created_at=row[5],
        updated_at=row[6],
        deleted=bool(row[7]),
    )


def _article(row: Sequence[Any]) -> Article:
    return Article(
        id=row[0],
        uid=row[1],
        title=row[2],
        source=row[3],
        url=row[4],
        published=row[5],
        text=row[6],
        text_sha256=row[7],
        meta=json.loads(row[8] or "{}"),
        imported_at=row[9],
    )


class Store:
    """A Marginalia project file. Every write method commits before it returns."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the project file at `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=2.0)
            # One writer: this connection holds the file's lock until it closes (the OS drops
            # it if the process dies), so a second window or command gets a clear refusal
            # instead of interleaving writes.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise StoreError(
                    f"{path}: the project is open in another Marginalia window or command; "
                    "close it and try again"
                ) from error
            raise StoreError(f"{path}: cannot open the project ({error})") from error
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a Marginalia project file ({error})") from error
        return cls._prepare(Database(conn), path)

    @classmethod
    def memory(cls) -> Store:
        """A throwaway in-memory project, for tests."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        return cls._prepare(Database(conn), None)

    @classmethod
    def _prepare(cls, db: Database, path: Path | None) -> Store:
        # FULL: a commit is on disk before we tell the analyst it is saved.
        db.conn.execute("PRAGMA synchronous = FULL")
        db.conn.execute("PRAGMA foreign_keys = ON")
        try:
            migrations.migrate(db, path)
        except sqlite3.DatabaseError as error:
            db.close()
            raise StoreError(f"{path}: not a Marginalia project file ({error})") from error
        return cls(db, path)

    @_serialized
    def close(self) -> None:
        """Close the connection (everything is already committed)."""
        self.db.close()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.db.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # ----------------------------------------------------------------- project settings

    @_serialized
    def setting(self, key: str, default: str = "") -> str:
        """A project-wide setting (such as the schema's name)."""
        value = self._one("SELECT value FROM project WHERE key = ?", (key,))
        return default if value is None else str(value)

    @_serialized
    def set_setting(self, key: str, value: str) -> None:
        """Store a project-wide setting."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ----------------------------------------------------------------- labels

    @_serialized
    def labels(self, kind: str | None = None) -> list[Label]:
        """The project's labels in palette order, optionally only one kind."""
        sql = "SELECT name, kind, color, key, label_group, description FROM labels"
        params: tuple[str, ...] = ()
        if kind is not None:
            sql += " WHERE kind = ?"
            params = (kind,)
        rows = self.db.conn.execute(sql + " ORDER BY position, rowid", params).fetchall()
        return [Label(*row) for row in rows]

    @_serialized
    def apply_schema(self, schema: LabelSchema) -> list[str]:
        """Make the project's labels those of `schema`; return labels kept because in use.

        Labels that annotations still use are never dropped, so no annotation loses its label.
        """
        with self.db.atomic():
            for label in schema.labels:
                kind = self._one("SELECT kind FROM labels WHERE name = ?", (label.name,))
                if kind not in (None, label.kind) and self._label_in_use(label.name):
                    raise StoreError(
                        f"{label.name!r} is a {kind} label with annotations; "
                        f"it cannot become a {label.kind} label"
                    )
            for position, label in enumerate(schema.labels):
                self._upsert_label(label, position)
            names = [label.name for label in schema.labels]
            marks = ", ".join("?" for _ in names) or "''"
            stale = [
                row[0]
                for row in self.db.conn.execute(
                    f"SELECT name FROM labels WHERE name NOT IN ({marks})", names
                )
            ]
            kept = []
            keys = {label.key.lower() for label in schema.labels if label.key}
            for name in stale:
                if self._label_in_use(name):
                    kept.append(name)
                    # A kept label must not steal a key the new schema gives another label.
                    key = self._one("SELECT key FROM labels WHERE name = ?", (name,))
                    if key and str(key).lower() in keys:
                        self.db.execute("UPDATE labels SET key = '' WHERE name = ?", (name,))
                else:
                    self.db.execute("DELETE FROM labels WHERE name = ?", (name,))
            self.db.execute(
                "INSERT INTO project (key, value) VALUES ('schema_name', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (schema.name,),
            )
        return kept

    def _label_in_use(self, name: str) -> bool:
        return bool(
            self._one("SELECT 1 FROM spans WHERE label = ? LIMIT 1", (name,))
            or self._one("SELECT 1 FROM document_tags WHERE label = ? LIMIT 1", (name,))
        )

    def _upsert_label(self, label: Label, position: int | None = None) -> None:
        if position is None:
            position = int(self._one("SELECT ifnull(max(position), -1) + 1 FROM labels"))
        self.db.execute(
            "INSERT INTO labels (name, kind, color, key, label_group, description, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
            "color = excluded.color, key = excluded.key, label_group = excluded.label_group, "
            "description = excluded.description, position = excluded.position",
            (
                label.name,
                label.kind,
                label.color,
                label.key,
                label.group,
                label.description,
                position,
            ),
        )

    @_serialized
    def save_label(self, label: Label, old_name: str | None = None) -> None:
        """Add a label, or edit one (renaming it renames it on every annotation too)."""
        with self.db.atomic():
            if old_name is not None and old_name != label.name:
                if self._one("SELECT 1 FROM labels WHERE name = ?", (label.name,)):
                    raise StoreError(f"a label named {label.name!r} already exists")
                position = self._one("SELECT position FROM labels WHERE name = ?", (old_name,))
                if position is None:
                    raise StoreError(f"no label named {old_name!r}")
                self.db.execute("DELETE FROM labels WHERE name = ?", (old_name,))
                self._upsert_label(label, int(position))
                self.db.execute(
                    "UPDATE spans SET label = ? WHERE label = ?", (label.name, old_name)
                )
                self.db.execute(
                    "UPDATE document_tags SET label = ? WHERE label = ?", (label.name, old_name)
                )
            else:
                position = self._one("SELECT position FROM labels WHERE name = ?", (label.name,))
                self._upsert_label(label, None if position is None else int(position))

    def _ensure_label(self, name: str, kind: str) -> None:
        if self._one("SELECT 1 FROM labels WHERE name = ?", (name,)):
            return
        used = [row[0] for row in self.db.conn.execute("SELECT color FROM labels")]
        self._upsert_label(Label(name=name, kind=kind, color=next_free_color(used)))

    # ----------------------------------------------------------------- annotators

    @_serialized
    def annotators(self) -> list[str]:
        """Everyone who has annotated in this project, or been chosen as the annotator."""
        return [r[0] for r in self.db.conn.execute("SELECT name FROM annotators ORDER BY name")]

    @_serialized
    def ensure_annotator(self, name: str) -> None:
        """Record `name` as an annotator of this project."""
        if not name.strip():
            raise StoreError("an annotator needs a name")
        with self.db.atomic():
            self._ensure_annotator(name)

    def _ensure_annotator(self, name: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
        )

    # ----------------------------------------------------------------- articles: import

    @_serialized
    def add_articles(
        self, drafts: Iterable[ArticleDraft], default_annotator: str = "imported"
    ) -> BatchResult:
        """Add a batch of drafts in one transaction; existing uids only gain new annotations.

        Each draft is its own unit (a savepoint): a bad one is reported and the rest go on.
        """
        result = BatchResult()
        with self.db.atomic():
            for draft in drafts:
                one = BatchResult()  # counted only if the draft's savepoint commits
                try:
                    with self.db.atomic():
                        self._add_article(draft, default_annotator, one)
                except (StoreError, sqlite3.IntegrityError, ValueError) as error:
                    # ValueError: text that cannot be stored, such as a lone surrogate from
                    # JSON's \ud83d escape. Disk or lock errors are not caught: they stop.
                    result.problems.append(ImportProblem(draft.origin or "?", str(error)))
                    continue
                result.add(one)
        return result

    def _add_article(self, draft: ArticleDraft, default_annotator: str, out: BatchResult) -> None:
        digest = text_sha256(draft.text)
        uid = draft.uid or f"sha256:{digest[:24]}"
        row = self.db.conn.execute(
            "SELECT id, text_sha256 FROM articles WHERE uid = ?", (uid,)
        ).fetchone()
        if row is not None and row[1] != digest and draft.uid_derived:
            # A uid made up from a path (sport/001.txt in two feeds): the text tells them apart.
            uid = f"{uid}@{digest[:12]}"
            row = self.db.conn.execute(
                "SELECT id, text_sha256 FROM articles WHERE uid = ?", (uid,)
            ).fetchone()
        if row is not None:
            article_id, existing_digest = row
            if existing_digest != digest:
                raise StoreError(
                    f"article {uid!r} is already in the project with a different text; "
                    "article text never changes after import, so it was not replaced"
                )
            out.unchanged += 1
        else:
            meta = dict(draft.meta)
            twin = self._one("SELECT uid FROM articles WHERE text_sha256 = ? LIMIT 1", (digest,))
            if twin is not None:
                meta["duplicate_of"] = twin
                out.duplicates += 1
            cursor = self.db.conn.execute(
                "INSERT INTO articles (uid, title, source, url, published, text, text_sha256, "
                "meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    uid,
                    draft.title,
                    draft.source,
                    draft.url,
                    draft.published,
                    draft.text,
                    digest,
                    json.dumps(meta, ensure_ascii=False),
                    now(),
                ),
            )
            article_id = cursor.lastrowid
            out.added += 1
        for index, span in enumerate(draft.spans):
            if not 0 <= span.start < span.end <= len(draft.text):
                raise StoreError(f"span {index}: offsets {span.start}-{span.end} out of range")
            quote = draft.text[span.start : span.end]
            if span.quote is not None and span.quote != quote:
                raise StoreError(f"span {index}: quote does not match the text")
            annotator = span.annotator or default_annotator
            self._ensure_annotator(annotator)
            self._ensure_label(span.label, SPAN)
            stamp = span.created_at or now()
            cursor = self.db.conn.execute(
                f"INSERT OR IGNORE INTO spans ({_SPAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                (
                    span.uuid or new_uuid(),
                    article_id,
                    annotator,
                    span.label,
                    span.start,
                    span.end,
                    quote,
                    span.note,
                    stamp,
                    stamp,
                ),
            )
            out.spans_added += cursor.rowcount
        for tag in draft.tags:
            annotator = tag.annotator or default_annotator
            self._ensure_annotator(annotator)
            self._ensure_label(tag.label, DOCUMENT)
            stamp = tag.created_at or now()
            cursor = self.db.conn.execute(
                f"INSERT OR IGNORE INTO document_tags ({_TAG_COLUMNS}) VALUES (?,?,?,?,?,?,?,0)",
                (tag.uuid or new_uuid(), article_id, annotator, tag.label, tag.note, stamp, stamp),
            )
            out.tags_added += cursor.rowcount
        for annotator, status in draft.statuses.items():
            if status not in {s.value for s in Status}:
                raise StoreError(
                    f"status {status!r} for {annotator!r} is not todo/in progress/done"
                )
            self._ensure_annotator(annotator)
            self.db.conn.execute(
                "INSERT OR IGNORE INTO article_status (article, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (article_id, annotator, status, now()),
            )

    # ----------------------------------------------------------------- articles: read

    @_serialized
    def article(self, article_id: int) -> Article:
        """One article with its full text."""
        row = self.db.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        return _article(row)

    @_serialized
    def article_id(self, uid: str) -> int | None:
        """The id of the article with this uid, if it is in the project."""
        value = self._one("SELECT id FROM articles WHERE uid = ?", (uid,))
        return None if value is None else int(value)

    @_serialized
    def article_total(self) -> int:
        """How many articles the project holds."""
        return int(self._one("SELECT count(*) FROM articles"))

    def _where(self, flt: ArticleFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        # Control characters (a pasted line break, NUL) would split quote_fts's quoting.
        search = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in flt.search)
        if search.strip():
            query = self.db.quote_fts(search)
            if query:
                clauses.append(
                    "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
                )
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
            "SELECT a.id, a.uid, a.title, a.published, a.source, "
            "(SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0), "
            "(SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0), "
            "ifnull((SELECT status FROM article_status st WHERE st.article = a.id "
            "AND st.annotator = ?), 'todo') "
            f"FROM articles a {where} ORDER BY {key} {direction}, a.id {direction} LIMIT ?"
        )
        rows = self.db.conn.execute(sql, [status_annotator, *params, limit]).fetchall()
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

    # ----------------------------------------------------------------- spans

    @_serialized
    def spans(
        self, article_id: int, annotator: str | None = None, include_deleted: bool = False
    ) -> list[Span]:
        """The article's spans in text order, optionally one annotator's."""
        sql = f"SELECT {_SPAN_COLUMNS} FROM spans WHERE article = ?"
        params: list[Any] = [article_id]
        if not include_deleted:
            sql += " AND deleted = 0"
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        rows = self.db.conn.execute(sql + ' ORDER BY start, "end" DESC, created_at', params)
        return [_span(row) for row in rows]

    @_serialized
    def span(self, span_uuid: str) -> Span:
        """One span by uuid, deleted or not."""
        row = self.db.conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE uuid = ?", (span_uuid,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no span {span_uuid}")
        return _span(row)

    @_serialized
    def add_span(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        note: str = "",
        span_uuid: str | None = None,
    ) -> Span:
        """Create a span (committed); its quote is cut from the stored text."""
        text = self._one("SELECT text FROM articles WHERE id = ?", (article_id,))
        if text is None:
            raise StoreError(f"no article with id {article_id}")
        if not 0 <= start < end <= len(text):
            raise StoreError(f"span {start}-{end} is outside the text (0-{len(text)})")
        if not self._one("SELECT 1 FROM labels WHERE name = ? AND kind = 'span'", (label,)):
            raise StoreError(f"{label!r} is not a span label of this project")
        stamp = now()
        span_uuid = span_uuid or new_uuid()
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                f"INSERT INTO spans ({_SPAN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                (
                    span_uuid,
                    article_id,
                    annotator,
                    label,
                    start,
                    end,
                    text[start:end],
                    note,
                    stamp,
                    stamp,
                ),
            )
        return self.span(span_uuid)

    @_serialized
    def update_span(
        self,
        span_uuid: str,
        *,
        label: str | None = None,
        note: str | None = None,
        deleted: bool | None = None,
    ) -> Span:
        """Relabel, re-note, delete or restore a span (committed); returns the new state."""
        if label is not None and not self._one(
            "SELECT 1 FROM labels WHERE name = ? AND kind = 'span'", (label,)
        ):
            raise StoreError(f"{label!r} is not a span label of this project")
        before = self.span(span_uuid)
        with self.db.atomic():
            self.db.execute(
                "UPDATE spans SET label = ?, note = ?, deleted = ?, updated_at = ? WHERE uuid = ?",
                (
                    before.label if label is None else label,
                    before.note if note is None else note,
                    int(before.deleted if deleted is None else deleted),
                    now(),
                    span_uuid,
                ),
            )
        return self.span(span_uuid)

    # ----------------------------------------------------------------- document tags

    @_serialized
    def tags(
        self, article_id: int, annotator: str | None = None, include_deleted: bool = False
    ) -> list[DocumentTag]:
        """The article's document tags, optionally one annotator's."""
        sql = f"SELECT {_TAG_COLUMNS} FROM document_tags WHERE article = ?"
        params: list[Any] = [article_id]
        if not include_deleted:
            sql += " AND deleted = 0"
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        rows = self.db.conn.execute(sql + " ORDER BY created_at", params)
        return [_tag(row) for row in rows]

    @_serialized
    def set_tag(self, article_id: int, label: str, annotator: str, present: bool) -> bool:
        """Put a document tag on or off (committed); return whether anything changed."""
        if not self._one("SELECT 1 FROM labels WHERE name = ? AND kind = 'document'", (label,)):
            raise StoreError(f"{label!r} is not a document tag of this project")
        live = self._one(
            "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? AND label = ? "
            "AND deleted = 0",
            (article_id, annotator, label),
        )
        if bool(live) == present:
            return False
        stamp = now()
        with self.db.atomic():
            if present:
                self._ensure_annotator(annotator)
                # Bring back the most recent deleted tag, so undo keeps the same uuid.
                revived = self._one(
                    "SELECT uuid FROM document_tags WHERE article = ? AND annotator = ? "
                    "AND label = ? AND deleted = 1 ORDER BY updated_at DESC LIMIT 1",
                    (article_id, annotator, label),
                )
                if revived:
                    self.db.execute(
                        "UPDATE document_tags SET deleted = 0, updated_at = ? WHERE uuid = ?",
                        (stamp, revived),
                    )
                else:
                    self.db.execute(
                        f"INSERT INTO document_tags ({_TAG_COLUMNS}) VALUES (?,?,?,?,'',?,?,0)",
                        (new_uuid(), article_id, annotator, label, stamp, stamp),
                    )
            else:
                self.db.execute(
                    "UPDATE document_tags SET deleted = 1, updated_at = ? WHERE uuid = ?",
                    (stamp, live),
                )
        return True

    # ----------------------------------------------------------------- status

    @_serialized
    def status(self, article_id: int, annotator: str) -> str:
        """The annotator's status on the article (todo when never set)."""
        value = self._one(
            "SELECT status FROM article_status WHERE article = ? AND annotator = ?",
            (article_id, annotator),
        )
        return str(value) if value else Status.TODO.value

    @_serialized
    def statuses(self, article_id: int) -> dict[str, str]:
        """Every annotator's status on the article."""
        rows = self.db.conn.execute(
            "SELECT annotator, status FROM article_status WHERE article = ? ORDER BY annotator",
            (article_id,),
        )
        return {row[0]: row[1] for row in rows}

    @_serialized
    def set_status(self, article_id: int, annotator: str, status: str) -> None:
        """Set the annotator's status on the article (committed)."""
        if status not in {s.value for s in Status}:
            raise StoreError(f"{status!r} is not a status (todo, in progress, done)")
        with self.db.atomic():
            self._ensure_annotator(annotator)
            self.db.execute(
                "INSERT INTO article_status (article, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (article, annotator) DO UPDATE SET "
                "status = excluded.status, updated_at = excluded.updated_at",
                (article_id, annotator, status, now()),
            )

    # ----------------------------------------------------------------- facts

    @_serialized
    def stats(self) -> dict[str, Any]:
        """Counts for `marginalia stats`: articles, annotations per label, annotator, status."""

        def grouped(sql: str) -> dict[str, int]:
            return {str(r[0]): int(r[1]) for r in self.db.conn.execute(sql)}

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
            "schema_version": migrations.current_version(self.db),
        }
