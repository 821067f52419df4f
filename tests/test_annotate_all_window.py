"""Article > Annotate all matches…: the preview dialog, ticking, Apply and one Undo."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path

TEXTS = [
    "Nino Beridze met Giorgi. Later Nino Beridze spoke, and Beridzeshvili did not.",
    "A second article: nino beridze again.",
    "Nothing to see here.",
]


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(t, f"u{i}", title=f"T{i}") for i, t in enumerate(TEXTS)])
    window = show_window(store, "ana")
    yield window
    store.close()


def spans(window):
    store = window.store
    ids = [store.article_id(f"u{i}") for i in range(len(TEXTS))]
    return [(s.article_id, s.quote, s.label) for a in ids for s in store.spans(a, "ana")]


def searched(qtbot, dialog):
    """Wait for the dialog's search (on its thread) to list its hits."""
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)


def run_dialog(window, drive):
    """Trigger the action; once the dialog is open, `drive(dialog)` answers it."""
    controller = window.annotate_all

    def answer():
        dialog = controller.dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, answer)
            return
        drive(dialog)

    QTimer.singleShot(0, answer)
    controller.action.trigger()


def test_preview_untick_apply_then_one_undo(qtbot, window):
    article = window.article
    span = window.editor.add_span(article.id, 0, 12, "Person")  # the selected span
    window.context.annotations_changed.emit()
    window.view.set_selected_span(span.uuid)
    seen = {}

    def drive(dialog):
        dialog.set_scope("all")
        searched(qtbot, dialog)
        items = dialog.hit_items()
        seen["lines"] = [item.text(0) for item in items]
        seen["enabled"] = [bool(item.flags() & Qt.ItemFlag.ItemIsEnabled) for item in items]
        seen["ticked"] = [item.checkState(0) == Qt.CheckState.Checked for item in items]
        items[1].setCheckState(0, Qt.CheckState.Unchecked)  # not the second one
        seen["summary"] = dialog.summary.text()
        dialog.apply_button.click()

    run_dialog(window, drive)
    assert len(seen["lines"]) == 3
    assert "[Nino Beridze] met Giorgi" in seen["lines"][0]
    assert "already annotated" in seen["lines"][0]
    assert seen["enabled"] == [False, True, True]
    assert seen["ticked"] == [False, True, True]
    assert "3 matches in 2 articles (1 already annotated); 1 ticked" in seen["summary"]
    second = window.store.article_id("u1")
    assert (second, "nino beridze", "Person") in spans(window)
    assert len(spans(window)) == 2
    window.editing.undo_action.trigger()  # Ctrl+Z: the whole batch, not the span before it
    assert spans(window) == [(article.id, "Nino Beridze", "Person")]


def test_selected_text_label_chosen_and_this_article_scope(qtbot, window):
    article = window.article
    window.view.select_range(0, 12)
    seen = {}

    def drive(dialog):
        dialog.label.setCurrentText("Person")
        dialog.set_scope("article")
        searched(qtbot, dialog)
        seen["count"] = len(dialog.hit_items())
        dialog.apply_button.click()

    run_dialog(window, drive)
    assert seen["count"] == 2
    assert spans(window) == [(article.id, "Nino Beridze", "Person")] * 2
    window.editing.undo_action.trigger()
    assert spans(window) == []


def test_cancel_changes_nothing_and_bad_regex_is_said(qtbot, window):
    window.view.select_range(0, 12)
    seen = {}

    def drive(dialog):
        dialog.regex.setChecked(True)
        dialog.text.setText("(Nino")
        dialog.refresh()
        seen["summary"] = dialog.summary.text()
        seen["apply"] = dialog.apply_button.isEnabled()
        dialog.reject()

    run_dialog(window, drive)
    assert "'(Nino'" in seen["summary"] and seen["apply"] is False
    assert spans(window) == []
    QApplication.processEvents()


def test_a_big_apply_runs_on_a_thread_behind_a_busy_box_as_one_undo_step(
    qtbot, window, monkeypatch
):
    import threading

    from desktop_app.ui import annotate_all_actions

    monkeypatch.setattr(annotate_all_actions, "APPLY_ON_THREAD_FROM", 2)
    controller = window.annotate_all
    real = annotate_all_actions.apply_batch
    seen = {}

    def watched(*args, **kwargs):
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        box = controller.applying
        seen["busy"] = box is not None and box.isVisible() and box.isModal()
        return real(*args, **kwargs)

    monkeypatch.setattr(annotate_all_actions, "apply_batch", watched)
    window.view.select_range(0, 12)

    def drive(dialog):
        dialog.label.setCurrentText("Person")
        dialog.set_scope("all")
        searched(qtbot, dialog)
        dialog.apply_button.click()

    run_dialog(window, drive)
    assert seen == {"thread": True, "busy": True}
    assert controller.applying is None
    assert len(spans(window)) == 3
    assert "Annotated 3 matches in 2 articles" in window.statusBar().currentMessage()
    window.editing.undo_action.trigger()  # the whole batch, one step
    assert spans(window) == []


def test_a_small_apply_stays_on_the_window_thread(qtbot, window, monkeypatch):
    import threading

    from desktop_app.ui import annotate_all_actions

    real = annotate_all_actions.apply_batch
    seen = {}

    def watched(*args, **kwargs):
        seen["main"] = threading.current_thread() is threading.main_thread()
        return real(*args, **kwargs)

    monkeypatch.setattr(annotate_all_actions, "apply_batch", watched)
    window.view.select_range(0, 12)

    def drive(dialog):
        dialog.label.setCurrentText("Person")
        dialog.set_scope("article")
        searched(qtbot, dialog)
        dialog.apply_button.click()

    run_dialog(window, drive)
    assert seen == {"main": True}
    assert len(spans(window)) == 2
