"""Stream a CSV or TSV file with a header row into article drafts."""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.importers.csv_annotations import annotation_rows, is_annotation_header
from desktop_app.core.importers.encoding import sniff_encoding
from desktop_app.core.importers.lines import numbered_lines
from desktop_app.core.importers.records import (
    FieldMapping,
    encoding_meta,
    record_to_draft,
    unreadable,
)
from desktop_app.core.model import AnnotationDraft, ArticleDraft, ImportProblem
from desktop_app.core.text import DecodeError

if TYPE_CHECKING:
    import _csv

# The default 128 KB field limit is smaller than a long article; C long caps it on Windows.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

DELIMITERS = (",", ";", "\t")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_csv(
    path: Path, mapping: FieldMapping
) -> Iterator[ArticleDraft | AnnotationDraft | ImportProblem]:
    """Yield one draft or problem per data row; origins are "path:line" of the row's first line.

    A file with the annotation columns (kind, article_uid, label, start, end: the CSV
    export's) and no text column holds annotations for articles already in the project.
    """
    line = 0
    try:
        sniffed = sniff_encoding(path)
        delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(sniffed.text)
        # strict: a quote that never closes is an error, not the rest of the file in one cell.
        reader = csv.reader(_csv_lines(path, sniffed.encoding), delimiter=delimiter, strict=True)
        for item in _rows(reader, path, mapping, encoding_meta(sniffed)):
            line = reader.line_num
            yield item
    except (OSError, DecodeError) as exc:
        yield unreadable(path, exc)
    except _UndecodableLine as exc:
        reason = f"not valid {sniffed.encoding}; the rest of the file was skipped"
        yield ImportProblem(f"{path}:{exc.lineno}", reason)
    except csv.Error as exc:
        reason = f"malformed CSV ({exc}); the rest of the file was skipped"
        yield ImportProblem(f"{path}:{line + 1}", reason)


def sniff_delimiter(head: str) -> str:
    """The delimiter used most in the header line; comma when none appears."""
    match = _LINE.match(head)
    header = match.group(0) if match else ""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class _UndecodableLine(Exception):
    """Raised through csv.reader to stop at a line that does not decode."""

    def __init__(self, lineno: int) -> None:
        super().__init__(lineno)
        self.lineno = lineno


def _csv_lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines for csv.reader, split at CR, LF and CRLF as newline="" would split them."""
    for lineno, line in numbered_lines(path, encoding):
        if line is None:
            raise _UndecodableLine(lineno)
        # Old Mac exports end lines with a lone CR, which the LF-based split leaves inside.
        if "\r" in line.rstrip("\r\n"):
            yield from _LINE.findall(line)
        else:
            yield line


def _rows(
    reader: _csv.Reader, path: Path, mapping: FieldMapping, file_meta: dict[str, Any]
) -> Iterator[ArticleDraft | AnnotationDraft | ImportProblem]:
    """Read the header, then turn each row into a record keyed by column name."""
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        yield ImportProblem(str(path), "empty (no header row)")
        return
    columns = [name.strip() for name in header]
    if mapping.text not in columns and is_annotation_header(columns):
        yield from annotation_rows(_records(reader, path, columns))
        return
    if mapping.text not in columns:
        names = ", ".join(repr(name) for name in columns)
        yield ImportProblem(str(path), f"no {mapping.text!r} column (columns: {names})")
        return
    for item in _records(reader, path, columns):
        if isinstance(item, ImportProblem):
            yield item
            continue
        origin, record = item
        record.setdefault(mapping.text, "")
        yield record_to_draft(record, mapping, origin, file_meta)


def _records(
    reader: _csv.Reader, path: Path, columns: list[str]
) -> Iterator[tuple[str, dict[str, str]] | ImportProblem]:
    """(origin "path:line", {column: cell}) per data row; a row too wide is a problem."""
    rows = 0
    line = reader.line_num
    for row in reader:
        first_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        origin = f"{path}:{first_line}"
        if len(row) > len(columns):
            reason = f"row has {len(row)} cells but the header has {len(columns)} columns"
            yield ImportProblem(origin, reason)
            continue
        # Short rows and empty cells mean "no value", as a spreadsheet would show them.
        yield origin, {name: cell for name, cell in zip(columns, row, strict=False) if cell != ""}
    if rows == 0:
        yield ImportProblem(str(path), "no rows after the header")
