"""Test set-up: run Qt without a display (DESIGN.md section 11)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def show_window(qtbot, tmp_path):
    """Open the main window on a store as `annotator`, shown and active, settings in tmp_path."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.safety_actions import CHECKING

    def show(store, annotator="ana"):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings, annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        # Edits wait for the integrity check that runs when a project opens.
        qtbot.waitUntil(lambda: window.store.read_only != CHECKING)
        return window

    return show


@pytest.fixture
def damage_pages():
    """Overwrite pages in the middle of a file, as a bad disk or a crashed copy would."""

    def damage(path):
        with open(path, "r+b") as handle:
            handle.seek(path.stat().st_size // 2 // 4096 * 4096)
            handle.write(os.urandom(4096 * 4))

    return damage


@pytest.fixture
def desk(qtbot, tmp_path, monkeypatch):
    """make(path): a window on the project at `path`, built as the composition root builds it;
    a second window on the same settings file is what the next start of the program sees."""
    from PySide6.QtCore import QSettings

    from desktop_app.core.project import open_for_window
    from desktop_app.paths import default_schema_path, samples_dir
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.opening_check import CHECKING

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the dialogs' first folder
    (tmp_path / "home").mkdir()
    windows = []

    def make(path):
        opened = open_for_window(path, default_schema_path())
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(
            opened.store, settings, "ana", schema_path=default_schema_path(), samples=samples_dir()
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.context.is_open or window.store.read_only != CHECKING)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.close_project()
