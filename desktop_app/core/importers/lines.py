"""Stream a text file's lines in a known encoding, so one bad byte costs one line, not a chunk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

# Codecs that include their BOM handling; lines after the first are decoded without it, so a
# U+FEFF that starts a later line (inside a quoted CSV field, say) is kept as text.
_WITHOUT_BOM = {"utf-8-sig": "utf-8"}


def numbered_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | None]]:
    """Yield (line number from 1, line with its ending), or None for a line that does not decode.

    In an ASCII-compatible encoding each line is decoded on its own and the lines after a bad one
    go on. In UTF-16/32 a line ending cannot be found without decoding, so a bad byte ends the
    file after the None. Raises OSError when the file cannot be opened.
    """
    if _ascii_compatible(encoding):
        yield from _binary_lines(path, encoding)
    else:
        yield from _text_lines(path, encoding)


def bad_line_ends_file(encoding: str) -> bool:
    """True when numbered_lines stops at the first line that does not decode (UTF-16/32)."""
    return not _ascii_compatible(encoding)


def _ascii_compatible(encoding: str) -> bool:
    """True when ASCII and LF are single, unchanged bytes (not UTF-16/32, not EBCDIC)."""
    try:
        return "\n{a}".encode(_WITHOUT_BOM.get(encoding, encoding)) == b"\n{a}"
    except (LookupError, UnicodeError):
        return False


def _binary_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | None]]:
    """Split on LF bytes, then decode each line strictly."""
    later = _WITHOUT_BOM.get(encoding, encoding)
    with path.open("rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            try:
                yield lineno, raw.decode(encoding if lineno == 1 else later)
            except UnicodeDecodeError:
                yield lineno, None


def _text_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | None]]:
    """Decode as a text stream; a decoding error ends the file."""
    lineno = 0
    with path.open(encoding=encoding, errors="strict", newline="") as handle:
        try:
            for lineno, line in enumerate(handle, start=1):
                yield lineno, line
        except UnicodeDecodeError:
            yield lineno + 1, None
