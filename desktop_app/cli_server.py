"""`marginalia server init|add-analyst|status URL`: set up and inspect a team server."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from typing import Any

EXIT_OK, EXIT_REJECTED = 0, 1
HANDLERS = ("server",)
URL_HELP = (
    "libpq connection URL, e.g. postgresql://admin@db.example.org/team?sslmode=verify-full "
    "(the password from ~/.pgpass, PGPASSWORD or a service file, not the URL)"
)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add `server init|add-analyst|status` to the command line."""
    server = commands.add_parser("server", help="set up and inspect a team server (PostgreSQL)")
    actions = server.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="create (or upgrade) the schema, group roles and policies in a database"
    )
    init.add_argument("url", metavar="URL", help=URL_HELP)
    seed = init.add_mutually_exclusive_group()
    seed.add_argument(
        "--schema",
        metavar="FILE",
        help="seed a new server's label schema from this YAML file (default: the schema a new "
        "project gets); a server that has a schema keeps it",
    )
    seed.add_argument(
        "--from-project",
        metavar="PROJECT",
        help="seed a new server's label schema from this project's labels, relation types "
        "and exclusive groups",
    )
    init.add_argument("--json", action="store_true", help="machine-readable report")
    add = actions.add_parser("add-analyst", help="create a login role for a person on the team")
    add.add_argument("url", metavar="URL", help=URL_HELP)
    add.add_argument("name", metavar="NAME", help="the person's login (their annotator name)")
    add.add_argument(
        "--adjudicator", action="store_true", help="may also change labels and adjudicate"
    )
    how = add.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from stdin's first line",
    )
    how.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the server authenticates by certificate, peer or its own means)",
    )
    status = actions.add_parser("status", help="analysts, counts, version and identity")
    status.add_argument("url", metavar="URL", help=URL_HELP)
    status.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    """Run one `server` action."""
    return {"init": _init, "add-analyst": _add_analyst, "status": _status}[args.action](args)


def _seed(args: argparse.Namespace) -> Any:
    """The label schema `init` seeds a new server with: the file, the project, or the default."""
    from desktop_app.core.schema import load_schema
    from desktop_app.core.sync.server_schema import seed_from_project, seed_from_schema
    from desktop_app.paths import default_schema_path

    if args.from_project:
        return seed_from_project(args.from_project)
    path = args.schema or default_schema_path()
    source = str(path) if args.schema else f"the default schema ({path.name})"
    return seed_from_schema(load_schema(path), source)


def _init(args: argparse.Namespace) -> int:
    from desktop_app.core.sync.server_schema import init_server

    report = init_server(args.url, schema=_seed(args))
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False))
        return EXIT_OK
    done = ", ".join(report.applied) if report.applied else "none (already up to date)"
    print(f"Team server {report.server}: schema version {report.schema_version}")
    print(f"  migrations applied: {done}")
    made = ", ".join(report.roles_created) or "none (all there)"
    print(f"  group roles created: {made}")
    if report.labels_seeded:
        print(f"  label schema: {report.labels_seeded} labels seeded from {report.schema_source}")
    else:
        print(
            f"  label schema: kept ({report.labels} labels on the server; an adjudicator "
            "changes it by syncing)"
        )
    print(f"  identity: {report.identity}")
    return EXIT_OK


def _password(args: argparse.Namespace) -> str | None:
    """The new password: stdin's first line, a prompt on a terminal (twice), or none."""
    if args.no_password:
        return None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"New password for {args.name}: ")
        if getpass.getpass("The same again: ") != password:
            raise ValueError("the two passwords differ; nothing was changed")
    else:
        raise ValueError(
            f"no terminal to ask for {args.name}'s password: give --password-stdin (the "
            "password on stdin's first line) or --no-password"
        )
    if not password:
        raise ValueError("an empty password; give --no-password for a role without one")
    return password


def _add_analyst(args: argparse.Namespace) -> int:
    from desktop_app.core.sync.server_admin import add_analyst

    report = add_analyst(args.url, args.name, _password(args), adjudicator=args.adjudicator)
    role = "adjudicator" if report.adjudicator else "analyst"
    made = "created" if report.created else "existing login role joined the team"
    password = "password set" if report.password_set else "password unchanged"
    print(f"{report.name}: {role} on {report.server} ({made}; {password})")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from desktop_app.core.sync.server_admin import server_status

    status = server_status(args.url)
    if args.json:
        print(json.dumps(asdict(status), ensure_ascii=False))
        return EXIT_OK
    behind = status.schema_version < status.latest_schema_version
    note = " (run `marginalia server init` to upgrade)" if behind else ""
    print(f"Team server {status.server}")
    print(f"  identity: {status.identity}")
    print(f"  schema version: {status.schema_version}{note}")
    print(f"  version: {status.version}")
    spans, tags = status.labels.get("span", 0), status.labels.get("document", 0)
    empty = " (none: analysts' labels are refused until an adjudicator syncs)"
    print(f"  label schema: {spans} span labels, {tags} document tags" + ("" if spans + tags
          else empty))  # fmt: skip
    for table, count in status.counts.items():
        print(f"  {table}: {count['live']} ({count['deleted']} deleted)")
    print(f"Analysts ({len(status.analysts)}):")
    for person in status.analysts:
        role = "adjudicator" if person.adjudicator else "analyst"
        login = "" if person.can_login else ", cannot log in"
        print(f"  {person.name}\t{role}{login}\t{person.spans} spans\t{person.tags} tags")
    return EXIT_OK
