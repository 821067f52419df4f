"""Adding article drafts (with their annotations) to the project file, and reading articles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    Article,
    ArticleDraft,
    ImportProblem,
    Status,
)
from desktop_app.core.store.base import (
    _ARTICLE_COLUMNS,
    _SPAN_COLUMNS,
    _TAG_COLUMNS,
    StoreError,
    _article,
    _serialized,
    new_uuid,
    now,
)
from desktop_app.core.store.labels import LabelsMixin
from desktop_app.core.text import text_sha256


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


class ArticlesMixin(LabelsMixin):
    """The store's articles: import (which may add labels and annotators) and reading."""

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
        article_id = self._find_or_insert_article(draft, out)
        self._add_draft_spans(draft, article_id, default_annotator, out)
        self._add_draft_tags(draft, article_id, default_annotator, out)
        self._add_draft_statuses(draft, article_id)

    def _find_or_insert_article(self, draft: ArticleDraft, out: BatchResult) -> int:
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
            return int(article_id)
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
        out.added += 1
        assert cursor.lastrowid is not None  # an INSERT sets it
        return cursor.lastrowid

    def _add_draft_spans(
        self, draft: ArticleDraft, article_id: int, default_annotator: str, out: BatchResult
    ) -> None:
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

    def _add_draft_tags(
        self, draft: ArticleDraft, article_id: int, default_annotator: str, out: BatchResult
    ) -> None:
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

    def _add_draft_statuses(self, draft: ArticleDraft, article_id: int) -> None:
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
