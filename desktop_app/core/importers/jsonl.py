"""Stream a JSON Lines file (one JSON object per line) into article drafts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop_app.core.importers.encoding import sniff_encoding
from desktop_app.core.importers.lines import bad_line_ends_file, numbered_lines
from desktop_app.core.importers.records import (
    FieldMapping,
    encoding_meta,
    record_to_draft,
    unreadable,
)
from desktop_app.core.model import ArticleDraft, ImportProblem
from desktop_app.core.text import DecodedText, DecodeError

# A file whose first lines are all malformed JSON is not JSON Lines: say so once, not per line.
MAX_LEADING_ERRORS = 20

_JSON_TYPES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def read_jsonl(
    path: Path, mapping: FieldMapping, doccano: bool = False
) -> Iterator[ArticleDraft | ImportProblem]:
    """Yield one draft or problem per non-blank line; a bad line never stops the others.

    With `doccano`, every record's annotations are read as doccano's (`--format doccano`).
    """
    try:
        sniffed = sniff_encoding(path)
        yield from _read_lines(path, sniffed, mapping, doccano)
    except (OSError, DecodeError) as exc:
        yield unreadable(path, exc)


def _read_lines(
    path: Path, sniffed: DecodedText, mapping: FieldMapping, doccano: bool
) -> Iterator[ArticleDraft | ImportProblem]:
    """The per-line loop of read_jsonl, after the encoding is known."""
    file_meta = encoding_meta(sniffed)
    undecodable = f"not valid {sniffed.encoding}"
    if bad_line_ends_file(sniffed.encoding):
        undecodable += "; the rest of the file was skipped"
    lines = valid = 0
    for lineno, line in numbered_lines(path, sniffed.encoding):
        if line is not None and not line.strip():
            continue
        lines += 1
        origin = f"{path}:{lineno}"
        if lines == 1 and line is not None and line.strip() in ("{", "["):
            yield ImportProblem(origin, _PRETTY_PRINTED)
            return
        value = ImportProblem(origin, undecodable) if line is None else _parse_line(line, origin)
        if isinstance(value, ImportProblem):
            yield value
            if valid == 0 and lines >= MAX_LEADING_ERRORS:
                yield ImportProblem(str(path), _NOT_JSONL)
                return
            continue
        valid += 1
        yield record_to_draft(value, mapping, origin, file_meta, doccano)
    if lines == 0:
        yield ImportProblem(str(path), "no records (the file has only blank lines)")


_PRETTY_PRINTED = (
    "looks like pretty-printed JSON (one document spread over many lines), not JSON Lines: "
    "each line must hold one complete JSON object"
)
_NOT_JSONL = (
    f"none of the first {MAX_LEADING_ERRORS} lines holds a JSON object: this does not look like "
    "a JSON Lines file; the rest of it was skipped"
)


def _parse_line(line: str, origin: str) -> dict[str, Any] | ImportProblem:
    """Parse one line as a JSON object."""
    try:
        value = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        return ImportProblem(origin, f"not valid JSON: {exc.msg} (column {exc.colno})")
    except ValueError as exc:
        return ImportProblem(origin, f"not valid JSON: {exc}")
    except RecursionError:
        return ImportProblem(origin, "JSON nested too deeply to be an article")
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return ImportProblem(origin, f"line holds {kind}, not a JSON object")
    return value


def reject_json_constant(name: str) -> object:
    """Refuse NaN and Infinity, which Python accepts but JSON (and later export) does not."""
    raise ValueError(f"{name} is not allowed")


# One decoder for every line: json.loads with options builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=reject_json_constant)
