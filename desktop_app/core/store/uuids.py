"""Imported annotation uuids already taken by another annotation: re-keyed or refused, never lost.

A uuid names one annotation in the whole project (spans and document tags share merge_base
and the annotation history). An import may bring a uuid that another annotation holds: the
same uuid on another article, twice in one record, on a span here and a tag there. INSERT OR
IGNORE would drop such an annotation without a word; here it is stored under a uuid derived
from the original and from what the annotation is (so importing the file again finds it and
adds nothing), and the change is noted. A merge, which matches by uuid, refuses it instead.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import uuid as uuidlib
from typing import NamedTuple, Protocol

from desktop_app.core.model import DOCUMENT, SPAN, ImportProblem, ImportReport
from desktop_app.core.store.base import IDENTITY_NAMESPACE

Row = tuple[object, ...]  # a spans or document_tags row as _Annotations collects it


class Collected(Protocol):
    """What settle_uuids needs of a batch's collected annotations (store.articles)."""

    spans: list[Row]
    tags: list[Row]
    origins: dict[int, str]
    uids: dict[int, str]


class _Owner(NamedTuple):
    """The annotation that holds a uuid here."""

    kind: str
    identity: tuple[object, ...]
    article_uid: str


def _identity(kind: str, row: Row) -> tuple[object, ...]:
    """What makes a row the same annotation whatever was edited since (a span's label and
    note change; its article, annotator and extent do not; a tag is its label)."""
    if kind == SPAN:
        return (SPAN, row[1], row[2], row[4], row[5], row[11])
    return (DOCUMENT, row[1], row[2], row[3])


def _owners(conn: sqlite3.Connection, uuids: list[str]) -> dict[str, _Owner]:
    """Who holds each of `uuids` in the project, spans and tags alike."""
    wanted = json.dumps(uuids)
    found: dict[str, _Owner] = {}
    for row in conn.execute(
        'SELECT s.uuid, s.article, s.annotator, s.start, s."end", s.fragments, a.uid '
        "FROM spans s JOIN articles a ON a.id = s.article "
        "WHERE s.uuid IN (SELECT value FROM json_each(?))",
        (wanted,),
    ):
        found[row[0]] = _Owner(SPAN, (SPAN, *row[1:6]), row[6])
    for row in conn.execute(
        "SELECT t.uuid, t.article, t.annotator, t.label, a.uid "
        "FROM document_tags t JOIN articles a ON a.id = t.article "
        "WHERE t.uuid IN (SELECT value FROM json_each(?))",
        (wanted,),
    ):
        found[row[0]] = _Owner(DOCUMENT, (DOCUMENT, *row[1:4]), row[4])
    return found


def _noun(kind: str) -> str:
    return "span" if kind == SPAN else "document tag"


def _describe(kind: str, row: Row) -> str:
    if kind == SPAN:
        return f"span {row[3]!r} at {row[4]}..{row[5]} by {row[2]}"
    return f"document tag {row[3]!r} by {row[2]}"


class _Claims:
    """The uuids of one batch: those the project holds and those this batch has claimed."""

    def __init__(self, conn: sqlite3.Connection, found: Collected) -> None:
        self.conn = conn
        self.found = found
        self.wanted = [str(row[0]) for row in (*found.spans, *found.tags)]
        self.here = _owners(conn, self.wanted) if self.wanted else {}
        # uuid -> (identity and label, article id) of the row of this batch that holds it
        self.claimed: dict[str, tuple[tuple[object, ...], object]] = {}

    def clash(self, uuid: str, kind: str, row: Row) -> str | None:
        """Why `row` cannot have `uuid`, or None when it may (new, or the same annotation)."""
        identity = _identity(kind, row)
        taken = self.claimed.get(uuid)
        if taken is not None:
            if taken[0] == (*identity, row[3]):
                return None  # the very same annotation twice (one record imported twice)
            if taken[1] == row[1]:
                return f"uuid {uuid} appears twice in this article's annotations"
            other = self.found.origins.get(int(str(taken[1])), "")
            return f"uuid {uuid} is also used by another article in this import ({other})"
        owner = self.here.get(uuid)
        if owner is None or (owner.kind, owner.identity) == (kind, identity):
            return None
        if owner.kind != kind:
            return f"uuid {uuid} is already used by a {_noun(owner.kind)} here"
        if owner.identity[1] != row[1]:
            return (
                f"uuid {uuid} is already used by a {_noun(kind)} of another article here "
                f"({owner.article_uid})"
            )
        return f"uuid {uuid} is already used here by another {_noun(kind)} of this article"

    def claim(self, uuid: str, kind: str, row: Row) -> bool:
        """Record that `row` holds `uuid`; False when an identical row already does."""
        if uuid in self.claimed:
            return False
        self.claimed[uuid] = ((*_identity(kind, row), row[3]), row[1])
        return True

    def reissue(self, uuid: str, kind: str, row: Row) -> str:
        """A free uuid for `row`, derived from `uuid` and what the row is (not where it is
        stored), so the same input gets the same one every time."""
        what = [kind, self.found.uids.get(int(str(row[1])), ""), row[2], row[3]]
        if kind == SPAN:
            what += [row[4], row[5], row[11]]
        for attempt in itertools.count(1):
            name = "|".join(str(part) for part in ("reissued", uuid, *what, attempt))
            new = str(uuidlib.uuid5(IDENTITY_NAMESPACE, name))
            self.here.update(_owners(self.conn, [new]))
            if self.clash(new, kind, row) is None:
                return new
        raise AssertionError("unreachable")  # itertools.count() never ends


def settle_uuids(
    conn: sqlite3.Connection, found: Collected, out: ImportReport, rekey: bool
) -> None:
    """Give every collected row a uuid no other annotation holds (see the module's text);
    each change is a note in `out`, each refusal (without `rekey`) a problem."""
    claims = _Claims(conn, found)
    if not claims.here and len(claims.wanted) == len(set(claims.wanted)):
        return  # every uuid new and used once: the usual import, nothing to settle
    for kind, rows in ((SPAN, found.spans), (DOCUMENT, found.tags)):
        kept = []
        for row in rows:
            uuid = str(row[0])
            why = claims.clash(uuid, kind, row)
            if why is not None:
                origin = found.origins.get(int(str(row[1])), str(row[1]))
                if not rekey:
                    out.problems.append(
                        ImportProblem(origin, f"{_describe(kind, row)}: {why}; not added")
                    )
                    continue
                uuid = claims.reissue(uuid, kind, row)
                out.notes.append(
                    ImportProblem(
                        origin, f"{_describe(kind, row)}: {why}; stored here under the uuid {uuid}"
                    )
                )
                row = (uuid, *row[1:])
            if claims.claim(uuid, kind, row):
                kept.append(row)
        rows[:] = kept
