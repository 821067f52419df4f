"""The Overview dock: opened by View > Overview and F9, its figures equal SQL counts, a click
on a bar or cell filters the list (and the chip takes it back), exports, refresh after edits."""

import csv
import time
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store

SCHEMA = LabelSchema(
    "test",
    (
        Label("Person", "span", "#f4a261", "p"),
        Label("Place", "span", "#2a9d8f", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
        Label("Politics", "document", "#ffd6a5", "Ctrl+2"),
    ),
)
TEXT = "Nino met Ben in Tbilisi 🇬🇪 on a Monday, and Amélie wrote it down."


@pytest.fixture
def project(tmp_path):
    """A project file: nine articles over three sources and two months, annotated by two."""
    store = Store.open(tmp_path / "project.sqlite")
    store.apply_schema(SCHEMA)
    sources = ("bbc/business", "reuters", "ap")
    drafts = [
        ArticleDraft(
            text=f"{i}: {TEXT}",
            uid=f"a{i}",
            title=f"Article {i}",
            source=sources[i % 3],
            published=f"2024-0{1 + i % 2}-{10 + i}",
        )
        for i in range(9)
    ]
    assert not store.add_articles(drafts).problems
    for article_id in range(1, 10):
        store.add_span(article_id, 3, 7, "Person", "ana")
        if article_id % 2:
            store.add_span(article_id, 19, 26, "Place", "ben")
            store.add_span(article_id, 11, 14, "Person", "ben")
        if article_id % 3 == 0:
            store.set_tag(article_id, "Energy", "ana", True)
        store.set_status(article_id, "ana", ("done", "in progress", "todo")[article_id % 3])
        if article_id < 4:
            store.set_status(article_id, "ben", "done")
    yield store
    store.close()


def _sql(store, sql, params=()):
    return {row[0]: row[1] for row in store.db.conn.execute(sql, params)}


def _open(qtbot, window):
    # Room for the list and the overview side by side: at a small size the layout makes room
    # for the list a click shows by hiding the overview (tests/test_layout_fits.py).
    window.resize(1400, 900)
    controller = window.overview
    view = next(a for a in window.menuBar().actions() if a.text() == "&View").menu()
    action = next(a for a in view.actions() if a.text() == "&Overview")
    assert action.shortcut().toString() == "F9"
    action.trigger()
    qtbot.waitUntil(lambda: controller.dock.isVisible())
    _counted(qtbot, controller)
    return controller


def _counted(qtbot, controller):
    qtbot.waitUntil(
        lambda: (
            controller.overview is not None
            and controller.job is None
            and not controller._timer.isActive()
            and controller._started_for == controller._asked
        ),
        timeout=10000,
    )
    return controller.overview


def _click(qtbot, chart, hit):
    """A real left click on the middle of a bar or cell."""
    view = chart.plot
    pos = view.mapFromScene(chart.scene_pos_of(hit))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_the_overview_opens_from_the_view_menu_and_its_key(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    assert controller.reader is not None and controller.reader is not project  # its own
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: not controller.dock.isVisible())
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: controller.dock.isVisible())


def test_the_charts_show_the_sql_counts(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    panel = controller.panel
    labels = _sql(project, "SELECT label, count(*) FROM spans WHERE deleted = 0 GROUP BY label")
    header, rows = panel.labels_chart.table()
    assert header == ["span label", "spans"]
    assert {name: n for name, n in rows} == labels
    tags = _sql(project, "SELECT label, count(*) FROM document_tags WHERE deleted = 0 GROUP BY 1")
    assert dict(panel.tags_chart.table()[1]) == tags
    sources = _sql(project, "SELECT source, count(*) FROM articles GROUP BY source")
    assert dict(panel.sources_chart.table()[1]) == sources
    done = _sql(project, "SELECT annotator, count(*) FROM article_status WHERE status = 'done' "
                         "GROUP BY annotator")  # fmt: skip
    header, rows = panel.status_chart.table()
    assert header == ["annotator", "todo", "in progress", "done"]
    assert {row[0]: row[3] for row in rows} == done
    assert all(sum(row[1:]) == 9 for row in rows)
    _header, rows = panel.published_chart.table()
    assert sum(row[1] for row in rows) == 9
    matrix = {
        (label, source): n
        for label, source, n in project.db.conn.execute(
            "SELECT s.label, a.source, count(*) FROM spans s JOIN articles a ON a.id = s.article "
            "WHERE s.deleted = 0 GROUP BY 1, 2"
        )
    }
    header, rows = panel.matrix_chart.table()
    shown = {
        (row[0], source): n
        for row in rows
        for source, n in zip(header[1:], row[1:], strict=True)
        if n
    }
    assert shown == matrix


def test_a_click_on_a_bar_filters_the_list_and_the_chip_takes_it_back(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    panel, bar, model = controller.panel, window.filter_bar, window.table_model
    assert model.rowCount() == 9 and not bar.chip.isVisible()
    place = panel.labels_chart.categories.index("Place")
    _click(qtbot, panel.labels_chart, (place, 0))
    with_place = project.db.conn.execute(
        "SELECT count(DISTINCT article) FROM spans WHERE label = 'Place' AND deleted = 0"
    ).fetchone()[0]
    qtbot.waitUntil(lambda: model.rowCount() == with_place)
    assert bar.chip.isVisible() and "Place" in bar.chip.text()
    # The overview follows the list: its figures are now those of the Place articles.
    assert _counted(qtbot, controller).articles == with_place
    bar.chip.click()
    qtbot.waitUntil(lambda: model.rowCount() == 9)
    assert not bar.chip.isVisible()


def test_a_click_on_a_matrix_cell_or_a_status_bar_filters_by_both(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    panel, bar, model = controller.panel, window.filter_bar, window.table_model
    panel.scope.setCurrentIndex(panel.scope.findData("project"))
    _counted(qtbot, controller)
    matrix = panel.matrix_chart
    cell = (matrix.rows.index("Person"), matrix.columns.index("bbc/business"))
    _click(qtbot, matrix, cell)
    expected = project.db.conn.execute(
        "SELECT count(DISTINCT s.article) FROM spans s JOIN articles a ON a.id = s.article "
        "WHERE s.label = 'Person' AND s.deleted = 0 AND a.source = 'bbc/business'"
    ).fetchone()[0]
    qtbot.waitUntil(lambda: model.rowCount() == expected)
    assert "Person in bbc/business" in bar.chip.text()
    # The whole project's figures stay; another click replaces the choice.
    status = panel.status_chart
    _click(qtbot, status, (status.categories.index("ben"), 2))  # done, for ben
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    assert "done for ben" in bar.chip.text() and "Person" not in bar.chip.text()
    bar.chip.click()
    qtbot.waitUntil(lambda: model.rowCount() == 9)


def test_every_chart_exports_png_svg_and_csv(qtbot, show_window, project, tmp_path, monkeypatch):
    window = show_window(project)
    controller = _open(qtbot, window)
    for key, card in controller.panel.cards.items():
        for kind in ("png", "svg", "csv"):
            target = tmp_path / f"{key}.{kind}"
            monkeypatch.setattr(
                QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (str(t), "")
            )
            controller.export_dialog(card, kind)
            assert target.is_file() and target.stat().st_size > 0, target
        image = QImage(str(tmp_path / f"{key}.png"))
        ratio = card.chart.devicePixelRatioF()
        assert (image.width(), image.height()) == (
            round(card.chart.width() * ratio),
            round(card.chart.height() * ratio),
        )
        svg = ET.parse(tmp_path / f"{key}.svg").getroot()
        tags = {element.tag.split("}")[-1] for element in svg.iter()}
        assert {"path", "text"} <= tags or {"rect", "text"} <= tags, (key, tags)
        words = " ".join(
            element.text or "" for element in svg.iter() if element.tag.endswith("text")
        )
        header, rows = card.chart.table()
        for row in rows:
            if key in ("labels", "tags", "status", "sources", "matrix"):
                assert str(row[0]) in words, (key, row[0], words)
        with open(tmp_path / f"{key}.csv", encoding="utf-8", newline="") as handle:
            written = list(csv.reader(handle))
        assert written[0] == header
        assert written[1:] == [[str(value) for value in row] for row in rows]


def test_the_overview_follows_an_edit_without_blocking(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    before = controller.overview.tag_labels.get("Politics", 0)
    window.toggle_tag("Politics", True)  # on the open article
    qtbot.waitUntil(lambda: controller.overview.tag_labels.get("Politics", 0) == before + 1)
    _header, rows = controller.panel.tags_chart.table()
    assert dict(rows)["Politics"] == before + 1


def test_a_count_overtaken_by_a_newer_one_is_never_shown(qtbot, show_window, project):
    window = show_window(project)
    controller = _open(qtbot, window)
    reader, counted, shown = controller.reader, [], []
    slow_first = reader.overview

    def overview(flt=None, matrix_by="source"):
        if not counted:
            time.sleep(0.4)  # the first count is still running when the filter changes
        result = slow_first(flt, matrix_by)
        counted.append(result.articles)
        return result

    reader.overview = overview
    show = controller.panel.show_overview
    controller.panel.show_overview = lambda o, *a: (shown.append(o.articles), show(o, *a))
    controller.refresh_now()
    qtbot.waitUntil(lambda: controller.job is not None and controller.job.isRunning())
    combo = window.filter_bar.tag
    combo.setCurrentIndex(combo.findData("Energy"))
    controller.refresh_now()
    tagged = project.count_articles(window.table_model.article_filter)
    qtbot.waitUntil(lambda: len(counted) == 2, timeout=10000)
    _counted(qtbot, controller)
    assert counted == [9, tagged] and tagged < 9
    assert shown == [tagged]  # the first count's result (9 articles) was dropped
