"""The sync client: pull, merge, push, pull between a project and its team server (no Qt).

Pull reads everything above the project's cursor in one read-only repeatable-read transaction
and applies it locally in one transaction that also moves the cursor. Push writes the project's
dirty rows in READ COMMITTED transactions: new rows INSERT ... ON CONFLICT DO NOTHING, changed
ones UPDATE ... WHERE version = <seen>; a row that comes back with nothing is read again and
merged (the same content: a push whose commit we never heard of; another: a conflict; the
version unchanged: not ours to write, refused). Killed at any moment, the next sync resolves
it by key and version: nothing is lost or sent twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from desktop_app.core.store import Store
from desktop_app.core.store.base import now
from desktop_app.core.store.sync_state import KEYS, SEP, TRACKED, DirtyRow, fields, normalized
from desktop_app.core.sync.connection import (
    CONNECT_TIMEOUT,
    KEEPALIVES,
    Cancel,
    Cancelled,
    ServerError,
    display,
    error_text,
)
from desktop_app.core.sync.report import Applied, SyncRefusal, SyncReport
from desktop_app.core.sync.server_schema import latest_version
from desktop_app.core.sync.server_tables import SYNCED_TABLES, SyncedTable

Conn = psycopg.Connection[tuple[Any, ...]]
BATCH = 500  # rows per push transaction
# Pulled rows per local transaction. Large: each commit writes every page it touched, and a
# chunk of random uuids touches a page of the span index and of sync_rows per row or so (a
# first sync of 1,000,000 spans spent 46 s committing 5,000-row chunks, 3x fewer with 20,000).
PULL_CHUNK = 20_000
# What the server says of a row it will never take as it is (a constraint, a trigger's RAISE);
# other errors (a deadlock, a lost connection) leave the row to push again next sync.
REFUSALS = (psycopg.errors.IntegrityError, psycopg.errors.RaiseException)
ARTICLES_CHUNK = 2_000  # at most this many articles (their texts) at a time
ROUNDS = 3  # push, merge what came back, push again: at most this often per sync
# Columns that never change once written (the server refuses a change): an UPDATE leaves them.
# (Not "key": a label's or relation type's shortcut changes; schema_settings' key is its key.)
IMMUTABLE = {"uid", "text", "text_sha256", "uuid", "article_uid", "annotator", "start", "end",
             "quote", "fragments", "created_at", "name", "layer", "item_key"}  # fmt: skip
# Only these tables' rows name their writer; the others' writer the server sets itself.
OWNED = {"spans", "tags", "statuses", "relations"}
# Rows the project deletes outright (not soft): their absence here is a tombstone there.
DELETED_FOR_GOOD = {"labels", "relation_types", "schema_settings", "decisions"}
# Rows that hang on an article: an article deleted from the team corpus takes them down.
ON_ARTICLE = {"spans", "tags", "statuses", "relations", "decisions"}
# The synced tables this project has a counterpart of, in push order.
TABLES = tuple(t for t in SYNCED_TABLES if t.name in TRACKED)
# Why an analyst's schema row the server has never had is not sent (it is reported once).
MISSING = {
    "labels": "the team server has no such label: only an adjudicator can add it to the team's "
    "schema (annotations with it are pushed all the same)",
    "relation_types": "the team server has no such relation type: only an adjudicator can add "
    "it (relations of that type are pushed all the same)",
    "schema_settings": "the team server has no such schema setting: only an adjudicator can set it",
}
REMOVED_HERE = (
    "removed from this project only; an adjudicator removes articles from the team corpus"
)

# A hook the tests use to die in the middle of a push (table, rows sent so far).
PushHook = Callable[[str, int], None]


class SyncError(ServerError):
    """The sync could not run (no server given, the server unreachable, not a team server)."""


def without_password(url: str) -> str:
    """`url` with any password taken out (a URL's user:password@ or password=...)."""
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            netloc = f"{userinfo.split(':', 1)[0]}@{host}"
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        return url
    params.pop("password", None)
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


def server_url(store: Store, url: str | None = None) -> str:
    """The URL to sync with: the one given, else the one the project remembers."""
    chosen = url or store.sync_settings().url
    if not chosen:
        where = store.path or "project"
        raise SyncError(f"{where}: no team server yet; give its URL once (marginalia sync URL)")
    return chosen


@contextmanager
def _connect(url: str, password: str | None, cancel: Cancel | None = None) -> Iterator[Conn]:
    """An autocommit connection; `cancel` can give up the attempt and stop its statements."""
    conninfo = make_conninfo(url, password=password) if password else url
    secrets = (password,) if password else ()
    where = display(url)
    options: dict[str, Any] = {
        "autocommit": True,
        "connect_timeout": CONNECT_TIMEOUT,
        "application_name": "marginalia sync",
        **KEEPALIVES,
    }
    try:
        if cancel is None:
            conn = psycopg.connect(conninfo, **options)
        else:
            conn = cancel.connect(conninfo, where, **options)
    except psycopg.Error as error:
        raise SyncError(f"{where}: cannot connect: {error_text(error, url, secrets)}") from None
    try:
        with conn:
            yield conn
    except psycopg.Error as error:
        if cancel is not None and cancel.cancelled:  # our own cancel request, not the server
            raise Cancelled(f"{where}: cancelled") from None
        raise SyncError(f"{where}: {error_text(error, url, secrets)}") from None
    finally:
        if cancel is not None:
            cancel.release()


def sync(
    store: Store,
    url: str | None = None,
    *,
    password: str | None = None,
    push_hook: PushHook | None = None,
    cancel: Cancel | None = None,
) -> SyncReport:
    """Sync the project with its team server: pull, merge, push, pull; returns the report.

    `url` defaults to the one the project remembers, and is remembered (without any password)
    when given. The password comes from libpq (the URL, PGPASSWORD, ~/.pgpass, a service
    file) unless `password` is given (the window's prompt); it is never stored or shown.
    `cancel` stops it from another thread (Cancelled) between two local transactions: each
    is whole, and the next sync resolves what the server took meanwhile by key and version.
    """
    chosen = server_url(store, url)
    stored = without_password(chosen)
    report = SyncReport(server=display(chosen))
    stop = cancel or Cancel()  # never cancelled: one path for both
    with _connect(chosen, password, cancel) as conn:
        me, adjudicator, identity = _whoami(conn, chosen)
        report.user, report.adjudicator = me, adjudicator
        settings = store.sync_settings()
        if settings.url != stored:
            store.set_sync_url(stored)
        counter = _counter(conn)
        if settings.identity != identity or counter < settings.cursor:
            report.full_sync = True
            store.begin_full_sync(identity)
        _pull(conn, store, me, adjudicator, report, stop)
        _push(conn, store, me, adjudicator, report, push_hook, stop)
        _pull(conn, store, me, adjudicator, report, stop)
    report.cursor = store.sync_settings().cursor
    store.finish_sync(now())
    return report


def _whoami(conn: Conn, url: str) -> tuple[str, bool, str]:
    """(current_user, whether an adjudicator (or the owner), the server's identity)."""
    try:
        row = conn.execute(
            "SELECT current_user, marginalia.server_identity(), "
            "(SELECT value FROM marginalia.server_meta WHERE key = 'adjudicators_role'), "
            "(SELECT value FROM marginalia.server_meta WHERE key = 'owner_role')"
        ).fetchone()
    except (psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable):
        raise SyncError(
            f"{display(url)}: not a Marginalia team server (run marginalia server init)"
        ) from None
    assert row is not None
    me, identity, adjudicators, owner = (str(v) if v is not None else "" for v in row)
    found = conn.execute("SELECT max(version) FROM marginalia.schema_migrations").fetchone()
    if found is None or int(found[0] or 0) < latest_version():
        # An older server lacks rules this client relies on (who may delete an article).
        raise SyncError(
            f"{display(url)}: the team server's schema is older than this Marginalia's "
            f"({found[0] if found else 0} < {latest_version()}); its admin runs "
            "`marginalia server init URL` to upgrade it (nothing was synced)"
        )
    member = conn.execute(
        "SELECT bool_or(pg_has_role(current_user, r, 'MEMBER')) FROM unnest(%s::text[]) r "
        "WHERE r IN (SELECT rolname FROM pg_roles)",
        ([x for x in (adjudicators, owner) if x],),
    ).fetchone()
    return me, bool(member and member[0]), identity


def _counter(conn: Conn) -> int:
    row = conn.execute("SELECT version FROM marginalia.change_counter").fetchone()
    return int(row[0]) if row else 0


def _select(table: str) -> sql.Composed:
    names = [*fields(table), "version"]
    return sql.SQL("SELECT {} FROM marginalia.{}").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(table)
    )


def _rows(cursor: psycopg.Cursor[tuple[Any, ...]], table: str) -> list[dict[str, Any]]:
    names = [*fields(table), "version"]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _pull(
    conn: Conn, store: Store, me: str, adjudicator: bool, report: SyncReport, stop: Cancel
) -> None:
    """Everything above the cursor, read in one snapshot and applied in chunks.

    Each chunk is one local transaction; the last one also moves the cursor. Killed between
    chunks, the next pull starts from the old cursor and applies them again, which changes
    nothing (a row already as the server has it is only marked clean): memory stays bounded
    on a first sync of a large corpus, and nothing is skipped.
    """
    cursor = store.sync_settings().cursor
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        # The counter, not the largest row version: every version up to it has committed.
        top = _counter(conn)
        if top == cursor:
            return
        for table in TABLES:
            query = _select(table.name) + sql.SQL(" WHERE version > %s ORDER BY version")
            with conn.cursor(name=f"pull_{table.name}") as found:  # server-side: in pages
                found.execute(query, (cursor,))
                names = [*fields(table.name), "version"]
                size = min(PULL_CHUNK, ARTICLES_CHUNK) if table.name == "articles" else PULL_CHUNK
                while chunk := found.fetchmany(size):
                    stop.check("the sync")
                    rows = [dict(zip(names, r, strict=True)) for r in chunk]
                    _applied(store.apply_pulled({table.name: rows}, me, schema_writer=adjudicator),
                             report)  # fmt: skip
        _applied(store.apply_pulled({}, me, cursor=top), report)
    finally:
        conn.execute("COMMIT")


def _applied(applied: Applied, report: SyncReport) -> None:
    report.pulled += applied.pulled
    report.conflicts += applied.conflicts
    report.problems += applied.problems


def _refusal(table: SyncedTable, row: Mapping[str, Any], me: str, adjudicator: bool) -> str:
    """Why this local row is not sent at all ("" when it is)."""
    if table.adjudicators_only and not adjudicator:
        return "only adjudicators change the label schema and decisions"
    if table.name in OWNED and row[table.writer] != me and not adjudicator:
        return f"it is {row[table.writer]}'s; only they can change it"
    for name, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            return f"its {name} holds the character U+0000, which PostgreSQL cannot store"
    return ""


def _insert(table: SyncedTable) -> sql.Composed:
    names = [n for n in fields(table.name)]
    return sql.SQL(
        "INSERT INTO marginalia.{} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING RETURNING version"
    ).format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder(n) for n in names),
        sql.SQL(", ").join(map(sql.Identifier, table.key)),
    )


def _update(table: SyncedTable) -> sql.Composed:
    changing = [n for n in fields(table.name) if n not in IMMUTABLE and n not in table.key]
    return sql.SQL(
        "UPDATE marginalia.{} SET {} WHERE {} AND version = {} RETURNING version"
    ).format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(n), sql.Placeholder(n)) for n in changing
        ),
        sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in table.key
        ),
        sql.Placeholder("_version"),
    )


def _tombstone(table: SyncedTable) -> sql.Composed:
    return sql.SQL(
        "UPDATE marginalia.{} SET deleted = true WHERE {} AND version = %s RETURNING version"
    ).format(
        sql.Identifier(table.name),
        sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in table.key),
    )


def _server_row(conn: Conn, table: SyncedTable, key: str) -> dict[str, Any] | None:
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in table.key)
    found = conn.execute(_select(table.name) + sql.SQL(" WHERE ") + where, key.split(SEP))
    rows = _rows(found, table.name)
    return rows[0] if rows else None


def _push(
    conn: Conn,
    store: Store,
    me: str,
    adjudicator: bool,
    report: SyncReport,
    hook: PushHook | None,
    stop: Cancel,
) -> None:
    """Push every dirty row, table by table in push order (what a row references first)."""
    for table in TABLES:
        done_with: set[str] = set()  # refused or unresolved this sync: not tried again
        for _ in range(ROUNDS):
            dirty = [d for d in store.dirty_rows(table.name, limit=10**9) if d.key not in done_with]
            if not dirty:
                break
            for start in range(0, len(dirty), BATCH):
                stop.check("the sync")
                batch = dirty[start : start + BATCH]
                _push_batch(conn, store, table, batch, me, adjudicator, report, hook, done_with)
        else:
            left = [d.key for d in store.dirty_rows(table.name) if d.key not in done_with]
            for key in left:
                report.refused.append(
                    SyncRefusal(
                        table.name, key.replace(SEP, " / "), "still in conflict; retried next sync"
                    )
                )


def _push_batch(
    conn: Conn,
    store: Store,
    table: SyncedTable,
    batch: Sequence[DirtyRow],
    me: str,
    adjudicator: bool,
    report: SyncReport,
    hook: PushHook | None,
    done_with: set[str],
) -> None:
    """One transaction of INSERTs and conditional UPDATEs; then the local marks, then the
    rows that came back with nothing are read again and merged."""
    sendable: list[DirtyRow] = []
    gone: list[tuple[str, int | None, int]] = []
    tombstones: list[DirtyRow] = []
    dead = _deleted_articles(conn, table, batch)
    for item in batch:
        if item.row is not None and item.row.get("article_uid") in dead:
            _settle_on_deleted_article(store, table, item, report)
            continue
        if item.row is None and table.name == "articles" and item.version is not None:
            if adjudicator:
                tombstones.append(item)  # the article leaves the team corpus
            else:
                store.remove_locally([item.key])
                report.refused.append(SyncRefusal(table.name, item.key, REMOVED_HERE))
                gone.append((item.key, None, item.dirty))
            continue
        if item.row is None and table.name in DELETED_FOR_GOOD and item.version is not None:
            if _refusal(table, {}, me, adjudicator):
                gone.append((item.key, None, item.dirty))  # refused: the pull brings it back
                continue
            tombstones.append(item)  # a label or decision removed here: a tombstone there
            continue
        if item.row is None:  # deleted here with its whole article: nothing to send
            gone.append((item.key, None, item.dirty))
            continue
        why = _refusal(table, item.row, me, adjudicator)
        if why and item.version is None and table.name in MISSING:
            why = MISSING[table.name]
        if why:
            _refuse(conn, store, table, item, why, me, report)
            done_with.add(item.key)
            continue
        sendable.append(item)
    if gone:
        store.mark_pushed(table.name, gone)
    try:
        results = _send(conn, table, sendable, hook)
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.Error:
        # One bad row (a quote the server's text disagrees with, a missing article) would
        # take the batch down: send them one by one, refusing only the bad ones.
        results = []
        for item in sendable:
            try:
                results += _send(conn, table, [item], hook)
            except psycopg.Error as error:
                reason = f"the server refused it: {error_text(error, '')}"
                done_with.add(item.key)
                if isinstance(error, REFUSALS):
                    # The row itself is refused (another text of its article there, say):
                    # sent again it is refused again, so it is settled and said once.
                    _refuse(conn, store, table, item, reason, me, report)
                    continue
                report.refused.append(SyncRefusal(table.name, item.key.replace(SEP, " / "), reason))
    if tombstones:
        with conn.transaction():
            for item in tombstones:
                if table.name == "articles":
                    # An adjudicator's deletion stands over a meanwhile edit of its details;
                    # the server's trigger tombstones what hangs on it in this transaction.
                    found = conn.execute(
                        "UPDATE marginalia.articles SET deleted = true "
                        "WHERE uid = %s AND NOT deleted RETURNING version",
                        (item.key,),
                    )
                else:
                    found = conn.execute(_tombstone(table), [*item.key.split(SEP), item.version])
                row = found.fetchone()
                if row is None:  # changed there meanwhile: forget it here, the pull decides
                    store.mark_pushed(table.name, [(item.key, None, item.dirty)])
                else:
                    report.pushed += 1
                    store.mark_pushed(table.name, [(item.key, None, item.dirty)])
    taken = [(item.key, version, item.dirty) for item, version in results if version is not None]
    store.mark_pushed(table.name, taken)
    report.pushed += len(taken)
    for item, version in results:
        if version is None:
            _resolve(conn, store, table, item, me, report, done_with)


def _deleted_articles(conn: Conn, table: SyncedTable, batch: Sequence[DirtyRow]) -> set[str]:
    """The articles of this batch's rows that the team corpus no longer has (tombstoned)."""
    if table.name not in ON_ARTICLE:
        return set()
    uids = sorted({str(d.row["article_uid"]) for d in batch if d.row is not None})
    if not uids:
        return set()
    found = conn.execute(
        "SELECT uid FROM marginalia.articles WHERE deleted AND uid = ANY(%s)", (uids,)
    )
    return {str(r[0]) for r in found.fetchall()}


def _settle_on_deleted_article(
    store: Store, table: SyncedTable, item: DirtyRow, report: SyncReport
) -> None:
    """A local change on an article an adjudicator deleted from the team corpus: it stays
    here (the pull kept the article for it), is not sent, and is said once."""
    assert item.row is not None
    if not item.row.get("deleted"):
        reason = (
            f"its article {item.row['article_uid']} was deleted from the team corpus by an "
            "adjudicator; kept in this project only"
        )
        report.refused.append(SyncRefusal(table.name, item.key.replace(SEP, " / "), reason))
    store.mark_pushed(table.name, [(item.key, item.version or 0, item.dirty)])
    store.forget_version(table.name, item.key)


def _send(
    conn: Conn, table: SyncedTable, items: Sequence[DirtyRow], hook: PushHook | None
) -> list[tuple[DirtyRow, int | None]]:
    """Send rows in one READ COMMITTED transaction; each with the version it got (None: 0 rows)."""
    out: list[tuple[DirtyRow, int | None]] = []
    if not items:
        return out
    # Composed once: composing the statement per row costs more than sending it.
    insert, update = _insert(table).as_bytes(conn), _update(table).as_bytes(conn)
    # A pipeline: the rows go out without waiting for each answer (one round trip, not n).
    with conn.transaction(), conn.pipeline():
        sent = []
        for count, item in enumerate(items):
            assert item.row is not None
            params = dict(item.row)
            if item.version is None:
                sent.append(conn.execute(insert, params))
            else:
                sent.append(conn.execute(update, {**params, "_version": item.version}))
            if hook is not None:
                hook(table.name, count + 1)
        for item, cursor in zip(items, sent, strict=True):
            found = cursor.fetchone()
            out.append((item, None if found is None else int(found[0])))
    return out


def _resolve(
    conn: Conn,
    store: Store,
    table: SyncedTable,
    item: DirtyRow,
    me: str,
    report: SyncReport,
    done_with: set[str],
) -> None:
    """A row the server answered with nothing: read it and decide."""
    assert item.row is not None
    server = _server_row(conn, table, item.key)
    if server is None:
        store.forget_version(table.name, item.key)  # a version from nowhere: insert it anew
        return
    same = normalized(table.name, server) == normalized(table.name, item.row)
    if same:  # our own push whose commit we never heard of, or the same edit: adopt it
        store.mark_pushed(table.name, [(item.key, int(server["version"]), item.dirty)])
        return
    if item.version is not None and int(server["version"]) == item.version:
        # Nobody changed it since we saw it, yet the update found no row: RLS says not ours.
        _refuse(conn, store, table, item, "the server refused it: not yours to change", me,
                report, server)  # fmt: skip
        done_with.add(item.key)
        return
    applied = store.apply_pulled({table.name: [server]}, me)  # a conflict: the merge decides
    report.pulled += applied.pulled
    report.conflicts += applied.conflicts
    report.problems += applied.problems


def _refuse(
    conn: Conn,
    store: Store,
    table: SyncedTable,
    item: DirtyRow,
    why: str,
    me: str,
    report: SyncReport,
    server: dict[str, Any] | None = None,
) -> None:
    """Report a change the server will not take and settle the row, so no sync loops on it:
    the server's version is taken here (ours to the history); with none there, ours stays."""
    row = item.row or {}
    if table.name == "relations" and row.get("deleted") and row.get(table.writer) != me:
        # Our span's deletion took a colleague's relation down here; their own client does
        # the same when it pulls the deletion. Not a refusal anyone needs to hear of.
        store.mark_pushed(table.name, [(item.key, item.version or 0, item.dirty)])
        return
    report.refused.append(SyncRefusal(table.name, item.key.replace(SEP, " / "), why))
    if server is None:
        server = _server_row(conn, table, item.key)
    if server is None:
        store.mark_pushed(table.name, [(item.key, item.version or 0, item.dirty)])
        store.forget_version(table.name, item.key)
        return
    store.apply_pulled({table.name: [server]}, me, overwrite=True)


__all__ = ["KEYS", "SyncError", "SyncReport", "server_url", "sync", "without_password"]
