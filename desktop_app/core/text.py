"""Text normalisation, hashing and byte decoding: the rules that article offsets depend on."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

BOM = "\ufeff"

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls that never occur in text; tab, LF, VT, FF, CR and ESC (used by ISO-2022) are allowed.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r\x1b")
_MAX_CONTROL_SHARE = 0.3
_ADJACENT_HIGH_BYTES = re.compile(rb"[\x80-\xff]{2}")


class DecodeError(ValueError):
    """Bytes that cannot be read as text; the message is a reason fit for a report."""


@dataclass(frozen=True)
class DecodedText:
    """Decoded text, the codec name that decodes the whole input, and whether it was guessed."""

    text: str
    encoding: str
    fallback: bool = False


def normalize_text(s: str) -> str:
    """Drop one leading BOM and turn CRLF and lone CR into LF; change nothing else."""
    if s.startswith(BOM):
        s = s[1:]
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s


def one_line(value: str) -> str:
    """Every whitespace character (line breaks of any kind, tabs) as one space: how a quote
    survives a one-line column such as brat's."""
    return "".join(" " if c.isspace() else c for c in value)


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, *, final: bool = True) -> DecodedText:
    """Decode file bytes: BOM, then UTF-8, then a detected encoding (recorded as a fallback).

    With `final=False`, `data` is the head of a longer file: a multi-byte character cut at the
    end is tolerated, and the returned encoding is meant for reading the whole file.
    """
    if not data:
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedText(_strict_decode(data, encoding, final), encoding)
    _reject_binary(data)
    try:
        return DecodedText(_strict_decode(data, "utf-8", final), "utf-8")
    except DecodeError:
        return _guess_legacy_encoding(data)


def _guess_legacy_encoding(data: bytes) -> DecodedText:
    """Guess the encoding of text that is not UTF-8, preferring Windows-1252 where it fits."""
    # Windows-1252 (Latin-1's printable range plus curly quotes, dashes and the euro sign) is by
    # far the most common legacy encoding of English and Western European news files, and
    # charset_normalizer guesses badly there: on English text with one stray Latin-1 byte
    # ("\xa315.8m") it answers cp932, turning "£" into a half-width katakana, for lack of
    # evidence. So cp1252 wins outright when no two non-ASCII bytes are adjacent (accents and
    # symbols in Latin-script text; words in Cyrillic, Greek or CJK put high bytes in a row), and
    # otherwise on ties, when its "chaos" (how messy the decoded text looks) is no higher than
    # the detector's pick. Either way it must decode every byte (five are undefined in cp1252).
    as_cp1252 = _try_decode(data, "cp1252")
    if as_cp1252 is not None and not _ADJACENT_HIGH_BYTES.search(data):
        return DecodedText(as_cp1252, "cp1252", fallback=True)
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DecodeError("not valid UTF-8, and no other text encoding fits the bytes")
    if as_cp1252 is not None and best.encoding != "cp1252":
        rival = from_bytes(data, cp_isolation=["cp1252"]).best()
        if rival is not None and rival.chaos <= best.chaos:
            return DecodedText(as_cp1252, "cp1252", fallback=True)
    return DecodedText(str(best), best.encoding, fallback=True)


def _try_decode(data: bytes, encoding: str) -> str | None:
    """The strict decoding of `data`, or None when a byte does not fit."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _strict_decode(data: bytes, encoding: str, final: bool) -> str:
    """Decode strictly, turning codec errors into a DecodeError with a readable reason."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return str(decoder.decode(data, final=final))
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not valid {encoding} (byte offset {exc.start})") from exc


def _reject_binary(data: bytes) -> None:
    """Raise DecodeError for data that is clearly not text (callers have ruled out UTF-16/32)."""
    if b"\x00" in data:
        raise DecodeError("binary data (contains NUL bytes), not a text file")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise DecodeError("binary data (mostly control characters), not a text file")
