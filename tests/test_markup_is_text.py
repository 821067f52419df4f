"""Article text, titles, notes and label names that look like HTML are shown as they are."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store

TITLE = "<b>Breaking</b> <img src='/etc/passwd'> & more"
TEXT = "<i>not italic</i> & <a href='x'>a link</a>\n<script>alert(1)</script> <h1>Big</h1>"
NOTE = "<b>a note</b> <img src=x>"
GROUP = "<h1>Group</h1>"
DESCRIPTION = "<u>underlined?</u>"


def _shown(rich: str) -> str:
    """What Qt shows for a string it reads as rich text."""
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def test_markup_in_articles_notes_and_labels_is_never_interpreted(qtbot, show_window):
    store = Store.memory()
    store.apply_schema(
        LabelSchema(
            "hostile",
            (
                Label("<b>Who</b>", "span", "#ffadad", "p", GROUP, DESCRIPTION),
                Label("Topic", "document", "#caffbf", "", GROUP, DESCRIPTION),
            ),
        )
    )
    store.add_articles([ArticleDraft(TEXT, "a1", title=TITLE)])
    article = store.article_id("a1")
    span = store.add_span(article, 0, 17, "<b>Who</b>", "ana", note=NOTE)
    window = show_window(store, "ana")
    window.show_article(article)

    assert window.view.toPlainText() == TEXT  # the reading view is plain text
    assert TITLE in _shown(window.heading.text())
    table = window.table_model
    assert table.index(0, 0).data() == TITLE
    assert _shown(table.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)) == TITLE
    annotations = window.annotation_list.model()
    assert annotations.index(0, 0).data() == "<b>Who</b>"
    assert _shown(annotations.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)) == span.quote
    tip = _shown(window.view.tooltip_at(3))
    assert "<b>Who</b>" in tip and NOTE in tip
    headings = [w for w in window.findChildren(QLabel) if w.text() == GROUP]
    assert headings and all(w.textFormat() == Qt.TextFormat.PlainText for w in headings)
    button = window.findChild(object, "label:<b>Who</b>")
    assert _shown(button.toolTip()) == DESCRIPTION
    window.close()
    store.close()
