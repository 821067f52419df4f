"""Edit times: parsed and kept in UTC, in the store's own format, so they compare as instants."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Sorts before every time a store writes: what an unreadable time counts as in a comparison.
OLDEST = "0001-01-01T00:00:00.000+00:00"
_EXAMPLE = "2024-05-20T09:00:00+00:00"
_STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", re.ASCII)  # now()'s


class TimeError(ValueError):
    """A created_at or updated_at that is not a time; the message quotes it."""


def normalize_time(value: str) -> str:
    """`value` (ISO 8601) as UTC with milliseconds, like the store's now(); a time without an
    offset is taken as UTC. Raise TimeError when it is not a time."""
    try:
        if _STORED.fullmatch(value):  # already the store's form (an export): just check it
            datetime.fromisoformat(value)
            return value
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # no offset: UTC, as every Marginalia writes
        return parsed.astimezone(UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError):
        raise TimeError(f"{value[:60]!r} is not a time (ISO 8601, such as {_EXAMPLE})") from None


def comparable_time(value: str | None) -> str:
    """`value` normalised for comparing; a missing or unreadable time is the oldest of all."""
    if not value:
        return OLDEST
    try:
        return normalize_time(value)
    except TimeError:
        return OLDEST


def field_time(value: str | None, field: str) -> str | None:
    """A created_at/updated_at field normalised (None when missing or empty); TimeError naming
    the field when it is not a time."""
    if not value:
        return None
    try:
        return normalize_time(value)
    except TimeError as error:
        raise TimeError(f"{field} {error}") from None
