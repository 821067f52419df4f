"""Expand the files and folders an analyst chose into (file, format) pairs, in a stable order.

A folder as another tool ships it holds more than articles: a README, a LICENSE, brat's
configuration, a file manager's `.DS_Store`. Those are skipped and listed with the reason,
never rejected. In auto mode a file is read by what it holds where its extension is not
enough (a zip holding `project.qde` is a REFI-QDA project, JSON Lines named `.json`…); each
such choice is listed too. Links never lead the walk out of the chosen folder.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
BRAT_CONF = "annotation.conf"  # brat's entity types: the labels, read before the .ann files
BRAT_VISUAL = "visual.conf"  # their colours, read with annotation.conf
SNIFF_BYTES = 64 * 1024

# What other tools leave beside the files they export; the first part of the name decides.
_DOCUMENTATION = {"readme", "license", "licence", "copying", "notice", "authors", "changelog"}
_DOCUMENTATION |= {"changes", "contributing", "citation"}
_SYSTEM = {"thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"}
_BRAT_TOOLS = {"tools.conf", "kb_shortcuts.conf"}
_LABEL_STUDIO_KEYS = re.compile(rb'"(?:data|annotations|completions|predictions)"\s*:')


@dataclass
class Survey:
    """What an import will read: files with formats, refused paths, skipped files, and the
    files read by their content rather than their extension (each with why)."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    skipped: list[ImportProblem] = field(default_factory=list)
    detected: list[ImportProblem] = field(default_factory=list)

    def formats(self) -> dict[str, int]:
        """How many files each format reads, most first."""
        counts = Counter(
            "brat configuration" if path.name == BRAT_CONF else fmt for path, fmt in self.files
        )
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def format_for(path: Path) -> str | None:
    """The import format for a file's extension in auto mode, or None when it is unknown."""
    return FORMAT_BY_SUFFIX.get(path.suffix.lower())


def discover(
    paths: Sequence[Path], fmt: str = AUTO
) -> tuple[list[tuple[Path, str]], list[ImportProblem]]:
    """Return each importable file with its format, and a problem for each unusable path."""
    found = survey(paths, fmt)
    return found.files, found.problems


def survey(paths: Sequence[Path], fmt: str = AUTO) -> Survey:
    """Each importable file under `paths` with its format, and what was refused or skipped.

    Folders are walked recursively in sorted order (brat's annotation.conf first, so its
    labels exist before spans use them), skipping hidden files and folders, other tools'
    extras and (in auto mode) files of other types. A file named explicitly is always
    taken, even if hidden.
    """
    found = Survey()
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = _walk(path, fmt, found)
            if not files:
                found.problems.append(ImportProblem(str(path), _nothing_found(fmt)))
        elif path.is_file():
            files = [path]
        elif path.exists() or path.is_symlink():
            found.problems.append(ImportProblem(str(path), "not a regular file or folder"))
            continue
        else:
            found.problems.append(ImportProblem(str(path), "no such file or folder"))
            continue
        for file in files:
            brat = fmt in (AUTO, "brat") and file.suffix.lower() == ".txt"
            if brat and file.with_suffix(".ann").is_file():
                file = file.with_suffix(".ann")  # brat: the .ann brings its text with it
            # The same file reached twice (named and inside a named folder) is imported once.
            key = file.resolve()
            if key in seen:
                continue
            seen.add(key)
            if fmt != AUTO:
                found.files.append((file, fmt))
            elif file.name == BRAT_CONF:
                found.files.append((file, "brat"))
            elif (chosen := _by_content(file, found)) is not None:
                found.files.append((file, chosen))
            else:
                found.problems.append(ImportProblem(str(file), _unknown_type(file)))
    return found


def skip_reason(path: Path, fmt: str = AUTO) -> str | None:
    """Why a file met in a folder (or a zip) is not an input of `fmt`, by its name alone."""
    name = path.name
    lowered = name.lower()
    if name.startswith("."):
        return "hidden file"
    if lowered in _SYSTEM:
        return "system file"
    first = lowered.split(".")[0]
    if first in _DOCUMENTATION or first.startswith("readme"):  # README-fr.txt too
        return "documentation, not an article"
    if lowered in (BRAT_CONF, BRAT_VISUAL):
        return None if fmt in (AUTO, "brat") else "brat configuration"
    if lowered in _BRAT_TOOLS:
        return "brat configuration (tools and shortcuts)"
    if fmt == AUTO and format_for(path) is None:
        return f"not an import format ({path.suffix or 'no extension'})"
    if fmt == "brat" and path.suffix.lower() not in (".ann", ".txt"):
        return "not part of a brat corpus (.txt and .ann)"
    return None


def is_refi_zip(path: Path) -> bool:
    """True when the zip at `path` holds a REFI-QDA project (`project.qde` at its root)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "project.qde" in archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


def _walk(root: Path, fmt: str, found: Survey) -> list[Path]:
    """All wanted files under `root`, sorted by their path parts so the order is stable;
    what is left out goes to `found` (skipped, or refused when a link leaves `root`)."""

    def report(error: OSError) -> None:
        where = str(error.filename or root)
        found.problems.append(ImportProblem(where, f"cannot list: {error.strerror}"))

    inside = root.resolve()
    files: list[Path] = []
    links: list[Path] = []  # to files inside the folder: read only if the walk misses them
    for folder, dirnames, filenames in os.walk(root, onerror=report):
        kept = []
        for name in dirnames:
            path = Path(folder) / name
            if path.is_symlink():
                # Not descended: one inside the folder is walked where it really is, and
                # one outside it must not bring files the analyst did not choose.
                _link_outside(path, inside, "folder", found)
            elif name.startswith(".") or name == "__MACOSX":
                found.skipped.append(ImportProblem(str(path), "hidden folder"))
            else:
                kept.append(name)
        dirnames[:] = kept  # pruning in place stops os.walk from descending at all
        for name in filenames:
            file = Path(folder) / name
            link = file.is_symlink()
            if link and _link_outside(file, inside, "file", found):
                continue
            if not file.is_file():
                found.skipped.append(ImportProblem(str(file), "not a regular file"))
            elif why := _skip_in_folder(file, fmt, filenames):
                found.skipped.append(ImportProblem(str(file), why))
            elif name != BRAT_VISUAL:  # read with the annotation.conf beside it
                (links if link else files).append(file)
    if links:  # a link to a file the walk reads anyway would only name it a second time
        walked = {file.resolve() for file in files}
        files.extend(link for link in links if link.resolve() not in walked)
    return sorted(files, key=lambda file: (file.name != BRAT_CONF, file.relative_to(root).parts))


def _skip_in_folder(file: Path, fmt: str, siblings: list[str]) -> str | None:
    """skip_reason, and what content and neighbours decide: a zip in a folder is read only
    when it is a REFI-QDA project; brat's visual.conf without its annotation.conf has
    nothing to colour."""
    if fmt == AUTO and file.suffix.lower() == ".zip":
        return None if is_refi_zip(file) else "a zip inside a folder: name it to import it"
    if file.name == BRAT_VISUAL and fmt in (AUTO, "brat") and BRAT_CONF not in siblings:
        return "brat configuration (colours, without an annotation.conf beside it)"
    return skip_reason(file, fmt)


def _link_outside(link: Path, inside: Path, kind: str, found: Survey) -> bool:
    """True (and reported) when `link` is broken or leads out of the folder `inside`."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop of links
        found.skipped.append(ImportProblem(str(link), "broken link"))
        return True
    if target.is_relative_to(inside):
        if kind == "file":
            return False  # read under its own name; the same file is never read twice
        found.skipped.append(
            ImportProblem(str(link), "link to a folder inside the chosen one, walked there")
        )
        return True
    reason = f"a link to a {kind} outside the chosen folder ({target}): not followed"
    found.problems.append(ImportProblem(str(link), reason))
    return True


def _by_content(path: Path, found: Survey) -> str | None:
    """The format to read `path` as in auto mode; a choice the extension alone would not
    make is listed in `found.detected` with its reason."""
    by_suffix = format_for(path)
    detected = _detect(path, by_suffix)
    if detected is None:
        return by_suffix
    chosen, why = detected
    instead = f", not {by_suffix}" if by_suffix else ""
    found.detected.append(ImportProblem(str(path), f"read as {chosen}{instead} ({why})"))
    return chosen


def _detect(path: Path, by_suffix: str | None) -> tuple[str, str] | None:
    """(format, why) when the file's content says something more specific than its name."""
    suffix = path.suffix.lower()
    if suffix == ".zip" and is_refi_zip(path):
        return "refi", "a REFI-QDA project: project.qde at its root"
    if by_suffix == "labelstudio" and _json_lines(_head(path)):
        return "jsonl", "one JSON object per line"
    if by_suffix == "jsonl":
        head = _head(path).lstrip()
        if head.startswith(b"[") and _LABEL_STUDIO_KEYS.search(head):
            return "labelstudio", "a JSON array of Label Studio tasks"
    if suffix in (".txt", ".tsv") and _looks_like_conll(path):
        return "conll", "token and tag columns"
    return None


def _head(path: Path) -> bytes:
    """The first bytes of the file, without a UTF-8 BOM; empty when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES).removeprefix(b"\xef\xbb\xbf")
    except OSError:
        return b""


def _json_lines(head: bytes) -> bool:
    """True when the head's first two non-blank lines are each a whole JSON object."""
    lines = [line for line in head.split(b"\n")[:-1] if line.strip()][:2]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines)
    except ValueError:
        return False


def _looks_like_conll(path: Path) -> bool:
    """conll.looks_like_conll, imported late (the CoNLL reader is only needed for .txt/.tsv)."""
    from desktop_app.core.importers.conll import looks_like_conll

    try:
        return looks_like_conll(path)
    except (OSError, ValueError):
        return False


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
