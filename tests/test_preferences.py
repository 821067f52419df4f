"""Preferences (issue 13 item 4): font and zoom, theme with readable spans, word snapping,
backups kept; all remembered per user in QSettings."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.schema import load_schema
from desktop_app.core.store.backups import list_backups, take_backup
from desktop_app.paths import default_schema_path
from desktop_app.ui.colors import (
    AA_CONTRAST,
    contrast_ratio,
    readable_text,
    relative_luminance,
    span_background,
)
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.preferences_dialog import Preferences, PreferencesDialog

DEFAULT_COLORS = sorted({label.color for label in load_schema(default_schema_path()).labels})
TEXT = "Ana met Bea in Tbilisi on Monday, and then they both left for Baku together."


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "u1", title="One")])
    yield store
    store.close()


@pytest.fixture
def window(project, show_window):
    window = show_window(project, "ana")
    yield window
    window.preferences.apply(Preferences())  # the application's theme is shared by tests


def test_contrast_ratio_matches_wcag_figures():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert readable_text("#ffffff") == "#000000"
    assert readable_text("#000080") == "#ffffff"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("color", DEFAULT_COLORS)
def test_every_default_label_colour_reads_on_both_themes(color, dark):
    background = span_background(color, dark)
    assert contrast_ratio(readable_text(background), background) >= AA_CONTRAST
    if dark:  # shaded for white text on a dark page, in the label's own hue
        assert readable_text(background) == "#ffffff"
        assert relative_luminance(background) < relative_luminance(color)


@pytest.mark.parametrize("color", ["#808080", "#7f7f00", "#ff0000", "#00a0a0", "#5a5aff"])
def test_mid_tones_that_fooled_the_old_rule_still_pass(color):
    for dark in (False, True):
        background = span_background(color, dark)
        assert contrast_ratio(readable_text(background), background) >= AA_CONTRAST


def _painted(window, start):
    fmt = window.view.span_format_at(start)
    assert fmt is not None
    return fmt.foreground().color().name(), fmt.background().color().name()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_view_paints_spans_with_readable_text(qtbot, window, theme):
    window.preferences.apply(Preferences(theme=theme))
    assert window.preferences.dark is (theme == "dark")
    spans = [lb for lb in window.labels.values() if lb.kind == "span"]
    words = [(m, m + 3) for m in range(0, 3 * len(spans), 4)]
    text = "x" * (4 * len(spans))
    window.view.show_article(text, [], {})
    from desktop_app.core.model import Span

    made = [
        Span(f"s{i}", 1, "ana", label.name, a, b, text[a:b], "", "", "")
        for i, (label, (a, b)) in enumerate(zip(spans, words, strict=False))
    ]
    # An overlap too: its darker blend must still read.
    made.append(Span("outer", 1, "ana", spans[0].name, 0, 7, text[0:7], "", "", ""))
    window.view.show_article(text, made, window.labels)
    for span in made:
        foreground, background = _painted(window, span.start)
        assert contrast_ratio(foreground, background) >= AA_CONTRAST, (span.label, theme)
        if span.uuid != "outer" and span.start >= 8:
            assert background == span_background(window.labels[span.label].color, theme == "dark")
    window.view.set_selected_span("s1")
    foreground, background = _painted(window, made[1].start)
    assert contrast_ratio(foreground, background) >= AA_CONTRAST


def test_dark_theme_switches_the_palette_and_back(qtbot, window):
    window.preferences.apply(Preferences(theme="dark"))
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    assert base.lightness() < 128
    assert QApplication.style().name().lower() == "fusion"
    window.preferences.apply(Preferences(theme="light"))
    assert QApplication.palette().color(QPalette.ColorRole.Base).lightness() >= 128


def test_preferences_dialog_applies_and_remembers(qtbot, window, monkeypatch):
    def answer(dialog):
        dialog.size_box.setValue(17)
        dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
        dialog.snap_box.setChecked(True)
        dialog.backups_box.setValue(3)
        return True

    monkeypatch.setattr(PreferencesDialog, "exec", answer)
    window.preferences.open_dialog()
    assert window.view.font().pointSize() == 17
    assert window.view.snap_words is True
    assert window.store.backups_kept == 3
    settings = QSettings(window.settings.fileName(), QSettings.Format.IniFormat)
    again = Preferences.load(settings)
    assert (again.font_size, again.theme, again.snap_words, again.backups_kept) == (
        17,
        "dark",
        True,
        3,
    )


def test_zoom_keys_change_the_article_and_are_remembered(qtbot, window):
    size = window.view.font().pointSize()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSize() == size + 2
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSize() == size + 1
    assert Preferences.load(window.settings).font_size == size + 1
    again = MainWindow(window.store, window.settings, "ana")
    qtbot.addWidget(again)
    assert again.view.font().pointSize() == size + 1
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSize() == Preferences().font_size


def test_backups_kept_is_a_parameter_of_the_rotation(tmp_path):
    store, _ = open_project(tmp_path / "b.sqlite", default_schema_path())
    path = store.path
    store.close()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for minute in range(6):  # all within one day: only the count keeps them
        take_backup(path, "manual", now=start + timedelta(minutes=minute), keep=3)
    assert len(list_backups(path)) == 3
    take_backup(path, "manual", now=start + timedelta(minutes=10))  # the default keeps 10
    assert len(list_backups(path)) == 4


def test_the_store_rotates_with_the_preference(qtbot, window):
    window.preferences.apply(Preferences(backups_kept=2))
    for _ in range(4):
        window.store.backup("manual")
    assert len(list_backups(window.store.path)) == 2
