"""The store: the only package that speaks SQL to the project file (one connection, one writer)."""

from desktop_app.core.store.base import StoreError, new_uuid, now
from desktop_app.core.store.listing import SORTS, SortKey
from desktop_app.core.store.project_file import ProjectLocked, ReadOnlyProject, Store

__all__ = [
    "SORTS",
    "ProjectLocked",
    "ReadOnlyProject",
    "SortKey",
    "Store",
    "StoreError",
    "new_uuid",
    "now",
]
