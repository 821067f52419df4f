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

from desktop_app.core.import_archives import UnpackedArchives
from desktop_app.core.importers import FieldMapping, read_file, survey
from desktop_app.core.importers.csv_annotations import attach
from desktop_app.core.model import (
    AnnotationDraft,
    ArticleDraft,
    ImportProblem,
    ImportReport,
    LabelSchema,
)
from desktop_app.core.store import Store, StoreError
from desktop_app.core.suggest.gazetteer_apply import NewArticleSuggestions

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
    per_user_files: bool = True,
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
    as that folder; reports name its files as `ARCHIVE.zip!member`. `annotator` is whose
    the annotations are that name nobody; `per_user_files` lets the files of doccano's
    per-user export name theirs instead (turn it off when the annotator was chosen).
    """
    with tempfile.TemporaryDirectory(prefix="marginalia-import-") as workdir:
        unpacked = UnpackedArchives(Path(workdir))
        expanded = [unpacked.expand(store, Path(p), fmt, per_user_files) for p in paths]
        importer = _Importer(store, annotator, batch_seconds, unpacked)
        importer.report.problems.extend(unpacked.problems)
        importer.report.skipped.extend(unpacked.skipped)
        importer.report.notes.extend(unpacked.notes)
        found = [path for path in expanded if path is not None]
        try:
            return importer.run(found, fmt, mapping, progress, should_cancel or (lambda: False))
        except StoreError as error:
            if "disk is full" not in str(error):
                raise
            raise StoreError(importer.disk_full(store)) from error


class _Importer:
    """One import: drafts gathered into adaptive batches, each batch one transaction."""

    def __init__(
        self, store: Store, annotator: str, batch_seconds: float, unpacked: UnpackedArchives
    ) -> None:
        self.store = store
        self.annotator = annotator
        self.batch_seconds = batch_seconds
        self.unpacked = unpacked
        self.report = ImportReport()
        self.batch: list[ArticleDraft] = []
        self.batch_uids: set[str] = set()
        self.size = FIRST_BATCH
        # Annotation rows whose article is not in the project yet: it may come later in
        # this import (annotations.csv sorts before articles.jsonl), so they wait till the end.
        self.waiting: list[AnnotationDraft] = []
        self.shown: list[str] = []  # the files being imported, as reports name them
        self.files_done = 0
        self.suggestions = NewArticleSuggestions(store)  # the enabled gazetteers'

    def run(
        self,
        paths: list[Path],
        fmt: str,
        mapping: FieldMapping | None,
        progress: Progress | None,
        cancelled: Callable[[], bool],
    ) -> ImportReport:
        """Read every file found under `paths` on the reader thread and store it in batches."""
        report = self.report
        found = survey(paths, "auto" if fmt == "package" else fmt)
        files = found.files
        for into, listed in (
            (report.problems, found.problems),
            (report.skipped, found.skipped),
            (report.detected, found.detected),
        ):
            into.extend(ImportProblem(self.unpacked.outside(p.origin), p.reason) for p in listed)
        report.files = len(files)
        report.formats = found.formats()
        shown = [self.unpacked.outside(str(path)) for path, _ in files]
        self.shown = shown
        roots = _roots(paths, files)
        with _ReadAhead(files, mapping, self.unpacked, roots) as items:
            done = 0
            if progress and files:
                progress(0, len(files), shown[0])
            for item in items:
                if item is _FILE_DONE:
                    done += 1
                    self.files_done = done
                    if progress:
                        progress(done, len(files), shown[done] if done < len(files) else "")
                elif isinstance(item, ImportProblem):
                    report.problems.append(item)
                elif isinstance(item, LabelSchema):  # a file's own codebook (REFI-QDA, brat)
                    self.store.add_labels(item.labels)
                    self.add_relation_types(item)
                elif isinstance(item, AnnotationDraft):
                    self.attach(item, wait=True)
                elif isinstance(item, ArticleDraft):
                    self.add(item)
                    if len(self.batch) == 0 and progress:
                        # A single large JSONL/CSV file still shows that it is moving.
                        read = report.added + report.unchanged
                        progress(done, len(files), f"{shown[min(done, len(files) - 1)]} ({read:,})")
                if cancelled():
                    self.flush()
                    report.cancelled = True
                    return report
            self.flush()
        for waiting in self.waiting:
            self.attach(waiting, wait=False)
        self.flush()
        if progress:
            progress(len(files), len(files), "done")
        return report

    def add_relation_types(self, schema: LabelSchema) -> None:
        """The codebook's relation types the project lacks (one it has stays as it is)."""
        have = self.store.relation_types()
        names = {kind.name for kind in have}
        new = [kind for kind in schema.relation_types if kind.name not in names]
        if new:
            self.store.set_relation_types([*have, *new])

    def disk_full(self, store: Store) -> str:
        """What a full disk cost this import: how much was saved, where it stopped."""
        report, at = self.report, ""
        if self.shown:
            where = self.shown[min(self.files_done, len(self.shown) - 1)]
            at = f" (it stopped in {where}, file {self.files_done + 1} of {len(self.shown)})"
        already = f"; {report.unchanged:,} were already there" if report.unchanged else ""
        return (
            f"{store.path or 'project'}: the disk is full after {report.added:,} articles were "
            f"saved{already}; the rest were not imported{at}. Free some space and run the same "
            "import again: what was saved is not imported twice"
        )

    def add(self, draft: ArticleDraft) -> None:
        """Queue a draft; a full batch is stored."""
        self.batch.append(draft)
        if draft.uid:
            self.batch_uids.add(draft.uid)
        if len(self.batch) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Store the batch in one transaction; size the next to take about batch_seconds."""
        if not self.batch:
            return
        started = time.perf_counter()
        stored = self.store.add_articles(self.batch, default_annotator=self.annotator)
        self.report.add(stored)
        # Suggestions come as articles are stored (their own transaction: an article is
        # never held back by them; Re-apply fills in after a crash between the two).
        self.suggestions.stored(stored.added_ids)
        self.report.suggested = self.suggestions.report.added
        took = time.perf_counter() - started
        if took > self.batch_seconds and len(self.batch) == self.size:
            self.size = max(MIN_BATCH, self.size // 2)
        elif took < self.batch_seconds / 2 and len(self.batch) == self.size:
            self.size = min(MAX_BATCH, self.size * 2)
        self.batch.clear()
        self.batch_uids.clear()

    def attach(self, found: AnnotationDraft, wait: bool) -> None:
        """Annotations of an annotations-only file, onto the stored article their uid names."""
        if found.uid in self.batch_uids:
            self.flush()  # the article is in this very import, still in the batch
        article_id = self.store.article_id(found.uid)
        if article_id is None and wait:
            self.waiting.append(found)
            return
        if article_id is None:
            self.report.problems.append(
                ImportProblem(
                    found.origin,
                    f"article {found.uid!r} is not in this project: import its text first "
                    f"({len(found.spans)} spans and {len(found.tags)} tags not added)",
                )
            )
            return
        draft, problems = attach(found, self.store.article(article_id).text)
        self.report.problems.extend(problems)
        self.add(draft)


def _attributed(item: object, annotator: str) -> object:
    """A draft whose annotations that name nobody are `annotator`'s (per-user files)."""
    if not isinstance(item, ArticleDraft):
        return item
    spans = tuple(s if s.annotator else replace(s, annotator=annotator) for s in item.spans)
    tags = tuple(t if t.annotator else replace(t, annotator=annotator) for t in item.tags)
    relations = tuple(r if r.annotator else replace(r, annotator=annotator) for r in item.relations)
    return replace(item, spans=spans, tags=tags, relations=relations)


def _roots(paths: Sequence[Path], files: list[tuple[Path, str]]) -> dict[Path, Path]:
    """The folder the analyst chose that each file was found in (none: named itself)."""
    folders = [path for path in paths if path.is_dir()]
    roots: dict[Path, Path] = {}
    for file, _ in files:
        for folder in folders:
            if file.is_relative_to(folder):
                roots[file] = folder
                break
    return roots


def _placed(
    draft: ArticleDraft, file: Path, root: Path | None, unpacked: UnpackedArchives
) -> ArticleDraft:
    """A text file's article with its source the folder it came from and its path relative.

    The source is the file's folder relative to the folder chosen (bbc/business/001.txt
    imported as bbc: "business"; nested deeper: "business/2005"); a file directly in the
    chosen folder, or named itself, takes its own folder's name. The metadata keeps the
    path relative to the folder chosen (a named file: its name; from an archive:
    ARCHIVE.zip!member), never the analyst's absolute path, since exports go to colleagues.
    """
    archive = unpacked.archives.get(root) if root is not None else None
    if root is None:
        relative, folder = file.name, file.parent.name
    else:
        relative = file.relative_to(root).as_posix()
        parent = file.parent.relative_to(root).as_posix()
        folder = parent if parent != "." else (archive.stem if archive else root.name)
    if archive is not None:
        relative = f"{archive.name}!{relative}"
    meta = {**draft.meta, "path": relative}
    return replace(draft, source=draft.source or folder, meta=meta)


class _ReadAhead:
    """Parse files on a worker thread into a bounded queue, in order, with _FILE_DONE marks."""

    def __init__(
        self,
        files: list[tuple[Path, str]],
        mapping: FieldMapping | None,
        unpacked: UnpackedArchives,
        roots: dict[Path, Path] | None = None,
    ) -> None:
        self._files = files
        self._roots = roots or {}
        self._mapping = mapping
        self._unpacked = unpacked
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
                whose = self._unpacked.annotators.get(path)
                for read in read_file(path, file_format, self._mapping):
                    if file_format == "txt" and isinstance(read, ArticleDraft):
                        read = _placed(read, path, self._roots.get(path), self._unpacked)
                    item = self._unpacked.relocated(read)
                    if not self._put(item if whose is None else _attributed(item, whose)):
                        return
                if not self._put(_FILE_DONE):
                    return
            self._put(None)
        except BaseException as error:  # hand it to the importing thread, which raises it
            self._put(error)
