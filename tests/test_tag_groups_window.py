"""The window shows an exclusive tag group as radio buttons; a choice is one undoable edit."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QRadioButton

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft("Some text.", "u1", title="One")])
    window = show_window(store, "ana")
    window._select_row(window.table_model.row_of(store.article_id("u1")))
    yield window
    store.close()


def mine(window):
    return {t.label for t in window.store.tags(window.article.id, "ana")}


def test_exclusive_group_is_radio_buttons(qtbot, window):
    boxes = window.tag_panel.boxes
    assert isinstance(boxes["Relevant"], QRadioButton)
    assert isinstance(boxes["Not relevant"], QRadioButton)
    assert isinstance(boxes["Politics"], QCheckBox)
    boxes["Relevant"].click()
    boxes["Politics"].click()
    boxes["Not relevant"].click()
    assert mine(window) == {"Not relevant", "Politics"}
    assert boxes["Not relevant"].isChecked() and not boxes["Relevant"].isChecked()
    # The key of the other choice switches back, and one undo restores the first choice.
    qtbot.keyClick(window.view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert mine(window) == {"Relevant", "Politics"}
    window.undo()
    assert mine(window) == {"Not relevant", "Politics"}
    assert boxes["Not relevant"].isChecked() and not boxes["Relevant"].isChecked()
    boxes["Not relevant"].click()  # a click on the chosen one takes it off
    assert mine(window) == {"Politics"}
