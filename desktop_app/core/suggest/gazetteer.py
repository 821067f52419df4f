"""Gazetteers: term lists read from INCEpTION TSV, CSV or Prodigy/spaCy JSONL, written as TSV.

A reader never invents a label: a term whose label the project lacks is left out and
counted per label, and every line it cannot take is reported with the file and line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.suggest.matcher import Term, fold

FORMATS = ("tsv", "csv", "jsonl")
TOKEN_KEYS = {"lower": False, "orth": True, "text": True}  # key -> case-sensitive in spaCy
PUNCT = re.compile(r"^[^\w\s]+$")
GLUE_AFTER = ("-", "/", "'", "’")  # tokens joined without a space on either side


class GazetteerError(ValueError):
    """A gazetteer file that cannot be read at all (encoding, format, no terms)."""


@dataclass
class ReadResult:
    """What a gazetteer file held: its terms, and what was left out and why."""

    path: Path
    fmt: str
    sha256: str
    terms: list[Term] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: reason", line skipped
    unknown_labels: dict[str, int] = field(default_factory=dict)  # label -> terms left out

    @property
    def name(self) -> str:
        """The gazetteer's name: the file's name."""
        return self.path.name

    def summary(self) -> str:
        """One line: terms read, lines skipped, labels the project lacks."""
        line = f"{len(self.terms):,} terms from {self.path.name}"
        if self.problems:
            line += f"; {len(self.problems):,} lines skipped"
        if self.unknown_labels:
            unknown = ", ".join(f"{k!r} ({n})" for k, n in sorted(self.unknown_labels.items()))
            line += f"; labels not in the project (terms left out): {unknown}"
        return line


def detect_format(path: Path, text: str) -> str:
    """The format by extension (.csv, .jsonl/.ndjson/.json, else TSV), or by a JSON first line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return "jsonl" if first.lstrip().startswith("{") else "tsv"


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise GazetteerError(
            f"{path}:{line}: not UTF-8 text (byte {data[error.start]:#04x}); "
            "save the file as UTF-8 and load it again"
        ) from error


def read_gazetteer(
    path: str | Path, labels: Iterable[str], *, fmt: str = "auto", case: bool = False
) -> ReadResult:
    """Read a gazetteer file; terms with labels not in `labels` are counted, not kept.

    Duplicate terms (as the matcher compares them: folded unless `case`) keep the first
    label; a duplicate with another label is reported.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GazetteerError(f"{path}: cannot read it ({error.strerror or error})") from error
    text = _decode(path, data)
    fmt = detect_format(path, text) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise GazetteerError(f"{path}: unknown gazetteer format {fmt!r} (tsv, csv or jsonl)")
    result = ReadResult(path, fmt, hashlib.sha256(data).hexdigest())
    rows = {"tsv": _tsv_rows, "csv": _csv_rows, "jsonl": _jsonl_rows}[fmt](path, text, result)
    known = set(labels)
    seen: dict[str, tuple[str, int]] = {}
    for number, term, label in rows:
        where = f"{path}:{number}"
        if not term.strip():
            result.problems.append(f"{where}: the term is empty")
            continue
        if not label.strip():
            result.problems.append(f"{where}: the label is empty")
            continue
        term, label = term.strip(), label.strip()
        if label not in known:
            result.unknown_labels[label] = result.unknown_labels.get(label, 0) + 1
            continue
        key = term if case else fold(term)
        if key in seen:
            first_label, first_line = seen[key]
            if first_label != label:
                result.problems.append(
                    f"{where}: {term!r} is {first_label!r} on line {first_line} already "
                    f"(not {label!r}); the first is kept"
                )
            continue
        seen[key] = (label, number)
        result.terms.append(Term(term, label))
    prefix = len(f"{path}:")
    result.problems.sort(key=lambda problem: int(problem[prefix:].split(":", 1)[0]))
    if not result.terms:
        why = "; ".join(result.problems[:3]) or result.summary()
        raise GazetteerError(f"{path}: no terms with a label of this project ({why})")
    return result


Row = tuple[int, str, str]


def _tsv_rows(path: Path, text: str, result: ReadResult) -> list[Row]:
    """INCEpTION's format: `term<TAB>label` per line; `#` starts a comment line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" not in line:
            result.problems.append(f"{path}:{number}: no tab between the term and its label")
            continue
        term, label = line.rsplit("\t", 1)  # a term may hold a tab; a label never does
        rows.append((number, term, label))
    return rows


def _csv_rows(path: Path, text: str, result: ReadResult) -> list[Row]:
    """A CSV with `term` and `label` columns (any order, other columns ignored)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise GazetteerError(f"{path}: the file is empty") from None
    except csv.Error as error:
        raise GazetteerError(f"{path}:1: not CSV ({error})") from error
    if "term" not in header or "label" not in header:
        raise GazetteerError(f"{path}:1: the header needs `term` and `label` columns")
    at_term, at_label = header.index("term"), header.index("label")
    rows = []
    try:
        for record in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) <= max(at_term, at_label):
                result.problems.append(f"{path}:{number}: fewer columns than the header")
                continue
            rows.append((number, record[at_term], record[at_label]))
    except csv.Error as error:
        raise GazetteerError(f"{path}:{reader.line_num}: not CSV ({error})") from error
    return rows


def _jsonl_rows(path: Path, text: str, result: ReadResult) -> list[Row]:
    """Prodigy/spaCy patterns: {"label", "pattern"}, a phrase or simple LOWER/ORTH tokens."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item: Any = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(f"{where}: not JSON ({error.msg})")
            continue
        if not isinstance(item, dict) or "label" not in item or "pattern" not in item:
            result.problems.append(f'{where}: not {{"label": ..., "pattern": ...}}')
            continue
        label, pattern = item["label"], item["pattern"]
        if not isinstance(label, str):
            result.problems.append(f"{where}: the label is not text")
            continue
        if isinstance(pattern, list):
            phrase = token_phrase(pattern)
            if phrase is None:
                result.problems.append(
                    f"{where}: unsupported token pattern (only tokens with one LOWER, ORTH "
                    "or TEXT string each are supported)"
                )
                continue
            pattern = phrase
        if not isinstance(pattern, str):
            result.problems.append(f"{where}: the pattern is neither text nor a token list")
            continue
        rows.append((number, pattern, label))
    return rows


def token_phrase(tokens: list[Any]) -> str | None:
    """The text a token pattern of exact tokens spells, None when it is more than that.

    Tokens are joined with a space, except punctuation (no space before it) and hyphens,
    slashes and apostrophes (no space on either side): [apple] [inc] [.] -> "apple inc.".
    """
    words: list[str] = []
    for token in tokens:
        if not isinstance(token, dict) or len(token) != 1:
            return None
        [(key, value)] = token.items()
        if str(key).lower() not in TOKEN_KEYS or not isinstance(value, str) or not value:
            return None
        words.append(value)
    if not words:
        return None
    text = words[0]
    for before, word in itertools.pairwise(words):
        glued = PUNCT.match(word) or before in GLUE_AFTER
        text += word if glued else f" {word}"
    return text


def write_tsv(path: str | Path, terms: Iterable[tuple[str, str]], comment: str = "") -> int:
    """Write terms in INCEpTION's format (`term<TAB>label`); returns the terms written (a
    term with a line break, or starting with `#`, cannot be written in it and is left out).

    Written to a temporary name and renamed, so a failed export leaves no half file.
    """
    path = Path(path)
    lines = [f"# {line}\n" for line in comment.splitlines()]
    count = 0
    for term, label in terms:
        if "\n" in term or "\r" in term or "\t" in label or term.lstrip().startswith("#"):
            continue  # the format cannot carry it: it would read back as another line or a comment
        lines.append(f"{term}\t{label}\n")
        count += 1
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text("".join(lines), encoding="utf-8", newline="\n")
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise GazetteerError(f"{path}: cannot write it ({error.strerror or error})") from error
    return count
