"""Connections to a team server by libpq URL; every error a ServerError that shows no password.

Passwords come from libpq's own places (the URL, PGPASSWORD, ~/.pgpass, a service file), so
Marginalia never stores one; but libpq and the server may quote what they were given, so every
message is scrubbed of the password before anyone sees it, and URLs are shown without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import quote, unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict

CONNECT_TIMEOUT = 10  # seconds: an unreachable server is an error, not a hang
HIDDEN = "********"
# A URL's password (postgresql://user:PASSWORD@host) and a key=value one (password=PASSWORD).
_URL_PASSWORD = re.compile(r"^postgres(?:ql)?://[^:@/?#]*:([^@/?#]*)@", re.IGNORECASE)
_KEY_PASSWORD = re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class ServerError(RuntimeError):
    """The team server could not do what was asked; the message names it and the reason."""


def _secrets(url: str) -> list[str]:
    found = [m.group(1) for m in (_URL_PASSWORD.match(url), _KEY_PASSWORD.search(url)) if m]
    found += [unquote(s) for s in found] + [s.strip("'") for s in found]
    with suppress(psycopg.Error):
        found.append(str(conninfo_to_dict(url).get("password") or ""))
    found.append(os.environ.get("PGPASSWORD", ""))
    # Longest first, so a password that contains another is hidden whole.
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(message: str, url: str, extra: tuple[str, ...] = ()) -> str:
    """`message` with every password in `url` (or the environment, or `extra`) hidden."""
    for secret in sorted([*_secrets(url), *(s for s in extra if s)], key=len, reverse=True):
        message = message.replace(secret, HIDDEN)
    return message


def display(url: str) -> str:
    """The URL as it may be shown: user, host, port and database, never the password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "(a connection URL libpq cannot read)"
    user = str(parts.get("user") or "")
    host = str(parts.get("host") or parts.get("hostaddr") or "")
    port = str(parts.get("port") or "")
    where = quote(host, safe="") if host.startswith("/") else host
    if port:
        where += f":{port}"
    shown = f"postgresql://{quote(user, safe='') + '@' if user else ''}{where}"
    database = str(parts.get("dbname") or "")
    return shown + (f"/{quote(database, safe='')}" if database else "")


def error_text(error: BaseException, url: str, extra: tuple[str, ...] = ()) -> str:
    """One line for a psycopg error: the server's primary message (no password in it)."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(error).strip() or type(error).__name__
    return scrub(" ".join(text.split()), url, extra)


@contextmanager
def connect(url: str, autocommit: bool = False) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection to the server at `url`; errors (also later ones) become ServerError."""
    where = display(url)
    try:
        conn = psycopg.connect(
            url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT,
            application_name="marginalia",
        )  # fmt: skip
    except psycopg.Error as error:
        raise ServerError(f"{where}: cannot connect: {error_text(error, url)}") from None
    try:
        with conn:
            yield conn
    except psycopg.Error as error:
        raise ServerError(f"{where}: {error_text(error, url)}") from None
