"""The window's data safety, driven as an analyst would: backups, restore, a damaged project."""

import pytest
from PySide6.QtCore import Qt

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store import Store
from desktop_app.core.store.backups import list_backups
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(f"{TEXT} Number {n}.", f"a{n}") for n in range(200)])
    store.close()
    store, _ = open_project(path, default_schema_path())  # a session that changed nothing yet
    return store, path


def _label_first_word(qtbot, window):
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(4, cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P)


def test_backups_dialog_backs_up_and_restores_and_the_window_follows(qtbot, project, show_window):
    store, path = project
    window = show_window(store, "ana")
    qtbot.waitUntil(lambda: window.check_job.isFinished())
    window.backups_dialog()
    dialog = window.backups_window
    qtbot.mouseClick(dialog.back_up, Qt.MouseButton.LeftButton)
    assert dialog.backups.count() == 1 and "Backed up to" in dialog.status.text()
    _label_first_word(qtbot, window)
    assert [s.label for s in store.spans(window.article.id)] == ["Person"]
    assert window.undo_action.isEnabled()
    dialog.backups.setCurrentRow(1)  # the newest is first: the backup before the span...
    dialog.backups.setCurrentRow(0)
    dialog.restore_selected(confirmed=True)
    assert store.spans(window.article.id) == []  # the span is gone: restored
    assert window.annotation_list.model().rowCount() == 0  # and the window shows it
    assert not window.undo_action.isEnabled()  # old undo steps no longer apply
    reasons = [b.reason for b in list_backups(path)]
    assert reasons.count("before-restore") == 1 and "manual" in reasons
    dialog.close()
    window.close()
    store.close()


def test_periodic_and_closing_backups_only_when_something_changed(qtbot, project, show_window):
    store, path = project
    window = show_window(store, "ana")
    qtbot.waitUntil(lambda: window.check_job.isFinished())
    assert window.backup_timer.interval() == 30 * 60 * 1000 and window.backup_timer.isActive()
    window.periodic_backup()
    qtbot.waitUntil(lambda: window.backup_job.isFinished())
    assert list_backups(path) == []  # nothing changed yet
    _label_first_word(qtbot, window)
    window.periodic_backup()
    qtbot.waitUntil(lambda: window.backup_job.isFinished())
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage())
    assert [b.reason for b in list_backups(path)] == ["periodic"]
    window.close()  # nothing changed since: no closing backup
    assert [b.reason for b in list_backups(path)] == ["periodic"]
    store.close()


def _damaged_window(qtbot, tmp_path, damage_pages):
    """A window opening a project (with a good backup) whose file was damaged behind it."""
    from PySide6.QtCore import QSettings

    from desktop_app.ui.main_window import MainWindow

    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(f"{TEXT} Number {n}.", f"a{n}") for n in range(400)])
    store.backup("manual")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the main file
    damage_pages(path)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings, "ana")
    qtbot.addWidget(window)
    window.show()  # the notice takes the focus when it comes: no waiting to be active
    qtbot.waitUntil(lambda: window.damage_notice is not None, timeout=10000)
    return window, store, path


def test_a_damaged_project_is_read_only_and_says_what_to_do(qtbot, tmp_path, damage_pages):
    window, store, path = _damaged_window(qtbot, tmp_path, damage_pages)
    assert "damaged" in window.windowTitle()
    text = window.damage_notice.text()
    assert "Nothing will be written to it" in text and "File > Backups… restores it" in text
    window.damage_notice.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _label_first_word(qtbot, window)
    assert "Not saved" in window.statusBar().currentMessage()
    assert "damaged" in window.statusBar().currentMessage()
    window.close()
    assert [b.reason for b in list_backups(path)] == ["manual"]  # no backup of the damage
    store.close()


def test_a_damaged_project_can_be_restored_from_the_window(qtbot, tmp_path, damage_pages):
    window, store, _ = _damaged_window(qtbot, tmp_path, damage_pages)
    window.damage_notice.close()
    window.backups_dialog()
    dialog = window.backups_window
    assert not dialog.back_up.isEnabled()  # never a backup of the damage
    dialog.backups.setCurrentRow(0)
    assert dialog.restore.isEnabled()
    dialog.restore_selected(confirmed=True)
    assert store.read_only == "" and store.check(full=True) == []
    assert list(tmp_path.glob("p.sqlite.backups/p.sqlite.damaged-*"))  # the damage, kept
    assert store.article_id("a399") is not None
    store.add_span(store.article_id("a1"), 0, 4, "Person", "ana")  # writable again
    dialog.close()
    window.close()
    store.close()


def test_the_window_notices_its_file_deleted_and_writes_it_back(qtbot, project, show_window):
    store, path = project
    window = show_window(store, "ana")
    qtbot.waitUntil(lambda: window.check_job.isFinished())
    _label_first_word(qtbot, window)
    path.unlink()
    assert window.file_timer.interval() == 5000 and window.file_timer.isActive()
    window.watch_file()  # what the timer does every 5 seconds
    assert "was deleted while open" in window.damage_notice.text()
    assert str(path) in window.damage_notice.text()
    window.close()
    store.close()
    again = Store.open(path)
    assert [s.label for s in again.spans(again.article_id("a0"))] == ["Person"]
    again.close()


def test_nothing_is_written_until_the_opening_check_has_passed(qtbot, project, show_window):
    from desktop_app.ui.safety_actions import CHECKING

    store, _ = project
    window = show_window(store, "ana")  # waits for the check, as an analyst would not
    window.store.refuse_writes(CHECKING)  # as it is in the first moments after opening
    _label_first_word(qtbot, window)
    assert "being checked" in window.statusBar().currentMessage()
    window._checked([])  # the check passed
    _label_first_word(qtbot, window)
    assert [s.label for s in store.spans(window.article.id)] == ["Person"]
    window.close()
    store.close()
