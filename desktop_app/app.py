"""The composition root: settings, the project file, the Qt application and the window."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_config_path

from desktop_app import paths

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

NO_DISPLAY_MESSAGE = """\
Marginalia is a desktop application and this machine has no display (DISPLAY and
WAYLAND_DISPLAY are not set). To run it on a virtual screen:

    apt-get install -y xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 \\
        libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 \\
        libxkbcommon-x11-0
    xvfb-run -a .venv/bin/marginalia

The command line works without a display: `marginalia --help` lists every command (import,
export, merge, agreement, annotate-all, suggest, stats, backup, check and more).
"""


def has_display() -> bool:
    """Whether Qt can open a window here (a display, or an explicit Qt platform)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def settings_path() -> Path:
    """Where the window remembers the annotator and its layout."""
    return user_config_path(paths.APP_NAME, appauthor=False) / "settings.ini"


def start_path(explicit: str | Path | None, settings: QSettings) -> tuple[Path, bool]:
    """The project to open at start, and whether it is the default one (it gets the samples).

    An explicit path (--db, `marginalia PATH`, $MARGINALIA_DB) wins; with none, the last
    project opened, if it is still there; else the default project. `settings` is the
    window's QSettings (where the recent projects are kept).
    """
    path, is_default = paths.resolve_db_path(explicit)
    if not is_default:
        return path, False
    from desktop_app.ui.recent_projects import RecentProjects

    last = RecentProjects(settings).last()
    if last is not None and last.is_file():
        return last, last.resolve() == path.resolve()
    return path, True


def main(db_path: Path | None = None, seed_samples: bool = False) -> int:
    """Open the window on the project at `db_path` (None: as start_path decides); return the
    exit code. `seed_samples` gives a project that never had them the sample articles."""
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.core.project import open_for_window
    from desktop_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(paths.APP_NAME)
    settings = QSettings(str(settings_path()), QSettings.Format.IniFormat)
    if db_path is None:
        db_path, seed_samples = start_path(None, settings)
    schema_path, samples = paths.default_schema_path(), paths.samples_dir()
    try:
        # The window's one opening path, as File > Open project… takes it too.
        opened = open_for_window(db_path, schema_path, samples if seed_samples else None)
    except (OSError, ValueError, RuntimeError) as error:
        QMessageBox.critical(None, "Marginalia", f"Cannot open the project:\n{error}")
        print(f"marginalia: cannot open {db_path}: {error}", file=sys.stderr)
        return 1
    store = opened.store
    annotator = str(settings.value("annotator", "") or getpass.getuser() or "analyst")
    if not store.read_only:
        store.ensure_annotator(annotator)
    window = MainWindow(store, settings, annotator, schema_path=schema_path, samples=samples)
    window.show()
    # Without a window manager (Xvfb, kiosk sessions) nobody else gives the window focus.
    window.raise_()
    window.activateWindow()
    window.opening_notice = window.projects.announce(opened)
    code = app.exec()
    window.close_project()  # whichever project is open now; its lock goes
    return int(code)
