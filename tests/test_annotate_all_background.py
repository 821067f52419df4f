"""Annotate all matches off the window's thread (progress, stop, close while searching) and
Article > Annotate-all history… (undo a batch after a restart, Ctrl+Z brings it back)."""

import threading
import time

import pytest
from PySide6.QtCore import QTimer

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.suggest.annotate_all import Found
from desktop_app.paths import default_schema_path
from desktop_app.ui.annotate_all_dialog import AnnotateAllDialog

TEXTS = [
    "Nino Beridze met Giorgi. Later Nino Beridze spoke.",
    "A second article: nino beridze again.",
    "Nothing to see here.",
]


def hit(article_id):
    return Found(article_id, f"T{article_id}", 0, 4, "Person", "Nino", "", " Beridze", False)


def slow_search(threads):
    """A search that reports its first article, then waits to be stopped (at most 5 s)."""

    def search(text, label, case, whole, regex, scope):
        def work(progress, cancelled):
            threads.append(threading.get_ident())
            progress(1, 1000)
            give_up = time.monotonic() + 5
            while not cancelled() and time.monotonic() < give_up:
                time.sleep(0.005)
            return [hit(1)]

        return work

    return search


def test_search_runs_off_the_window_thread_and_stops_after_first_progress(qtbot):
    threads = []
    dialog = AnnotateAllDialog("Nino", "Person", ["Person"], slow_search(threads))
    qtbot.addWidget(dialog)
    assert dialog.searching and not dialog.apply_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.searched == (1, 1000), timeout=5000)
    assert dialog.progress.value() == 1 and dialog.progress.maximum() == 1000
    assert not dialog.stop_button.isHidden()
    dialog.stop_button.click()  # stop after the first progress signal
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
    assert threads and threads[0] != threading.get_ident()
    assert dialog.summary.text().startswith("Stopped after 1 of 1,000 articles: 1 match")
    assert len(dialog.hit_items()) == 1 and dialog.apply_button.isEnabled()
    assert dialog.stop_button.isHidden()
    # Ticking keeps saying the search was stopped.
    dialog.hit_items()[0].setCheckState(0, dialog.hit_items()[0].checkState(0).Unchecked)
    assert dialog.summary.text().startswith("Stopped after")
    assert not dialog.apply_button.isEnabled()


def test_closing_while_searching_leaves_no_thread(qtbot):
    threads = []
    dialog = AnnotateAllDialog("Nino", "Person", ["Person"], slow_search(threads))
    qtbot.addWidget(dialog)
    job = dialog.job
    qtbot.waitUntil(lambda: dialog.searched == (1, 1000), timeout=5000)
    dialog.reject()
    assert job is not None and job.isFinished() and dialog.job is None


def test_a_new_search_replaces_the_running_one(qtbot):
    threads = []
    dialog = AnnotateAllDialog("Nino", "Person", ["Person"], slow_search(threads))
    qtbot.addWidget(dialog)
    first = dialog.job
    dialog.case.setChecked(True)  # searches again: the first is stopped and forgotten
    assert first is not None and first.isFinished() and dialog.job is not first
    dialog.stop()
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
    assert len(dialog.hit_items()) == 1  # the second search's, not both


def test_an_error_on_the_thread_is_said(qtbot):
    def search(*_):
        def work(progress, cancelled):
            raise RuntimeError("the disk went away")

        return work

    dialog = AnnotateAllDialog("Nino", "Person", ["Person"], search)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
    assert dialog.summary.text() == "Not searched: the disk went away"
    assert not dialog.apply_button.isEnabled()


# ---------------------------------------------------------------- in the window


@pytest.fixture
def project(tmp_path):
    """A project with TEXTS; `reopen()` opens it again (closed after the window's teardown)."""
    path = tmp_path / "p.sqlite"
    opened = []

    def reopen():
        store, _ = open_project(path, default_schema_path())
        opened.append(store)
        return store

    store = reopen()
    store.add_articles([ArticleDraft(t, f"u{i}", title=f"T{i}") for i, t in enumerate(TEXTS)])
    yield store, reopen
    for store in opened:
        if store.db.conn is not None:
            store.close()


def answer(get_dialog, drive):
    def later():
        dialog = get_dialog()
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, later)
            return
        drive(dialog)

    QTimer.singleShot(0, later)


def live(store, annotator="ana"):
    ids = [store.article_id(f"u{i}") for i in range(len(TEXTS))]
    return [(s.quote, s.label) for a in ids for s in store.spans(a, annotator)]


def test_window_search_reports_progress_and_records_a_batch(qtbot, project, show_window):
    store, _ = project
    window = show_window(store, "ana")
    window.view.select_range(0, 12)
    controller = window.annotate_all
    seen = {}

    def drive(dialog):
        dialog.label.setCurrentText("Person")
        dialog.set_scope("all")
        qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
        seen["searched"] = dialog.searched
        seen["summary"] = dialog.summary.text()
        dialog.apply_button.click()

    answer(lambda: controller.dialog, drive)
    controller.action.trigger()
    assert seen["searched"] == (3, 3)  # every article of the scope was searched
    assert seen["summary"].startswith("3 matches in 2 articles")
    (batch,) = store.batches()
    assert (batch.count, batch.search, batch.scope) == (3, "Nino Beridze", {"all": True})
    assert batch.options == {"case": False, "whole_word": True, "regex": False}


def test_history_undoes_a_batch_after_a_restart_and_ctrl_z_brings_it_back(
    qtbot, project, show_window
):
    store, reopen = project
    editor = Editor(store, "ana")
    editor.annotate_all([(store.article_id("u0"), 0, 12, "Person")], "Nino", {}, {"all": True})
    batch, made = editor.annotate_all(
        [(store.article_id("u0"), 31, 43, "Person"), (store.article_id("u1"), 18, 30, "Person")],
        "Nino Beridze",
        {"case": True},
        {"all": True},
    )
    editor.relabel_span(made[1].uuid, _other(store))
    store.close()  # a restart: the session's undo history is gone

    store = reopen()
    window = show_window(store, "ana")
    controller = window.annotate_all
    seen = {}

    def drive(dialog):
        seen["rows"] = [
            [dialog.tree.topLevelItem(r).text(c) for c in range(7)]
            for r in range(dialog.tree.topLevelItemCount())
        ]
        dialog.select(batch)
        dialog.undo_button.click()
        seen["result"] = dialog.outcome.text()
        seen["after"] = [dialog.tree.topLevelItem(r).text(5) for r in range(2)]
        seen["enabled"] = dialog.undo_button.isEnabled()
        dialog.accept()

    answer(lambda: controller.history, drive)
    controller.history_action.trigger()
    newest, oldest = seen["rows"]
    assert newest[1:6] == ["ana", "Person", "Nino Beridze  (case)", "2", "2"]
    assert oldest[3:6] == ["Nino", "1", "1"] and newest[6] == ""
    assert seen["result"].startswith("Removed 1 of the batch's 2 spans; kept 1 changed since")
    assert seen["after"] == ["1", "1"]  # the relabelled span is still there
    assert seen["enabled"] is True
    assert len(live(store)) == 2
    window.editing.undo_action.trigger()  # Ctrl+Z: the undo of the batch is taken back
    assert len(live(store)) == 3
    assert store.batches()[0].undone_at is None


def _labels(store):
    return [label.name for label in store.labels("span")]


def _other(store):
    return next(name for name in _labels(store) if name != "Person")
