"""ArticleView driven as a user would: Qt cursors, mouse clicks, tooltips, real formats."""

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QHelpEvent,
    QKeySequence,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QMainWindow, QToolTip

from desktop_app.core.model import Label, Span
from desktop_app.ui.article_view import UNKNOWN_LABEL_COLOR, ArticleView

FLAG = "\U0001f1ec\U0001f1ea"  # 🇬🇪
THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽
SCIENTIST = "\U0001f469\u200d\U0001f52c"  # 👩‍🔬
GEORGIAN = "საქართველო"
ARABIC = "مرحبا"
CAFE = "cafe\u0301"  # combining acute accent

TEXT = (
    f"Breaking: {FLAG} Georgia votes. {GEORGIAN} parliament met today.\n"
    f"Reaction {THUMB} from the lab {SCIENTIST} and 北京市 officials.\n"
    f"Arabic headline: {ARABIC} said the {CAFE} owner.\n"
    "The minister said the budget would rise by ten percent next year.\n"
)
LABELS = {
    "Person": Label("Person", color="#ffc09f"),
    "Location": Label("Location", color="#b9fbc0"),
    "Quote": Label("Quote", color="#d7c4f5"),
    "Claim": Label("Claim", color="#ffadad"),
    "Number": Label("Number/Figure", color="#9bf6ff"),
}


def make_span(uuid, label, start, end, text=TEXT, annotator="ana", note=""):
    """A stored-looking span over text[start:end]."""
    stamp = "2024-01-01T00:00:00"
    return Span(uuid, 1, annotator, label, start, end, text[start:end], note, stamp, stamp)


def span_on(uuid, label, word, text=TEXT, **kwargs):
    """A span over the first occurrence of `word`."""
    start = text.index(word)
    return make_span(uuid, label, start, start + len(word), text, **kwargs)


SPANS = [
    span_on("flag", "Location", FLAG),
    span_on("geo", "Location", GEORGIAN, annotator="nino", note="the country's own name"),
    span_on("arabic", "Quote", ARABIC),
    span_on("officials", "Person", "officials"),
    span_on("claim", "Claim", "The minister said the budget would rise by ten percent next year"),
    span_on("minister", "Person", "The minister", annotator="luka", note="<unnamed>"),
    span_on("ten", "Number", "ten percent"),
]


def qt_pos(text, cp):
    """Independent reference for a Qt position: UTF-16 units before code point `cp`."""
    return len(text[:cp].encode("utf-16-le")) // 2


def format_at(view, cp, text=TEXT) -> QTextCharFormat | None:
    """The highlighter's format at code point `cp`, read back from the block layout."""
    pos = qt_pos(text, cp)
    block = view.document().findBlock(pos)
    rel = pos - block.position()
    for rng in block.layout().formats():
        if rng.start <= rel < rng.start + rng.length:
            return QTextCharFormat(rng.format)  # a copy: the range owns its format
    return None


def point_at(view, cp, text=TEXT) -> QPoint:
    """The viewport point in the middle of the character at `cp` (left-to-right text)."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(text, cp))
    left = view.cursorRect(cursor)
    cursor.setPosition(qt_pos(text, cp + 1))
    right = view.cursorRect(cursor)
    return QPoint((left.center().x() + right.center().x()) // 2, left.center().y())


@pytest.fixture
def view(qtbot):
    widget = ArticleView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show_article(TEXT, SPANS, LABELS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("word", [FLAG, GEORGIAN, ARABIC, THUMB, SCIENTIST, CAFE, "北京市"])
def test_cursor_selection_gives_code_points(view, word):
    start = TEXT.index(word)
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(TEXT, start))
    cursor.setPosition(qt_pos(TEXT, start + len(word)), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.textCursor().selectedText() == word  # the Qt positions were the right ones
    got = view.selected_range()
    assert got == (start, start + len(word))
    assert TEXT[got[0] : got[1]] == word


def test_selection_across_line_break_is_cut_from_stored_text(view):
    start, end = TEXT.index("today"), TEXT.index("Reaction") + len("Reaction")
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(TEXT, start))
    cursor.setPosition(qt_pos(TEXT, end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert "\u2029" in view.textCursor().selectedText()  # why quotes never come from Qt
    s, e = view.selected_range()
    assert TEXT[s:e] == "today.\nReaction"


def test_nothing_selected_and_select_range(view):
    assert view.selected_range() is None
    start = TEXT.index(SCIENTIST)
    view.select_range(start, start + len(SCIENTIST) + 4)
    assert view.textCursor().selectedText() == SCIENTIST + " and"
    assert view.selected_range() == (start, start + len(SCIENTIST) + 4)


def test_span_background_is_label_colour(view):
    geo = TEXT.index(GEORGIAN)
    assert format_at(view, geo + 3).background().color() == QColor("#b9fbc0")
    assert format_at(view, TEXT.index(ARABIC) + 1).background().color() == QColor("#d7c4f5")
    # "officials" follows three astral characters in its line: painting must be shifted exactly.
    officials = TEXT.index("officials")
    assert format_at(view, officials).background().color() == QColor("#ffc09f")
    assert format_at(view, officials + len("officials") - 1) is not None
    assert format_at(view, officials - 1) is None
    assert format_at(view, officials + len("officials")) is None
    assert format_at(view, geo - 1) is None
    assert format_at(view, TEXT.index("Breaking")) is None


def test_unknown_label_is_grey(qtbot):
    view = ArticleView()
    qtbot.addWidget(view)
    view.show_article(TEXT, [span_on("x", "Nonexistent", "Georgia")], LABELS)
    assert format_at(view, TEXT.index("Georgia")).background().color() == QColor(
        UNKNOWN_LABEL_COLOR
    )


def test_overlap_looks_different_from_single_span(view):
    single = format_at(view, TEXT.index("said the budget"))  # claim only
    nested = format_at(view, TEXT.index("minister"))  # minister inside claim
    assert single.background().color() == QColor("#ffadad")
    assert single.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
    assert nested.background().color() not in (QColor("#ffadad"), QColor("#ffc09f"))
    assert nested.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline


def test_nested_spans_with_the_same_label_stay_distinct(qtbot):
    view = ArticleView()
    qtbot.addWidget(view)
    outer = span_on("outer", "Person", "The minister said")
    inner = span_on("inner", "Person", "minister")
    view.show_article(TEXT, [outer, inner], LABELS)
    only_outer = format_at(view, TEXT.index("The minister"))
    both = format_at(view, TEXT.index("minister"))
    assert only_outer.background().color() != both.background().color()


def test_span_across_blocks_is_painted_in_both(qtbot):
    view = ArticleView()
    qtbot.addWidget(view)
    start, end = TEXT.index("today"), TEXT.index("Reaction") + 3
    view.show_article(TEXT, [make_span("x", "Quote", start, end)], LABELS)
    assert format_at(view, start).background().color() == QColor("#d7c4f5")
    assert format_at(view, end - 1).background().color() == QColor("#d7c4f5")
    assert format_at(view, end) is None


def test_paragraph_and_line_separators_keep_offsets(qtbot):
    # U+2029 starts a new Qt block, U+2028 does not: the block index must agree with Qt.
    text = f"one{FLAG}\u2029two\u2028three {FLAG} four\nfive"
    view = ArticleView()
    qtbot.addWidget(view)
    spans = [span_on(w, "Person", w, text=text) for w in ("two", "three", "four", "five")]
    view.show_article(text, spans, LABELS)
    for word in ("two", "three", "four", "five"):
        cp = text.index(word)
        assert format_at(view, cp, text).background().color() == QColor("#ffc09f"), word
        assert format_at(view, cp - 1, text) is None, word
    view.select_range(text.index("four"), text.index("four") + 4)
    assert view.textCursor().selectedText() == "four"


def test_spans_at_is_innermost_first(view):
    at_ten = [s.uuid for s in view.spans_at(TEXT.index("ten percent"))]
    assert at_ten == ["ten", "claim"]
    assert [s.uuid for s in view.spans_at(TEXT.index("minister"))] == ["minister", "claim"]
    assert view.spans_at(0) == []
    assert view.spans_at(len(TEXT) + 5) == []


def test_click_on_span_emits_its_uuid(view, qtbot):
    with qtbot.waitSignal(view.spanClicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, TEXT.index(GEORGIAN) + 4)
        )
    assert blocker.args == ["geo"]
    assert view.selected_span() == "geo"


def test_click_on_cursor_rect_centre_hits_span(view, qtbot):
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_pos(TEXT, TEXT.index("officials") + 4))
    with qtbot.waitSignal(view.spanClicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center()
        )
    assert blocker.args == ["officials"]


def test_click_twice_on_overlap_cycles(view, qtbot):
    point = point_at(view, TEXT.index("minister") + 3)
    seen = []
    view.spanClicked.connect(seen.append)
    for _ in range(3):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        qtbot.wait(10)
    assert seen == ["minister", "claim", "minister"]


def test_click_on_right_to_left_word(view, qtbot):
    with qtbot.waitSignal(view.spanClicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, TEXT.index(ARABIC) + 2)
        )
    assert blocker.args == ["arabic"]


def test_click_past_line_end_is_no_span(view, qtbot):
    end = point_at(view, TEXT.index("today.") + 5)  # the full stop ending line 1
    beyond = QPoint(view.viewport().width() - 5, end.y())
    view.set_spans([*SPANS, span_on("dot", "Claim", "today.")], LABELS)
    with qtbot.waitSignal(view.spanClicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=beyond)
    assert blocker.args == [""]


def test_click_off_spans_emits_empty(view, qtbot):
    view.set_selected_span("geo")
    with qtbot.waitSignal(view.spanClicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=point_at(view, TEXT.index("votes"))
        )
    assert blocker.args == [""]
    assert view.selected_span() is None


def test_drag_selection_does_not_click(view, qtbot):
    start = point_at(view, TEXT.index("minister"))
    end = point_at(view, TEXT.index("budget"))
    with qtbot.assertNotEmitted(view.spanClicked):
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(view.viewport(), end)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert view.selected_range() is not None


def test_selected_span_is_darker_never_bold(view):
    # Issue 14: selection used to be bold, which re-wrapped the paragraph; now only colours
    # change and an outline is painted (tests/test_view_selection.py).
    claim_only = TEXT.index("budget")
    before = format_at(view, claim_only).background().color()
    view.set_selected_span("claim")
    assert view.selected_span() == "claim"
    fmt = format_at(view, claim_only)
    assert fmt.fontWeight() != QFont.Weight.Bold
    assert fmt.background().color() != before
    assert format_at(view, TEXT.index(GEORGIAN)).fontWeight() != QFont.Weight.Bold
    view.set_selected_span(None)
    assert format_at(view, claim_only).fontWeight() != QFont.Weight.Bold
    assert format_at(view, claim_only).background().color() == before


def test_tooltip_lists_spans_innermost_first(view):
    tip = view.tooltip_at(TEXT.index("minister"))
    assert "Person" in tip and "Claim" in tip
    assert tip.index("Person") < tip.index("Claim")
    assert "luka" in tip and "ana" in tip
    assert "&lt;unnamed&gt;" in tip  # the note, escaped so it is shown, not parsed
    geo_tip = view.tooltip_at(TEXT.index(GEORGIAN))
    assert "Location" in geo_tip and "nino" in geo_tip and "the country&#x27;s own name" in geo_tip
    assert view.tooltip_at(TEXT.index("votes")) == ""


def test_real_help_event_shows_tooltip(view, qtbot):
    point = point_at(view, TEXT.index(GEORGIAN) + 2)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    assert view.viewportEvent(event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert "nino" in QToolTip.text() and "Location" in QToolTip.text()
    QToolTip.hideText()


def test_set_spans_keeps_scroll_and_repaints(qtbot):
    text = "".join(f"Line {i} with some words.\n" for i in range(2000))
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show_article(text, [], LABELS)
    view.show()
    qtbot.waitExposed(view)
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    shown = view.firstVisibleBlock().blockNumber() + 2  # a line on screen now
    span = span_on("new", "Claim", f"Line {shown} with", text=text)
    view.set_spans([span], LABELS)
    view.grab()  # paint what the user sees (far blocks wait until shown)
    assert bar.value() == scrolled
    assert format_at(view, span.start, text).background().color() == QColor("#ffadad")
    view.set_spans([], LABELS)
    assert format_at(view, span.start, text) is None
    view.show_article(text, [span], LABELS)
    assert bar.value() == 0


def test_large_article_with_many_spans(qtbot):
    line = f"Tbilisi {FLAG} {GEORGIAN} said {ARABIC} today, with {THUMB} numbers rising.\n"
    text = line * (300_000 // len(line) + 1)
    step = len(text) // 20_000
    spans = [
        make_span(f"s{i}", "Claim" if i % 2 else "Person", i * step, i * step + 7, text)
        for i in range(20_000)
    ]
    spans = [s for s in spans if s.end <= len(text)]
    view = ArticleView()
    qtbot.addWidget(view)
    view.show()
    view.show_article(text, spans, LABELS)
    last = spans[-1]
    view.scroll_to_span(last.uuid)
    view.ensureCursorVisible()
    fmt = format_at(view, last.start, text)
    assert fmt is not None and fmt.background().color() in (QColor("#ffadad"), QColor("#ffc09f"))


def test_clear_article(view):
    view.clear_article()
    assert view.toPlainText() == ""
    assert view.spans_at(0) == []
    assert view.selected_range() is None


def test_single_letter_window_shortcut_reaches_window(qtbot):
    # Label keys are single letters on the main window: the focused read-only view must not
    # swallow them (it would if it were editable: editors accept ShortcutOverride for text keys).
    window = QMainWindow()
    qtbot.addWidget(window)
    view = ArticleView()
    view.show_article(TEXT, SPANS, LABELS)
    window.setCentralWidget(view)
    fired = []
    action = QAction("Person", window)
    action.setShortcut(QKeySequence("P"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda: fired.append(True))
    window.addAction(action)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.select_range(TEXT.index(GEORGIAN), TEXT.index(GEORGIAN) + len(GEORGIAN))
    qtbot.keyClick(view, "p")
    assert fired == [True]
    assert view.selected_range() is not None  # the selection survives for the action to use


def test_view_module_imports_no_storage():
    source = Path(__file__).parents[1] / "desktop_app" / "ui" / "article_view.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {n.split(".")[0] for n in names} & {"sqlite3", "sqlite_utils", "yaml"}


def test_far_blocks_are_painted_when_they_scroll_into_view(qtbot):
    text = "".join(f"Line {i} with some words.\n" for i in range(3000))
    spans = [span_on(f"s{i}", "Claim", f"Line {i} with", text=text) for i in (1, 2500)]
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    view.show_article(text, spans, LABELS)
    assert format_at(view, spans[0].start, text) is not None  # near the top: painted at once
    assert format_at(view, spans[1].start, text) is None  # far down: waits
    cursor = view.textCursor()
    cursor.setPosition(spans[1].start)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    view.grab()
    assert format_at(view, spans[1].start, text).background().color() == QColor("#ffadad")
