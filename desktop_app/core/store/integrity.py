"""The project-level checks beyond SQLite's own, and the repairs of what is derived.

SQLite's integrity check passes a file whose search index was emptied, whose spans refer to
an article that is gone, or whose per-article counts drifted from the spans: each is a
project that looks fine and answers wrongly. Damage (orphans, broken quotes) is reported;
what is derived from other tables (the search index, the counts) can be rebuilt.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

# Each derived table: what it is called in a message, the query that recounts it from
# the annotations (the triggers of migrations._annotation_summaries and _list_sort_keys keep
# it so), its columns, and which of its rows count. A row with n = 0 is what a trigger
# leaves when the last annotation goes; it counts as no row. article_counts has a row for
# every article, zeros included (the list sorts by it).
DERIVED_COUNTS = {
    "article_annotators": (
        "annotator counts",
        "SELECT article, annotator, count(*) FROM ("
        "SELECT article, annotator FROM spans WHERE deleted = 0 "
        "UNION ALL SELECT article, annotator FROM document_tags WHERE deleted = 0) "
        "GROUP BY article, annotator",
        "article, annotator, n",
        "n != 0",
    ),
    "article_labels": (
        "label counts",
        "SELECT article, label, count(*) FROM spans WHERE deleted = 0 GROUP BY article, label",
        "article, label, n",
        "n != 0",
    ),
    "article_counts": (
        "span and tag counts",
        "SELECT a.id, "
        "(SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0), "
        "(SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0) "
        "FROM articles a",
        "id, spans, tags",
        "1",
    ),
}
# The overview's project-wide counts (migrations._overview_counts): each table's columns,
# the query that recounts it, and the columns that query fills.
OVERVIEW_TABLES = {
    "label_sources": (
        "label TEXT NOT NULL, source TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (label, source)",
        "SELECT s.label, a.source, count(*) FROM spans s JOIN articles a ON a.id = s.article "
        "WHERE s.deleted = 0 GROUP BY s.label, a.source",
        "label, source, n",
    ),
    "tag_sources": (
        "label TEXT NOT NULL, source TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (label, source)",
        "SELECT t.label, a.source, count(*) FROM document_tags t JOIN articles a "
        "ON a.id = t.article WHERE t.deleted = 0 GROUP BY t.label, a.source",
        "label, source, n",
    ),
    "label_tags": (
        "label TEXT NOT NULL, tag TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (label, tag)",
        "SELECT s.label, t.label, count(*) FROM spans s JOIN (SELECT DISTINCT article, label "
        "FROM document_tags WHERE deleted = 0) t ON t.article = s.article WHERE s.deleted = 0 "
        "GROUP BY s.label, t.label",
        "label, tag, n",
    ),
    "annotation_days": (
        "day TEXT NOT NULL, annotator TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (day, annotator)",
        "SELECT day, annotator, count(*) FROM ("
        "SELECT substr(created_at, 1, 10) AS day, annotator FROM spans WHERE deleted = 0 "
        "UNION ALL SELECT substr(created_at, 1, 10), annotator FROM document_tags "
        "WHERE deleted = 0) GROUP BY day, annotator",
        "day, annotator, n",
    ),
    "status_counts": (
        "annotator TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (annotator, status)",
        "SELECT annotator, status, count(*) FROM article_status GROUP BY annotator, status",
        "annotator, status, n",
    ),
    "article_days": (
        "day TEXT NOT NULL, source TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, source)",
        "SELECT ifnull(published, ''), source, count(*) FROM articles "
        "GROUP BY ifnull(published, ''), source",
        "day, source, n",
    ),
}
DERIVED_COUNTS.update(
    {
        # Triggers leave a key whose count fell to 0; a recount has no such row.
        table: (f"overview counts ({table.replace('_', ' ')})", recount, columns, "n != 0")
        for table, (_, recount, columns) in OVERVIEW_TABLES.items()
    }
)
INDEX_ADVICE = "`marginalia check --repair` rebuilds it"
COUNT_ADVICE = "`marginalia check --repair` recounts them"


RELATION_ADVICE = "`marginalia check --repair` deletes them (soft, so merges carry it)"


def rebuildable(problem: str) -> bool:
    """Whether a problem found by this module is one repair mends (derived data rebuilt,
    relations left on spans that are gone deleted)."""
    return problem.endswith((INDEX_ADVICE, COUNT_ADVICE, RELATION_ADVICE))


# SQLite reads schema names as bytes; Python fails decoding one (or an error message quoting
# it) that is not UTF-8. Said in these words, naming the file, wherever it is met.
NOT_TEXT = "its schema holds bytes that are not text"


def table_names(conn: sqlite3.Connection) -> set[str]:
    """The names in the file's schema; a name that is not UTF-8 is damage SQLite does not
    see (it reads names as bytes), so it is raised as SQLite's own DatabaseError."""
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except UnicodeDecodeError as error:
        raise sqlite3.DatabaseError(NOT_TEXT) from error


def _tables(conn: sqlite3.Connection) -> set[str]:
    return table_names(conn)


def damage_problems(conn: sqlite3.Connection) -> list[str]:
    """Damage no rebuild mends (read-only): rows referring to missing rows, broken quotes."""
    problems = orphan_problems(conn)
    if {"spans", "articles"} <= _tables(conn):
        broken = _broken_quotes(conn)
        if broken:
            problems.append(f"{broken} spans whose quote is not the text at their offsets")
    problems += relation_problems(conn)
    return problems


# A live relation must link two live spans of its own article.
_STRAY_RELATION = (
    "deleted = 0 AND ("
    + " OR ".join(
        f"NOT EXISTS (SELECT 1 FROM spans s WHERE s.uuid = relations.{end} "
        "AND s.deleted = 0 AND s.article = relations.article)"
        for end in ("from_span", "to_span")
    )
    + ")"
)


def relation_problems(conn: sqlite3.Connection) -> list[str]:
    """Live relations whose spans are deleted, missing or of another article (read-only)."""
    if not {"relations", "spans"} <= _tables(conn):
        return []
    stray = int(
        conn.execute(f"SELECT count(*) FROM relations WHERE {_STRAY_RELATION}").fetchone()[0]
    )
    if not stray:
        return []
    return [
        f"{stray} relations link spans that are deleted, missing or of another article: "
        + RELATION_ADVICE
    ]


def delete_stray_relations(conn: sqlite3.Connection, stamp: str) -> int:
    """Soft-delete the live relations relation_problems finds; how many."""
    if "relations" not in _tables(conn):
        return 0
    return conn.execute(
        f"UPDATE relations SET deleted = 1, updated_at = ? WHERE {_STRAY_RELATION}", (stamp,)
    ).rowcount


def _broken_quotes(conn: sqlite3.Connection) -> int:
    """Spans whose quote is not text[start:end] (the offset rule, DESIGN.md section 4)."""
    # SQLite's text functions (length, substr, replace) stop at a U+0000: texts holding one
    # are compared in Python, every other in SQL (substr counts code points, as Python does).
    broken = int(
        conn.execute(
            "SELECT count(*) FROM spans s JOIN articles a ON a.id = s.article "
            "WHERE instr(CAST(a.text AS BLOB), x'00') = 0 AND (s.\"end\" > length(a.text) "
            'OR substr(a.text, s.start + 1, s."end" - s.start) IS NOT s.quote)'
        ).fetchone()[0]
    )
    for text, start, end, quote in conn.execute(
        'SELECT a.text, s.start, s."end", s.quote FROM spans s JOIN articles a '
        "ON a.id = s.article WHERE instr(CAST(a.text AS BLOB), x'00') > 0"
    ):
        broken += text[start:end] != quote or end > len(text)
    return broken


def orphan_problems(conn: sqlite3.Connection) -> list[str]:
    """Rows whose reference (to an article, mostly) leads nowhere: PRAGMA foreign_key_check."""
    found: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        found[(table, parent)] = found.get((table, parent), 0) + 1
    return [
        f"{count} rows in {table} refer to {parent} that are not there (orphans: "
        "`marginalia check --repair` removes them after a backup that keeps them)"
        for (table, parent), count in sorted(found.items())
    ]


def count_problems(conn: sqlite3.Connection) -> list[str]:
    """Per-article count tables out of step with the annotations they count (read-only)."""
    problems = []
    for table, (name, _, _, _) in DERIVED_COUNTS.items():
        wrong = _out_of_step(conn, table)
        if wrong:
            overview = name.startswith("overview")
            kind, effect = ("", "the overview") if overview else ("per-article ", "filters")
            problems.append(
                f"the {kind}{name} ({table}) are out of step with the annotations "
                f"in {wrong} rows, so {effect} count wrongly; {COUNT_ADVICE}"
            )
    return problems


def _out_of_step(conn: sqlite3.Connection, table: str) -> int:
    """How many rows of a count table differ from a recount (0 when it does not exist)."""
    if table not in _tables(conn):
        return 0  # an older schema, before the counts existed
    _, recounted, columns, live = DERIVED_COUNTS[table]
    stored = f"SELECT {columns} FROM {table} WHERE {live}"
    return int(
        conn.execute(
            f"SELECT (SELECT count(*) FROM ({recounted} EXCEPT {stored})) + "
            f"(SELECT count(*) FROM ({stored} EXCEPT {recounted}))"
        ).fetchone()[0]
    )


def indexed_problems(conn: sqlite3.Connection) -> list[str]:
    """Whether every article, and nothing else, is in the search index (read-only: counts
    the index's documents; the words themselves need search_index_problems)."""
    if not {"articles", "articles_fts_docsize"} <= _tables(conn):
        return []
    missing, extra = conn.execute(
        "SELECT (SELECT count(*) FROM articles WHERE id NOT IN "
        "(SELECT id FROM articles_fts_docsize)), (SELECT count(*) FROM articles_fts_docsize "
        "WHERE id NOT IN (SELECT id FROM articles))"
    ).fetchone()
    if not missing and not extra:
        return []
    return [
        f"the search index does not match the articles ({missing} articles are not in it, "
        f"{extra} entries are for articles that are gone): searches miss them; {INDEX_ADVICE}"
    ]


def search_index_problems(conn: sqlite3.Connection) -> list[str]:
    """Whether the search index matches the articles, word for word. FTS5 runs its check as
    an INSERT, so this needs a connection that may write (it changes nothing)."""
    if "articles_fts" not in _tables(conn):
        return []
    opened = not conn.in_transaction
    try:
        # rank = 1: compare the index with the articles it indexes, not only with itself.
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.Error as error:
        return [f"the search index does not match the articles ({error}); {INDEX_ADVICE}"]
    finally:
        # Python's sqlite3 opened a transaction for the INSERT: left open, every later
        # write would wait in it, uncommitted, until the connection closed and lost it.
        if opened and conn.in_transaction:
            conn.rollback()
    return []


def search_index_problems_of_copy(source: sqlite3.Connection) -> list[str]:
    """search_index_problems for a project only readable here (another window writes it, or
    read-only media): checked on a private copy in the temporary folder, then deleted."""
    folder = Path(tempfile.mkdtemp(prefix="marginalia-check-"))
    try:
        copy = sqlite3.connect(folder / "copy.sqlite")
        try:
            source.backup(copy)
            return search_index_problems(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as error:
        return [f"the search index could not be checked (no private copy: {error})"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_orphans(conn: sqlite3.Connection) -> int:
    """Delete the rows whose reference leads nowhere; how many. The caller backs up first.

    Removed, not soft-deleted: a soft-deleted row still refers to the missing article, so
    the check would keep failing, and without the article's text it can be neither shown,
    exported nor verified. The backup taken before keeps them for recovery by hand.
    """
    removed = 0
    tables = sorted({row[0] for row in conn.execute("PRAGMA foreign_key_check")})
    for table in tables:
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
            parent, child, key = fk[2], fk[3], fk[4] or "rowid"
            removed += conn.execute(
                f'DELETE FROM "{table}" WHERE "{child}" IS NOT NULL AND "{child}" NOT IN '
                f'(SELECT "{key}" FROM "{parent}")'
            ).rowcount
    return removed


def recount(conn: sqlite3.Connection) -> list[str]:
    """Rebuild the count tables that are out of step; the names of those rebuilt."""
    done = []
    for table, (name, recounted, columns, _) in DERIVED_COUNTS.items():
        if _out_of_step(conn, table):
            conn.execute(f"DELETE FROM {table}")
            conn.execute(f"INSERT INTO {table} ({columns}) {recounted}")
            done.append(f"the {name}")
    return done


def rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Index every article again, from the articles table."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
