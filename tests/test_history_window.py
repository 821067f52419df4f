"""Article > Sync and merge history…: what syncs and merges replaced, shown in the window;
and what Article > Delete article… says about the team's corpus in a project that syncs."""

import html

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox
from sync_helpers import article
from window_helpers import trigger

from desktop_app.core.merging import merge_path
from desktop_app.core.store import Store
from desktop_app.core.sync.client import sync
from desktop_app.ui.history_dialog import ARTICLE_COLUMN, WHY

HISTORY = "&Sync and merge history…"


def history(window):
    trigger(window, "&Article", HISTORY)
    dialog = window.history.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def rows(dialog):
    tree = dialog.tree
    return [
        [tree.topLevelItem(r).text(c) for c in range(tree.columnCount())]
        for r in range(tree.topLevelItemCount())
    ]


def manual_sync(tmp_path, store):
    """No automatic sync or listener in the window (the tests sync when they mean to)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(f"team/automatic/{store.path}", False)
    settings.sync()


def test_the_history_lists_a_sync_conflicts_loser_for_the_article_or_the_project(
    qtbot, show_window, pg_team, stores, tmp_path
):
    url = pg_team.url("ana")
    # Ana on her desk and on her laptop: one login, two projects.
    desk, laptop = stores("desk", ["a1", "a2"]), stores("laptop")
    span = desk.add_span(article(desk, "a1"), 0, 4, "Person", "ana", note="one")
    desk.set_status(article(desk, "a2"), "ana", "in progress")
    sync(desk, url)
    sync(laptop, url)
    desk.update_span(span.uuid, note="desk, older")
    desk.set_status(article(desk, "a2"), "ana", "done")
    sync(desk, url)
    laptop.update_span(span.uuid, note="laptop, newer")
    laptop.set_status(article(laptop, "a2"), "ana", "todo")
    report = sync(laptop, url)
    assert {(c.table, c.winner) for c in report.conflicts} == {
        ("spans", "ours"),
        ("statuses", "ours"),
    }
    manual_sync(tmp_path, laptop)
    window = show_window(laptop)
    window.show_article(article(laptop, "a1"))
    dialog = history(window)

    # The open article's: the span's losing version, once (a sync keeps it in two tables).
    assert not dialog.whole.isChecked() and dialog.whole.isEnabled()
    assert dialog.tree.isColumnHidden(ARTICLE_COLUMN)
    [shown] = rows(dialog)
    assert shown[1] == "Span" and "Person «Nino»" in shown[2] and "desk, older" in shown[2]
    assert shown[3] == "ana" and shown[4] == "Lost a sync conflict"
    details = dialog.details.toPlainText()
    assert "note: 'desk, older'" in details and "start: 0" in details  # the whole row
    assert "team server's version" in details and span.uuid in details
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == details

    # The whole project: the status on a2 too, newest first, with its article.
    dialog.whole.setChecked(True)
    assert not dialog.tree.isColumnHidden(ARTICLE_COLUMN)
    listed = rows(dialog)
    assert [r[1] for r in listed] == ["Status", "Span"]  # the status was replaced last
    assert "status “done”" in listed[0][2] and listed[0][ARTICLE_COLUMN] == "a2"
    assert "2 replaced versions in the whole project" in dialog.scope.text()
    dialog.copy_all_button.click()
    copied = QApplication.clipboard().text().splitlines()
    assert copied[0].startswith("When\tWhat\tWas") and len(copied) == 3

    # Back to one article; it follows the article being read.
    dialog.whole.setChecked(False)
    window.show_article(article(laptop, "a2"))
    [shown] = rows(dialog)
    assert shown[1] == "Status" and "on “a2”" in dialog.scope.text()
    window.close()


def test_an_empty_history_says_what_would_appear_there(qtbot, show_window, stores):
    store = stores("ana", ["a1"])
    window = show_window(store)
    window.show_article(None)
    dialog = history(window)
    # No article open: the whole project's, and nothing in it yet.
    assert dialog.whole.isChecked() and not dialog.whole.isEnabled()
    assert dialog.pages.currentWidget() is dialog.empty
    said = dialog.empty.text()
    assert "No sync or merge has replaced anything in this project yet" in said and WHY in said
    assert not dialog.copy_button.isEnabled()
    window.show_article(article(store, "a1"))
    assert dialog.whole.isEnabled()
    dialog.whole.setChecked(False)
    said = dialog.empty.text()
    assert "on this article" in said and "Tick Whole project" in said
    window.close()


def test_a_merges_loser_shows_in_an_older_project_opened_read_only(
    qtbot, show_window, stores, tmp_path
):
    ours, bob = stores("ours", ["a1"]), stores("bob", ["a1"])
    span = bob.add_span(article(bob, "a1"), 0, 4, "Person", "bob", note="first")
    bob.close()
    merge_path(ours, tmp_path / "bob.sqlite")
    bob = Store.open(tmp_path / "bob.sqlite")
    bob.update_span(span.uuid, label="Place", note="a town?")
    bob.close()
    merge_path(ours, tmp_path / "bob.sqlite")  # theirs is newer: ours goes to the history
    # As a file from before sync_history was kept (read-only: it is not migrated).
    ours.db.conn.execute("DROP TABLE sync_history")
    ours.close()
    reader = Store.open(tmp_path / "ours.sqlite", read_only=True)
    try:
        assert reader.sync_history() == []
        window = show_window(reader)
        window.show_article(article(reader, "a1"))
        dialog = history(window)
        [shown] = rows(dialog)
        assert shown[1] == "Span" and shown[4] == "Replaced by merge"
        assert "Person «Nino», note “first”" in shown[2] and shown[3] == "bob"
        assert "File > Merge" in dialog.details.toPlainText()
        window.close()
    finally:
        reader.close()


def asked_on_delete(window, monkeypatch):
    asked = []

    def question(parent, title, text, *args):
        asked.append(html.unescape(text.replace("<br>", "\n")))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    trigger(window, "&Article", "De&lete article…")
    return asked[-1]


@pytest.mark.parametrize(("login", "role"), [("ana", "analyst"), ("adam", "adjudicator")])
def test_deleting_an_article_says_whether_it_leaves_the_team_corpus(
    qtbot, show_window, pg_team, stores, tmp_path, monkeypatch, login, role
):
    store = stores(login, ["a1"])
    sync(store, pg_team.url(login))
    manual_sync(tmp_path, store)
    window = show_window(store)
    window.show_article(article(store, "a1"))
    said = asked_on_delete(window, monkeypatch)  # no sync in this session yet: role unknown
    assert "an adjudicator's deletion also removes it from the team's corpus" in said
    assert "an analyst's removes it from this project only" in said
    window.team.password = pg_team.password(login)
    window.team.sync_now()
    qtbot.waitUntil(lambda: window.team.last_report is not None, timeout=10000)
    said = asked_on_delete(window, monkeypatch)
    if role == "analyst":
        assert "removes it from this project only; an adjudicator removes articles from" in said
        assert "next sync" not in said
    else:
        assert "You are an adjudicator: this also removes it from the team's corpus" in said
        assert "for everyone on their next sync" in said
    assert store.article_id("a1") is not None  # cancelled: nothing deleted
    window.close()


def test_deleting_an_article_in_a_project_that_never_synced_says_nothing_of_a_team(
    qtbot, show_window, stores, monkeypatch
):
    store = stores("ana", ["a1"])
    window = show_window(store)
    window.show_article(article(store, "a1"))
    said = asked_on_delete(window, monkeypatch)
    assert "Delete this article" in said and "team" not in said
    window.close()


def test_coming_back_to_the_history_reads_it_again(qtbot, show_window, stores, tmp_path):
    ours, bob = stores("ours", ["a1"]), stores("bob", ["a1"])
    span = bob.add_span(article(bob, "a1"), 0, 4, "Person", "bob", note="first")
    bob.close()
    merge_path(ours, tmp_path / "bob.sqlite")
    window = show_window(ours)
    window.show_article(article(ours, "a1"))
    dialog = history(window)
    assert rows(dialog) == []
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # Written without a word to the window (as a sync whose conflicts all went our way).
    bob = Store.open(tmp_path / "bob.sqlite")
    bob.update_span(span.uuid, note="second")
    bob.close()
    merge_path(ours, tmp_path / "bob.sqlite")
    assert rows(dialog) == []
    dialog.activateWindow()
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
    window.close()
