"""Find the encoding of a record file (JSONL, CSV), which is streamed line by line, not loaded."""

from __future__ import annotations

import codecs
from pathlib import Path

from desktop_app.core.text import DecodedText, DecodeError, decode_bytes

SNIFF_BYTES = 64 * 1024
# Chunk size for the streaming checks: memory stays flat however large the file is.
_CHUNK = 1024 * 1024


def sniff_encoding(path: Path) -> DecodedText:
    """The encoding to stream a record file with, and its decoded head (for the CSV delimiter).

    The head's bytes choose the encoding as decode_bytes would. A file longer than the head is
    then checked whole in one streaming pass, because its first "é" can come after the head
    (line 801 of a cp1252 CSV, say); when the head's encoding does not fit, the encoding is
    detected again around the first byte it fails on. Doing this before any record is read is
    the simplest correct way to restart: no record is ever yielded twice, and every record
    carries the same encoding meta. The pass costs one read of the file, which is little next
    to parsing and storing its records. A file no encoding fits (binary after the head) keeps
    the head's encoding, so its first bad line is reported and the records before it are kept.
    Raises OSError and DecodeError (the head itself is not text).
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES + 1)
    complete = len(head) <= SNIFF_BYTES
    head = head[:SNIFF_BYTES]
    sniffed = decode_bytes(head, final=complete)
    # Not a fallback and not plain UTF-8 means a BOM declared the encoding: a byte that does
    # not fit it later is damage to report on its line, not a reason to read the file otherwise.
    declared = not sniffed.fallback and sniffed.encoding != "utf-8"
    if complete or declared:
        return sniffed
    bad = first_bad_byte(path, sniffed.encoding)
    if bad is None:
        return sniffed
    return _redetect(path, head, bad, sniffed.encoding) or sniffed


def first_bad_byte(path: Path, encoding: str) -> int | None:
    """About where (within a few bytes) the file first fails to decode, or None when it all does."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.start also counts the few bytes of a character the decoder held back
                # from the previous chunk; the offset only places a sample, so "about" will do.
                return offset + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def _redetect(path: Path, head: bytes, bad: int, previous: str) -> DecodedText | None:
    """The encoding that decodes the whole file, from a sample of its head and of the bad byte.

    The sample holds both the head and the text around the byte that did not fit, so the
    cp1252 rule and the detector of decode_bytes see the file's ASCII and its other letters.
    """
    start = max(bad - SNIFF_BYTES // 2, 0)
    with path.open("rb") as handle:
        handle.seek(start)
        window = handle.read(SNIFF_BYTES)
    # Near the head, the sample is the file's first bytes unbroken. Otherwise a line break joins
    # head and window, so the seam cannot look like two adjacent non-ASCII bytes, which the
    # cp1252 rule takes as a sign of another script.
    seam = head[:start] if start <= len(head) else head + b"\n"
    sample = seam + window
    try:
        candidate = decode_bytes(sample, final=False)
    except DecodeError:
        return None  # binary, or no text encoding fits even the sample
    if candidate.encoding == previous or first_bad_byte(path, candidate.encoding) is not None:
        return None
    # The head text serves the CSV delimiter sniff only; a character cut at its end is replaced.
    text = head.decode(candidate.encoding, errors="replace")
    return DecodedText(text, candidate.encoding, fallback=candidate.fallback)
