"""`server add-analyst` and `server status`: login roles for people, and what the server holds.

A password is turned into a SCRAM verifier here (libpq's PQencryptPasswordConn), so the
password itself never travels to the server nor lands in its logs; Marginalia keeps no copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

from desktop_app.core.sync.connection import HIDDEN, ServerError, connect, display
from desktop_app.core.sync.server_schema import (
    MAX_ROLE_BYTES,
    Conn,
    Roles,
    latest_version,
    require_role_rights,
    schema_version,
    stored_roles,
)
from desktop_app.core.sync.server_tables import SYNCED_TABLES

# Tables whose rows belong to an annotator (a person's login, or a layer: nobody's login).
ANNOTATOR_COLUMNS = {"spans": "annotator", "tags": "annotator", "statuses": "annotator",
                     "relations": "annotator", "decisions": "layer"}  # fmt: skip


@dataclass
class AnalystReport:
    """What `server add-analyst` did."""

    server: str
    name: str
    created: bool  # False: an existing login role joined the team
    adjudicator: bool
    password_set: bool


@dataclass
class Analyst:
    """One person on the team, with their live work on the server."""

    name: str
    adjudicator: bool
    can_login: bool
    spans: int = 0
    tags: int = 0


@dataclass
class ServerStatus:
    """What `server status` shows."""

    server: str
    identity: str
    schema_version: int
    latest_schema_version: int
    version: int
    roles: dict[str, str]
    analysts: list[Analyst] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)  # live labels by kind (span, document)


def _require_server(conn: Conn, url: str) -> Roles:
    roles = stored_roles(conn) if schema_version(conn) else None
    if roles is None:
        raise ServerError(
            f"{display(url)}: no Marginalia server here (run `marginalia server init URL` first)"
        )
    return roles


def check_name(name: str) -> None:
    """Refuse a name PostgreSQL would cut, reject or reserve (raises ServerError)."""
    if not name.strip() or name != name.strip():
        raise ServerError(f"{name!r}: an analyst's name must be non-empty, without outer spaces")
    if "\x00" in name:
        raise ServerError(f"{name!r}: an analyst's name cannot hold U+0000")
    if len(name.encode()) > MAX_ROLE_BYTES:
        raise ServerError(
            f"{name!r}: longer than PostgreSQL's {MAX_ROLE_BYTES} bytes (it would be cut short)"
        )
    if name.lower().startswith("pg_"):
        raise ServerError(f"{name!r}: names starting with pg_ are PostgreSQL's own")


def add_analyst(
    url: str, name: str, password: str | None, adjudicator: bool = False
) -> AnalystReport:
    """Create a login role for `name` in the analysts (and adjudicators) group; all or nothing.

    An existing login role joins the team (its password changes only if one is given); a
    superuser, a role that bypasses row-level security, a group role or a name that already
    holds a layer's work (the adjudicated layer, imported work) is refused.
    """
    check_name(name)
    try:
        with connect(url) as conn, conn.transaction():
            roles = _require_server(conn, url)
            require_role_rights(conn, url, "server add-analyst")
            created = _create_or_check(conn, url, roles, name)
            if password is not None:
                verifier = conn.pgconn.encrypt_password(
                    password.encode(), name.encode(), b"scram-sha-256"
                )
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(name), sql.Literal(verifier.decode())
                    )
                )
            groups = [roles.analysts] + ([roles.adjudicators] if adjudicator else [])
            for group in groups:
                conn.execute(
                    sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name))
                )
    except ServerError as error:
        # The password is the one thing the server never saw, but libpq might quote it.
        text = str(error).replace(password, HIDDEN) if password else str(error)
        raise ServerError(text) from None
    return AnalystReport(display(url), name, created, adjudicator, password is not None)


def _create_or_check(conn: Conn, url: str, roles: Roles, name: str) -> bool:
    """Create the login role; or check an existing one may be an analyst. True if created."""
    if name in (roles.owner, roles.analysts, roles.adjudicators):
        raise ServerError(f"{name!r} is one of the server's group roles, not a person")
    row = conn.execute(
        "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)
    ).fetchone()
    if row is not None:
        if row[0] or row[1]:
            raise ServerError(
                f"{name!r} is a superuser or bypasses row-level security: an analyst must not"
            )
        if not row[2]:
            raise ServerError(f"{name!r} exists and cannot log in (a group role?)")
        return False
    for table, column in ANNOTATOR_COLUMNS.items():
        taken = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM marginalia.{} WHERE {} = %s)").format(
                sql.Identifier(table), sql.Identifier(column)
            ),
            (name,),
        ).fetchone()
        if taken and taken[0]:
            raise ServerError(
                f"{name!r} already names work on this server that is nobody's login (a layer "
                "such as the adjudicated one, or imported work); a person needs a name of "
                "their own"
            )
    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
    return True


def server_status(url: str) -> ServerStatus:
    """The server's identity, schema, version, analysts and row counts (one snapshot)."""
    with connect(url) as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        roles = _require_server(conn, url)
        row = conn.execute(
            "SELECT marginalia.server_identity(), (SELECT version FROM marginalia.change_counter)"
        ).fetchone()
        assert row is not None
        status = ServerStatus(
            server=display(url),
            identity=str(row[0]),
            schema_version=schema_version(conn) or 0,
            latest_schema_version=latest_version(),
            version=int(str(row[1])),
            roles=dict(vars(roles)),
        )
        for table in (t.name for t in SYNCED_TABLES):
            live, deleted = conn.execute(
                sql.SQL(
                    "SELECT count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE deleted) "
                    "FROM marginalia.{}"
                ).format(sql.Identifier(table))
            ).fetchone() or (0, 0)
            status.counts[table] = {"live": int(str(live)), "deleted": int(str(deleted))}
        kinds = conn.execute(
            "SELECT kind, count(*) FROM marginalia.labels WHERE NOT deleted GROUP BY kind"
        ).fetchall()
        status.labels = {"span": 0, "document": 0} | {str(k): int(str(n)) for k, n in kinds}
        status.analysts = _analysts(conn, roles)
    return status


def _analysts(conn: Conn, roles: Roles) -> list[Analyst]:
    """Members of the analysts or adjudicators group, with their live spans and tags."""
    rows = conn.execute(
        """
        SELECT r.rolname, bool_or(g.rolname = %(adjudicators)s), r.rolcanlogin,
               (SELECT count(*) FROM marginalia.spans s
                WHERE s.annotator = r.rolname AND NOT s.deleted),
               (SELECT count(*) FROM marginalia.tags t
                WHERE t.annotator = r.rolname AND NOT t.deleted)
        FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member
        WHERE g.rolname IN (%(analysts)s, %(adjudicators)s) AND r.rolname <> %(adjudicators)s
          -- PostgreSQL 16 makes whoever creates a role its admin member: not an analyst.
          AND NOT m.admin_option
        GROUP BY r.rolname, r.rolcanlogin
        ORDER BY r.rolname
        """,
        {"analysts": roles.analysts, "adjudicators": roles.adjudicators},
    ).fetchall()
    return [Analyst(str(n), bool(a), bool(c), int(str(s)), int(str(t))) for n, a, c, s, t in rows]
