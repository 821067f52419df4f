"""Deleting many annotations at once says how many, asks first, is backed up and undoable."""

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.store.backups import list_backups
from desktop_app.core.store.bulk import HANDFUL
from desktop_app.paths import default_schema_path

TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday and Batumi on Tuesday."


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.sqlite"
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft(TEXT, f"a{n}") for n in range(4)])
    for n in range(4):
        article = store.article_id(f"a{n}")
        store.add_span(article, 0, 4, "Person", "ana")
        store.add_span(article, 9, 15, "Person", "bo")
        store.add_span(article, 19, 26, "Location", "ana")
    store.set_tag(store.article_id("a0"), "Energy", "ana", True)
    yield store, path
    store.close()


def _live(store, label):
    return store.db.conn.execute(
        "SELECT count(*) FROM spans WHERE label = ? AND deleted = 0", (label,)
    ).fetchone()[0]


def test_deleting_a_label_takes_its_annotations_and_undo_brings_all_back(project):
    store, path = project
    editor = Editor(store, "ana")
    palette = [label.name for label in store.labels()]
    deletion = editor.delete_label("Person", shown_article=1)
    assert deletion.size == 8 > HANDFUL
    assert _live(store, "Person") == 0 and "Person" not in {label.name for label in store.labels()}
    assert [b.reason for b in list_backups(path)] == ["bulk-delete"]  # before, as it was
    editor.undo()
    assert _live(store, "Person") == 8
    assert [label.name for label in store.labels()] == palette  # in its old place
    editor.redo()
    assert _live(store, "Person") == 0
    editor.undo()
    assert _live(store, "Person") == 8


def test_a_handful_is_deleted_without_a_backup(project):
    store, path = project
    editor = Editor(store, "ana")
    deletion = editor.delete_label("Energy", shown_article=1)
    assert deletion.size == 1 and list_backups(path) == []
    editor.undo()
    assert [t.label for t in store.tags(store.article_id("a0"))] == ["Energy"]


def test_window_asks_with_the_count_and_cancel_changes_nothing(
    qtbot, project, show_window, monkeypatch
):
    store, _ = project
    window = show_window(store, "ana")
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append(text)
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Person", True))
    window.delete_label_dialog()
    assert "This also deletes 8 spans and 0 document tags" in asked[-1]
    assert _live(store, "Person") == 8  # cancelled: nothing happened
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    window.delete_label_dialog()
    assert _live(store, "Person") == 0
    assert "Person" not in window.labels  # the palette followed
    assert "deleted label Person and 8 annotations" in window.statusBar().currentMessage()
    window.undo()
    assert _live(store, "Person") == 8 and "Person" in window.labels
    window.close()


def test_deleting_my_annotations_asks_only_beyond_a_handful(
    qtbot, project, show_window, monkeypatch
):
    store, _ = project
    window = show_window(store, "ana")
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.Yes,
    )
    window.show_article(store.article_id("a0"))
    window.delete_own_annotations()  # 2 spans and 1 tag of ana's: a handful
    assert asked == []
    article = store.article_id("a0")
    assert [s.annotator for s in store.spans(article)] == ["bo"]  # bo's span stays
    assert store.tags(article) == []
    window.undo()
    assert len(store.spans(article)) == 3 and len(store.tags(article)) == 1
    for start in range(30, 50, 3):  # now more than a handful
        store.add_span(article, start, start + 2, "Person", "ana")
    window.delete_own_annotations()
    assert asked and "Delete your 9 spans and 1 document tag " in asked[0]
    window.close()


def test_undo_leaves_a_tag_that_came_back_meanwhile(project):
    store, _ = project
    editor = Editor(store, "ana")
    editor.delete_label("Energy", shown_article=1)
    store.save_label(next(lb for lb in [*store.labels()] if lb.name == "Politics"))
    from desktop_app.core.model import Label

    store.save_label(Label("Energy", "document"))
    store.set_tag(store.article_id("a0"), "Energy", "ana", True)  # a new live twin
    editor.undo()  # must not trip the one-live-tag rule
    assert [t.label for t in store.tags(store.article_id("a0"))] == ["Energy"]
