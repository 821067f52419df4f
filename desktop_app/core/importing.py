"""Import files and folders into a project: discover, read, store in batches, report."""

from __future__ import annotations

import contextlib
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from desktop_app.core.archives import ArchiveError, unpack
from desktop_app.core.importers import FieldMapping, discover, read_file
from desktop_app.core.importers.csv_annotations import attach
from desktop_app.core.model import (
    AnnotationDraft,
    ArticleDraft,
    ImportProblem,
    ImportReport,
    LabelSchema,
)
from desktop_app.core.sampling import PackageError, is_package, open_package
from desktop_app.core.store import Store

Progress = Callable[[int, int, str], None]  # (files done, files in all, what is happening)

# Articles per transaction adapt so that one transaction takes about `batch_seconds`: long
# enough for bulk speed, short enough that an edit in the window never waits long for the
# store (the window asks for 0.08 s; the command line, with nobody waiting, for 2 s).
# Large batches matter: each commit rewrites the pages its random-keyed index entries (hash,
# title, date) touched, and each batch adds a search-index segment to merge later, so the
# command line's batches of up to 20,000 articles import 100,000 about 15% faster than 5,000.
# A killed import loses at most its last batch, which a re-run adds.
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 100, 20, 20_000
READ_AHEAD = 1000  # drafts parsed ahead of the store: bounded, so memory stays flat

_FILE_DONE = object()  # marks the end of one file in the read-ahead queue


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    annotator: str = "imported",
    mapping: FieldMapping | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    batch_seconds: float = 2.0,
) -> ImportReport:
    """Import every article under `paths`; bad files are reported, never fatal.

    Articles are committed in batches, so a cancelled or killed import keeps what it
    finished and running it again completes it without duplicates (uids are idempotent).
    Files are parsed on a second thread while the store writes (SQLite releases the GIL).
    A `.zip` is unpacked (safely, see core.archives) into a temporary folder and imported
    as that folder; reports name its files as `ARCHIVE.zip!member`.
    """
    with tempfile.TemporaryDirectory(prefix="marginalia-import-") as workdir:
        unpacked = _Unpacked(Path(workdir))
        expanded = [unpacked.expand(store, Path(p), fmt) for p in paths]
        report = _import(
            store,
            [path for path in expanded if path is not None],
            fmt,
            annotator,
            mapping,
            progress,
            should_cancel,
            batch_seconds,
            unpacked,
        )
        report.problems[:0] = unpacked.problems
        report.problems = [unpacked.outside(problem) for problem in report.problems]
        return report


class _Unpacked:
    """Archives named for import, unpacked under one temporary folder, and what they became."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.problems: list[ImportProblem] = []
        self.archives: dict[Path, Path] = {}  # unpacked folder -> the archive it came from
        # A file of doccano's per-user export (a zip of NAME.jsonl) -> NAME, its annotator.
        self.annotators: dict[Path, str] = {}

    def expand(self, store: Store, path: Path, fmt: str) -> Path | None:
        """The path to import in place of `path`: a sample package's articles file (its
        labels join the project), an archive's unpacked folder, or `path` itself."""
        if path.suffix.lower() != ".zip" or not path.is_file() or fmt == "refi":
            return path
        place = self.workdir / str(len(self.archives))
        place.mkdir()
        if fmt in ("auto", "package") and is_package(path):
            try:
                package = open_package(path, place)
            except PackageError as error:
                self.problems.append(ImportProblem(str(path), str(error)))
                return None
            store.add_labels(package.labels)
            self.archives[place] = path
            return package.articles
        folder = place / path.stem  # top-level files get uids like an unpacked folder's
        try:
            files = unpack(path, folder)
        except ArchiveError as error:
            self.problems.append(ImportProblem(str(path), str(error)))
            return None
        self.archives[folder] = path
        if files and all(f.parent == folder and f.suffix.lower() == ".jsonl" for f in files):
            self.annotators.update({f: f.stem for f in files if f.stem.lower() != "all"})
        return folder

    def outside(self, problem: ImportProblem) -> ImportProblem:
        """The problem with a temporary path replaced by ARCHIVE!member, which a person knows."""
        for folder, archive in self.archives.items():
            prefix = str(folder)
            if problem.origin.startswith(prefix):
                member = problem.origin[len(prefix) :].lstrip("/\\")
                return ImportProblem(f"{archive}!{member}", problem.reason)
        return problem


def _import(
    store: Store,
    paths: list[Path],
    fmt: str,
    annotator: str,
    mapping: FieldMapping | None,
    progress: Progress | None,
    should_cancel: Callable[[], bool] | None,
    batch_seconds: float,
    unpacked: _Unpacked,
) -> ImportReport:
    report = ImportReport()
    files, problems = discover(paths, "auto" if fmt == "package" else fmt)
    report.problems.extend(problems)
    report.files = len(files)
    cancelled = should_cancel or (lambda: False)
    batch: list[ArticleDraft] = []
    size = FIRST_BATCH

    def flush() -> None:
        nonlocal size
        if not batch:
            return
        started = time.perf_counter()
        report.add(store.add_articles(batch, default_annotator=annotator))
        took = time.perf_counter() - started
        if took > batch_seconds and len(batch) == size:
            size = max(MIN_BATCH, size // 2)
        elif took < batch_seconds / 2 and len(batch) == size:
            size = min(MAX_BATCH, size * 2)
        batch.clear()

    with _ReadAhead(files, mapping, unpacked.annotators) as items:
        done = 0
        if progress and files:
            progress(0, len(files), _shown(files[0][0], unpacked))
        for item in items:
            if item is _FILE_DONE:
                done += 1
                if progress:
                    now = _shown(files[done][0], unpacked) if done < len(files) else ""
                    progress(done, len(files), now)
            elif isinstance(item, ImportProblem):
                report.problems.append(item)
            elif isinstance(item, LabelSchema):  # a file's own codebook (REFI-QDA)
                store.add_labels(item.labels)
            elif isinstance(item, AnnotationDraft):
                flush()  # the article may be in this very import, still in the batch
                found = _attached(store, item)
                if isinstance(found, ImportProblem):
                    report.problems.append(found)
                else:
                    report.problems.extend(found[1])
                    batch.append(found[0])
            elif isinstance(item, ArticleDraft):
                batch.append(item)
                if len(batch) < size:
                    continue
                flush()
                if progress:  # a single large JSONL/CSV file still shows it is moving
                    read = report.added + report.unchanged
                    where = _shown(files[min(done, len(files) - 1)][0], unpacked)
                    progress(done, len(files), f"{where} ({read:,})")
            if cancelled():
                flush()
                report.cancelled = True
                return report
        flush()
    if progress:
        progress(len(files), len(files), "done")
    return report


def _attached(
    store: Store, found: AnnotationDraft
) -> tuple[ArticleDraft, list[ImportProblem]] | ImportProblem:
    """Annotations of an annotations-only file, on the stored article their uid names."""
    article_id = store.article_id(found.uid)
    if article_id is None:
        return ImportProblem(
            found.origin,
            f"article {found.uid!r} is not in this project: import its text first "
            f"({len(found.spans)} spans and {len(found.tags)} tags not added)",
        )
    return attach(found, store.article(article_id).text)


def _shown(path: Path, unpacked: _Unpacked) -> str:
    """A file's name for progress messages (ARCHIVE!member for an unpacked one)."""
    return unpacked.outside(ImportProblem(str(path), "")).origin


def _attributed(item: object, annotator: str) -> object:
    """A draft whose annotations that name nobody are `annotator`'s (per-user files)."""
    if not isinstance(item, ArticleDraft):
        return item
    spans = tuple(s if s.annotator else replace(s, annotator=annotator) for s in item.spans)
    tags = tuple(t if t.annotator else replace(t, annotator=annotator) for t in item.tags)
    return replace(item, spans=spans, tags=tags)


class _ReadAhead:
    """Parse files on a worker thread into a bounded queue, in order, with _FILE_DONE marks."""

    def __init__(
        self,
        files: list[tuple[Path, str]],
        mapping: FieldMapping | None,
        annotators: dict[Path, str],
    ) -> None:
        self._files = files
        self._mapping = mapping
        self._annotators = annotators
        self._queue: queue.Queue[object] = queue.Queue(maxsize=READ_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="import-reader", daemon=True)

    def __enter__(self) -> Iterator[object]:
        self._thread.start()
        return self._items()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():  # unblock a reader waiting on a full queue
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()

    def _items(self) -> Iterator[object]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            for path, file_format in self._files:
                whose = self._annotators.get(path)
                for item in read_file(path, file_format, self._mapping):
                    if not self._put(item if whose is None else _attributed(item, whose)):
                        return
                if not self._put(_FILE_DONE):
                    return
            self._put(None)
        except BaseException as error:  # hand it to the importing thread, which raises it
            self._put(error)
