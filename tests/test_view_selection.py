"""Mouse selection in the reader: snapping to words, double-clicks, a selection outline."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from desktop_app.core.model import Label, Span
from desktop_app.ui.article_view import ArticleView

GEORGIAN = "საქართველოს"
TEXT = (
    "Gordon Brown said thank you, Tamar! He had to introduce controls.\n"
    f"A sum of €250,000 was paid in {GEORGIAN} by the \U0001f44d\U0001f3fd minister.\n"
    "The minister said the budget would rise by ten percent next year, and "
    "the opposition said the figures were wrong on every count they could find.\n"
)
LABELS = {"Person": Label("Person", color="#ffc09f")}


def qt_pos(text, cp):
    return len(text[:cp].encode("utf-16-le")) // 2


def point_at(view, cp):
    """The viewport point in the middle of the character at `cp` (left-to-right text)."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(TEXT, cp))
    left = view.cursorRect(cursor)
    cursor.setPosition(qt_pos(TEXT, cp + 1))
    right = view.cursorRect(cursor)
    return QPoint((left.center().x() + right.center().x()) // 2, left.center().y())


def span_on(uuid, word, label="Person"):
    start = TEXT.index(word)
    stamp = "2024-01-01T00:00:00"
    end = start + len(word)
    return Span(uuid, 1, "ana", label, start, end, TEXT[start:end], "", stamp, stamp)


@pytest.fixture
def view(qtbot):
    widget = ArticleView()
    qtbot.addWidget(widget)
    widget.resize(520, 400)
    widget.show_article(TEXT, [span_on("minister", "minister said")], LABELS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def drag(qtbot, view, first, last, modifier=Qt.KeyboardModifier.NoModifier):
    """Press on character `first`, move and release on character `last`, as a hand would."""
    port = view.viewport()
    qtbot.mousePress(port, Qt.MouseButton.LeftButton, modifier, point_at(view, first))
    qtbot.mouseMove(port, point_at(view, (first + last) // 2))
    qtbot.mouseMove(port, point_at(view, last))
    qtbot.mouseRelease(port, Qt.MouseButton.LeftButton, modifier, point_at(view, last))
    s, e = view.selected_range()
    return TEXT[s:e]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("ordon Bro", "Gordon Brown"),
        ("u, Tamar!", "you, Tamar"),
        ("o introduce co", "to introduce controls"),
        ("ართველ", GEORGIAN),
    ],
)
def test_drag_snaps_to_whole_words(qtbot, view, fragment, expected):
    assert view.snap_words is True  # on by default
    start = TEXT.index(fragment)
    # The press lands on the first character and the release inside the last one.
    assert drag(qtbot, view, start, start + len(fragment) - 1) == expected


def test_alt_drag_keeps_exact_characters(qtbot, view):
    start = TEXT.index("ordon Bro")
    got = drag(qtbot, view, start, start + 8, Qt.KeyboardModifier.AltModifier)
    assert got.startswith("ordon Br") and got != "Gordon Brown"


def test_snapping_off_keeps_exact_characters(qtbot, view):
    view.snap_words = False
    start = TEXT.index("ordon Bro")
    assert drag(qtbot, view, start, start + 8).startswith("ordon Br")


def test_double_click_selects_a_whole_amount(qtbot, view):
    cp = TEXT.index("000")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, cp + 1))
    s, e = view.selected_range()
    assert TEXT[s:e] == "€250,000"


def layout_of(view, cp):
    """(lines of the paragraph holding `cp`, x and y of `cp`): what a re-wrap would change."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(TEXT, cp))
    rect = view.cursorRect(cursor)
    return cursor.block().layout().lineCount(), rect.x(), rect.y()


def test_selecting_a_span_keeps_the_layout(qtbot, view):
    long_span = span_on("long", "budget would rise by ten percent next year, and the opposition")
    view.set_spans([long_span, span_on("minister", "minister said")], LABELS)
    after = TEXT.index("figures")
    before = layout_of(view, after)
    view.set_selected_span("long")
    assert view.selected_span() == "long"
    assert layout_of(view, after) == before
    # The selection is still visible: an outline is painted over the span's rectangles.
    rects = view.span_rects("long")
    assert len(rects) >= 2  # the span wraps over lines; each line gets its own rectangle
    assert all(r.width() > 0 for r in rects)
    view.set_selected_span(None)
    assert view.span_rects("long") and layout_of(view, after) == before


def test_selected_span_outline_is_painted(qtbot, view):
    span = span_on("minister", "minister said")
    view.set_selected_span("minister")
    view.repaint()
    image = view.viewport().grab().toImage()
    rect = view.span_rects("minister")[0]
    # The outline's top edge is drawn in the outline colour, darker than the span background.
    edge = image.pixelColor(int(rect.center().x()), int(rect.top()) + 1)
    assert edge.lightness() < 110, (edge.name(), span.quote)


def test_outline_of_a_long_span_scrolled_far_down_is_where_the_view_shows_it(qtbot, view):
    text = "\n".join(f"Paragraph {i} with a few words in it." for i in range(400))
    stamp = "2024-01-01T00:00:00"
    whole = Span("all", 1, "ana", "Person", 0, len(text), text, "", stamp, stamp)
    view.show_article(text, [whole], LABELS)
    view.set_selected_span("all")
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    rects = view.span_rects("all")
    height = view.viewport().height()
    assert rects and all(r.bottom() >= 0 and r.top() <= height for r in rects)
    assert len(rects) < 60  # only the lines on screen
