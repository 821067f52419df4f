"""Merge a colleague's project file or Marginalia JSONL export into the open project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from desktop_app.core.importers import read_file
from desktop_app.core.model import (
    ArticleDraft,
    ImportProblem,
    Label,
    MergeReport,
    RelationRecord,
    RelationType,
)
from desktop_app.core.store import Store, StoreError
from desktop_app.core.store.backups import check_file
from desktop_app.core.store.base import relation_identity
from desktop_app.core.store.foreign import ForeignProject, is_project_file

Progress = Callable[[int], None]  # articles read so far
BATCH = 500


# Names a project file goes by (a file named so is never read as JSONL).
PROJECT_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".marginalia")


def merge_path(store: Store, other: str | Path, progress: Progress | None = None) -> MergeReport:
    """Merge `other` (a .sqlite project or a native JSONL export) in one transaction.

    The project is backed up first. Unreadable input, or a project file that fails SQLite's
    quick check, raises StoreError and changes nothing; single bad JSONL lines are reported
    and skipped, as on import (naming_other makes each problem name `other` too).
    """
    path = Path(other)
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    if store.path is not None and (
        path.resolve() == store.path.resolve() or _same_file(path, store.path)
    ):
        raise StoreError(f"{path}: this is the open project; merge another analyst's file")
    problems: list[ImportProblem] = []
    if not is_project_file(path) and path.suffix.lower() in PROJECT_SUFFIXES:
        # Named as a project but not SQLite: reading it as JSONL would only report each line.
        raise StoreError(
            f"{path}: not a Marginalia project file (not an SQLite database); nothing was merged"
        )
    if is_project_file(path):
        damage = check_file(path)
        if damage:
            raise StoreError(
                f"{path}: damaged, nothing was merged ({damage[0]}); ask for a good copy "
                "or one of its backups"
            )
        with ForeignProject(path) as foreign:
            batches = _fitting(foreign.batches(BATCH), path, problems)
            report = store.merge(
                _counted(batches, progress),
                foreign.labels(),
                str(path),
                foreign.relation_types(),
                foreign.relations_of,
            )
            report.notes[:0] = foreign.notes
    else:
        labels: list[Label] = []
        relations = _JsonlRelations(path, problems)
        batches = _fitting(relations.reading(_jsonl_batches(path, problems)), path, problems)
        report = store.merge(
            _counted(batches, progress), labels, str(path), relations.types, relations.of
        )
    report.problems[:0] = problems
    return report


def naming_other(problem: ImportProblem, other: str | Path) -> ImportProblem:
    """A merge problem that names the file merged (the store names only the article's uid)."""
    name = str(Path(other))  # as merge_path's own problems name it
    if problem.origin.startswith(name):
        return problem
    where = f"{name}: article {problem.origin}" if problem.origin else name
    return ImportProblem(where, problem.reason)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file (a hard link or a symlink to it)."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def _fitting(
    batches: Iterator[list[ArticleDraft]], other: Path, problems: list[ImportProblem]
) -> Iterator[list[ArticleDraft]]:
    """The batches less the spans that do not fit their text (each a problem naming `other`
    and the article): one bad span is refused alone instead of failing the whole merge."""
    for batch in batches:
        yield [_fitting_spans(draft, other, problems) for draft in batch]


def _fitting_spans(draft: ArticleDraft, other: Path, problems: list[ImportProblem]) -> ArticleDraft:
    keep = []
    for index, span in enumerate(draft.spans):
        what = f"span {span.uuid or index} ({span.label!r} at {span.start}..{span.end})"
        if not 0 <= span.start < span.end <= len(draft.text):
            reason = f"{what} is outside the article's text (length {len(draft.text)})"
        elif span.quote is not None and span.quote != draft.text[span.start : span.end]:
            reason = (
                f"{what}: its quote {span.quote[:40]!r} is not the text there "
                f"({draft.text[span.start : span.end][:40]!r})"
            )
        else:
            keep.append(span)
            continue
        problems.append(ImportProblem(f"{other}: article {draft.uid}", reason))
    return draft if len(keep) == len(draft.spans) else replace(draft, spans=tuple(keep))


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


class _JsonlRelations:
    """The relations of a native JSONL export's records, by span uuid, as the merge reads them.

    A record's relations (ArticleDraft.relations, when the JSONL reader gives them) name their
    ends by index into the record's spans; here they become span uuids before any span is
    left out, so a refused span can never shift a relation onto another. A type the project
    lacks is added as the file declares it (directed unless it says `directed: false`).
    """

    def __init__(self, path: Path, problems: list[ImportProblem]) -> None:
        self.path = path
        self.problems = problems
        self.types: list[RelationType] = []
        self._found: dict[str, list[RelationRecord]] = {}

    def reading(self, batches: Iterator[list[ArticleDraft]]) -> Iterator[list[ArticleDraft]]:
        """The batches unchanged, each record's relations noted on the way."""
        for batch in batches:
            for draft in batch:
                self._note(draft)
            yield batch

    def of(self, draft: ArticleDraft) -> list[RelationRecord]:
        """The relations of a record read by `reading` (keyed by its origin)."""
        return self._found.pop(draft.origin, [])

    def _note(self, draft: ArticleDraft) -> None:
        # getattr: the JSONL reader gives drafts relations once relation formats are in.
        listed = getattr(draft, "relations", ())
        uid = draft.uid or ""
        known = {kind.name for kind in self.types}
        for relation in listed:
            ends = [relation.from_index, relation.to_index]
            spans = [draft.spans[i] if 0 <= i < len(draft.spans) else None for i in ends]
            uuids = [span.uuid if span is not None else None for span in spans]
            annotator = relation.annotator or "imported"
            if uuids[0] is None or uuids[1] is None:
                self.problems.append(
                    ImportProblem(
                        f"{self.path}: article {draft.uid}",
                        f"relation {relation.uuid or ''} ({relation.type}): an end is a span "
                        "without a uuid; a merge links spans by uuid, so it was not merged",
                    )
                )
                continue
            if relation.type not in known:
                known.add(relation.type)
                self.types.append(RelationType(relation.type, directed=relation.directed))
            self._found.setdefault(draft.origin, []).append(
                RelationRecord(
                    uuid=relation.uuid
                    or relation_identity(uid, annotator, relation.type, uuids[0], uuids[1]),
                    type=relation.type,
                    from_span=uuids[0],
                    to_span=uuids[1],
                    annotator=annotator,
                    note=relation.note,
                    created_at=relation.created_at or "",
                    updated_at=relation.updated_at or "",
                )
            )


def _counted(
    batches: Iterator[list[ArticleDraft]], progress: Progress | None
) -> Iterator[list[ArticleDraft]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        if progress:
            progress(done)
