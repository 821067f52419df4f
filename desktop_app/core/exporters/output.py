"""What every exporter shares: its report, and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from desktop_app.core.model import Article, ArticleFilter, DocumentTag, Relation, Span
from desktop_app.core.store import Store


class ExportError(RuntimeError):
    """An export that could not be written, with the file and the reason."""


@dataclass
class ExportReport:
    """What an export wrote, and what the format could not carry (reason -> count)."""

    articles: int = 0
    spans: int = 0
    tags: int = 0
    relations: int = 0
    files: list[str] = field(default_factory=list)
    not_carried: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One human sentence, with each thing the format could not carry."""
        text = f"{self.articles} articles, {self.spans} spans, {self.tags} tags written"
        if self.relations:
            text = text.replace(" tags written", f" tags, {self.relations} relations written")
        if self.not_carried:
            lost = "; ".join(f"{why}: {n}" for why, n in sorted(self.not_carried.items()))
            text += f"; not carried by this format: {lost}"
        return text


# OS errors in plain words (the path is said beside them); others keep the system's wording.
_PLAIN = {
    errno.ENAMETOOLONG: "the name is too long for this file system",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EEXIST: "something is already there",
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "a file is in the way of its folder",
    errno.EISDIR: "a folder is there",
}


def plain_error(error: OSError) -> str:
    """An OS error's reason in plain words."""
    return _PLAIN.get(error.errno or 0) or error.strerror or str(error)


def _temporary(target: Path, folder: bool) -> Path:
    """A fresh, hidden name beside `target` (short, so a long target name still fits); a
    folder is made there (and the folders above it), a file is left for the caller to create
    (in a folder that must exist: a mistyped folder is not made)."""
    if folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        partial = target.with_name(f".{target.name[:40]}.{secrets.token_hex(4)}.partial")
        if folder:
            try:
                partial.mkdir()
            except FileExistsError:
                continue
        elif partial.exists():
            continue
        return partial


@contextlib.contextmanager
def whole_path(target: Path) -> Iterator[Path]:
    """A path beside `target` to write to, renamed onto it at the end: never half a file.

    A failure removes the partial file; OS errors become ExportError naming `target`.
    """
    if target.is_dir():
        raise ExportError(f"{target}: cannot write: a folder is there")
    partial: Path | None = None
    try:
        partial = _temporary(target, folder=False)
        yield partial
        os.replace(partial, target)
    except OSError as error:
        _unlink(partial)
        raise ExportError(f"{target}: cannot write: {plain_error(error)}") from error
    except BaseException:
        _unlink(partial)
        raise


def _unlink(partial: Path | None) -> None:
    # A read-only disk refuses even removing a file that was never made: the reason
    # already being reported is the one that matters.
    if partial is not None:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


@contextlib.contextmanager
def whole_folder(target: Path) -> Iterator[Path]:
    """A new folder beside `target` to fill, renamed onto it at the end: all files or none.

    `target` must be new or an empty folder (an export never mixes its files with others',
    and never deletes any); a failure removes everything written so far.
    """
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: cannot write: a file is there, and this export is a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ExportError(
            f"{target}: the folder already exists and is not empty; choose a new or empty "
            "folder (nothing was written)"
        )
    partial: Path | None = None
    try:
        partial = _temporary(target, folder=True)
        yield partial
        if target.is_dir():
            target.rmdir()  # empty (checked above): Windows cannot rename onto a folder
        os.rename(partial, target)
    except OSError as error:
        _remove(partial)
        where = (
            error.filename
            if partial and str(error.filename or "").startswith(str(partial))
            else None
        )
        shown = str(where).replace(str(partial), str(target), 1) if where else str(target)
        raise ExportError(f"{shown}: cannot write: {plain_error(error)}") from error
    except ExportError as error:
        _remove(partial)
        raise ExportError(str(error).replace(str(partial), str(target))) from error
    except BaseException:
        _remove(partial)
        raise


def _remove(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def whole_file(target: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text file written through whole_path (newlines exactly as written)."""
    with whole_path(target) as partial, partial.open("w", encoding=encoding, newline="") as handle:
        yield handle


def annotated_articles(
    store: Store, flt: ArticleFilter, annotator: str | None
) -> Iterator[tuple[Article, list[Span], list[DocumentTag]]]:
    """Each filtered article in list order with its live spans and tags (one annotator's)."""
    for ids in store.iter_article_ids(flt):
        for article_id in ids:
            yield (
                store.article(article_id),
                store.spans(article_id, annotator),
                store.tags(article_id, annotator),
            )


def article_relations(
    store: Store,
    article_id: int,
    spans: Sequence[Span],
    annotator: str | None,
    report: ExportReport,
) -> list[tuple[Relation, int, int]]:
    """The article's live relations (one annotator's) as (relation, from index, to index)
    into `spans`; one whose end is not among them (another annotator's span, left out of a
    per-annotator file) is counted as not carried."""
    where = {span.uuid: index for index, span in enumerate(spans)}
    found = []
    for relation in store.relations(article_id, annotator):
        ends = (where.get(relation.from_span), where.get(relation.to_span))
        if ends[0] is None or ends[1] is None:
            report.not_carried["relations to a span not written with them"] += 1
            continue
        found.append((relation, ends[0], ends[1]))
    report.relations += len(found)
    return found


def count_relations_lost(
    store: Store, article_id: int, annotator: str | None, report: ExportReport, fmt: str
) -> None:
    """Count an article's live relations (one annotator's), which format `fmt` cannot carry."""
    lost = len(store.relations(article_id, annotator))
    if lost:
        report.not_carried[f"relations ({fmt} cannot carry relations)"] += lost


EXTENT_ONLY = "discontinuous spans (written as their whole extent)"


def count_extent_only(report: ExportReport, spans: Sequence[Span]) -> None:
    """Count the discontinuous spans a format without pieces writes as their whole extent."""
    pieced = sum(1 for span in spans if span.fragments)
    if pieced:
        report.not_carried[EXTENT_ONLY] += pieced


def check_quote(uid: str, text: str, start: int, end: int, quote: str) -> None:
    """The offset rule, checked on the way out: an export never lies about what it covers."""
    if text[start:end] != quote:
        raise ExportError(
            f"{uid}: a span at {start}-{end} whose quote is not the text there; "
            "run the integrity check"
        )


class UniqueNames:
    """File names that never collide: a name already given (case-insensitively) gets _2, _3…

    Different uids or annotator names can clean up to the same safe name ("a b", "a?b");
    without this the second file would silently replace the first.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, name: str) -> str:
        """`name`, or the first free `name_N`."""
        candidate, number = name, 1
        while _folded(candidate) in self._taken:
            number += 1
            candidate = f"{name}_{number}"
        self._taken.add(_folded(candidate))
        return candidate


def _folded(name: str) -> str:
    """A name as file systems that ignore case (Windows, macOS) or normalisation (macOS) see it."""
    return unicodedata.normalize("NFC", name).casefold()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str, report: ExportReport) -> str:
    """`value` with the characters XML 1.0 cannot hold replaced by U+FFFD (and counted)."""
    cleaned, count = _XML_BAD.subn("\ufffd", value)
    if count:
        report.not_carried["control characters XML cannot hold (replaced by U+FFFD)"] += count
    return cleaned


MAX_NAME_BYTES = 100  # well under every file system's 255, leaving room for suffixes
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in range(10)
}


def safe_file_name(name: str, fallback: str = "file") -> str:
    """`name` as a file name every OS accepts: letters, digits, `.`, `-` and `_` kept (the
    rest `_`), no leading or trailing dot, no reserved Windows name, at most MAX_NAME_BYTES
    bytes of UTF-8; a name that had to be cut ends in a short hash of the whole name, so
    long names that share a beginning stay apart. UniqueNames keeps equal results apart."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name).strip(". ")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = f"_{cleaned}"
    cleaned = cleaned or fallback
    encoded = cleaned.encode("utf-8")
    if len(encoded) <= MAX_NAME_BYTES:
        return cleaned
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    cut = encoded[: MAX_NAME_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{unicodedata.normalize('NFC', cut).rstrip('. ')}~{digest}"


def project_companions(project: Path) -> list[Path]:
    """The files that are the project: itself, its WAL and shared memory, its lock."""
    return [Path(f"{project}{suffix}") for suffix in ("", "-wal", "-shm", ".lock")]


def refuse_project_paths(project: Path | None, target: Path, folder: bool = False) -> None:
    """Raise ExportError when writing `target` (a file, or with `folder` a folder of files)
    would overwrite the project, its WAL, shared memory or lock, or its backups folder.

    Paths are compared resolved (a symlink to the project is the project) and by file
    identity (a hard link to the project is the project too).
    """
    if project is None:
        return
    real = project.resolve()
    backups = [p.with_name(p.name + ".backups").resolve() for p in {project, real}]
    files = [p.resolve() for base in {project, real} for p in project_companions(base)]
    out = target.resolve()
    reason = ""
    if out in files or _same_file(target, files):
        reason = "it is the project file (or one of its own files)"
    elif any(out == b or out.is_relative_to(b) for b in backups):
        reason = "it is in the project's backups folder"
    elif folder and any(f.is_relative_to(out) for f in [*files, *backups]):
        reason = "the folder holds the project; choose a folder of its own"
    if reason:
        raise ExportError(f"{target}: not written: {reason} ({project})")


def _same_file(target: Path, files: Sequence[Path]) -> bool:
    """Whether `target` exists and is one of `files` under another name (a hard link)."""
    try:
        found = target.stat()
    except OSError:
        return False
    for path in files:
        try:
            other = path.stat()
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (other.st_dev, other.st_ino):
            return True
    return False


def output_paths(fmt: str, out: Path, per_annotator: bool = False) -> list[tuple[Path, bool]]:
    """What an export in `fmt` to `out` writes: (path, whether it is a folder) for each."""
    if fmt == "brat" or (fmt == "doccano" and per_annotator):
        return [(out, True)]
    if fmt == "labelstudio":  # the labeling config beside the tasks (see export_labelstudio)
        return [(out, False), (out.with_name(f"{out.stem}.config.xml"), False)]
    return [(out, False)]
