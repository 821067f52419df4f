"""Named, ordered schema migrations for a project file, tracked by PRAGMA user_version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from desktop_app.core.store.backups import take_backup
from desktop_app.core.store.integrity import OVERVIEW_TABLES
from desktop_app.core.store.relation_meta import convert_meta_relations

Migration = Callable[[Database], None]


class MigrationError(RuntimeError):
    """The project file cannot be brought to the schema this version understands."""


def _initial(db: Database) -> None:
    """Articles with FTS, labels, annotators, spans, document tags and per-annotator status."""
    db.executescript(
        """
        CREATE TABLE project (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published TEXT,
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL
        );
        -- The list sorts by these expressions; keyset paging needs (key, id) indexes.
        CREATE INDEX articles_by_date ON articles (ifnull(published, ''), id);
        CREATE INDEX articles_by_title ON articles (title COLLATE NOCASE, id);
        CREATE INDEX articles_by_sha ON articles (text_sha256);
        -- Spans index into the text, so the text may never change in place.
        CREATE TRIGGER articles_text_immutable BEFORE UPDATE OF text ON articles
        WHEN NEW.text IS NOT OLD.text
        BEGIN SELECT RAISE(ABORT, 'article text is immutable'); END;

        CREATE TABLE labels (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('span', 'document')),
            color TEXT NOT NULL,
            key TEXT NOT NULL DEFAULT '',
            label_group TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE annotators (
            name TEXT PRIMARY KEY,
            color TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

        CREATE TABLE spans (
            uuid TEXT PRIMARY KEY,
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            quote TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            review_status TEXT
        );
        CREATE INDEX spans_by_article ON spans (article, deleted);
        CREATE INDEX spans_by_label ON spans (label, article) WHERE deleted = 0;
        CREATE INDEX spans_by_annotator ON spans (annotator, article) WHERE deleted = 0;
        -- The offset rule, enforced by the database itself: substr() counts code points,
        -- exactly like Python str indices.
        CREATE TRIGGER spans_quote_matches BEFORE INSERT ON spans
        BEGIN
            SELECT RAISE(ABORT, 'span quote does not match the article text')
            WHERE (SELECT NEW."end" > length(text)
                          OR substr(text, NEW.start + 1, NEW."end" - NEW.start) IS NOT NEW.quote
                   FROM articles WHERE id = NEW.article) IS NOT 0;
        END;
        CREATE TRIGGER spans_offsets_fixed BEFORE UPDATE OF start, "end", quote, article ON spans
        BEGIN SELECT RAISE(ABORT, 'span offsets are immutable; delete and re-create'); END;

        CREATE TABLE document_tags (
            uuid TEXT PRIMARY KEY,
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX tags_by_article ON document_tags (article, deleted);
        CREATE INDEX tags_by_label ON document_tags (label, article) WHERE deleted = 0;
        CREATE INDEX tags_by_annotator ON document_tags (annotator, article) WHERE deleted = 0;
        -- One live tag per article, annotator and label; deleted ones stay for undo and merge.
        CREATE UNIQUE INDEX tags_one_live ON document_tags (article, annotator, label)
            WHERE deleted = 0;

        CREATE TABLE article_status (
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('todo', 'in progress', 'done')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article, annotator)
        );
        CREATE INDEX status_by_annotator ON article_status (annotator, status, article);
        """
    )
    db.table("articles").enable_fts(
        ["title", "text"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


def _fts_batch_insert(db: Database) -> None:
    """Let a bulk import fill the search index once per batch instead of once per row.

    The insert trigger still keeps the index in sync for every ordinary insert; it stands
    aside only while the importing transaction holds the 'fts_deferred' flag, and that same
    transaction indexes its rows before clearing it (an FTS5 insert per row costs about
    twice as much as one INSERT ... SELECT per batch).
    """
    db.executescript(
        """
        DROP TRIGGER articles_ai;
        CREATE TRIGGER articles_ai AFTER INSERT ON articles
        WHEN NOT EXISTS (SELECT 1 FROM project WHERE key = 'fts_deferred')
        BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """
    )


def _annotation_summaries(db: Database) -> None:
    """Per-article counts of live annotations by annotator and by span label.

    The list's "annotated by" and "has label" filters read these (one row per article and
    name) instead of every span: with ten million spans that is the difference between
    seconds and tens of milliseconds. Triggers keep them exact through inserts, soft
    deletes, restores, relabels and label renames.
    """
    db.executescript(
        """
        CREATE TABLE article_annotators (
            article INTEGER NOT NULL, annotator TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (annotator, article)
        ) WITHOUT ROWID;
        CREATE TABLE article_labels (
            article INTEGER NOT NULL, label TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (label, article)
        ) WITHOUT ROWID;

        INSERT INTO article_annotators (article, annotator, n)
            SELECT article, annotator, count(*) FROM (
                SELECT article, annotator FROM spans WHERE deleted = 0
                UNION ALL SELECT article, annotator FROM document_tags WHERE deleted = 0)
            GROUP BY article, annotator;
        INSERT INTO article_labels (article, label, n)
            SELECT article, label, count(*) FROM spans WHERE deleted = 0 GROUP BY article, label;
        """
    )
    for table in ("spans", "document_tags"):
        db.executescript(
            f"""
            CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} WHEN NEW.deleted = 0
            BEGIN
                INSERT INTO article_annotators (article, annotator, n)
                VALUES (NEW.article, NEW.annotator, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER {table}_count_update AFTER UPDATE OF deleted, annotator ON {table}
            BEGIN
                UPDATE article_annotators SET n = n - 1
                WHERE OLD.deleted = 0 AND article = OLD.article AND annotator = OLD.annotator;
                INSERT INTO article_annotators (article, annotator, n)
                SELECT NEW.article, NEW.annotator, 1 WHERE NEW.deleted = 0
                ON CONFLICT DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} WHEN OLD.deleted = 0
            BEGIN
                UPDATE article_annotators SET n = n - 1
                WHERE article = OLD.article AND annotator = OLD.annotator;
            END;
            """
        )
    db.executescript(
        """
        CREATE TRIGGER spans_label_insert AFTER INSERT ON spans WHEN NEW.deleted = 0
        BEGIN
            INSERT INTO article_labels (article, label, n) VALUES (NEW.article, NEW.label, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER spans_label_update AFTER UPDATE OF deleted, label ON spans
        BEGIN
            UPDATE article_labels SET n = n - 1
            WHERE OLD.deleted = 0 AND article = OLD.article AND label = OLD.label;
            INSERT INTO article_labels (article, label, n)
            SELECT NEW.article, NEW.label, 1 WHERE NEW.deleted = 0
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER spans_label_delete AFTER DELETE ON spans WHEN OLD.deleted = 0
        BEGIN
            UPDATE article_labels SET n = n - 1 WHERE article = OLD.article AND label = OLD.label;
        END;
        """
    )


# FTS5 writes its pending terms out as a new index segment whenever they pass this size
# (1 MB by default); every segment is merged again later. 64 MB lets one import batch
# become about one segment: a third less import time at 100,000 articles. The buffer only
# grows that large inside a transaction that indexes that much text.
FTS_HASH_BYTES = 64 * 2**20


def _fts_hash_size(db: Database) -> None:
    """Let the search index buffer a whole import batch before writing a segment."""
    db.conn.execute(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', ?)", (FTS_HASH_BYTES,)
    )


def _merge_tracking(db: Database) -> None:
    """Keep the versions a merge replaced, and the version each side last agreed on.

    merge_base lets a merge tell "only they edited it since we last merged" (take theirs)
    from "both edited it" (a conflict: the newer wins, the other goes to the history), and
    an older copy of an edit already seen (from another colleague or an old export) from
    a new edit.
    """
    db.executescript(
        """
        CREATE TABLE annotation_history (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('span', 'document')),
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            note TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX history_by_uuid ON annotation_history (uuid);
        CREATE TABLE merge_base (
            uuid TEXT PRIMARY KEY,
            ours_at TEXT NOT NULL,   -- our updated_at when the two sides last agreed
            theirs_at TEXT NOT NULL  -- the newest edit time of theirs we have seen
        ) WITHOUT ROWID;
        """
    )


def _adjudications(db: Database) -> None:
    """A reviewer's decisions: each compared item accepted into the adjudicated layer or not.

    The adjudicated layer itself is ordinary spans and tags under its own annotator name, so
    it exports, merges and is compared like anyone's work; this table says who decided each
    item, when, and which annotation it became.
    """
    db.executescript(
        """
        CREATE TABLE adjudications (
            layer TEXT NOT NULL,
            item_key TEXT NOT NULL,
            article INTEGER NOT NULL REFERENCES articles (id),
            kind TEXT NOT NULL CHECK (kind IN ('span', 'document')),
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            source_uuid TEXT,
            result_uuid TEXT,
            created INTEGER NOT NULL DEFAULT 0,  -- 1: the decision made result_uuid
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (layer, item_key)
        ) WITHOUT ROWID;
        CREATE INDEX adjudications_by_article ON adjudications (article, layer);
        """
    )


def _span_fragments(db: Database) -> None:
    """Let a span be discontinuous: its pieces inside start..end, as JSON ('' when it is not).

    A column rather than a table of pieces: fragments are written once with their span and
    never edited alone, and every reader that ignores them still sees a true extent.
    """
    db.conn.execute("ALTER TABLE spans ADD COLUMN fragments TEXT NOT NULL DEFAULT ''")


def _quotes_with_nul(db: Database) -> None:
    """Let the offset rule's trigger accept a true span in a text that holds U+0000.

    SQLite's text functions stop at a U+0000 (length() counts the characters before it,
    substr() finds nothing after it), so the first trigger refused every span past one. A
    text without U+0000 is still checked exactly; one with it is checked on its bytes, as
    far as SQL can tell without counting code points past a U+0000: the quote is end - start
    code points long (when it holds no U+0000 itself) and appears in the text no earlier
    than byte `start`. The store cuts every
    quote from the text in Python, and the full check compares such spans exactly.
    """
    db.executescript(
        """
        DROP TRIGGER spans_quote_matches;
        CREATE TRIGGER spans_quote_matches BEFORE INSERT ON spans
        BEGIN
            SELECT RAISE(ABORT, 'span quote does not match the article text')
            WHERE (SELECT CASE WHEN instr(CAST(text AS BLOB), x'00') = 0
                          THEN NEW."end" > length(text)
                               OR substr(text, NEW.start + 1, NEW."end" - NEW.start)
                                  IS NOT NEW.quote
                          ELSE length(CAST(NEW.quote AS BLOB)) < NEW."end" - NEW.start
                               OR (instr(CAST(NEW.quote AS BLOB), x'00') = 0
                                   AND length(NEW.quote) != NEW."end" - NEW.start)
                               OR length(CAST(text AS BLOB)) < NEW."end"
                               OR instr(substr(CAST(text AS BLOB), NEW.start + 1),
                                        CAST(NEW.quote AS BLOB)) = 0
                          END
                   FROM articles WHERE id = NEW.article) IS NOT 0;
        END;
        """
    )


def _list_sort_keys(db: Database) -> None:
    """Indexes that let the list sort by source and by its span and tag counts, fast.

    The list pages through a million articles by (sort key, id) and needs an index on each
    key: the source has one on the articles; the counts live in article_counts (one row per
    article, kept by triggers), not on the article row, so that adding a span never rewrites
    the article's text. Status has no such index (it is each annotator's own), so the list
    offers no sort by it.
    """
    db.executescript(
        """
        CREATE INDEX articles_by_source ON articles (source COLLATE NOCASE, id);

        CREATE TABLE article_counts (
            id INTEGER PRIMARY KEY,  -- the article's id
            spans INTEGER NOT NULL DEFAULT 0,  -- live spans, every annotator's
            tags INTEGER NOT NULL DEFAULT 0  -- live document tags, every annotator's
        );
        INSERT INTO article_counts (id, spans, tags)
            SELECT a.id,
                   (SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0),
                   (SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0)
            FROM articles a;
        CREATE INDEX counts_by_spans ON article_counts (spans, id);
        CREATE INDEX counts_by_tags ON article_counts (tags, id);

        CREATE TRIGGER articles_count_insert AFTER INSERT ON articles
        BEGIN INSERT INTO article_counts (id) VALUES (NEW.id); END;
        CREATE TRIGGER articles_count_delete AFTER DELETE ON articles
        BEGIN DELETE FROM article_counts WHERE id = OLD.id; END;
        """
    )
    for table, column in (("spans", "spans"), ("document_tags", "tags")):
        db.executescript(
            f"""
            CREATE TRIGGER {table}_total_insert AFTER INSERT ON {table} WHEN NEW.deleted = 0
            BEGIN
                UPDATE article_counts SET {column} = {column} + 1 WHERE id = NEW.article;
            END;
            CREATE TRIGGER {table}_total_update AFTER UPDATE OF deleted, article ON {table}
            WHEN OLD.deleted != NEW.deleted OR OLD.article != NEW.article
            BEGIN
                UPDATE article_counts SET {column} = {column} - 1
                WHERE OLD.deleted = 0 AND id = OLD.article;
                UPDATE article_counts SET {column} = {column} + 1
                WHERE NEW.deleted = 0 AND id = NEW.article;
            END;
            CREATE TRIGGER {table}_total_delete AFTER DELETE ON {table} WHEN OLD.deleted = 0
            BEGIN
                UPDATE article_counts SET {column} = {column} - 1 WHERE id = OLD.article;
            END;
            """
        )


def _source_from_folder(db: Database) -> None:
    """Give articles imported from a folder, before their source was set, that folder.

    Text files imported before this version kept their folder's name in the metadata
    ("folder") and left the source empty; the list can now show, sort and filter it. The
    stored absolute path stays as it was (the folder chosen at the time is not known).
    The search index's update trigger is narrowed to the indexed columns first, so that
    this and every later change of source or metadata does not re-index the text.
    """
    db.executescript(
        """
        DROP TRIGGER articles_au;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles
        BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        UPDATE articles SET source = json_extract(meta, '$.folder')
        WHERE source = '' AND json_valid(meta)
          AND json_type(meta, '$.folder') = 'text' AND json_type(meta, '$.path') = 'text';
        """
    )


def _count_triggers(
    table: str, summary: str, key: tuple[tuple[str, str], ...], watched: str, live: bool
) -> str:
    """Triggers that keep `summary` (its key columns, n) counting the rows of `table`.

    `key` pairs each key column with its value for a row, written with NEW. (the OLD. form
    is derived); `watched` are the columns whose update moves a row to another key; `live`
    says the table soft-deletes (only rows with deleted = 0 count).
    """
    columns = ", ".join(column for column, _ in key)
    values = ", ".join(value for _, value in key)
    old = " AND ".join(f"{column} = {value.replace('NEW.', 'OLD.')}" for column, value in key)
    when_new, when_old = ("WHEN NEW.deleted = 0", "WHEN OLD.deleted = 0") if live else ("", "")
    return f"""
        CREATE TRIGGER {table}_{summary}_insert AFTER INSERT ON {table} {when_new}
        BEGIN
            INSERT INTO {summary} ({columns}, n) SELECT {values}, 1
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER {table}_{summary}_update
        AFTER UPDATE OF {"deleted, " if live else ""}{watched} ON {table}
        BEGIN
            UPDATE {summary} SET n = n - 1 WHERE {"OLD.deleted = 0 AND " if live else ""}{old};
            INSERT INTO {summary} ({columns}, n) SELECT {values}, 1
            {"WHERE NEW.deleted = 0" if live else ""}
            ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER {table}_{summary}_delete AFTER DELETE ON {table} {when_old}
        BEGIN
            UPDATE {summary} SET n = n - 1 WHERE {old};
        END;
        """


def _overview_counts(db: Database) -> None:
    """Project-wide counts for the overview: spans and tags per label and source, annotations
    per day and annotator, statuses per annotator, articles per publication day and source.

    With ten million spans, summing the per-article tables takes seconds; these hold a few
    thousand rows, so the whole project's overview reads in milliseconds. Triggers keep
    them exact; the full check compares them with a recount (integrity.DERIVED_COUNTS). The
    source index serves the list's source filter.
    """
    for table, (definition, recount, columns) in OVERVIEW_TABLES.items():
        db.conn.execute(f"CREATE TABLE {table} ({definition}) WITHOUT ROWID")
        db.conn.execute(f"INSERT INTO {table} ({columns}) {recount}")
    source = "ifnull((SELECT source FROM articles WHERE id = NEW.article), '')"
    day = ("day", "substr(NEW.created_at, 1, 10)")
    script = "CREATE INDEX articles_by_source_date ON articles (source, ifnull(published, ''));"
    for table, summary in (("spans", "label_sources"), ("document_tags", "tag_sources")):
        labelled = (("label", "NEW.label"), ("source", source))
        script += _count_triggers(table, summary, labelled, "label", live=True)
        by_day = (day, ("annotator", "NEW.annotator"))
        script += _count_triggers(
            table, "annotation_days", by_day, "annotator, created_at", live=True
        )
    status = (("annotator", "NEW.annotator"), ("status", "NEW.status"))
    script += _count_triggers(
        "article_status", "status_counts", status, "annotator, status", live=False
    )
    published = (("day", "ifnull(NEW.published, '')"), ("source", "NEW.source"))
    script += _count_triggers(
        "articles", "article_days", published, "published, source", live=False
    )
    db.executescript(script + _label_tag_triggers())


def _label_tag_triggers() -> str:
    """Keep label_tags (label, tag, n) counting the live spans of each label in the articles
    that carry each tag (by anyone): a span counts once under every tag of its article, and
    a tag's first copy on an article brings the article's spans in (its last takes them out).
    """
    tags_of = (
        "SELECT DISTINCT label FROM document_tags WHERE article = {row}.article AND deleted = 0"
    )
    spans_of = (
        "SELECT label, count(*) AS n FROM spans WHERE article = {row}.article AND deleted = 0 "
        "GROUP BY label"
    )
    # Whether no other live copy of this tag is on the article (this row is the only one).
    alone = (
        "NOT EXISTS (SELECT 1 FROM document_tags WHERE article = {row}.article AND label = "
        "{row}.label AND deleted = 0 AND uuid != {row}.uuid)"
    )

    def span_in(row: str) -> str:
        return (
            f"INSERT INTO label_tags (label, tag, n) SELECT {row}.label, label, 1 "
            f"FROM ({tags_of.format(row=row)}) WHERE true ON CONFLICT DO UPDATE SET n = n + 1;"
        )

    def span_out(row: str) -> str:
        return (
            f"UPDATE label_tags SET n = n - 1 WHERE label = {row}.label "
            f"AND tag IN ({tags_of.format(row=row)});"
        )

    def tag_in(row: str) -> str:
        return (
            f"INSERT INTO label_tags (label, tag, n) SELECT label, {row}.label, n "
            f"FROM ({spans_of.format(row=row)}) WHERE {alone.format(row=row)} "
            "ON CONFLICT DO UPDATE SET n = n + excluded.n;"
        )

    def tag_out(row: str) -> str:
        return (
            f"UPDATE label_tags SET n = n - ifnull((SELECT n FROM ({spans_of.format(row=row)}) "
            f"AS s WHERE s.label = label_tags.label), 0) WHERE tag = {row}.label "
            f"AND {alone.format(row=row)};"
        )

    # An update is the old row going out and the new one coming in (a no-op update too).
    return f"""
        CREATE TRIGGER spans_label_tags_insert AFTER INSERT ON spans WHEN NEW.deleted = 0
        BEGIN {span_in("NEW")} END;
        CREATE TRIGGER spans_label_tags_out AFTER UPDATE OF deleted, label ON spans
        WHEN OLD.deleted = 0 BEGIN {span_out("OLD")} END;
        CREATE TRIGGER spans_label_tags_in AFTER UPDATE OF deleted, label ON spans
        WHEN NEW.deleted = 0 BEGIN {span_in("NEW")} END;
        CREATE TRIGGER spans_label_tags_delete AFTER DELETE ON spans WHEN OLD.deleted = 0
        BEGIN {span_out("OLD")} END;
        CREATE TRIGGER tags_label_tags_insert AFTER INSERT ON document_tags WHEN NEW.deleted = 0
        BEGIN {tag_in("NEW")} END;
        CREATE TRIGGER tags_label_tags_out AFTER UPDATE OF deleted, label ON document_tags
        WHEN OLD.deleted = 0 BEGIN {tag_out("OLD")} END;
        CREATE TRIGGER tags_label_tags_in AFTER UPDATE OF deleted, label ON document_tags
        WHEN NEW.deleted = 0 BEGIN {tag_in("NEW")} END;
        CREATE TRIGGER tags_label_tags_delete AFTER DELETE ON document_tags WHEN OLD.deleted = 0
        BEGIN {tag_out("OLD")} END;
        """


def _suggestions(db: Database) -> None:
    """Machine suggestions, remembered rejections and where an accepted span came from.

    Suggestions are a layer of their own: never spans, so never exported, merged or counted.
    Rejections are keyed by article uid, offsets and label (a rejected Date there does not
    hide a Money suggestion over the same words). An accepted suggestion becomes the
    annotator's span; span_provenance records its source beside it, keyed by the span's
    uuid, so the spans table (and every reader of it) stays as it was.
    """
    db.executescript(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            article INTEGER NOT NULL REFERENCES articles (id),
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            label TEXT NOT NULL,
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            source TEXT NOT NULL,
            explanation TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX suggestions_one ON suggestions (article, start, "end", label, source);
        CREATE INDEX suggestions_by_label ON suggestions (label, article);
        CREATE TABLE suggestion_rejections (
            uid TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            rejected_by TEXT NOT NULL DEFAULT '',
            rejected_at TEXT NOT NULL,
            PRIMARY KEY (uid, start, "end", label)
        ) WITHOUT ROWID;
        CREATE TABLE span_provenance (
            span TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            suggestion TEXT NOT NULL DEFAULT '',
            score REAL,
            explanation TEXT NOT NULL DEFAULT '',
            accepted_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


def _relations(db: Database) -> None:
    """Relations between spans, and their types from the label schema (see core.relations).

    A relation refers to its spans by uuid (a foreign key, so `check --repair` removes one
    whose span row is gone); the full check also finds live relations on deleted spans.
    Relations that an import kept as article metadata become real relations where both ends
    are known spans (core.store.relation_meta decides which).
    """
    db.executescript(
        """
        CREATE TABLE relation_types (
            name TEXT PRIMARY KEY,
            color TEXT NOT NULL,
            key TEXT NOT NULL DEFAULT '',
            directed INTEGER NOT NULL DEFAULT 1,
            from_labels TEXT NOT NULL DEFAULT '[]',  -- JSON list of span labels; [] any
            to_labels TEXT NOT NULL DEFAULT '[]',
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE relations (
            uuid TEXT PRIMARY KEY,
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            type TEXT NOT NULL,
            from_span TEXT NOT NULL REFERENCES spans (uuid),
            to_span TEXT NOT NULL REFERENCES spans (uuid),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            CHECK (from_span != to_span)
        );
        CREATE INDEX relations_by_article ON relations (article, deleted);
        CREATE INDEX relations_by_from ON relations (from_span);
        CREATE INDEX relations_by_to ON relations (to_span);
        CREATE INDEX relations_by_type ON relations (type, article) WHERE deleted = 0;
        -- A relation links live spans: whatever deletes a span (an edit, an undo, a merge)
        -- deletes the relations on it, anyone's, soft, so undo and merges see it.
        CREATE TRIGGER spans_delete_relations AFTER UPDATE OF deleted ON spans
        WHEN NEW.deleted = 1 AND OLD.deleted = 0
        BEGIN
            UPDATE relations SET deleted = 1, updated_at = NEW.updated_at
            WHERE deleted = 0 AND (from_span = NEW.uuid OR to_span = NEW.uuid);
        END;
        """
    )
    convert_meta_relations(db)


def _annotate_all_batches(db: Database) -> None:
    """Annotate-all batches kept beyond the session: what was searched, by whom, with which
    label, and the spans each made, so a batch can be undone after a restart (QualCoder
    #295/#1293 lose it when the dialog closes). A batch row and its spans are written in one
    transaction. Link rows name spans by uuid without a foreign key: a span whose article is
    deleted just counts as gone, and comes back with the article's undo. Batches are listed
    newest first by rowid (two batches can share a millisecond)."""
    db.executescript(
        """
        CREATE TABLE annotate_all_batches (
            uuid TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            search TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '{}',
            scope TEXT NOT NULL DEFAULT '',
            count INTEGER NOT NULL CHECK (count >= 0),
            undone_at TEXT
        );
        CREATE TABLE annotate_all_batch_spans (
            batch TEXT NOT NULL REFERENCES annotate_all_batches (uuid) ON DELETE CASCADE,
            span TEXT NOT NULL,
            label TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (batch, span)
        ) WITHOUT ROWID;
        CREATE INDEX annotate_all_batch_spans_by_span ON annotate_all_batch_spans (span);
        """
    )


def _gazetteers(db: Database) -> None:
    """Gazetteers loaded into the project: their options and their terms.

    A gazetteer's suggestions carry the source "gazetteer:NAME"; its terms are kept here so
    it can be re-applied to new imports and exported without the file it came from.
    """
    db.executescript(
        """
        CREATE TABLE gazetteers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            source_file TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL DEFAULT '',
            enabled INTEGER NOT NULL DEFAULT 1,
            case_sensitive INTEGER NOT NULL DEFAULT 0,
            whole_word INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE gazetteer_terms (
            gazetteer INTEGER NOT NULL REFERENCES gazetteers (id),
            position INTEGER NOT NULL,
            term TEXT NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (gazetteer, position)
        ) WITHOUT ROWID;
        """
    )


def _overview_by_article(db: Database) -> None:
    """Indexes that hold, per article, everything a filter's overview counts.

    The overview of a filter (a search, a tag) counts the filter's articles' statuses, span
    labels, tags and annotation days. Read through the old indexes each of those was a seek
    plus a row read per annotation (ten per article), or a scan of every article's label
    counts: seconds for 60,000 of a million articles. With the counted columns in the index,
    each is one range of one index per article, read in id order; with the creation time
    next after the article, an article's latest annotation is one seek and the activity
    window one range. The spans and tags indexes by article are widened rather than
    doubled, so an edit writes no more indexes. A filter that keeps the articles some
    probe does not (a todo status, a search for what is not there) walks every article:
    (source, published) lets it read a small index instead of every article's row.
    """
    db.executescript(
        """
        DROP INDEX spans_by_article;
        CREATE INDEX spans_by_article ON spans (article, deleted, created_at, annotator);
        DROP INDEX tags_by_article;
        CREATE INDEX tags_by_article
            ON document_tags (article, deleted, created_at, annotator, label);
        CREATE INDEX labels_by_article ON article_labels (article, label, n);
        CREATE INDEX status_by_article ON article_status (article, annotator, status);
        CREATE INDEX articles_by_source_published ON articles (source, published);
        """
    )


def _overview_article_keys(db: Database) -> None:
    """An index by article id holding its source and publication date: a filter's overview
    finds its articles' keys by id in this narrow index instead of reading each article's
    row (with its text): 158 ms warm and 2 s from a cold disk for 63,000 of a million
    articles, against 25 ms from an index."""
    db.execute("CREATE INDEX articles_keys ON articles (id, source, published)")


def _relation_decisions(db: Database) -> None:
    """Let the merge history and the adjudications hold relations too (kind 'relation').

    SQLite cannot widen a CHECK in place, so both tables are rebuilt with their rows. A
    relation's version in the history is its type (in `label`), note, deletion and its two
    ends (`from_span`, `to_span`, empty for spans and tags): a merge can swap any of them.
    """
    db.executescript(
        """
        CREATE TABLE annotation_history_new (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('span', 'document', 'relation')),
            article INTEGER NOT NULL REFERENCES articles (id),
            annotator TEXT NOT NULL,
            label TEXT NOT NULL,
            note TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            from_span TEXT NOT NULL DEFAULT '',
            to_span TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO annotation_history_new (id, uuid, kind, article, annotator, label, note,
            deleted, updated_at, replaced_at, reason)
        SELECT id, uuid, kind, article, annotator, label, note, deleted, updated_at,
            replaced_at, reason FROM annotation_history;
        DROP TABLE annotation_history;
        ALTER TABLE annotation_history_new RENAME TO annotation_history;
        CREATE INDEX history_by_uuid ON annotation_history (uuid);
        CREATE TABLE adjudications_new (
            layer TEXT NOT NULL,
            item_key TEXT NOT NULL,
            article INTEGER NOT NULL REFERENCES articles (id),
            kind TEXT NOT NULL CHECK (kind IN ('span', 'document', 'relation')),
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            source_uuid TEXT,
            result_uuid TEXT,
            created INTEGER NOT NULL DEFAULT 0,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (layer, item_key)
        ) WITHOUT ROWID;
        INSERT INTO adjudications_new SELECT layer, item_key, article, kind, decision,
            source_uuid, result_uuid, created, decided_by, decided_at FROM adjudications;
        DROP TABLE adjudications;
        ALTER TABLE adjudications_new RENAME TO adjudications;
        CREATE INDEX adjudications_by_article ON adjudications (article, layer);
        """
    )


# What a team-server sync tracks (core/store/sync_state.py): each synced local table, the sync
# table's name for it, and the SQL expression of a row's server key (composite keys joined by
# U+001F, which no name or uuid holds).
SYNC_TRACKED: tuple[tuple[str, str, str], ...] = (
    ("articles", "articles", "{row}.uid"),
    ("labels", "labels", "{row}.name"),
    ("relation_types", "relation_types", "{row}.name"),
    ("spans", "spans", "{row}.uuid"),
    ("document_tags", "tags", "{row}.uuid"),
    (
        "article_status",
        "statuses",
        "(SELECT uid FROM articles WHERE id = {row}.article) || char(31) || {row}.annotator",
    ),
    ("relations", "relations", "{row}.uuid"),
    ("adjudications", "decisions", "{row}.layer || char(31) || {row}.item_key"),
)


def _sync_tracking(db: Database) -> None:
    """What a team-server sync needs to know locally (DESIGN.md section 15).

    sync_state holds the server's address (never a password), its identity and the cursor;
    sync_rows, per synced row, the server version last seen and a dirty count that triggers
    bump on every local write, whatever path makes it. The triggers stand aside while no
    server is set (no cost for a project that never syncs; the first sync marks every row)
    and while the sync itself writes (its 'applying' row lives only inside its transaction).
    Deletions mark rows too: the schema's and decisions' are real deletes, pushed as tombstones.
    """
    db.executescript(
        """
        CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sync_rows (
            tbl TEXT NOT NULL,
            key TEXT NOT NULL,
            version INTEGER,  -- the server's version last seen; NULL: not known to be there
            dirty INTEGER NOT NULL DEFAULT 0,  -- bumped per local write; 0: as the server has it
            PRIMARY KEY (tbl, key)
        ) WITHOUT ROWID;
        CREATE INDEX sync_rows_dirty ON sync_rows (tbl) WHERE dirty > 0;
        """
    )
    when = (
        "EXISTS (SELECT 1 FROM sync_state WHERE key = 'url') "
        "AND NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'applying')"
    )
    for local, name, key in SYNC_TRACKED:
        mark = (
            # A status whose article went first has no key left: nothing to mark.
            "INSERT INTO sync_rows (tbl, key, version, dirty) "
            f"SELECT '{name}', k, NULL, 1 FROM (SELECT {{key}} AS k) WHERE k IS NOT NULL "
            "ON CONFLICT (tbl, key) DO UPDATE SET dirty = dirty + 1;"
        )
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            db.executescript(
                f"CREATE TRIGGER {local}_sync_{event.lower()} AFTER {event} ON {local} "
                f"WHEN {when} BEGIN {mark.format(key=key.format(row=row))} END;"
            )


def _sync_history(db: Database) -> None:
    """Keep every loser of a sync, whatever its table (DESIGN.md section 15).

    annotation_history holds span, tag and relation versions only; a sync also overwrites
    statuses, labels, relation types and decisions. Each loser is kept whole, as the row the
    server would hold (JSON, its fields named as the server's columns), with the table, its
    key, whose version it was, why and when. `article` ties it to its article (none for the
    label schema), so deleting an article takes its history with it, as annotation_history.
    """
    db.executescript(
        """
        CREATE TABLE sync_history (
            id INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            key TEXT NOT NULL,  -- the row's key, parts joined by ' / '
            article INTEGER REFERENCES articles (id),
            annotator TEXT NOT NULL,  -- whose version this was ('' when unknown)
            row TEXT NOT NULL,  -- the losing version as JSON
            reason TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX sync_history_by_article ON sync_history (article);
        """
    )


# The project-table keys that are part of the label schema and travel with it (the others, such
# as samples_loaded, are the project's own).
SCHEMA_SETTINGS = ("schema_name", "exclusive_tag_groups")
_SYNC_WHEN = (
    "EXISTS (SELECT 1 FROM sync_state WHERE key = 'url') "
    "AND NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'applying')"
)


def _sync_schema_settings(db: Database) -> None:
    """Sync tracking for the label schema's settings (the project table's SCHEMA_SETTINGS keys,
    the server's schema_settings): the same marks as the other synced tables. A project that
    already syncs marks the ones it has, so an adjudicator's next sync publishes them."""
    keys = ", ".join(f"'{key}'" for key in SCHEMA_SETTINGS)
    mark = (
        "INSERT INTO sync_rows (tbl, key, version, dirty) VALUES ('schema_settings', {row}.key, "
        "NULL, 1) ON CONFLICT (tbl, key) DO UPDATE SET dirty = dirty + 1;"
    )
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.executescript(
            f"CREATE TRIGGER project_sync_{event.lower()} AFTER {event} ON project "
            f"WHEN {row}.key IN ({keys}) AND {_SYNC_WHEN} "
            f"BEGIN {mark.format(row=row)} END;"
        )
    db.execute(
        "INSERT INTO sync_rows (tbl, key, version, dirty) SELECT 'schema_settings', key, NULL, 1 "
        f"FROM project WHERE key IN ({keys}) AND {_SYNC_WHEN} "
        "ON CONFLICT (tbl, key) DO UPDATE SET dirty = dirty + 1"
    )


def _sync_local_removals(db: Database) -> None:
    """Articles an analyst removed from this project only (the team's corpus keeps them: only
    an adjudicator removes an article there): pulls leave them and their annotations out.

    Importing such an article again takes it off the list and forgets the server's identity,
    so the next sync is a full one and brings back the team's work on it, which pulls skipped.
    """
    db.executescript(
        f"""
        CREATE TABLE sync_removed (uid TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TRIGGER articles_sync_readded AFTER INSERT ON articles
        WHEN EXISTS (SELECT 1 FROM sync_removed WHERE uid = NEW.uid) AND {_SYNC_WHEN}
        BEGIN
            UPDATE sync_state SET value = '' WHERE key = 'identity';
            DELETE FROM sync_removed WHERE uid = NEW.uid;
        END;
        """
    )


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("initial", _initial),
    ("fts_batch_insert", _fts_batch_insert),
    ("annotation_summaries", _annotation_summaries),
    ("fts_hash_size", _fts_hash_size),
    ("merge_tracking", _merge_tracking),
    ("adjudications", _adjudications),
    ("span_fragments", _span_fragments),
    ("quotes_with_nul", _quotes_with_nul),
    ("list_sort_keys", _list_sort_keys),
    ("source_from_folder", _source_from_folder),
    ("overview_counts", _overview_counts),
    ("suggestions", _suggestions),
    ("gazetteers", _gazetteers),
    ("relations", _relations),
    ("annotate_all_batches", _annotate_all_batches),
    ("overview_by_article", _overview_by_article),
    ("relation_decisions", _relation_decisions),
    ("sync_tracking", _sync_tracking),
    ("sync_history", _sync_history),
    ("sync_schema_settings", _sync_schema_settings),
    ("sync_local_removals", _sync_local_removals),
    ("overview_article_keys", _overview_article_keys),
)


def latest_version() -> int:
    """The user_version a fully migrated project file has."""
    return len(MIGRATIONS)


def current_version(db: Database) -> int:
    """The project file's PRAGMA user_version."""
    row = db.conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(db: Database, path: Path | None = None) -> list[str]:
    """Apply the pending migrations, each in its own transaction; return their names.

    An existing file is backed up first, so a failed migration never costs data.
    """
    version = current_version(db)
    if version > latest_version():
        raise MigrationError(
            f"{path or 'project'}: made by a newer Marginalia (schema {version}, "
            f"this version knows up to {latest_version()}); it was not changed"
        )
    pending = MIGRATIONS[version:]
    if not pending:
        return []
    if path is not None and version > 0:
        take_backup(path, f"before-schema-{latest_version()}")
    applied = []
    for number, (name, step) in enumerate(pending, start=version + 1):
        with db.atomic():
            step(db)
            db.conn.execute(f"PRAGMA user_version = {number}")
        applied.append(name)
    return applied
