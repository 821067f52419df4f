"""The composition root: settings, the project file, the Qt application and the window."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from platformdirs import user_config_path

from desktop_app import paths

NO_DISPLAY_MESSAGE = """\
Marginalia is a desktop application and this machine has no display (DISPLAY and
WAYLAND_DISPLAY are not set). To run it on a virtual screen:

    apt-get install -y xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 \\
        libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 \\
        libxkbcommon-x11-0
    xvfb-run -a .venv/bin/marginalia

The command line works without a display: marginalia import / export / merge / agreement /
sample / stats / backup / restore / check.
"""


def has_display() -> bool:
    """Whether Qt can open a window here (a display, or an explicit Qt platform)."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def settings_path() -> Path:
    """Where the window remembers the annotator and its layout."""
    return user_config_path(paths.APP_NAME, appauthor=False) / "settings.ini"


def main(db_path: Path, seed_samples: bool = False) -> int:
    """Open the window on the project at `db_path`; return the exit code."""
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.core.location import location_warning
    from desktop_app.core.project import open_project
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.notices import show_notice

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(paths.APP_NAME)
    settings = QSettings(str(settings_path()), QSettings.Format.IniFormat)
    try:
        store, report = open_project(
            db_path,
            paths.default_schema_path(),
            paths.samples_dir() if seed_samples else None,
            read_only_fallback=True,  # a second window reads; it never writes alongside
        )
    except (OSError, ValueError, RuntimeError) as error:
        QMessageBox.critical(None, "Marginalia", f"Cannot open the project:\n{error}")
        print(f"marginalia: cannot open {db_path}: {error}", file=sys.stderr)
        return 1
    annotator = str(settings.value("annotator", "") or getpass.getuser() or "analyst")
    # Said once the window shows; read now, before the window's opening check sets its own.
    opened = f"{db_path} was {store.read_only}." if store.read_only else ""
    if not store.read_only:
        store.ensure_annotator(annotator)
    window = MainWindow(store, settings, annotator)
    window.show()
    # Without a window manager (Xvfb, kiosk sessions) nobody else gives the window focus.
    window.raise_()
    window.activateWindow()
    said = [text for text in (opened, location_warning(db_path)) if text]
    if said:
        icon = QMessageBox.Icon.Warning
        window.opening_notice = show_notice(window, "Marginalia", "\n\n".join(said), icon)
    if report is not None:
        window.statusBar().showMessage(f"New project with sample articles: {report.summary()}")
    code = app.exec()
    window.close_project()  # whichever project is open now; its lock goes
    return int(code)
