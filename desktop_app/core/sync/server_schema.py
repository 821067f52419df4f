"""`server init`: the roles, the schema and its numbered migrations on a team server.

Roles are cluster-wide in PostgreSQL, so their names carry the database's name: two team
databases on one server never share analysts. The owner role owns every table and runs the
migrations (it bypasses row-level security, so it never logs in); analysts and adjudicators
are group roles that login roles join (server_admin.add_analyst).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from desktop_app.core.model import LabelSchema
from desktop_app.core.sync.connection import ServerError, connect, display

SCHEMA = "marginalia"
MIN_SERVER_VERSION = 140000  # PostgreSQL 14: pg_current_xact_id, per-command policies as used
MAX_ROLE_BYTES = 63  # PostgreSQL cuts longer names silently; two roles could then collide
ROLE_SUFFIXES = {"owner": "_owner", "analysts": "_analysts", "adjudicators": "_adjudicators"}
INIT_LOCK = 72_612_017  # an advisory lock key: two inits at once take turns


def _sql(name: str) -> str:
    return resources.files("desktop_app.core.sync").joinpath("sql", name).read_text("utf-8")


# Numbered by position, like the project file's migrations: never reorder, only append.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("initial", _sql("001_initial.sql")),
    ("article_deletions", _sql("002_article_deletions.sql")),
)
# The tables of the label schema, as a project's schema_rows() gives them (seeded by init).
SCHEMA_TABLES = ("labels", "relation_types", "schema_settings")


@dataclass(frozen=True)
class Roles:
    """The three group roles of one team database."""

    owner: str
    analysts: str
    adjudicators: str

    def identifiers(self) -> dict[str, sql.Identifier]:
        """The names as SQL identifiers, for the migrations' placeholders."""
        return {k: sql.Identifier(v) for k, v in vars(self).items()}


@dataclass
class InitReport:
    """What `server init` did."""

    server: str
    identity: str
    schema_version: int
    applied: list[str] = field(default_factory=list)
    roles_created: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    schema_source: str = ""  # where the seed schema came from ("" none was given)
    labels_seeded: int = 0  # 0: none given, or the server had a schema already (kept)
    labels: int = 0  # the server's live labels afterwards


@dataclass(frozen=True)
class SeedSchema:
    """A label schema for a new team server, as rows of its schema tables."""

    source: str  # where it came from, for the report
    rows: dict[str, list[dict[str, Any]]]


def seed_from_schema(schema: LabelSchema, source: str) -> SeedSchema:
    """The rows a new project given `schema` would hold (the same names, colours, order)."""
    from desktop_app.core.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "schema.sqlite")
        try:
            store.apply_schema(schema)
            rows = store.schema_rows()
        finally:
            store.close()
    return SeedSchema(source, rows)


def seed_from_project(path: str | Path) -> SeedSchema:
    """A project's label schema, read without writing to it (raises ServerError naming it)."""
    from desktop_app.core.store import Store

    path = Path(path)
    if not path.is_file():
        raise ServerError(f"{path}: no labels read, there is no such project file")
    store = Store.open(path, read_only=True, create=False)
    try:
        rows = store.schema_rows()
    finally:
        store.close()
    if not rows["labels"]:
        raise ServerError(f"{path}: no labels read, the project has none")
    return SeedSchema(str(path), rows)


def role_names(database: str) -> Roles:
    """The group roles' names for a database: its name and a suffix, shortened to fit."""
    longest = max(len(s) for s in ROLE_SUFFIXES.values())
    base = database
    if len(base.encode()) + longest > MAX_ROLE_BYTES:
        digest = hashlib.sha256(database.encode()).hexdigest()[:8]
        room = MAX_ROLE_BYTES - longest - len(digest) - 1
        base = base.encode()[:room].decode(errors="ignore") + "_" + digest
    return Roles(**{key: base + suffix for key, suffix in ROLE_SUFFIXES.items()})


def latest_version() -> int:
    """The schema version a fully migrated server has."""
    return len(MIGRATIONS)


Conn = psycopg.Connection[tuple[object, ...]]


def schema_version(conn: Conn) -> int | None:
    """The server's schema version; None when the database holds no Marginalia schema."""
    found = conn.execute(
        "SELECT to_regclass('marginalia.schema_migrations') IS NOT NULL"
    ).fetchone()
    if not found or not found[0]:
        return None
    row = conn.execute("SELECT coalesce(max(version), 0) FROM marginalia.schema_migrations")
    value = row.fetchone()
    return int(str(value[0])) if value else 0


def stored_roles(conn: Conn) -> Roles | None:
    """The role names init recorded on the server (None before the first init)."""
    if conn.execute("SELECT to_regclass('marginalia.server_meta')").fetchone() in (None, (None,)):
        return None
    rows = {
        str(k): str(v)
        for k, v in conn.execute("SELECT key, value FROM marginalia.server_meta").fetchall()
    }
    keys = [f"{k}_role" for k in ROLE_SUFFIXES]
    if not all(k in rows for k in keys):
        return None
    return Roles(*(str(rows[k]) for k in keys))


def init_server(
    url: str,
    migrations: tuple[tuple[str, str], ...] | None = None,
    schema: SeedSchema | None = None,
) -> InitReport:
    """Create or upgrade the schema, the roles and the policies; all or nothing.

    `schema` seeds the team's label schema on a server that never had one (no label, relation
    type or setting, not even a tombstone); a server that has one keeps it as the adjudicators
    left it.
    """
    steps = MIGRATIONS if migrations is None else migrations
    with connect(url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INIT_LOCK,))
        database = _check_server(conn, url)
        roles = stored_roles(conn) or role_names(database)
        report = InitReport(server=display(url), identity="", schema_version=0)
        report.roles = {k: v for k, v in vars(roles).items()}
        report.roles_created = _ensure_roles(conn, roles)
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS marginalia AUTHORIZATION {}").format(
                sql.Identifier(roles.owner)
            )
        )
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(roles.owner)))
        report.applied = _migrate(conn, roles, steps, url)
        if schema is not None:
            report.schema_source = schema.source
            report.labels_seeded = _seed(conn, schema)
        found = conn.execute("SELECT count(*) FROM marginalia.labels WHERE NOT deleted")
        report.labels = int(str((found.fetchone() or (0,))[0]))
        conn.execute(
            "INSERT INTO marginalia.server_meta (key, value) VALUES ('identity', "
            "gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING"
        )
        for key, name in vars(roles).items():
            conn.execute(
                "INSERT INTO marginalia.server_meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"{key}_role", name),
            )
        conn.execute("RESET ROLE")
        _database_privileges(conn, database, roles)
        identity = conn.execute("SELECT marginalia.server_identity()").fetchone()
        report.identity = str(identity[0]) if identity else ""
        report.schema_version = len(steps)
    return report


def _seed(conn: Conn, schema: SeedSchema) -> int:
    """Insert the schema's rows if the server never had a schema; the labels inserted."""
    counts = sql.SQL(" + ").join(
        sql.SQL("(SELECT count(*) FROM marginalia.{})").format(sql.Identifier(t))
        for t in SCHEMA_TABLES
    )
    had = conn.execute(sql.SQL("SELECT ") + counts).fetchone()
    if had is None or int(str(had[0])):
        return 0
    # On a new server the counter row was made in this transaction, which next_version()
    # would read as having had its number already (0, the "nothing yet" a cursor starts at):
    # the seed must get a number of its own, or no client would ever pull it.
    conn.execute(
        "UPDATE marginalia.change_counter SET xact = '0'::xid8 WHERE xact = pg_current_xact_id()"
    )
    for table in SCHEMA_TABLES:
        for row in schema.rows.get(table, []):
            names = list(row)
            conn.execute(
                sql.SQL("INSERT INTO marginalia.{} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join(sql.Placeholder(n) for n in names),
                ),
                row,
            )
    return len(schema.rows.get("labels", []))


def _check_server(conn: Conn, url: str) -> str:
    """The database's name, once the server is new enough and speaks UTF-8."""
    row = conn.execute(
        "SELECT current_setting('server_version_num')::int, "
        "current_setting('server_encoding'), current_database()"
    ).fetchone()
    assert row is not None
    number, encoding, database = int(str(row[0])), str(row[1]), str(row[2])
    if number < MIN_SERVER_VERSION:
        raise ServerError(
            f"{display(url)}: PostgreSQL {number // 10000} is too old; "
            f"a team server needs {MIN_SERVER_VERSION // 10000} or newer"
        )
    if encoding != "UTF8":
        # Offsets are code points: the server must count characters as Python does.
        raise ServerError(
            f"{display(url)}: the database's encoding is {encoding}; a team server needs a "
            "UTF8 database (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)"
        )
    require_role_rights(conn, url, "server init")
    return database


def require_role_rights(conn: Conn, url: str, what: str) -> None:
    """Refuse early, and clearly, a user who may not create roles."""
    row = conn.execute(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not (row and row[0]):
        raise ServerError(
            f"{display(url)}: {what} needs a superuser or a role with CREATEROLE (on a managed "
            "PostgreSQL, its admin user); this user may not create roles"
        )


def _ensure_roles(conn: Conn, roles: Roles) -> list[str]:
    """Create the group roles that are missing; refuse a same-named role that can log in."""
    created = []
    for name in (roles.owner, roles.analysts, roles.adjudicators):
        row = conn.execute(
            "SELECT rolcanlogin OR rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s",
            (name,),
        ).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
            created.append(name)
        elif row[0]:
            raise ServerError(
                f"a role named {name!r} exists and can log in (or bypasses row-level "
                "security); Marginalia needs that name for a group role: rename that role"
            )
    # Adjudicators annotate too: they are analysts with more rights.
    conn.execute(sql.SQL("GRANT {analysts} TO {adjudicators}").format(**roles.identifiers()))
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not (row and row[0]):
        # Whoever runs init must be able to act as the owner (a superuser already can).
        conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(roles.owner)))
    return created


def _migrate(conn: Conn, roles: Roles, steps: tuple[tuple[str, str], ...], url: str) -> list[str]:
    """Apply the migrations the server has not had, in order; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS marginalia.schema_migrations (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    done = schema_version(conn) or 0
    if done > len(steps):
        raise ServerError(
            f"{display(url)}: its schema ({done}) was made by a newer Marginalia (this one "
            f"knows up to {len(steps)}); nothing was changed"
        )
    applied = []
    for number, (name, text) in enumerate(steps[done:], start=done + 1):
        conn.execute(sql.SQL(text).format(**roles.identifiers()))
        conn.execute(
            "INSERT INTO marginalia.schema_migrations (version, name) VALUES (%s, %s)",
            (number, name),
        )
        applied.append(name)
    return applied


def _database_privileges(conn: Conn, database: str, roles: Roles) -> None:
    """Only the team connects; nobody but the owner creates anything in the database."""
    ident = {**roles.identifiers(), "db": sql.Identifier(database)}
    for statement in (
        "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {analysts}",
    ):
        conn.execute(sql.SQL(statement).format(**ident))
    if conn.execute("SELECT to_regnamespace('public')").fetchone() not in (None, (None,)):
        # PostgreSQL before 15 let everyone create tables in public.
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
