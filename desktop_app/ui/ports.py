"""What one feature of the window may ask of another, each passed to it explicitly.

Controllers never import each other: a controller that needs another feature takes it as a
constructor parameter typed with one of these protocols, and the window passes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from desktop_app.core.model import Label, Span
from desktop_app.core.store import Store

ViewSpans = tuple[list[Span], dict[str, Label], str]  # spans, their colours, "label"/"annotator"


class Navigator(Protocol):
    """The article list and the open article, as other features move them."""

    def show_article(self, article_id: int | None) -> None:
        """Show an article (or nothing) without touching the list."""

    def open_article(self, article_id: int) -> None:
        """Select the article in the list, or show it anyway when the filter hides it."""

    def reread_article(self) -> None:
        """Read the open article again (its annotations may have changed under it)."""

    def reload_list(self) -> None:
        """Recount the list, keeping the open article selected where it still is."""

    def select_row(self, row: int) -> None:
        """Select (and so open) the article on list row `row`."""

    def list_after_edit(self) -> None:
        """Bring the list up to date after an edit of the open article's annotations."""

    def article_after(self) -> int | None:
        """The article after the one being read in the list; None at its end."""


class SpanSource(Protocol):
    """A mode that decides which spans the article view paints (review: by annotator)."""

    def spans_for(self, article_id: int) -> ViewSpans | None:
        """The spans to paint and how, or None to leave it to the reading view."""


class OpeningCheck(Protocol):
    """The integrity check that runs when a project opens; writes wait for it."""

    def when_checked(self, action: Callable[[], None], what: str) -> bool:
        """True when `action` must wait for the check (it then runs after it)."""


class BackgroundWork(Protocol):
    """A feature that writes to the project on a background thread."""

    def busy(self) -> str:
        """What it is writing now ("" when nothing)."""


class ProjectSwitch(Protocol):
    """The window's one way to put a project in it or take it out (MainWindow does it)."""

    def open_project(self, store: Store) -> None:
        """Close the open project (its work settles, its lock goes) and open `store`."""

    def close_project(self) -> None:
        """Close the open project; the window shows no project."""


class Importer(Protocol):
    """Importing articles, as other features start it."""

    def import_files_dialog(self) -> None:
        """Choose files to import."""

    def import_folder_dialog(self) -> None:
        """Choose a folder to import."""

    def start_import(self, paths: Sequence[str | Path]) -> None:
        """Import these files and folders in the background."""
