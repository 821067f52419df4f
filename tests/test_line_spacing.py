"""Line spacing (issue 13 item 4): wrapped lines move apart by the chosen factor, spans,
suggestions and outlines stay on their text, offsets never change, and the preference is
remembered per user and kept across articles."""

import itertools

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QTextCursor

from desktop_app.core.model import ArticleDraft, Label, Span
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.line_spacing import LINE_SPACINGS
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.preferences_dialog import Preferences, PreferencesDialog

WORDS = " ".join(f"word{i:03d}" for i in range(120))  # one paragraph, wraps many times
TEXT = f"Headline here\n{WORDS}\nLast paragraph, short.\n"
LABELS = {"Claim": Label("Claim", color="#ffadad"), "Person": Label("Person", color="#9bf6ff")}
# A span over several wrapped lines and one short one on a later line.
LONG = (TEXT.index("word010"), TEXT.index("word060") + len("word060"))
SHORT = (TEXT.index("word090"), TEXT.index("word090") + len("word090"))


def _span(uuid, label, start, end):
    stamp = "2024-01-01T00:00:00"
    return Span(uuid, 1, "ana", label, start, end, TEXT[start:end], "", stamp, stamp)


SPANS = [_span("long", "Claim", *LONG), _span("short", "Person", *SHORT)]


def _cursor_rect(view, cp):
    cursor = QTextCursor(view.document())
    cursor.setPosition(cp)  # TEXT is ASCII: code points are Qt positions
    return view.cursorRect(cursor)


def _line_tops(view):
    """Viewport tops of the long paragraph's first lines, read through cursorRect."""
    layout = view.document().findBlockByNumber(1).layout()
    start = view.document().findBlockByNumber(1).position()
    return [_cursor_rect(view, start + layout.lineAt(i).textStart()).top() for i in range(4)]


@pytest.fixture
def view(qtbot):
    widget = ArticleView()
    qtbot.addWidget(widget)
    widget.resize(500, 700)
    widget.show_article(TEXT, SPANS, LABELS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("percent", LINE_SPACINGS[1:])
def test_wrapped_lines_move_apart_by_the_factor(view, percent):
    single = _line_tops(view)
    pitch = single[1] - single[0]
    assert pitch > 0 and single[2] - single[1] == pitch
    view.set_line_spacing(percent)
    assert view.line_spacing() == percent
    spaced = _line_tops(view)
    for a, b in itertools.pairwise(spaced):
        # Whole pixels: the extra space is rounded, never blurred.
        assert b - a == pytest.approx(pitch * percent / 100, abs=1)
    # The next paragraph moves down too, and back at 100%.
    assert view.blockBoundingGeometry(view.document().lastBlock()).top() > pitch * 12
    view.set_line_spacing(100)
    assert _line_tops(view) == single


@pytest.mark.parametrize("percent", LINE_SPACINGS)
def test_spans_and_outlines_stay_on_their_text(view, qtbot, percent):
    view.set_line_spacing(percent)
    view.set_selected_span("long")
    rects = view.span_rects("long")
    assert len(rects) >= 3  # the span wraps
    layout = view.document().findBlockByNumber(1).layout()
    block_start = view.document().findBlockByNumber(1).position()
    for rect in rects:
        # Each line's rectangle starts where the caret is at its first character on that line.
        position = view.cursorForPosition(rect.center().toPoint()).position() - block_start
        line_start = max(LONG[0], block_start + layout.lineForTextPosition(position).textStart())
        caret = _cursor_rect(view, line_start)
        assert rect.top() == pytest.approx(caret.top(), abs=1)
        assert rect.height() == pytest.approx(caret.height(), abs=1)
        assert rect.left() == pytest.approx(caret.left(), abs=2)
    # The painted pixels agree: the span's colour in the middle of each rectangle, the page's
    # own colour in the space between two lines.
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    base = view.palette().color(view.viewport().backgroundRole()).name()
    for rect in rects[1:-1]:
        centre = rect.center()
        painted = QColor(image.pixel(int(centre.x() * ratio), int(centre.y() * ratio)))
        assert painted.name() != base
    if percent >= 150:
        gap_y = (rects[1].bottom() + rects[2].top()) / 2
        gap = QColor(image.pixel(int(rects[1].center().x() * ratio), int(gap_y * ratio)))
        assert gap.name() == base


@pytest.mark.parametrize("percent", LINE_SPACINGS)
def test_offsets_quotes_and_clicks_are_unchanged(view, qtbot, percent):
    view.set_line_spacing(percent)
    view.select_range(*LONG)
    assert view.selected_range() == LONG
    start, end = view.selected_range()
    assert TEXT[start:end].startswith("word010") and TEXT[start:end].endswith("word060")
    # The middle of a character is that character, on every line.
    target = SHORT[0] + 2
    caret, after = _cursor_rect(view, target), _cursor_rect(view, target + 1)
    middle = QPoint((caret.center().x() + after.center().x()) // 2, caret.center().y())
    assert view.cp_at_point(middle) == target
    assert view.spans_at(target)[0].uuid == "short"
    if percent == 100:
        return
    # In the space between two lines, a point belongs to the nearer line (not to none).
    assert view.cp_at_point(QPoint(middle.x(), caret.bottom() + 1)) == target
    assert view.cp_at_point(QPoint(middle.x(), caret.top() - 1)) == target


def test_spacing_is_kept_when_another_article_opens(view):
    view.set_line_spacing(200)
    before = _line_tops(view)
    view.show_article(TEXT.upper(), [], LABELS)
    assert view.line_spacing() == 200
    after = _line_tops(view)
    assert after[1] - after[0] == before[1] - before[0]


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "u1", title="One"), ArticleDraft(TEXT, "u2", title="2")])
    window = show_window(store, "ana")
    yield window
    window.preferences.apply(Preferences())  # the application's theme is shared by tests
    store.close()


def test_the_preference_applies_at_once_and_is_remembered(qtbot, window, monkeypatch):
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.view.toPlainText() == TEXT)
    single = _line_tops(window.view)

    def answer(dialog):
        assert dialog.spacing_box.currentData() == 100
        dialog.spacing_box.setCurrentIndex(dialog.spacing_box.findData(150))
        return True

    monkeypatch.setattr(PreferencesDialog, "exec", answer)
    window.preferences.open_dialog()
    assert window.view.line_spacing() == 150
    spaced = _line_tops(window.view)
    assert spaced[1] - spaced[0] > single[1] - single[0]
    settings = QSettings(window.settings.fileName(), QSettings.Format.IniFormat)
    assert Preferences.load(settings).line_spacing == 150
    # Another article keeps it; so does a new window, and zooming leaves it alone.
    window.table.selectRow(1)
    assert window.view.line_spacing() == 150
    window.preferences.zoom(1)
    assert window.view.line_spacing() == 150
    again = MainWindow(window.store, window.settings, "ana")
    qtbot.addWidget(again)
    assert again.view.line_spacing() == 150
    assert again.preferences.preferences.line_spacing == 150


HAND_EDITED = [("175", 150), ("180", 200), ("9999", 200), ("x", 100)]


@pytest.mark.parametrize(("stored", "loaded"), HAND_EDITED)
def test_a_hand_edited_spacing_becomes_the_nearest_offered(tmp_path, stored, loaded):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/line_spacing", stored)
    assert Preferences.load(settings).line_spacing == loaded


@pytest.mark.parametrize("percent", [100, 200])
def test_the_end_and_a_far_selection_can_be_scrolled_to(qtbot, percent):
    text = "\n".join(f"Paragraph {i}: " + WORDS[: 200 + i] for i in range(300))
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_line_spacing(percent)
    view.show_article(text, [], LABELS)
    view.setFocus()
    for _ in range(40):  # the caret walks down line by line and stays in sight
        qtbot.keyClick(view, Qt.Key.Key_Down)
        assert view.viewport().rect().contains(view.cursorRect())
    assert view.verticalScrollBar().value() > 0
    far = text.index("Paragraph 250:")
    view.select_range(far, far + 9)
    assert view.viewport().rect().contains(_cursor_rect(view, far))
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.wait(10)
    end = _cursor_rect(view, len(text))
    assert view.viewport().rect().contains(end)
