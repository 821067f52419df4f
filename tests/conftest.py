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
