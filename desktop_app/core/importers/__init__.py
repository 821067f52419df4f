"""Readers that turn source files into article drafts (no store access here)."""

from desktop_app.core.importers.readers import FieldMapping, discover, read_file, survey

__all__ = ["FieldMapping", "discover", "read_file", "survey"]
