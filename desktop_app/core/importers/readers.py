"""One entry point for the plain import formats: discover files, then read each into drafts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop_app.core.importers.brat import read_brat
from desktop_app.core.importers.brat_conf import read_brat_conf
from desktop_app.core.importers.conll import read_conll
from desktop_app.core.importers.csv_records import read_csv
from desktop_app.core.importers.discover import (
    AUTO,
    BRAT_CONF,
    FORMAT_BY_SUFFIX,
    Survey,
    discover,
    format_for,
    survey,
)
from desktop_app.core.importers.jsonl import read_jsonl
from desktop_app.core.importers.labelstudio import read_labelstudio
from desktop_app.core.importers.records import DEFAULT_MAPPING, FieldMapping
from desktop_app.core.importers.refi import read_refi
from desktop_app.core.importers.txt import MAX_TXT_BYTES, read_txt
from desktop_app.core.model import AnnotationDraft, ArticleDraft, ImportProblem, LabelSchema

# What reading a file gives: articles, annotations for stored articles (CSV annotation rows),
# problems, and a file's own codebook (REFI-QDA).
ReadItem = ArticleDraft | AnnotationDraft | ImportProblem | LabelSchema

FORMATS = ("txt", "jsonl", "csv", "doccano", "labelstudio", "conll", "brat", "refi")

__all__ = [
    "AUTO",
    "FORMATS",
    "FORMAT_BY_SUFFIX",
    "MAX_TXT_BYTES",
    "FieldMapping",
    "Survey",
    "discover",
    "format_for",
    "read_file",
    "survey",
]


def read_file(path: Path, fmt: str, mapping: FieldMapping | None = None) -> Iterator[ReadItem]:
    """Yield the drafts and problems of one file; bad input is a problem, never an exception.

    A format with a codebook of its own (REFI-QDA) yields it first, as a LabelSchema whose
    labels the project gains. Annotations-only files (CSV annotation rows) yield
    AnnotationDrafts, which the importer attaches to articles the project has.
    """
    try:
        yield from _read(path, fmt, mapping)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as error:
        # A shape no reader foresaw: this file stops with its reason, the import goes on.
        yield ImportProblem(str(path), f"cannot read the rest of this file ({error!r})")


def _read(path: Path, fmt: str, mapping: FieldMapping | None) -> Iterator[ReadItem]:
    if fmt == AUTO:
        fmt = format_for(path) or fmt
    if fmt == "txt":
        yield read_txt(path)
    elif fmt == "jsonl":
        yield from read_jsonl(path, mapping or DEFAULT_MAPPING)
    elif fmt == "doccano":
        yield from read_jsonl(path, mapping or DEFAULT_MAPPING, doccano=True)
    elif fmt == "csv":
        yield from read_csv(path, mapping or DEFAULT_MAPPING)
    elif fmt == "labelstudio":
        yield from read_labelstudio(path)
    elif fmt == "conll":
        yield from read_conll(path)
    elif fmt == "refi":
        yield from read_refi(path)
    elif fmt == "brat" and path.name == BRAT_CONF:
        yield from read_brat_conf(path)  # the corpus's entity types, before its .ann files
    elif fmt == "brat":
        yield read_brat(path if path.suffix.lower() == ".ann" else path.with_suffix(".ann"))
    else:
        known = ", ".join(FORMATS)
        yield ImportProblem(str(path), f"unknown format {fmt!r} (this reader handles {known})")
