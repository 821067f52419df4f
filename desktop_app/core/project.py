"""Opening a project: migrate it, give it its label schema, seed the default one with samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.importing import import_paths
from desktop_app.core.location import location_warning
from desktop_app.core.model import ImportReport, LabelSchema
from desktop_app.core.schema import load_schema
from desktop_app.core.store import ProjectLocked, ReadOnlyProject, Store, StoreError
from desktop_app.core.store.recognise import recognise

SAMPLES_LOADED = "samples_loaded"


def open_project(
    path: str | Path,
    schema_path: Path | None,
    samples: Path | None = None,
    read_only_fallback: bool = False,
    create: bool = True,
    schema: LabelSchema | None = None,
) -> tuple[Store, ImportReport | None]:
    """Open the project file; a project without labels gets the schema at `schema_path`.

    With `samples`, a project that never had them gets the sample articles (once: an analyst
    who deletes them does not see them come back). With `read_only_fallback`, a project
    another window or command is writing, or a file that cannot be written, opens
    read-only (`store.read_only` says why) instead of being refused. Without `create`, a
    missing or empty file is refused instead of becoming a new project. `schema`, when given,
    is the one a project without labels gets instead of the file's.
    """
    try:
        store = Store.open(path, create=create)
    except (ProjectLocked, ReadOnlyProject) as error:
        if not read_only_fallback:
            raise
        store = Store.open(path, read_only=True)
        why = (
            "another Marginalia window or command is editing it (close that one, then open "
            "this again to edit here)"
            if isinstance(error, ProjectLocked)
            else "the file cannot be written here (read-only media or permissions)"
        )
        store.refuse_writes(f"opened read-only: {why}")
        return store, None
    try:
        if not store.labels():
            chosen = schema or (load_schema(schema_path) if schema_path else None)
            if chosen is not None:
                store.apply_schema(chosen)
        report = None
        if samples is not None and not store.setting(SAMPLES_LOADED):
            if store.article_total() == 0:
                report = import_paths(store, [samples], annotator="samples")
            store.set_setting(SAMPLES_LOADED, "1")
    except BaseException:
        store.close()
        raise
    return store, report


@dataclass
class Opened:
    """A project opened for the window: its store, the samples it was given (if it was), and
    what the analyst must be told (opened read-only, a risky location)."""

    store: Store
    report: ImportReport | None = None
    notices: list[str] = field(default_factory=list)


def open_for_window(
    path: str | Path,
    schema_path: Path | None,
    samples: Path | None = None,
    schema: LabelSchema | None = None,
) -> Opened:
    """Open a project as the window does at start-up and from File > Open: a file that is no
    Marginalia project is refused untouched, a project being edited elsewhere (or that
    cannot be written) opens read-only, and where it lives may deserve a warning."""
    path = Path(path)
    if path.is_file():
        problem = _not_a_project(path)
        if problem:
            raise StoreError(f"{path}: not opened, {problem}")
    store, report = open_project(path, schema_path, samples, read_only_fallback=True, schema=schema)
    notices = [f"{path} was {store.read_only}."] if store.read_only else []
    warning = location_warning(path)
    if warning:
        notices.append(warning)
    return Opened(store, report, notices)


def project_schema(path: str | Path) -> LabelSchema:
    """Another project's labels, read without writing to it (to start a project with them)."""
    path = Path(path)
    problem = _not_a_project(path) if path.is_file() else "there is no such file"
    if problem:
        raise StoreError(f"{path}: no labels read, {problem}")
    store = Store.open(path, read_only=True)
    try:
        labels = tuple(store.labels())
        name = store.setting("schema_name") or path.stem
    finally:
        store.close()
    if not labels:
        raise StoreError(f"{path}: no labels read, the project has none")
    return LabelSchema(name, labels)


def _not_a_project(path: Path) -> str:
    """Why the file at `path` is no Marginalia project ("" when it is one, is empty, or is too
    damaged to tell: the opening check then says what is wrong). Looked at without writing."""
    found = recognise(path)
    if found.kind == "foreign":
        return f"it is an SQLite database, but not a Marginalia project ({found.reason})"
    if found.kind == "unreadable" and found.reason == "not an SQLite database":
        return "it is not a Marginalia project file (not an SQLite database)"
    return ""
