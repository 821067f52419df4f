"""Adjusting a span's edges, its right-click menu and the note editor (issue 14 items 3-4)."""

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
TEXT = "Minister Gordon Brown met 🇬🇪 ნინო ბერიძე in Tbilisi today."


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "u1", title="A")])
    window = show_window(store, "ana")
    window.resize(1200, 800)
    yield window
    store.close()


def made_span(window, word, note=""):
    """A span by ana over `word`, selected in the text as a click would."""
    article = window.article
    start = TEXT.index(word)
    span = window.editing.editor.add_span(article.id, start, start + len(word), "Person", note)
    window.context.annotations_changed.emit()
    window.editing.select_span(span.uuid)
    window.view.setFocus()
    return span


def live(window):
    return [(s.quote, s.label, s.note) for s in window.store.spans(window.article.id)]


@pytest.mark.parametrize(
    ("key", "modifier", "quote"),
    [
        (Qt.Key.Key_Right, SHIFT | ALT, "Gordon Brown m"),  # end, a character (space skipped)
        (Qt.Key.Key_Left, SHIFT | ALT, "Gordon Brow"),
        (Qt.Key.Key_Right, CTRL | SHIFT | ALT, "Gordon Brown met"),  # end, a word
        (Qt.Key.Key_Left, CTRL | ALT, "r Gordon Brown"),  # start, a character
        (Qt.Key.Key_Right, CTRL | ALT, "ordon Brown"),
        (Qt.Key.Key_Left, ALT, "Minister Gordon Brown"),  # start, a word
    ],
)
def test_keys_move_a_span_edge_as_one_undoable_edit(qtbot, window, key, modifier, quote):
    made_span(window, "Gordon Brown", note="PM")
    qtbot.keyClick(window.view, key, modifier)
    assert live(window) == [(quote, "Person", "PM")]
    moved = window.store.spans(window.article.id)[0]
    assert moved.quote == TEXT[moved.start : moved.end]
    assert window.view.selected_span() == moved.uuid  # still selected: press again to go on
    assert window.editing.editor.undo_text().startswith("adjust")
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert live(window) == [("Gordon Brown", "Person", "PM")]


def test_adjust_over_georgian_and_a_flag_keeps_code_points(qtbot, window):
    made_span(window, "ნინო")
    qtbot.keyClick(window.view, Qt.Key.Key_Right, CTRL | SHIFT | ALT)
    assert live(window)[0][0] == "ნინო ბერიძე"
    qtbot.keyClick(window.view, Qt.Key.Key_Left, CTRL | ALT)
    assert live(window)[0][0] == "🇪 ნინო ბერიძე"  # one code point: half of the flag


def test_right_click_menu_on_a_span_offers_relabel_note_adjust_delete(qtbot, window):
    span = made_span(window, "Brown")
    window.editing.select_span("")
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(TEXT.index("Brown") + 2)
    menu = window.view.span_menu(window.view.cursorRect(cursor).center())
    assert window.view.selected_span() == span.uuid  # the right-click selected the span
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    for wanted in ("Relabel", "note", "start", "end", "Delete"):
        assert any(wanted in t for t in texts), (wanted, texts)
    grow = next(a for a in menu.actions() if "end one word right" in a.text().replace("&", ""))
    grow.trigger()
    assert live(window)[0][0] == "Brown met"
    delete = next(a for a in menu.actions() if "Delete" in a.text())
    delete.trigger()
    assert live(window) == []
    assert window.view.span_menu(QPoint(2, 2)) is None  # the margin: no span, no menu


def answer_note_editor(qtbot, typed, keys):
    """When the note editor opens, type `typed` and press `keys` (a list of (key, modifier))."""
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        editor = dialog.findChild(QPlainTextEdit)
        seen["wrap"] = editor.lineWrapMode()
        seen["height"] = editor.height()
        editor.setFocus()
        editor.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(editor, " typed words")  # keys, spaces included, reach the note
        editor.insertPlainText(typed)
        QApplication.processEvents()
        seen["grown"] = editor.height()
        for key, modifier in keys:
            qtbot.keyClick(editor, key, modifier)

    QTimer.singleShot(0, answer)
    return seen


def test_f2_note_editor_wraps_grows_and_saves_with_ctrl_return(qtbot, window):
    made_span(window, "Tbilisi", note="capital")
    long_note = " and a long remark that goes on" * 12 + "\nsecond paragraph\nthird\nfourth"
    seen = answer_note_editor(qtbot, long_note, [(Qt.Key.Key_Return, CTRL)])
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert live(window) == [("Tbilisi", "Person", "capital typed words" + long_note)]
    assert seen["wrap"] == QPlainTextEdit.LineWrapMode.WidgetWidth
    assert seen["grown"] > seen["height"]


def test_note_editor_escape_keeps_the_note(qtbot, window):
    made_span(window, "Tbilisi", note="capital")
    answer_note_editor(qtbot, " changed", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)])
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert live(window) == [("Tbilisi", "Person", "capital")]


def edge_point(window, cp):
    """The viewport point on the caret line before code point `cp` (no astral text before)."""
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(cp)
    return window.view.cursorRect(cursor).center()


def test_dragging_a_span_edge_with_the_mouse_moves_it(qtbot, window):
    span = made_span(window, "Gordon", note="PM")
    port = window.view.viewport()
    left = Qt.MouseButton.LeftButton
    end = edge_point(window, span.end)
    target = edge_point(window, TEXT.index("Brown") + 2)  # inside "Brown": snaps to its end
    qtbot.mousePress(port, left, pos=end)
    qtbot.mouseMove(port, target)
    qtbot.mouseRelease(port, left, pos=target)
    assert live(window) == [("Gordon Brown", "Person", "PM")]
    assert window.view.selected_range() is None  # the drag moved the edge, selected no text
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert live(window) == [("Gordon", "Person", "PM")]


def test_dragging_a_span_start_edge_to_the_left(qtbot, window):
    span = made_span(window, "Brown")
    port = window.view.viewport()
    left = Qt.MouseButton.LeftButton
    start = edge_point(window, span.start)
    target = edge_point(window, TEXT.index("Gordon") + 3)
    qtbot.mousePress(port, left, pos=start)
    qtbot.mouseMove(port, target)
    qtbot.mouseRelease(port, left, pos=target)
    assert live(window)[0][0] == "Gordon Brown"
