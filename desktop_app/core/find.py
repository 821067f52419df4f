"""Finding text in one article: a word, a phrase or a regular expression, and the terms of
the list's search, as code point ranges (the reader outlines them; F3 walks them)."""

from __future__ import annotations

import re
import shlex

# Words of the list's search syntax that are operators, not terms to show.
_OPERATORS = {"OR", "AND", "NOT"}


def find_all(
    text: str, needle: str, *, regex: bool = False, case: bool = False, whole_word: bool = False
) -> list[tuple[int, int]]:
    """Every non-empty match of `needle` in `text`, as (start, end) code points, in order.

    Raises ValueError naming the problem when `needle` is not a valid regular expression.
    """
    if not needle:
        return []
    pattern = needle if regex else re.escape(needle)
    if whole_word:
        pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
    try:
        compiled = re.compile(pattern, 0 if case else re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from error
    return [(m.start(), m.end()) for m in compiled.finditer(text) if m.end() > m.start()]


def search_terms(query: str) -> list[tuple[str, bool]]:
    """The terms a list search looks for, as (text, is_prefix): phrases whole, `budg*` a
    prefix; operators and excluded terms (`-x`, `NOT x`) are not shown as hits."""
    try:
        parts = shlex.split(query)
    except ValueError:  # an unclosed quote: take the words as they are
        parts = query.replace('"', " ").split()
    terms: list[tuple[str, bool]] = []
    skip_next = False
    for part in parts:
        if part in _OPERATORS:
            skip_next = part == "NOT"
            continue
        if skip_next or part.startswith("-"):
            skip_next = False
            continue
        prefix = part.endswith("*")
        word = part.rstrip("*").strip()
        if word:
            terms.append((word, prefix))
    return terms


def search_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Where the terms of list search `query` occur in `text` (a prefix shows the whole word
    it matched), as sorted, non-overlapping code point ranges."""
    hits: set[tuple[int, int]] = set()
    for term, prefix in search_terms(query):
        words = r"\s+".join(re.escape(w) for w in term.split())
        pattern = rf"(?<!\w){words}\w*" if prefix else rf"(?<!\w){words}(?!\w)"
        hits.update((m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(hits):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
