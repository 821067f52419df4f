"""Projects: File > New project…, Open project…, Open recent, Save a copy as…, Close project,
and where the open project is (the status bar's project field, its full path in a tooltip)."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QLabel, QMenu, QMessageBox

from desktop_app.core.model import LabelSchema
from desktop_app.core.project import Opened, open_for_window, project_schema
from desktop_app.core.store.backups import copy_project
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.notices import show_notice
from desktop_app.ui.ports import ProjectSwitch
from desktop_app.ui.recent_projects import RecentProjects
from desktop_app.ui.shell import Shell

PROJECT_FILTER = "Marginalia projects (*.sqlite *.db *.marginalia);;All files (*)"
DEFAULT_LABELS = "The default labels"
OTHER_LABELS = "Another project's labels…"


class ProjectController(Controller):
    """Starts, opens, copies and closes projects through the window's one opening path.

    Every project is opened by core.project.open_for_window, as at start-up: a file that is
    no project is refused untouched, a project edited elsewhere opens read-only, and the
    window (`switch`) settles and closes the one being left before showing the new one.
    """

    def __init__(
        self,
        context: ProjectContext,
        shell: Shell,
        settings: QSettings,
        switch: ProjectSwitch,
        schema_path: Path | None,
    ) -> None:
        super().__init__(context, shell)
        self.switch = switch
        self.schema_path = schema_path  # the default labels of a new project
        self.recent = RecentProjects(settings)
        self.notice: QMessageBox | None = None  # the last refusal or opening notice
        self.copy_job: BackgroundJob | None = None
        self.new_action = self._action(
            "&File", "&New project…", self.new_project_dialog, "Ctrl+N", needs_project=False
        )
        self.open_action = self._action(
            "&File", "&Open project…", self.open_project_dialog, "Ctrl+O", needs_project=False
        )
        self.recent_menu = QMenu("Open &recent", shell.window)
        self.recent_menu.setToolTipsVisible(True)  # the full paths
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.copy_action = self._action("&File", "Save a &copy as…", self.save_copy_dialog)
        self.close_action = self._action("&File", "C&lose project", self.close_project)
        self._separator("&File")
        self.path_label = QLabel()
        self.path_label.setObjectName("project_path")
        shell.window.statusBar().addPermanentWidget(self.path_label)
        context.project_opened.connect(self._opened)
        context.project_closing.connect(self._finish)
        context.project_closed.connect(self._closed)

    def place_actions(self, menus: dict[str, QMenu]) -> None:
        """The File menu's project group, with Open recent after Open project…."""
        super().place_actions(menus)
        menus["&File"].insertMenu(self.copy_action, self.recent_menu)

    # ------------------------------------------------------------------ the open project

    def _opened(self) -> None:
        path = self.store.path
        if path is None:
            self.path_label.setText("in memory")
            self.path_label.setToolTip("This project lives in memory only")
            return
        self.recent.add(path)
        self.path_label.setText(path.name)
        self.path_label.setToolTip(str(path.resolve()))
        self.shell.window.setWindowFilePath(str(path))

    def _closed(self) -> None:
        self.path_label.setText("No project open")
        self.path_label.setToolTip("")
        self.shell.window.setWindowFilePath("")

    def _finish(self) -> None:
        if self.copy_job is not None:
            self.copy_job.wait()  # the copy reads the file being closed

    # ------------------------------------------------------------------ opening

    def open_path(self, path: str | Path, schema: LabelSchema | None = None) -> bool:
        """Open the project at `path` here (a new file becomes a project, with `schema`'s
        labels or the default ones); the open project stays when this one is refused."""
        path = Path(path).expanduser()
        if self._is_open_here(path):
            self.shell.say(f"{path.name} is the project open here.", 5000)
            return True
        try:
            opened = open_for_window(path, self.schema_path, schema=schema)
        except (OSError, ValueError, RuntimeError) as error:
            self._refuse("Open project", str(error))
            return False
        self.switch.open_project(opened.store)
        self.announce(opened)
        return True

    def announce(self, opened: Opened) -> QMessageBox | None:
        """Say what opening found (read-only, a risky location, the samples added)."""
        if opened.report is not None:
            self.shell.say(f"New project with sample articles: {opened.report.summary()}")
        if not opened.notices:
            return None
        self.notice = show_notice(
            self.shell.window,
            "Marginalia",
            "\n\n".join(opened.notices),
            QMessageBox.Icon.Warning,
        )
        return self.notice

    def _is_open_here(self, path: Path) -> bool:
        # Opening it again would find its lock held (by us) and fall back to read-only.
        current = self.store.path if self.context.is_open else None
        if current is None or not path.exists():
            return False
        try:
            return os.path.samefile(current, path)
        except OSError:
            return False

    def _refuse(self, title: str, reason: str) -> None:
        self.shell.say(reason, 15000)
        self.notice = show_notice(self.shell.window, title, reason, QMessageBox.Icon.Warning)

    def open_project_dialog(self) -> None:
        """File > Open project…: any Marginalia project file."""
        path = self.shell.dialogs.open_file(self.shell.window, "Open project", PROJECT_FILTER)
        if path:
            self.open_path(path)

    def new_project_dialog(self) -> None:
        """File > New project…: a file name, then whose labels it starts with."""
        chosen, _ = self.shell.dialogs.save_file(
            self.shell.window, "New project", "project.sqlite", PROJECT_FILTER
        )
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".sqlite")
        if path.exists():
            # Never write over a file: it may be another project, or anything else.
            return self._refuse(
                "New project",
                f"{path}: already exists; open it with File > Open project…, or choose a new name",
            )
        labels, ok = QInputDialog.getItem(
            self.shell.window,
            "New project",
            "Labels from:",
            [DEFAULT_LABELS, OTHER_LABELS],
            0,
            False,
        )
        if not ok:
            return None
        schema = None
        if labels == OTHER_LABELS:
            other = self.shell.dialogs.open_file(
                self.shell.window, "Take the labels of which project?", PROJECT_FILTER
            )
            if not other:
                return None
            try:
                schema = project_schema(other)
            except (OSError, ValueError) as error:
                return self._refuse("New project", str(error))
        if self.open_path(path, schema):
            self.shell.say(f"New project {path.name}: import articles to begin.", 10000)
        return None

    # ------------------------------------------------------------------ recent projects

    def fill_recent_menu(self) -> None:
        """List the last projects, newest first; a missing one says so."""
        menu = self.recent_menu
        menu.clear()
        found = self.recent.paths()
        for number, path in enumerate(found, 1):
            missing = not path.is_file()
            name = path.name.replace("&", "&&")
            action = menu.addAction(f"&{number % 10}  {name}{'  (missing)' if missing else ''}")
            action.setToolTip(f"{path} (no longer there)" if missing else str(path))
            action.setData(str(path))
            action.triggered.connect(partial(self.open_recent, path))
        if not found:
            menu.addAction("No recent projects").setEnabled(False)
            return
        menu.addSeparator()
        menu.addAction("&Clear the list", self._clear_recent)

    def open_recent(self, path: Path) -> bool:
        """Open a recent project; one that is gone says so and leaves the list."""
        if not path.is_file():
            self.recent.remove(path)
            self._refuse(
                "Open recent", f"{path}: is no longer there; removed from the recent projects"
            )
            return False
        return self.open_path(path)

    def close_project(self) -> None:
        """File > Close project: it settles and goes (its lock too); the window stays."""
        name = self.store.path.name if self.store.path else "the project"
        self.switch.close_project()
        self.shell.say(f"Closed {name}.", 8000)

    def _clear_recent(self) -> None:
        self.recent.clear()

    # ------------------------------------------------------------------ copies

    def save_copy_dialog(self) -> None:
        """File > Save a copy as…: a verified copy, then perhaps open it."""
        if self.store.path is None:
            return self._warn("An in-memory project has no file to copy.")
        chosen, _ = self.shell.dialogs.save_file(
            self.shell.window,
            "Save a copy of the project",
            f"{self.store.path.stem} copy.sqlite",
            PROJECT_FILTER,
        )
        if chosen:
            self.save_copy(Path(chosen))
        return None

    def save_copy(self, target: Path) -> None:
        """Copy the project to `target` on a thread, the way backups are made and checked."""
        if self.copy_job is not None and self.copy_job.isRunning():
            return self._warn("A copy is already being written.")
        if self.store.path is None:
            return self._warn("An in-memory project has no file to copy.")
        if not target.suffix:
            target = target.with_suffix(".sqlite")
        job = BackgroundJob("copy", partial(copy_project, self.store.path, target))
        job.done.connect(lambda result: self._copied(job, target, result))
        self.copy_job = job
        self.shell.say(f"Copying the project to {target.name}…")
        job.start()
        return None

    def _copied(self, job: BackgroundJob, target: Path, result: object) -> None:
        job.wait()
        if isinstance(result, Exception):
            return self._refuse("Save a copy", f"Not copied: {result}")
        self.shell.say(f"Saved a checked copy: {target}", 15000)
        answer = QMessageBox.question(
            self.shell.window,
            "Save a copy",
            f"Saved a checked copy of the project:\n{target}\n\nOpen the copy now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.open_path(target)
        return None
