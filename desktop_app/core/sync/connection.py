"""Connections to a team server by libpq URL; every error a ServerError that shows no password.

Passwords come from libpq's own places (the URL, PGPASSWORD, ~/.pgpass, a service file), so
Marginalia never stores one; but libpq and the server may quote what they were given, so every
message is scrubbed of the password before anyone sees it, and URLs are shown without it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import quote, unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict

CONNECT_TIMEOUT = 10  # seconds: an unreachable server is an error, not a hang
# TCP keepalives on every connection: a server that vanishes mid-sync (a laptop changing
# networks, a server killed) is noticed within about 25 s, not the OS's two hours, so a sync
# or a live listener never hangs on a dead peer.
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3}  # fmt: skip
HIDDEN = "********"
# A URL's password (postgresql://user:PASSWORD@host) and a key=value one (password=PASSWORD).
_URL_PASSWORD = re.compile(r"^postgres(?:ql)?://[^:@/?#]*:([^@/?#]*)@", re.IGNORECASE)
_KEY_PASSWORD = re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class ServerError(RuntimeError):
    """The team server could not do what was asked; the message names it and the reason."""


class Cancelled(ServerError):
    """The work was stopped from another thread (the window closing); what was committed
    stays committed, the rest is done by the next sync."""


class Cancel:
    """Stops a connection's work from another thread, at once: an attempt to connect is given
    up (it goes on alone and closes what it gets), a statement running is cancelled on the
    server, and the worker's next check() raises Cancelled.

    libpq's connect blocks its thread for up to the connect timeout (a server that takes the
    connection and never answers): only another thread can stop waiting for it.
    """

    POLL = 0.05  # seconds between looks at the flag while a connection attempt runs

    def __init__(self) -> None:
        self._flag = threading.Event()
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self._flag.is_set()

    def cancel(self) -> None:
        """Stop the work (from any thread; it returns at once)."""
        with self._lock:
            self._flag.set()
            conn = self._conn
        if conn is not None:  # its own thread: a cancel request is a connection of its own
            threading.Thread(
                target=_cancel_quietly, args=(conn,), name="marginalia cancel", daemon=True
            ).start()

    def check(self, where: str) -> None:
        """Raise Cancelled (naming `where`) once cancel() was called."""
        if self._flag.is_set():
            raise Cancelled(f"{where}: cancelled")

    def connect(self, conninfo: str, where: str, **options: Any) -> psycopg.Connection[Any]:
        """psycopg.connect on a helper thread, given up as soon as cancel() is called."""
        self.check(where)
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def attempt() -> None:
            try:
                conn = psycopg.connect(conninfo, **options)
            except BaseException as error:  # handed to the waiting thread
                outcome["error"] = error
            else:
                with self._lock:
                    late = self._flag.is_set()
                    if not late:
                        outcome["conn"] = conn
                if late:  # nobody waits for it any more
                    with suppress(psycopg.Error):
                        conn.close()
            finished.set()

        threading.Thread(target=attempt, name="marginalia connect", daemon=True).start()
        while not finished.wait(self.POLL):
            self.check(where)
        if "error" in outcome:
            raise outcome["error"]
        if "conn" not in outcome:
            raise Cancelled(f"{where}: cancelled")
        with self._lock:
            self._conn = outcome["conn"]
        return outcome["conn"]  # type: ignore[no-any-return]

    def release(self) -> None:
        """The connection is closed: nothing to cancel on it any more."""
        with self._lock:
            self._conn = None


def _cancel_quietly(conn: psycopg.Connection[Any]) -> None:
    with suppress(Exception):  # the connection may be closing or gone: nothing to stop then
        conn.cancel_safe(timeout=CONNECT_TIMEOUT)


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
            application_name="marginalia", **KEEPALIVES,
        )  # fmt: skip
    except psycopg.Error as error:
        raise ServerError(f"{where}: cannot connect: {error_text(error, url)}") from None
    try:
        with conn:
            yield conn
    except psycopg.Error as error:
        raise ServerError(f"{where}: {error_text(error, url)}") from None
