"""What the window remembers per project, and the small things around the list: the count
in its own status-bar field, the annotation list's columns, the dialogs' folder, the
welcome panel of an empty project."""

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path, samples_dir
from desktop_app.ui.file_dialogs import FileDialogs
from desktop_app.ui.list_count import count_text
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.opening_check import CHECKING

ARTICLES = [
    ArticleDraft("Nino met Amélie in Tbilisi 🇬🇪.", "n1", title="Nino", published="2024-01-03"),
    ArticleDraft("Energy prices rose in Batumi.", "e1", title="Energy", published="2024-01-01"),
    ArticleDraft(
        "Diplomacy and energy in Kutaisi.", "d1", title="Diplomacy", published="2024-01-02"
    ),
]


def _project(path, drafts=ARTICLES):
    store, _ = open_project(path, default_schema_path())
    store.add_articles(list(drafts))
    return store


def _settled(qtbot, window):
    qtbot.waitUntil(lambda: not window.context.is_open or window.store.read_only != CHECKING)


def _show(window, uid):
    window._select_row(window.table_model.row_of(window.store.article_id(uid)))
    assert window.article.uid == uid


# ---------------------------------------------------------------------- remembered state


def test_article_search_filters_and_sort_come_back_with_the_project(qtbot, desk, tmp_path):
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    store = _project(first)
    store.set_tag(store.article_id("d1"), "Energy", "ana", True)
    store.set_tag(store.article_id("e1"), "Energy", "ana", True)
    store.close()
    _project(second, [ArticleDraft("Elsewhere.", "x1", title="X")]).close()
    window = desk(first)
    window.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # by title, Z to A
    window.filter_bar.search.setText("energy")
    window.filter_bar.tag.setCurrentIndex(window.filter_bar.tag.findData("Energy"))
    window.filter_bar.apply_now()
    _show(window, "d1")  # the second row: not what a project opens on by itself

    window.projects.open_path(second)  # leave it...
    _settled(qtbot, window)
    assert window.filter_bar.search.text() == "" and window.article.uid == "x1"
    window.projects.open_path(first)  # ...and come back
    _settled(qtbot, window)
    assert window.filter_bar.search.text() == "energy"
    assert window.filter_bar.tag.currentData() == "Energy"
    assert window.table_model.article_filter.search == "energy"
    assert window.table_model.article_filter.sort == "title"
    assert window.table_model.article_filter.descending
    assert window.table.horizontalHeader().sortIndicatorSection() == 0
    assert [window.table_model.row_at(r).uid for r in range(2)] == ["e1", "d1"]
    assert window.article.uid == "d1"

    window.close()  # the program ends; the next start finds it all again
    window.close_project()
    again = desk(first)
    assert again.article.uid == "d1"
    assert again.filter_bar.search.text() == "energy"
    assert again.count.label.text() == "2 of 3 articles"


def test_a_project_seen_for_the_first_time_opens_as_before(qtbot, desk, tmp_path):
    path = tmp_path / "fresh.sqlite"
    _project(path).close()
    window = desk(path)
    assert window.filter_bar.search.text() == ""
    assert window.article.uid == window.table_model.row_at(0).uid


# ---------------------------------------------------------------------- the status bar


def test_count_text_says_article_or_articles():
    assert count_text(1) == "1 article"
    assert count_text(0) == "0 articles"
    assert count_text(12345) == "12,345 articles"
    assert count_text(3, 120) == "3 of 120 articles"
    assert count_text(1, 1) == "1 of 1 article"


def test_the_count_has_its_own_field_that_messages_leave_alone(qtbot, desk, tmp_path):
    path = tmp_path / "one.sqlite"
    _project(path, ARTICLES[:1]).close()
    window = desk(path)
    assert window.count.label.text() == "1 article"
    window.statusBar().showMessage("Saved span Person")
    assert window.count.label.text() == "1 article" and window.count.label.isVisible()
    window.store.add_articles(ARTICLES[1:])
    window.reload_list()
    assert window.count.label.text() == "3 articles"
    window.filter_bar.search.setText("Batumi")
    window.filter_bar.apply_now()
    assert window.count.label.text() == "1 of 3 articles"


def test_the_opening_check_says_plainly_that_it_found_nothing(qtbot, tmp_path):
    store = _project(tmp_path / "p.sqlite")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings, "ana")
    qtbot.addWidget(window)
    said = []
    window.statusBar().messageChanged.connect(said.append)
    qtbot.waitUntil(lambda: "Project checked: no problems found" in said)
    assert not any("checked out" in message for message in said)
    window.close()
    window.close_project()


def test_the_by_column_shows_whole_names_at_the_first_size(qtbot, desk, tmp_path):
    path = tmp_path / "p.sqlite"
    store = _project(path)
    store.add_span(store.article_id("n1"), 0, 4, "Person", "alexandra")
    store.close()
    window = desk(path)
    window.everyone_action.trigger()
    _show(window, "n1")
    listing = window.annotation_list
    assert listing.count() == 1
    header = listing.horizontalHeader()
    needed = listing.fontMetrics().horizontalAdvance("alexandra")
    assert header.sectionSize(2) >= needed + 8
    # ...and the column is on screen, not scrolled off to the right.
    assert header.sectionViewportPosition(2) + header.sectionSize(2) <= listing.viewport().width()


# ---------------------------------------------------------------------- file dialogs


def test_dialogs_open_at_home_then_in_the_last_folder_used(qtbot, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)  # the working folder is never offered
    chosen = tmp_path / "articles" / "a.txt"
    chosen.parent.mkdir()
    starts = []
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        lambda p, c, start, f: starts.append(start) or ([str(chosen)], ""),
    )
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert FileDialogs(settings).open_files(None, "Import") == [str(chosen)]
    assert starts == [str(home)]
    # Remembered per user: the next window (a new start) opens there too.
    FileDialogs(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)).open_files(
        None, "Import"
    )
    assert starts[1] == str(chosen.parent)
    chosen.parent.joinpath("a.txt").touch()
    (chosen.parent).rename(tmp_path / "moved")  # a folder that is gone: home again
    FileDialogs(settings).open_files(None, "Import")
    assert starts[2] == str(home)


def test_every_dialog_of_the_window_starts_in_the_last_folder(qtbot, desk, tmp_path, monkeypatch):
    path = tmp_path / "p.sqlite"
    _project(path).close()
    window = desk(path)
    folder = tmp_path / "exports"
    folder.mkdir()
    starts = []

    def save(parent, caption, start, filters):
        starts.append(start)
        return str(folder / "out.jsonl"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    # Export asks its scope first (issue 14, item 15): the list as filtered.
    from desktop_app.ui import export_scope

    monkeypatch.setattr(export_scope, "ask_scope", lambda parent, scopes: scopes[0])
    window.export_dialog()
    qtbot.waitUntil(lambda: (folder / "out.jsonl").exists(), timeout=20000)
    qtbot.waitUntil(lambda: not window.export_job.isRunning())
    opened = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda p, c, start, f: opened.append(start) or ("", "")
    )
    window.projects.open_action.trigger()
    window.labelling.load_schema_dialog()
    assert starts == [str(tmp_path / "home" / "export.jsonl")]
    assert opened == [str(folder), str(folder)]


# ---------------------------------------------------------------------- how to begin


def test_an_empty_project_shows_how_to_begin_and_each_button_works(
    qtbot, desk, tmp_path, monkeypatch
):
    path = tmp_path / "empty.sqlite"
    open_project(path, default_schema_path())[0].close()
    window = desk(path)
    welcome = window.welcome
    assert welcome.panel.isVisible() and not window.view.isVisible()
    assert welcome.title.text() == "This project has no articles yet"
    assert "drop files" in welcome.drop_hint.text()

    article = tmp_path / "in" / "first.txt"
    article.parent.mkdir()
    article.write_text("First headline\n\nThe first article.", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(article)], ""))
    qtbot.mouseClick(welcome.import_files, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=20000)
    assert not welcome.panel.isVisible() and window.view.isVisible()
    assert window.article.title == "First headline"

    # The other buttons, on another empty project.
    other = tmp_path / "empty2.sqlite"
    window.projects.open_path(other)
    _settled(qtbot, window)
    assert welcome.panel.isVisible()
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "x.txt").write_text("Folder headline\n\nFrom a folder.", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: str(folder))
    qtbot.mouseClick(welcome.import_folder, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=20000)
    assert not welcome.panel.isVisible()

    third = tmp_path / "empty3.sqlite"
    window.projects.open_path(third)
    _settled(qtbot, window)
    samples = len(list(samples_dir().glob("*.txt")))
    qtbot.mouseClick(welcome.add_samples, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.table_model.rowCount() == samples, timeout=30000)
    assert not welcome.panel.isVisible() and window.article is not None


def test_a_search_that_matches_nothing_is_no_empty_project(qtbot, desk, tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path).close()
    window = desk(path)
    window.filter_bar.search.setText("nothingmatchesthis")
    window.filter_bar.apply_now()
    assert window.table_model.rowCount() == 0
    assert not window.welcome.panel.isVisible()
    assert window.count.label.text() == "0 of 3 articles"


def test_without_the_samples_folder_there_is_no_samples_button(qtbot, tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings, "ana")  # built without the composition root's paths
    qtbot.addWidget(window)
    window.show()
    assert window.welcome.panel.isVisible()
    assert not window.welcome.add_samples.isVisible()
    window.close()
    window.close_project()
    assert Path(tmp_path / "p.sqlite").is_file()


def test_every_file_dialog_of_the_ui_goes_through_file_dialogs():
    # One place decides where a dialog opens; a QFileDialog called elsewhere would open in
    # the working folder again.
    ui = Path(__file__).resolve().parents[1] / "desktop_app" / "ui"
    callers = [
        path.name
        for path in ui.rglob("*.py")
        if path.name != "file_dialogs.py" and "QFileDialog" in path.read_text(encoding="utf-8")
    ]
    assert callers == [], f"use shell.dialogs (ui/file_dialogs.py) in {callers}"
