"""Merge a colleague's project file or Marginalia JSONL export into the open project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from desktop_app.core.importers import read_file
from desktop_app.core.model import ArticleDraft, ImportProblem, Label, MergeReport
from desktop_app.core.store import Store, StoreError
from desktop_app.core.store.foreign import ForeignProject, is_project_file

Progress = Callable[[int], None]  # articles read so far
BATCH = 500


def merge_path(store: Store, other: str | Path, progress: Progress | None = None) -> MergeReport:
    """Merge `other` (a .sqlite project or a native JSONL export) in one transaction.

    The project is backed up first. Unreadable input raises StoreError and changes nothing;
    single bad JSONL lines are reported and skipped, as on import.
    """
    path = Path(other)
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    if store.path is not None and path.resolve() == store.path.resolve():
        raise StoreError(f"{path}: this is the open project; merge another analyst's file")
    problems: list[ImportProblem] = []
    if is_project_file(path):
        with ForeignProject(path) as foreign:
            report = store.merge(
                _counted(foreign.batches(BATCH), progress), foreign.labels(), str(path)
            )
            report.notes[:0] = foreign.notes
    else:
        labels: list[Label] = []
        report = store.merge(_counted(_jsonl_batches(path, problems), progress), labels, str(path))
    report.problems[:0] = problems
    return report


def _jsonl_batches(path: Path, problems: list[ImportProblem]) -> Iterator[list[ArticleDraft]]:
    """A native JSONL export's articles in batches; bad lines go to `problems`."""
    batch: list[ArticleDraft] = []
    for item in read_file(path, "jsonl"):
        if isinstance(item, ImportProblem):
            problems.append(item)
            continue
        if isinstance(item, ArticleDraft):
            batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _counted(
    batches: Iterator[list[ArticleDraft]], progress: Progress | None
) -> Iterator[list[ArticleDraft]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        if progress:
            progress(done)
