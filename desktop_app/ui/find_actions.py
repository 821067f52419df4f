"""Finding in the open article: the list search's terms and Edit > Find in article, outlined
in the text, with F3 / Shift+F3 to walk the hits ("hit 3 of 12")."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop_app.core.find import find_all, search_hits
from desktop_app.core.model import ArticleFilter
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.shell import Shell


class FindBar(QWidget):
    """The find bar under the article: what to find, how, and how many were found."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find in article: a word, a phrase or a pattern")
        self.field.setAccessibleName("Find in article")
        self.case = QCheckBox("&Case")
        self.whole = QCheckBox("&Whole words")
        self.regex = QCheckBox("Re&gular expression")
        self.count = QLabel("")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Close the find bar")
        self.close_button.setToolTip("Close the find bar (Escape)")
        self.field.setMinimumWidth(180)
        layout.addWidget(self.field, 1)  # the field takes the room the options leave
        for widget in (self.case, self.whole, self.regex, self.count, self.close_button):
            layout.addWidget(widget)


class FindController(Controller):
    """Outlines what the list searched for, or what the find bar asks for, in the article."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self.bar = FindBar()
        self.bar.hide()
        self._search = ""  # the list's search, whose terms are shown while the bar is empty
        a = self._action
        self._separator("&Edit")
        # Ctrl+F in the text opens the bar (ArticleView.findRequested); in the list it searches.
        a("&Edit", "Find in &article…", self.open_bar)
        a("&Edit", "Find ne&xt", self.next_hit, "F3")
        a("&Edit", "Find pre&vious", self.previous_hit, "Shift+F3")
        shell.view.findRequested.connect(self.open_bar)
        context.article_shown.connect(self.refresh)
        context.filter_changed.connect(self._filter_changed)
        bar = self.bar
        bar.field.textChanged.connect(self.refresh)
        for box in (bar.case, bar.whole, bar.regex):
            box.toggled.connect(self.refresh)
        bar.field.returnPressed.connect(self.next_hit)
        bar.close_button.clicked.connect(self.close_bar)
        escape = QShortcut(QKeySequence("Escape"), bar)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_bar)

    def open_bar(self) -> None:
        """Show the find bar with the text's selection (if any) to find."""
        selection = self.shell.view.selected_range()
        if selection is not None and self.article is not None:
            chosen = self.article.text[selection[0] : selection[1]]
            if "\n" not in chosen:
                self.bar.field.setText(chosen)
        self.bar.show()
        self.bar.field.setFocus()
        self.bar.field.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        """Hide the find bar; the list search's terms are outlined again."""
        self.bar.hide()
        self.refresh()
        self.shell.view.setFocus()

    def _filter_changed(self, article_filter: ArticleFilter) -> None:
        self._search = article_filter.search.strip()
        self.refresh()

    def refresh(self) -> None:
        """Outline every hit in the open article (of the bar's text, else the list search)."""
        text = self.article.text if self.article is not None else ""
        bar, hits = self.bar, []
        needle = bar.field.text() if bar.isVisible() else ""
        try:
            if needle:
                hits = find_all(
                    text,
                    needle,
                    regex=bar.regex.isChecked(),
                    case=bar.case.isChecked(),
                    whole_word=bar.whole.isChecked(),
                )
            elif self._search:
                hits = search_hits(text, self._search)
        except ValueError as error:
            bar.count.setText("—")
            self.shell.say(f"Find: {error}", 8000)
        self.shell.view.set_hits(hits)
        if needle or self._search:
            bar.count.setText(f"{len(hits)} found")

    def next_hit(self) -> None:
        """Go to the next hit after the caret (F3), round to the first."""
        self._step(1)

    def previous_hit(self) -> None:
        """Go to the hit before the caret (Shift+F3), round to the last."""
        self._step(-1)

    def _step(self, direction: int) -> None:
        view = self.shell.view
        hits = view.hits()
        if not hits:
            self.shell.say("No hits in this article.", 5000)
            return
        current = view.current_hit()
        if current < 0:
            # From the caret: the first hit after it (or before it, going back).
            caret = view.selected_range() or (0, 0)
            starts = [a for a, _ in hits]
            if direction > 0:
                current = bisect_left(starts, caret[0]) - 1
            else:
                current = bisect_right(starts, caret[0])
        index = (current + direction) % len(hits)
        view.set_hits(hits, index)
        message = f"hit {index + 1} of {len(hits)}"
        self.bar.count.setText(message)
        self.shell.say(message.capitalize(), 5000)
