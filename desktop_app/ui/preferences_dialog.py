"""Edit > Preferences…: what the analyst can set, read from and written to QSettings."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFontComboBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store.backups import KEEP_DAYS, KEEP_RECENT
from desktop_app.ui.article_view import READING_POINT_SIZE
from desktop_app.ui.line_spacing import LINE_SPACINGS
from desktop_app.ui.theme import THEMES

MIN_POINT_SIZE, MAX_POINT_SIZE = 7, 48
_THEME_NAMES = {"system": "The system's", "light": "Light", "dark": "Dark"}


@dataclass(frozen=True)
class Preferences:
    """The analyst's preferences (remembered per user)."""

    font_family: str = ""  # "" is the system's default font
    font_size: int = int(READING_POINT_SIZE)
    line_spacing: int = 100  # percent of the font's line height, one of LINE_SPACINGS
    theme: str = "system"
    snap_words: bool = True
    backups_kept: int = KEEP_RECENT

    @classmethod
    def load(cls, settings: QSettings) -> Preferences:
        """Read the preferences (defaults for what was never set or is out of range)."""
        default = cls()
        theme = str(settings.value("view/theme", default.theme))
        size = _int(settings.value("view/font_size"), default.font_size)
        kept = _int(settings.value("backups/kept"), default.backups_kept)
        spacing = _int(settings.value("view/line_spacing"), default.line_spacing)
        return cls(
            font_family=str(settings.value("view/font_family", "") or ""),
            font_size=min(max(size, MIN_POINT_SIZE), MAX_POINT_SIZE),
            # A value edited by hand becomes the nearest spacing offered.
            line_spacing=min(LINE_SPACINGS, key=lambda offered: abs(offered - spacing)),
            theme=theme if theme in THEMES else default.theme,
            snap_words=bool(settings.value("edit/snap_words", True, type=bool)),
            backups_kept=max(1, kept),
        )

    def save(self, settings: QSettings) -> None:
        """Write the preferences."""
        settings.setValue("view/font_family", self.font_family)
        settings.setValue("view/font_size", self.font_size)
        settings.setValue("view/line_spacing", self.line_spacing)
        settings.setValue("view/theme", self.theme)
        settings.setValue("edit/snap_words", self.snap_words)
        settings.setValue("backups/kept", self.backups_kept)
        settings.sync()

    def font(self, base: QFont) -> QFont:
        """The article's font: `base` with this family and size."""
        font = QFont(base)
        if self.font_family:
            font.setFamily(self.font_family)
        font.setPointSize(self.font_size)
        return font


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


class PreferencesDialog(QDialog):
    """The preferences as a form; `chosen()` is what the form says."""

    def __init__(self, current: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences")
        self._current = current
        self.font_box = QFontComboBox()
        self.font_box.setAccessibleName("Article font")
        if current.font_family:
            self.font_box.setCurrentFont(QFont(current.font_family))
        self.size_box = QSpinBox()
        self.size_box.setAccessibleName("Article font size")
        self.size_box.setRange(MIN_POINT_SIZE, MAX_POINT_SIZE)
        self.size_box.setSuffix(" pt")
        self.size_box.setValue(current.font_size)
        self.spacing_box = QComboBox()
        self.spacing_box.setAccessibleName("Line spacing")
        for percent in LINE_SPACINGS:
            self.spacing_box.addItem(f"{percent}%", percent)
        self.spacing_box.setCurrentIndex(self.spacing_box.findData(current.line_spacing))
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName("Theme")
        for theme in THEMES:
            self.theme_box.addItem(_THEME_NAMES[theme], theme)
        self.theme_box.setCurrentIndex(self.theme_box.findData(current.theme))
        self.snap_box = QCheckBox("Snap selections to whole words")
        self.snap_box.setChecked(current.snap_words)
        self.backups_box = QSpinBox()
        self.backups_box.setAccessibleName("Backups to keep")
        self.backups_box.setRange(1, 1000)
        self.backups_box.setValue(current.backups_kept)
        form = QFormLayout()
        form.addRow("Article &font", self.font_box)
        form.addRow("Font &size", self.size_box)
        form.addRow("&Line spacing", self.spacing_box)
        form.addRow("&Theme", self.theme_box)
        form.addRow("", self.snap_box)
        form.addRow("&Backups to keep", self.backups_box)
        note = QLabel(
            f"Besides these, the newest backup of each of the last {KEEP_DAYS} days is kept. "
            f"Ctrl++ and Ctrl+- zoom the article; Ctrl+0 goes back to {Preferences().font_size} pt."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def chosen(self) -> Preferences:
        """The preferences the form shows."""
        family = self.font_box.currentFont().family()
        return replace(
            self._current,
            font_family=family,
            font_size=self.size_box.value(),
            line_spacing=int(self.spacing_box.currentData()),
            theme=str(self.theme_box.currentData()),
            snap_words=self.snap_box.isChecked(),
            backups_kept=self.backups_box.value(),
        )
