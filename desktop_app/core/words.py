"""Word boundaries for snapping selections: words, whole numbers, per-character CJK.

A word is a run of letters, digits and combining marks (so Arabic with harakat, Georgian and
Devanagari stay whole), joined across an apostrophe, a hyphen or a zero-width (non-)joiner
between letters ("O'Brien", "well-known", Persian ZWNJ). A number keeps its thousands and
decimal separators and an adjacent currency sign ("€250,000", "3.5", "250 000" is two).
Han, Hiragana and Katakana have no spaces between words, so each character is a word there.
All offsets are code points; nothing here knows about Qt.
"""

from __future__ import annotations

import unicodedata

_JOINERS = "'\u2019-\u2010\u200c\u200d"  # between two letters: still one word
_NUMBER_JOINERS = ",.\u00a0\u202f'\u2019"  # between two digits: still one number


def _is_cjk(ch: str) -> bool:
    """True for scripts written without spaces, where a character is the unit."""
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # Hiragana, Katakana
        or 0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= o <= 0x3FFFF  # extensions B onwards
    )


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Every word of `text` as (start, end) code point offsets, in order."""
    spans: list[tuple[int, int]] = []
    n, i = len(text), 0
    while i < n:
        ch = text[i]
        if _is_cjk(ch):
            end = i + 1
            while end < n and unicodedata.category(text[end]).startswith("M"):
                end += 1
            spans.append((i, end))
            i = end
            continue
        if not _is_word_char(ch):
            i += 1
            continue
        start, end = i, i + 1
        while end < n:
            c = text[end]
            if _is_word_char(c) and not _is_cjk(c):
                end += 1
            elif end + 1 < n and _joins(text[end - 1], c, text[end + 1]):
                end += 2
            else:
                break
        # A currency sign touching a number belongs to it: analysts quote amounts whole.
        if text[start].isdigit() and start > 0 and unicodedata.category(text[start - 1]) == "Sc":
            start -= 1
        if text[end - 1].isdigit() and end < n and unicodedata.category(text[end]) == "Sc":
            end += 1
        spans.append((start, end))
        i = end
    return spans


def _joins(before: str, joiner: str, after: str) -> bool:
    if before.isdigit() and after.isdigit():
        return joiner in _NUMBER_JOINERS
    return joiner in _JOINERS and _is_word_char(before) and _is_word_char(after)


def _words_near(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The words overlapping [start, end), scanning only a window around it."""
    # Words are short; a bounded margin keeps snapping cheap in a 300,000-character article.
    lo = start
    while lo > 0 and start - lo < 200 and not text[lo - 1].isspace():
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < 200 and not text[hi].isspace():
        hi += 1
    return [(lo + a, lo + b) for a, b in word_spans(text[lo:hi]) if lo + a < end and lo + b > start]


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to the whole words it touches, trimming spaces and punctuation.

    A selection holding no word at all (an emoji, a dash) is only trimmed of white space.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"selection {start}-{end} outside the text (0-{len(text)})")
    words = _words_near(text, start, end)
    if not words:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end
    return words[0][0], words[-1][1]


def word_at(text: str, cp: int) -> tuple[int, int] | None:
    """The word containing code point `cp` (None over spaces and punctuation)."""
    if not 0 <= cp < len(text):
        return None
    words = _words_near(text, cp, cp + 1)
    return words[0] if words else None


def move_edge(
    text: str, start: int, end: int, edge: str, step: int, by_word: bool
) -> tuple[int, int] | None:
    """Move a span's `edge` ("start" or "end") by one character or word (`step` +1 or -1).

    An edge never comes to rest on white space, and the span never becomes empty; None when
    the edge cannot move that way.
    """
    pos = start if edge == "start" else end
    if by_word:
        lo, hi = max(0, pos - 400), min(len(text), pos + 400)
        ends = [lo + (a if edge == "start" else b) for a, b in word_spans(text[lo:hi])]
        moved = [p for p in ends if (p - pos) * step > 0]
        if not moved:
            return None
        pos = moved[0] if step > 0 else moved[-1]
    else:
        pos += step
        # The character that would sit at the edge: skip white space beyond it.
        inside = 0 if edge == "start" else -1
        while 0 <= pos + inside < len(text) and text[pos + inside].isspace():
            pos += step
    new = (pos, end) if edge == "start" else (start, pos)
    if not 0 <= new[0] < new[1] <= len(text):
        return None
    return new


def snap_edge(text: str, pos: int, edge: str) -> int:
    """Where a dragged `edge` ("start" or "end") dropped at `pos` lands: a word's edge, never
    on white space."""
    word = word_at(text, pos if edge == "start" else pos - 1)
    if word is not None:
        pos = word[0] if edge == "start" else word[1]
    if edge == "start":
        while pos < len(text) and text[pos].isspace():
            pos += 1
    else:
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
    return pos
