"""Counts in words: "1 span", "2 spans" (the window and reports never say "1 spans")."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """`n` with the noun in the singular for exactly one (`many` defaults to `one` + "s")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
