"""Keyboard and accessibility (issue 13 item 6): F6 walks the panes, a key goes into the text,
Tab leaves the list, a span is made without the mouse, every control has a name."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
)


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles(
        [
            ArticleDraft("Tbilisi 🇬🇪: ნინო ბერიძე met the minister.", "u1", title="A"),
            ArticleDraft("Plain article about energy.", "u2", title="B"),
            ArticleDraft("Third article on diplomacy.", "u3", title="C"),
        ]
    )
    yield store
    store.close()


@pytest.fixture
def window(project, show_window):
    window = show_window(project, "ana")
    window.resize(1400, 860)  # room for every pane
    QApplication.processEvents()
    return window


def _focus():
    return QApplication.focusWidget()


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, times=1):
    for _ in range(times):
        qtbot.keyClick(_focus(), key, modifier)


def test_f6_walks_search_list_text_labels_annotations_and_back(qtbot, window):
    window.reading.focus_search()
    qtbot.waitUntil(lambda: _focus() is window.filter_bar.search)
    first_label = next(iter(window.label_palette.buttons.values()))
    expected = [window.table, window.view, first_label, window.annotation_list]
    expected.append(window.filter_bar.search)
    for widget in expected:
        _press(qtbot, Qt.Key.Key_F6)
        assert _focus() is widget, widget.objectName()
    for widget in reversed(expected[:-1]):
        _press(qtbot, Qt.Key.Key_F6, SHIFT)
        assert _focus() is widget, widget.objectName()


def test_f6_skips_a_hidden_pane(qtbot, window):
    window.labels_dock.hide()
    window.view.setFocus()
    _press(qtbot, Qt.Key.Key_F6)
    assert _focus() is window.annotation_list


def test_tab_leaves_the_list_without_opening_other_articles(qtbot, window):
    assert not window.table.tabKeyNavigation()
    window.reading.focus_search()
    opened = window.article.uid
    _press(qtbot, Qt.Key.Key_Tab)
    seen = set()
    for _ in range(6):
        seen.add(_focus())
        _press(qtbot, Qt.Key.Key_Tab)
        assert window.article.uid == opened
    assert window.view in seen or window.table in seen


def test_escape_in_search_goes_to_the_list_and_enter_to_the_text(qtbot, window):
    window.reading.focus_search()
    _press(qtbot, Qt.Key.Key_Escape)
    assert _focus() is window.table
    _press(qtbot, Qt.Key.Key_Return)
    assert _focus() is window.view
    assert window.article.uid == "u1"


@pytest.mark.parametrize(
    ("uid", "right", "select", "quote"),
    [("u2", 6, 7, "article"), ("u1", 8, 1, "🇬🇪"), ("u1", 11, 4, "ნინო")],
)
def test_a_span_made_with_the_keyboard_alone(qtbot, window, uid, right, select, quote):
    window.table.setFocus()
    while window.article.uid != uid:
        _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_T, CTRL | SHIFT)  # into the text
    assert _focus() is window.view
    assert window.view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    _press(qtbot, Qt.Key.Key_Home, CTRL)
    _press(qtbot, Qt.Key.Key_Right, times=right)
    _press(qtbot, Qt.Key.Key_Right, SHIFT, times=select)
    _press(qtbot, Qt.Key.Key_P)  # Person's key
    [span] = window.store.spans(window.article.id, "ana")
    assert (span.label, span.quote) == ("Person", quote)
    assert window.article.text[span.start : span.end] == quote


def test_f6_from_the_list_reaches_the_text_for_a_span(qtbot, window):
    window.table.setFocus()
    _press(qtbot, Qt.Key.Key_F6)
    assert _focus() is window.view
    _press(qtbot, Qt.Key.Key_Right, CTRL | SHIFT)  # a whole word
    _press(qtbot, Qt.Key.Key_L)
    [span] = window.store.spans(window.article.id, "ana")
    assert (span.label, span.quote) == ("Location", "Tbilisi")


def _internal(widget):
    """Parts Qt builds inside another control, named by it: a combo box's popup, a spin box's
    editor, a line edit's clear button, a table's headers and corner button."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QLineEdit | QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def test_every_control_has_an_accessible_name_or_visible_text(qtbot, window):
    window.start_review()  # its panel too
    nameless = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or _internal(widget):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName().strip() or text.strip()):
            parent = widget.parentWidget()
            nameless.append(f"{type(widget).__name__} {widget.objectName()!r} in {parent}")
    assert not nameless
