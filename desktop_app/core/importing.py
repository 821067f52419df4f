"""Import files and folders into a project: discover, read, store in batches, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from desktop_app.core.importers import FieldMapping, discover, read_file
from desktop_app.core.model import ArticleDraft, ImportProblem, ImportReport
from desktop_app.core.store import BatchResult, Store

Progress = Callable[[int, int, str], None]  # (files done, files in all, what is happening)

BATCH_SIZE = 200  # articles per transaction: small enough that edits never wait long


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    annotator: str = "imported",
    mapping: FieldMapping | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import every article under `paths`; bad files are reported, never fatal.

    Articles are committed in batches, so a cancelled or killed import keeps what it
    finished and running it again completes it without duplicates (uids are idempotent).
    """
    report = ImportReport()
    files, problems = discover([Path(p) for p in paths], fmt)
    report.problems.extend(problems)
    report.files = len(files)
    batch: list[ArticleDraft] = []

    def flush() -> None:
        if batch:
            _merge(report, store.add_articles(batch, default_annotator=annotator))
            batch.clear()

    for done, (path, file_format) in enumerate(files):
        if progress:
            progress(done, len(files), str(path))
        for item in read_file(path, file_format, mapping):
            if isinstance(item, ImportProblem):
                report.problems.append(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                flush()
                if progress:  # a single large JSONL/CSV file still shows it is moving
                    progress(done, len(files), f"{path} ({report.added + report.unchanged:,} read)")
                if should_cancel and should_cancel():
                    report.cancelled = True
                    return report
        if should_cancel and should_cancel():
            flush()
            report.cancelled = True
            return report
    flush()
    if progress:
        progress(len(files), len(files), "done")
    return report


def _merge(report: ImportReport, batch: BatchResult) -> None:
    report.added += batch.added
    report.unchanged += batch.unchanged
    report.duplicates += batch.duplicates
    report.spans_added += batch.spans_added
    report.tags_added += batch.tags_added
    report.problems.extend(batch.problems)
