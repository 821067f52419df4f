"""Discontinuous spans: the pieces of text one annotation covers, and the rules they follow.

A span is stored with its extent (`start`, `end`, and `quote == text[start:end]`, the offset
rule), and, when it is discontinuous, the ordered pieces inside that extent it really
covers: brat's `T1 Org 0 6;16 21`. An ordinary span has no fragments. Keeping the extent
means every reader that knows nothing of fragments still gets a true span.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

Fragments = tuple[tuple[int, int], ...]


class FragmentError(ValueError):
    """Fragments that cannot belong to the span they are given for, and why."""


def check_fragments(fragments: Sequence[Sequence[int]], start: int, end: int) -> Fragments:
    """The fragments as a tuple, checked: in order, non-empty, not overlapping, and exactly
    spanning `start`..`end`. One fragment is an ordinary span and comes back as ()."""
    pieces: list[tuple[int, int]] = []
    for piece in fragments:
        if len(piece) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in piece
        ):
            raise FragmentError(f"fragment {list(piece)!r} is not a [start, end] pair")
        a, b = int(piece[0]), int(piece[1])
        if not a < b:
            raise FragmentError(f"fragment {a}..{b} is empty or reversed")
        if pieces and a < pieces[-1][1]:
            raise FragmentError(f"fragment {a}..{b} overlaps or precedes the one before it")
        pieces.append((a, b))
    if not pieces:
        return ()
    if (pieces[0][0], pieces[-1][1]) != (start, end):
        raise FragmentError(
            f"fragments run {pieces[0][0]}..{pieces[-1][1]}, not the span's {start}..{end}"
        )
    return tuple(pieces) if len(pieces) > 1 else ()


def pieces(start: int, end: int, fragments: Fragments) -> Fragments:
    """What a span covers: its fragments, or its one range when it is contiguous."""
    return fragments or ((start, end),)


def covers(start: int, end: int, fragments: Fragments, position: int) -> bool:
    """True when code point `position` lies inside the span (not in a gap between pieces)."""
    return any(a <= position < b for a, b in pieces(start, end, fragments))


def fragment_quotes(text: str, fragments: Fragments) -> list[str]:
    """The text of each fragment, in order."""
    return [text[a:b] for a, b in fragments]


def shown_quote(quote: str, start: int, fragments: Fragments, gap: str = " … ") -> str:
    """What a person reads as the span's text: the extent's quote, or its pieces with `gap`
    between them (cut from the quote, which holds the whole extent from `start`)."""
    if not fragments:
        return quote
    return gap.join(quote[a - start : b - start] for a, b in fragments)


def to_json(fragments: Fragments) -> str:
    """The stored form: '' for a contiguous span, else a compact JSON list of pairs."""
    return json.dumps([list(p) for p in fragments], separators=(",", ":")) if fragments else ""


def from_json(value: str | None) -> Fragments:
    """Read the stored form back ('' or NULL is a contiguous span)."""
    if not value:
        return ()
    return tuple((int(a), int(b)) for a, b in json.loads(value))
