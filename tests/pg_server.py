"""A real PostgreSQL server for the tests: Debian's binaries, a private directory, a Unix socket.

`initdb` and `postgres` refuse to run as root, so as root every server command runs as the
`postgres` user (runuser) on a temporary directory chowned to it. The server listens on a
socket in that directory only (listen_addresses = ''), on a port found free, with fsync off:
the data is thrown away at the end of the session. Each test gets a fresh database.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
SETUP_HINT = (
    "run `sh .ci/setup` (it installs Debian's postgresql package), or point "
    "MARGINALIA_PG_BINDIR at a folder holding initdb and pg_ctl; "
    "MARGINALIA_SKIP_POSTGRES=1 skips these tests instead"
)


class ServerUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing or the server would not start."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: $MARGINALIA_PG_BINDIR, Debian's newest, or PATH."""
    wanted = os.environ.get("MARGINALIA_PG_BINDIR")
    if wanted:  # an explicit choice is the only one (a wrong one is reported, not bypassed)
        folder = Path(wanted)
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    candidates = []
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = [p for p in debian.iterdir() if re.fullmatch(r"\d+(\.\d+)?", p.name)]
        versions.sort(key=lambda p: float(p.name), reverse=True)
        candidates += [p / "bin" for p in versions]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    # The socket file is named after the port; a port free on TCP too keeps a log readable.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PgServer:
    """One throw-away cluster: start(), url(), admin(), fresh_database(), stop()."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="marginalia-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        self._databases = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ServerUnavailable(
                f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()}\n{log}"
            )

    def start(self) -> None:
        """initdb, configure a socket-only server, start it and wait until it answers."""
        self.socket_dir.mkdir()
        if self._as_root:
            try:
                shutil.chown(self.root, SUPERUSER)
                shutil.chown(self.socket_dir, SUPERUSER)
            except LookupError as error:
                raise ServerUnavailable(
                    f"running as root needs a `{SUPERUSER}` user to run the server as "
                    f"({error}); {SETUP_HINT}"
                ) from error
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--encoding=UTF8", "--locale=C",
            "--no-sync", "--no-instructions", "--auth=trust",
        )  # fmt: skip
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "port": str(self.port),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "password_encryption": "'scram-sha-256'",
        }
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # The superuser (the fixture itself) is trusted on the socket; everyone else gives a
        # password, so the tests can check what a wrong one does.
        (self.data / "pg_hba.conf").write_text(
            f"local all {SUPERUSER} trust\nlocal all all scram-sha-256\n", encoding="utf-8"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        """Stop and start the server on the same data (a server restart mid-test)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def url(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        """A libpq URL for `database` as `user`: the socket folder as host, the port."""
        who = quote(user, safe="")
        if password is not None:
            who += ":" + quote(password, safe="")
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{who}@{host}:{self.port}/{quote(database, safe='')}"

    def admin(self, database: str = "postgres"):  # type: ignore[no-untyped-def]
        """An autocommit superuser connection to `database`."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def fresh_database(self, name: str | None = None) -> str:
        """Create an empty database (from template0) and return its name."""
        from psycopg import sql

        self._databases += 1
        name = name or f"test_{self._databases}"
        with self.admin() as conn:
            # FILE_COPY (PostgreSQL 15+) skips WAL-logging the copy: quicker for an empty one.
            newer = conn.info.server_version >= 150000
            strategy = sql.SQL(" STRATEGY file_copy" if newer else "")
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0{}").format(
                    sql.Identifier(name), strategy
                )
            )
        return name

    def roles(self) -> set[str]:
        """Every role in the cluster (roles are cluster-wide, so tests clean up their own)."""
        with self.admin() as conn:
            return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}

    def drop_database(self, name: str, keep_roles: set[str]) -> None:
        """Drop a test's database and every role made since `keep_roles` was read."""
        from psycopg import sql

        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            for role in sorted(self.roles() - keep_roles):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


class Team:
    """An initialised team server with analysts ana and bob and adjudicator adam."""

    PEOPLE = (("ana", False), ("bob", False), ("adam", True))  # name, adjudicator

    def __init__(self, server: PgServer, database: str) -> None:
        from desktop_app.core.sync.server_admin import add_analyst
        from desktop_app.core.sync.server_schema import init_server

        self.server = server
        self.database = database
        self.admin_url = server.url(database)
        init_server(self.admin_url)
        for name, adjudicator in self.PEOPLE:
            add_analyst(self.admin_url, name, self.password(name), adjudicator=adjudicator)

    @staticmethod
    def password(name: str) -> str:
        """Each test analyst's password."""
        return f"{name}-pass-{len(name)}"

    def url(self, name: str) -> str:
        """The URL an analyst connects with (password in it: only tests do that)."""
        return self.server.url(self.database, name, self.password(name))

    def connect(self, name: str, autocommit: bool = False):  # type: ignore[no-untyped-def]
        """A plain psycopg connection as `name` (the way a forger would come)."""
        import psycopg

        return psycopg.connect(self.url(name), autocommit=autocommit)
