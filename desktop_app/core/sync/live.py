"""Who the team server says you are, and its change notifications (no Qt): the window's part.

A notification is only a hint that something was committed (its payload the new version): the
pull by version is what counts, so a missed one costs at most the periodic sync's delay.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from desktop_app.core.sync.client import SyncError, _connect, _whoami, without_password
from desktop_app.core.sync.connection import (
    CONNECT_TIMEOUT,
    KEEPALIVES,
    Cancel,
    display,
    error_text,
)
from desktop_app.core.sync.server_tables import CHANNEL


def split_url(url: str) -> tuple[str, str]:
    """(address without password or user, user) of a libpq URL, for the dialog's fields."""
    if not url:
        return "", ""
    try:
        user = str(conninfo_to_dict(url).get("user") or "")
    except psycopg.Error:
        return without_password(url), ""
    return without_password(url), user


def join_url(address: str, user: str) -> str:
    """The address with `user` in it (the address's own user when `user` is empty)."""
    address = without_password(address.strip())
    user = user.strip()
    if not address or not user:
        return address
    try:
        if str(conninfo_to_dict(address).get("user") or "") == user:
            return address
        return make_conninfo(address, user=user)
    except psycopg.Error:
        return address  # the connection attempt says what is wrong with it


@dataclass(frozen=True)
class Identity:
    """Who a URL (and password) logs in as on a team server."""

    server: str  # the address as it may be shown (no password)
    user: str
    adjudicator: bool


def whoami(url: str, password: str | None = None, cancel: Cancel | None = None) -> Identity:
    """Connect and say who we are there; SyncError (no password in it) when we cannot."""
    with _connect(url, password, cancel) as conn:
        me, adjudicator, _identity = _whoami(conn, url)
    return Identity(display(url), me, adjudicator)


class Listener:
    """An autocommit connection LISTENing on the team server's change channel."""

    def __init__(self, url: str, password: str | None = None, cancel: Cancel | None = None) -> None:
        """Connect and LISTEN; SyncError (no password in it) when the server cannot be reached,
        Cancelled when `cancel` gives the attempt up."""
        self._url = url
        self._secrets = (password,) if password else ()
        self._cancel = cancel
        conninfo = make_conninfo(url, password=password) if password else url
        options: dict[str, Any] = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT,
                   "application_name": "marginalia live updates", **KEEPALIVES}  # fmt: skip
        try:
            if cancel is None:
                self._conn = psycopg.connect(conninfo, **options)
            else:
                self._conn = cancel.connect(conninfo, display(url), **options)
            self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        except psycopg.Error as error:
            raise SyncError(f"{display(url)}: cannot listen: {self._text(error)}") from None

    def _text(self, error: BaseException) -> str:
        return error_text(error, self._url, self._secrets)

    def wait(self, timeout: float) -> int | None:
        """Wait up to `timeout` seconds; the highest version notified meanwhile (None: none).

        SyncError when the connection is lost (the caller reconnects with a backoff).
        """
        newest: int | None = None
        try:
            for note in self._conn.notifies(timeout=timeout, stop_after=1):
                newest = max(newest or 0, _version(note.payload))
            # Drain what arrived together (one commit each), without waiting again.
            for note in self._conn.notifies(timeout=0.0):
                newest = max(newest or 0, _version(note.payload))
        except psycopg.Error as error:
            raise SyncError(f"{display(self._url)}: {self._text(error)}") from None
        return newest

    def close(self) -> None:
        """Close the connection (no error: it may be gone already)."""
        if self._cancel is not None:
            self._cancel.release()
        with suppress(psycopg.Error):
            self._conn.close()


def _version(payload: str) -> int:
    try:
        return int(payload)
    except ValueError:
        return 0  # a hint all the same: pull


@contextmanager
def listening(
    url: str, password: str | None = None, cancel: Cancel | None = None
) -> Iterator[Listener]:
    """A Listener, closed on leaving."""
    listener = Listener(url, password, cancel)
    try:
        yield listener
    finally:
        listener.close()
