"""Read one plain-text article per file, including the news feed's ` date YYYY-MM-DD ` header."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from desktop_app.core.model import ArticleDraft, ImportProblem
from desktop_app.core.text import DecodeError, decode_bytes, normalize_text

MAX_TXT_BYTES = 50 * 1024 * 1024
TITLE_LENGTH = 80
# A first line longer than this is a paragraph, not a headline, even before a blank line.
HEADLINE_MAX = 200

# The feed writes " date 2024-05-20 " and the text goes on on the same line; spaces are tolerated.
_FEED_HEADER = re.compile(r"[ \t]*date[ \t]+([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ \t]*\n|[ \t]+|$)")
_FEED_ID = re.compile(r"\d+_[0-9a-f]{8,}")


def read_txt(path: Path) -> ArticleDraft | ImportProblem:
    """Read one .txt file as one article, or say why it cannot be imported."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_TXT_BYTES:
            limit = MAX_TXT_BYTES // (1024 * 1024)
            return ImportProblem(origin, f"file is {size:,} bytes, over the {limit} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        return ImportProblem(origin, f"cannot read: {exc.strerror or exc}")
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return ImportProblem(origin, str(exc))
    text = normalize_text(decoded.text)
    meta: dict[str, Any] = {"path": origin, "folder": path.parent.name}
    meta["encoding"] = decoded.encoding
    if decoded.fallback:
        meta["encoding_fallback"] = True
    published, text, is_feed = split_feed_header(text, meta)
    if not text.strip():
        return ImportProblem(origin, "empty (no text)")
    return ArticleDraft(
        text=text,
        uid=txt_uid(path),
        # Only a feed id is the article's own; "folder/stem" can recur in another feed's folder.
        uid_derived=not is_feed_id(path.stem),
        title=guess_title(text, headline_allowed=not is_feed),
        published=published,
        meta=meta,
        origin=origin,
    )


def split_feed_header(text: str, meta: dict[str, Any]) -> tuple[str | None, str, bool]:
    """Return (published, text without the header, had a header) for a feed-format text.

    A header whose date is not a real date is not a header: the text stays untouched and the
    raw date goes to meta["published_raw"] so the analyst can see why no date was set.
    """
    match = _FEED_HEADER.match(text)
    if match is None:
        return None, text, False
    try:
        published = dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        meta["published_raw"] = match.group(1)
        return None, text, False
    return published, text[match.end() :], True


def guess_title(text: str, *, headline_allowed: bool = True) -> str:
    """A headline (a short first line before a blank line), else the first line shortened."""
    lines = text.lstrip().split("\n", 2)
    first = lines[0].strip()
    # Three parts: a line break ends the blank line too ("Headline\n" alone is no headline).
    is_headline = len(lines) == 3 and not lines[1].strip() and len(first) <= HEADLINE_MAX
    if headline_allowed and is_headline:
        return first
    return shorten(first, TITLE_LENGTH)


def shorten(line: str, limit: int) -> str:
    """Cut a line to about `limit` characters at a word or character boundary, marking the cut."""
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", limit // 2, limit + 1)
    if cut == -1:
        cut = _grapheme_boundary(line, limit)
    return line[:cut].rstrip() + "…"


def txt_uid(path: Path) -> str:
    """The feed id when the file stem is one, else "folder/stem" (bbc/sport/199 -> sport/199)."""
    stem = path.stem
    if is_feed_id(stem):
        return stem
    # Not the whole relative path: the uid must not change with the folder the import starts from.
    return f"{path.parent.name}/{stem}" if path.parent.name else stem


def is_feed_id(stem: str) -> bool:
    """True for a news feed file name ("NNN_<hex>"), which is the article's own id."""
    return _FEED_ID.fullmatch(stem) is not None


def _grapheme_boundary(line: str, index: int) -> int:
    """Move `index` left until it does not split a combining sequence, emoji or flag."""
    while index > 0 and _joins_previous(line, index):
        index -= 1
    # Regional indicators pair into flags: an odd count before the cut would split one.
    run = 0
    while index - run > 0 and _is_regional_indicator(line[index - run - 1]):
        run += 1
    if run % 2 and index < len(line) and _is_regional_indicator(line[index]):
        index -= 1
    return index


def _joins_previous(line: str, index: int) -> bool:
    """True when the character at `index` belongs to the cluster of the one before it."""
    char, previous = line[index], line[index - 1]
    # Combining marks and variation selectors (Mn, Mc, Me) and skin-tone modifiers attach to
    # what precedes them; a zero-width joiner glues emoji on both sides.
    attaches = unicodedata.category(char) in {"Mn", "Mc", "Me"} or _is_skin_tone(char)
    return attaches or char == "\u200d" or previous == "\u200d"


def _is_regional_indicator(char: str) -> bool:
    """True for the letters that make up flag emoji."""
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _is_skin_tone(char: str) -> bool:
    """True for the Fitzpatrick modifiers that follow a person emoji."""
    return "\U0001f3fb" <= char <= "\U0001f3ff"
