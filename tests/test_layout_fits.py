"""A layout that fits (issue 13 items 4 and 5): the article keeps a readable width at 800x600
and beside the Review dock, panels give way and come back, and the layout is remembered."""

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QApplication, QDockWidget

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.article_view import READABLE_CHARACTERS
from desktop_app.ui.main_window import MainWindow

LONG_WORDS = " ".join(
    ["Internationalisation", "counterrevolutionaries", "Georgia's", "ნინო", "ბერიძე"] * 40
)


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(LONG_WORDS, "u1", title="Long words")])
    store.ensure_annotator("bea")
    yield store
    store.close()


@pytest.fixture
def window(project, show_window):
    return show_window(project, "ana")


def _settle(qtbot, window, size=None):
    if size is not None:
        window.resize(*size)
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(20)


def _lines(view):
    """(start, end) code points of every laid-out line of the article."""
    found = []
    block = view.document().begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            start = block.position() + line.textStart()
            found.append((start, start + line.textLength()))
        block = block.next()
    return found


def test_the_article_keeps_a_readable_width_at_800x600(qtbot, window):
    _settle(qtbot, window, (800, 600))
    assert window.size().toTuple() == (800, 600)
    view = window.view
    chars = view.fontMetrics().averageCharWidth() * READABLE_CHARACTERS
    assert view.width() >= window.window_layout.readable_width >= chars
    assert view.wordWrapMode() == QTextOption.WrapMode.WordWrap
    text = view.toPlainText()
    for start, end in _lines(view)[:-1]:  # every line ends between words
        assert text[end - 1].isspace() or text[end].isspace(), text[start:end]


def test_panels_give_way_and_come_back_when_the_window_grows(qtbot, window):
    _settle(qtbot, window, (1400, 860))
    assert window.labels_dock.isVisible() and window.annotations_dock.isVisible()
    _settle(qtbot, window, (720, 480))
    assert window.view.width() >= window.window_layout.readable_width
    assert window.labels_dock.isHidden() and window.annotations_dock.isHidden()
    assert window.list_dock.isVisible()  # the list goes last
    _settle(qtbot, window, (560, 480))
    assert window.list_dock.isHidden()
    assert window.view.width() >= window.window_layout.readable_width
    _settle(qtbot, window, (1400, 860))
    assert window.list_dock.isVisible()
    assert window.labels_dock.isVisible() and window.annotations_dock.isVisible()
    assert window.window_layout.auto_hidden == []


def test_a_panel_the_analyst_closed_stays_closed(qtbot, window):
    _settle(qtbot, window, (1400, 860))
    window.labels_dock.hide()
    _settle(qtbot, window, (640, 480))
    _settle(qtbot, window, (1400, 860))
    assert window.labels_dock.isHidden()
    assert window.annotations_dock.isVisible()


def test_the_review_dock_never_squeezes_the_article(qtbot, window, monkeypatch):
    _settle(qtbot, window, (800, 600))
    before = window.view.width()
    shown = {dock.objectName(): dock.isVisible() for dock in window.findChildren(QDockWidget)}
    readable = window.window_layout.readable_width
    window.start_review()
    _settle(qtbot, window)
    assert window.review_dock.isVisible()
    assert window.view.width() >= readable
    window.review_dock.hide()
    _settle(qtbot, window)
    assert window.view.width() >= before - 4  # the space comes back
    assert shown == {d.objectName(): d.isVisible() for d in window.findChildren(QDockWidget)}


def test_closing_the_review_gives_its_width_back_on_a_large_window(qtbot, window):
    _settle(qtbot, window, (1400, 860))
    before = window.view.width()
    window.start_review()
    _settle(qtbot, window)
    assert window.view.width() >= window.window_layout.readable_width
    window.review_dock.hide()
    _settle(qtbot, window)
    assert abs(window.view.width() - before) <= 4


def test_a_larger_font_widens_the_readable_width(qtbot, window):
    before = window.window_layout.readable_width
    window.preferences.zoom(6)
    try:
        _settle(qtbot, window, (800, 600))
        assert window.window_layout.readable_width > before
        assert window.view.width() >= window.window_layout.readable_width
    finally:
        window.preferences.zoom_reset()


def test_columns_and_sort_are_remembered(qtbot, window):
    header = window.table.horizontalHeader()
    window.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    header.resizeSection(3, 77)
    window.close()
    settings = QSettings(window.settings.fileName(), QSettings.Format.IniFormat)
    again = MainWindow(window.store, settings, "ana")
    qtbot.addWidget(again)
    restored = again.table.horizontalHeader()
    assert restored.sortIndicatorSection() == 0
    assert restored.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert restored.sectionSize(3) == 77
    flt = again.table_model.article_filter
    assert (flt.sort, flt.descending) == ("title", True)


def test_the_first_start_is_maximised_on_a_small_screen(qtbot, window):
    # The offscreen screen is 800x600, smaller than 1280x800; the fixture's settings are new.
    assert window.windowState() & Qt.WindowState.WindowMaximized
    available = window.screen().availableGeometry()
    assert window.width() <= available.width()


def test_a_huge_font_never_asks_for_more_than_the_screen(qtbot, window):
    window.preferences.zoom(40)  # to the largest size
    try:
        _settle(qtbot, window, (800, 600))
        screen = window.screen().availableGeometry().width()
        assert window.minimumWidth() <= screen
        assert window.width() <= screen
    finally:
        window.preferences.zoom_reset()
