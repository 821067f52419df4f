"""What a sync did: rows pulled and pushed, conflicts (the newer edit won) and refusals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SyncConflict:
    """A row edited here and on the server: which version won; the other is in the history."""

    table: str
    key: str  # the row's server key (composite keys joined by " / ")
    winner: str  # "ours" (pushed) or "theirs" (the server's, taken)
    ours: str
    theirs: str


@dataclass(frozen=True)
class SyncRefusal:
    """A local change the server would not take (or the sync would not send), and why."""

    table: str
    key: str
    reason: str


@dataclass(frozen=True)
class SyncHistoryEntry:
    """A version a sync replaced (a conflict's loser, a refused change), kept whole."""

    table: str
    key: str  # the row's server key (composite keys joined by " / ")
    article_uid: str  # "" for the label schema
    annotator: str  # whose version it was ("" when the server does not say)
    row: dict[str, Any]  # the version, its fields named as the server's columns
    reason: str  # "lost a sync conflict", "replaced by sync" or "refused"
    replaced_at: str

    def as_json(self) -> dict[str, Any]:
        """The entry as plain JSON values."""
        return asdict(self)


@dataclass
class SyncReport:
    """One sync: counts, conflicts, refusals, and whether it was a full sync."""

    server: str = ""  # the server's address as it may be shown (never a password)
    user: str = ""
    adjudicator: bool = False  # whether `user` writes the label schema and the team's corpus
    pulled: int = 0  # server rows applied here
    pushed: int = 0  # local rows the server took
    conflicts: list[SyncConflict] = field(default_factory=list)
    refused: list[SyncRefusal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # server rows this project could not take
    full_sync: bool = False
    cursor: int = 0  # the server version this project has seen everything up to

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON values."""
        return asdict(self)


@dataclass
class Applied:
    """What applying pulled rows did to the project (the store's answer to the client)."""

    pulled: int = 0
    conflicts: list[SyncConflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)  # keys still dirty: ours won, push again
