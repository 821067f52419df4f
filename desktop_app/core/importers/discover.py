"""Expand the files and folders an analyst chose into (file, format) pairs, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from desktop_app.core.model import ImportProblem

AUTO = "auto"
FORMAT_BY_SUFFIX = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "labelstudio",  # a whole JSON document: Label Studio's export
    ".ann": "brat",  # with the .txt beside it
    ".qdpx": "refi",
    ".conll": "conll",
    ".bio": "conll",
    ".iob": "conll",
}


def format_for(path: Path) -> str | None:
    """The import format for a file's extension in auto mode, or None when it is unknown."""
    return FORMAT_BY_SUFFIX.get(path.suffix.lower())


def discover(
    paths: Sequence[Path], fmt: str = AUTO
) -> tuple[list[tuple[Path, str]], list[ImportProblem]]:
    """Return each importable file with its format, and a problem for each unusable path.

    Folders are walked recursively in sorted order, skipping hidden files and folders and (in
    auto mode) files of other types. A file named explicitly is always taken, even if hidden.
    """
    found: list[tuple[Path, str]] = []
    problems: list[ImportProblem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = _walk(path, fmt, problems)
            if not files:
                problems.append(ImportProblem(str(path), _nothing_found(fmt)))
        elif path.is_file():
            files = [path]
            if fmt == AUTO and format_for(path) is None:
                problems.append(ImportProblem(str(path), _unknown_type(path)))
                continue
        elif path.exists() or path.is_symlink():
            problems.append(ImportProblem(str(path), "not a regular file or folder"))
            continue
        else:
            problems.append(ImportProblem(str(path), "no such file or folder"))
            continue
        for file in files:
            if fmt == AUTO and file.suffix.lower() == ".txt" and file.with_suffix(".ann").is_file():
                file = file.with_suffix(".ann")  # brat: the .ann brings its text with it
            # The same file reached twice (named and inside a named folder) is imported once.
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                found.append((file, fmt if fmt != AUTO else format_for(file) or AUTO))
    return found, problems


def _walk(root: Path, fmt: str, problems: list[ImportProblem]) -> list[Path]:
    """All wanted files under `root`, sorted by their path parts so the order is stable."""

    def report(error: OSError) -> None:
        where = str(error.filename or root)
        problems.append(ImportProblem(where, f"cannot list: {error.strerror}"))

    files: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, onerror=report):
        # Pruning in place stops os.walk from descending into hidden folders at all.
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        for name in filenames:
            file = Path(folder) / name
            if name.startswith(".") or not file.is_file():
                continue
            if fmt == AUTO and format_for(file) is None:
                continue
            if fmt == "brat" and file.suffix.lower() != ".ann":
                continue  # a brat folder: each .ann brings its .txt; annotation.conf is none
            files.append(file)
    return sorted(files, key=lambda file: file.relative_to(root).parts)


def _unknown_type(path: Path) -> str:
    """Why an explicitly named file is refused in auto mode."""
    suffix = path.suffix or "(none)"
    known = ", ".join(sorted(FORMAT_BY_SUFFIX))
    return f"unknown file type {suffix!r}: expected one of {known}, or choose a format"


def _nothing_found(fmt: str) -> str:
    """Why a folder gave no files."""
    if fmt == AUTO:
        known = ", ".join(sorted(FORMAT_BY_SUFFIX))
        return f"no importable files in this folder (looked for {known})"
    return "no files in this folder"
