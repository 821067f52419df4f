"""Preferences: the article's font, zoom and line spacing, the theme, snapping, backups kept."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.preferences_dialog import (
    MAX_POINT_SIZE,
    MIN_POINT_SIZE,
    Preferences,
    PreferencesDialog,
)
from desktop_app.ui.shell import Shell
from desktop_app.ui.theme import apply_theme

ZOOM_IN_KEYS = ("Ctrl++", "Ctrl+=")  # "=" is "+" without Shift on many keyboards


class PreferencesController(Controller):
    """Edit > Preferences… and View > Zoom; every change is applied at once and remembered."""

    def __init__(self, context: ProjectContext, shell: Shell, settings: QSettings) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self.preferences = Preferences.load(settings)
        self.dialog: PreferencesDialog | None = None
        self._theme = ""  # the theme applied last ("" before the first)
        self.dark = False  # whether that theme is dark
        self._separator("&Edit")
        self._action("&Edit", "&Preferences…", self.open_dialog, "Ctrl+,", needs_project=False)
        self._separator("&View")
        zoom_in = self._action("&View", "Zoom &in", lambda: self.zoom(1), needs_project=False)
        zoom_in.setShortcuts([QKeySequence(key) for key in ZOOM_IN_KEYS])
        self._action("&View", "Zoom &out", lambda: self.zoom(-1), "Ctrl+-", needs_project=False)
        self._action("&View", "&Actual size", self.zoom_reset, "Ctrl+0", needs_project=False)
        context.project_opened.connect(self._opened)
        self.apply(self.preferences)

    def _opened(self) -> None:
        self.store.backups_kept = self.preferences.backups_kept

    def apply(self, preferences: Preferences) -> None:
        """Use `preferences` now and remember them."""
        self.preferences = preferences
        view = self.shell.view
        view.setFont(preferences.font(view.font()))
        view.set_line_spacing(preferences.line_spacing)
        view.snap_words = preferences.snap_words
        if preferences.theme != self._theme:
            self._theme, self.dark = preferences.theme, apply_theme(preferences.theme)
        view.set_dark(self.dark)
        if self.context.is_open:
            self.store.backups_kept = preferences.backups_kept
        preferences.save(self.settings)

    def open_dialog(self) -> None:
        """Edit > Preferences…: change them; OK applies and remembers them."""
        self.dialog = PreferencesDialog(self.preferences, self.shell.window)
        if self.dialog.exec():
            self.apply(self.dialog.chosen())
            self.shell.say("Preferences saved", 4000)
        self.dialog = None

    def zoom(self, steps: int) -> None:
        """Make the article's text `steps` points larger (or smaller); remembered."""
        size = self.preferences.font_size + steps
        size = min(max(size, MIN_POINT_SIZE), MAX_POINT_SIZE)
        self.apply(replace(self.preferences, font_size=size))
        self.shell.say(f"Article text at {size} pt", 2000)

    def zoom_reset(self) -> None:
        """Back to the default article size (Ctrl+0)."""
        self.apply(replace(self.preferences, font_size=Preferences().font_size))
