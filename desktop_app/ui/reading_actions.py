"""Reading: the article list (search, filters, moving through it) and the article it opens."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from desktop_app.core.model import DOCUMENT, SPAN, ArticleFilter, Span
from desktop_app.core.plural import counted
from desktop_app.core.store import StoreError
from desktop_app.ui.article_table import LAST_ARTICLE, SORTABLE
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.ports import SpanSource, ViewSpans
from desktop_app.ui.shell import Shell


class ReadingController(Controller):
    """The list follows the filter bar; the open article is painted from the store.

    Other features move the list and the article through this (as a ports.Navigator), and
    repaint it by the context's annotations_changed signal.
    """

    def __init__(self, context: ProjectContext, shell: Shell, settings: QSettings) -> None:
        super().__init__(context, shell)
        self.settings = settings
        self._span_sources: list[SpanSource] = []
        self._separator("&Edit")
        self._action("&Edit", "&Find…", self.focus_search, "Ctrl+F")
        self.everyone_action = self._action(
            "&View", "Show &everyone's spans", self.toggle_everyone, needs_project=False
        )
        self.everyone_action.setCheckable(True)
        self.everyone_action.setChecked(bool(settings.value("view/everyone", False, type=bool)))
        for text, dock in (
            ("Show the &article list", shell.list_dock),
            ("Show the &labels", shell.labels_dock),
            ("Show the a&nnotation list", shell.annotations_dock),
        ):
            self._action("&View", text, dock.show, needs_project=False)
        self._action("&Article", "&Next article", lambda: self.step(1), "Ctrl+Down")
        self._action("&Article", "&Previous article", lambda: self.step(-1), "Ctrl+Up")
        self._action("&Article", "&Reload list", self.reload_list, "F5")
        shell.filter_bar.filterChanged.connect(self.apply_filter)
        shell.filter_bar.firstWanted.connect(self.open_first)
        shell.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_chosen)
        shell.table.selectionModel().currentRowChanged.connect(self._row_changed)
        context.project_opened.connect(self._opened)
        context.project_closed.connect(self._closed)
        context.labels_changed.connect(self._labels_changed)
        context.annotations_changed.connect(self.show_annotations)
        context.annotator_changed.connect(self._annotator_changed)

    def add_span_source(self, source: SpanSource) -> None:
        """Let `source` decide what the view paints while it wants to (review mode)."""
        self._span_sources.append(source)

    # ------------------------------------------------------------------ the project

    def _opened(self) -> None:
        self.shell.filter_bar.clear()
        self.shell.table_model.set_store(self.store, self.context.annotator)
        self.refresh_filter_choices()
        self.select_row(0)

    def _closed(self) -> None:
        self.shell.table_model.set_store(None, self.context.annotator)
        self.refresh_filter_choices()
        self.show_article(None)

    def _labels_changed(self) -> None:
        self.refresh_filter_choices()
        self.show_annotations()

    def _annotator_changed(self, name: str) -> None:
        self.shell.table_model.set_annotator(name)
        self.refresh_filter_choices()
        if self.context.is_open:
            current = self.article.id if self.article else None
            self.context.article = None
            self._restore_selection(current)

    def refresh_filter_choices(self) -> None:
        """Offer the current tags, labels and annotators in the filters."""
        labels = self.context.labels
        self.shell.filter_bar.set_choices(
            [n for n, lb in labels.items() if lb.kind == DOCUMENT],
            [n for n, lb in labels.items() if lb.kind == SPAN],
            self.store.annotators() if self.context.is_open else [],
        )

    # ------------------------------------------------------------------ the list

    def apply_filter(self) -> None:
        """Show the articles that match the search and filters."""
        current = self.article.id if self.article else None
        model = self.shell.table_model
        try:
            model.set_filter(self.shell.filter_bar.current_filter())
        except StoreError as error:
            self.shell.say(str(error), 8000)
            return
        self.context.filter_changed.emit(model.article_filter)
        self._show_sort_arrow()
        row = model.row_of(current) if current is not None else None
        # Typing never replaces the article being read: it stays open, selected where the
        # new list shows it; the first match opens on Enter or Down (open_first).
        if row is not None:
            self.select_row(row)
        elif current is None:
            self.select_row(0)  # nothing was being read: show the first

    def open_first(self) -> None:
        """Open the list's first article and move the keyboard to the list (Enter, Down)."""
        if self.shell.table_model.rowCount():
            self.select_row(0)
            self.shell.table.setFocus()

    def _sort_chosen(self, column: int, _order: Qt.SortOrder) -> None:
        """A header was clicked: the model sorted if it can; the arrow shows what it did."""
        if column in SORTABLE:
            self.shell.filter_bar.set_ranked(False)  # a column's order ends "best first"
        self._show_sort_arrow()

    def _show_sort_arrow(self) -> None:
        """The header's arrow on the column the list is sorted by; none while ranked."""
        model, header = self.shell.table_model, self.shell.table.horizontalHeader()
        column, order = model.sort_column()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        header.setSortIndicatorShown(not model.is_ranked())

    def reload_list(self) -> None:
        """Recount the list (after imports, or to drop articles that no longer match)."""
        current = self.article.id if self.article else None
        self.shell.table_model.reload()
        self._restore_selection(current)

    def list_after_edit(self) -> None:
        """An edit may move the article in or out of a filtered list; else recount in place."""
        model = self.shell.table_model
        if _depends_on_annotations(model.article_filter):
            self.reload_list()
        else:
            model.refresh_rows()

    def _restore_selection(self, article_id: int | None) -> None:
        model = self.shell.table_model
        row = model.row_of(article_id) if article_id is not None else None
        if row is not None:
            self.select_row(row)
        elif article_id is None or model.rowCount() == 0:
            self.select_row(0)  # nothing was open (or nothing is left): show the first

    def select_row(self, row: int) -> None:
        """Select (and so open) the article on list row `row`."""
        model, table = self.shell.table_model, self.shell.table
        if not 0 <= row < model.rowCount():
            if model.rowCount() == 0:
                self.show_article(None)
            return
        index = model.index(row, 0)
        table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        table.scrollTo(index)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # An invalid index comes from a list reset: keep showing the article being read.
        row = self.shell.table_model.row_at(current.row()) if current.isValid() else None
        if row is not None:
            self.show_article(row.id)

    def step(self, delta: int) -> None:
        """Go to the next (1) or previous (-1) article in the list, from the one being read
        (from the top when the list does not show it)."""
        row = self.reading_row()
        target = 0 if row is None else max(0, row + delta)
        if target >= self.shell.table_model.rowCount():
            self.shell.say(LAST_ARTICLE, 8000)
            return
        self.select_row(target)

    def reading_row(self) -> int | None:
        """The list row of the article being read (None: the list does not show it)."""
        if self.article is None:
            return None
        model, index = self.shell.table_model, self.shell.table.currentIndex()
        shown = model.row_at(index.row()) if index.isValid() else None
        if shown is not None and shown.id == self.article.id:
            return index.row()
        return model.row_of(self.article.id)

    def article_after(self) -> int | None:
        """The article after the one being read in the list (the first when the list does
        not show it); None at the end of the list."""
        row = self.reading_row()
        following = self.shell.table_model.row_at(0 if row is None else row + 1)
        return following.id if following is not None else None

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.shell.list_dock.show()
        self.shell.filter_bar.search.setFocus()
        self.shell.filter_bar.search.selectAll()

    # ------------------------------------------------------------------ the article

    def open_article(self, article_id: int) -> None:
        """Select the article in the list, or show it anyway when the filter hides it."""
        row = self.shell.table_model.row_of(article_id)
        if row is not None:
            self.select_row(row)
        else:
            self.show_article(article_id)

    def reread_article(self) -> None:
        """Read the open article again (its annotations may have changed under it)."""
        current = self.article.id if self.article else None
        self.context.article = None
        self.show_article(current)

    def show_article(self, article_id: int | None) -> None:
        """Show an article (or nothing) with the current annotator's spans and tags."""
        shell = self.shell
        if article_id is None:
            self.context.article = None
            shell.view.clear_article()
            shell.heading.setText("<i>No article selected</i>")
            shell.annotation_list.set_spans([], self.context.labels)
            shell.tag_panel.set_checked([], enabled=False)
            return
        if self.article is None or self.article.id != article_id:
            article = self.context.article = self.store.article(article_id)
            spans, colors, color_by = self._view_spans(article_id)
            shell.view.show_article(article.text, spans, colors, color_by)
            self.show_annotations(spans)  # the spans just read: no second query or repaint
            self.context.article_shown.emit()
        else:
            self.show_annotations()

    def show_annotations(self, spans: Sequence[Span] | None = None) -> None:
        """Repaint spans, the annotation list, tags and heading from the store.

        `spans`, when given, were just read and painted by show_article.
        """
        article, view = self.article, self.shell.view
        if article is None:
            return
        if spans is None:
            spans, colors, color_by = self._view_spans(article.id)
            selected = view.selected_span()
            view.set_spans(spans, colors, color_by)
        else:
            selected = None
        self.shell.annotation_list.set_spans(spans, self.context.labels)
        if selected and any(span.uuid == selected for span in spans):
            view.set_selected_span(selected)
            self.shell.annotation_list.select_span(selected)
        annotator = self.context.annotator
        tags = {tag.label for tag in self.store.tags(article.id, annotator)}
        self.shell.tag_panel.set_checked(tags)
        status = self.store.status(article.id, annotator)
        details = " · ".join(
            part for part in (article.published or "", article.source, article.uid) if part
        )
        quiet = _quiet_color(QGuiApplication.palette())  # the theme's, even before a repaint
        self.shell.heading.setText(
            f"<b style='font-size:14pt'>{_escape(article.title or article.uid)}</b><br>"
            f"<span style='color:{quiet}'>{_escape(details)} · status: <b>{status}</b> · "
            f"{counted(len(spans), 'span')}</span>"
        )

    def _view_spans(self, article_id: int) -> ViewSpans:
        """The spans the text shows and how they are coloured: by label, or as a mode (review:
        by annotator, each shown annotator in their own colour) decides."""
        for source in self._span_sources:
            found = source.spans_for(article_id)
            if found is not None:
                return found
        return self.store.spans(article_id, self.whose_spans()), self.context.labels, "label"

    def whose_spans(self) -> str | None:
        """None (everyone) when the team view is on, else the current annotator."""
        return None if self.everyone_action.isChecked() else self.context.annotator

    def toggle_everyone(self) -> None:
        """Show every annotator's spans, or only the current annotator's (remembered)."""
        self.settings.setValue("view/everyone", self.everyone_action.isChecked())
        self.show_annotations()


def _depends_on_annotations(flt: ArticleFilter) -> bool:
    """Whether an edit can change which articles this filter shows."""
    return bool(flt.tag or flt.label or flt.annotator or flt.status or flt.relation)


def _quiet_color(palette: QPalette) -> str:
    """A grey between the theme's text and its page (a fixed #555 vanished on a dark page)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    page = palette.color(QPalette.ColorRole.Window)
    pairs = ((text.red(), page.red()), (text.green(), page.green()), (text.blue(), page.blue()))
    return "#" + "".join(f"{round(0.65 * a + 0.35 * b):02x}" for a, b in pairs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
