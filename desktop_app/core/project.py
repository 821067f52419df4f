"""Opening a project: migrate it, give it its label schema, seed the default one with samples."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importing import import_paths
from desktop_app.core.model import ImportReport
from desktop_app.core.schema import load_schema
from desktop_app.core.store import ProjectLocked, ReadOnlyProject, Store

SAMPLES_LOADED = "samples_loaded"


def open_project(
    path: str | Path,
    schema_path: Path,
    samples: Path | None = None,
    read_only_fallback: bool = False,
    create: bool = True,
) -> tuple[Store, ImportReport | None]:
    """Open the project file; a project without labels gets the schema at `schema_path`.

    With `samples`, a project that never had them gets the sample articles (once: an analyst
    who deletes them does not see them come back). With `read_only_fallback`, a project
    another window or command is writing, or a file that cannot be written, opens
    read-only (`store.read_only` says why) instead of being refused. Without `create`, a
    missing or empty file is refused instead of becoming a new project.
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
            store.apply_schema(load_schema(schema_path))
        report = None
        if samples is not None and not store.setting(SAMPLES_LOADED):
            if store.article_total() == 0:
                report = import_paths(store, [samples], annotator="samples")
            store.set_setting(SAMPLES_LOADED, "1")
    except BaseException:
        store.close()
        raise
    return store, report
