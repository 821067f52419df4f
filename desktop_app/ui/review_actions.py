"""Review: annotators in their own colours, differences, adjudication, agreement."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QDockWidget

from desktop_app.core.model import DocumentTag, Label, Relation, Span
from desktop_app.core.review import (
    ItemClass,
    ReviewItem,
    compare_relations,
    compare_spans,
    compare_tags,
)
from desktop_app.core.store import StoreError
from desktop_app.ui.agreement_window import AgreementWindow
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.ports import Navigator, ViewSpans
from desktop_app.ui.review_panel import ReviewPanel
from desktop_app.ui.shell import Shell


class ReviewController(Controller):
    """The Review menu, its dock and the decisions taken in it; Tools > Agreement.

    While the dock is open it decides what the article view paints (a ports.SpanSource).
    """

    def __init__(self, context: ProjectContext, shell: Shell, navigator: Navigator) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.review_items: list[ReviewItem] = []
        self.agreement_window: AgreementWindow | None = None
        self._build_dock()
        a = self._action
        a("&Review", "&Compare annotators…", self.start_review, "Ctrl+Shift+R")
        a("&Review", "&Next difference", lambda: self.review_step(1), "F8")
        a("&Review", "&Previous difference", lambda: self.review_step(-1), "Shift+F8")
        a("&Review", "Accept all &agreed items", self.review_accept_agreed)
        a("&Tools", "&Agreement…", self.open_agreement)
        context.article_shown.connect(self._article_shown)
        context.project_opened.connect(self._opened)
        context.project_closing.connect(self._finish)
        context.project_closed.connect(self._closed)

    def _build_dock(self) -> None:
        """Create the review dock (hidden until Review > Compare annotators)."""
        window = self.shell.window
        self.review_panel = ReviewPanel()
        self.review_dock = QDockWidget("Review", window)
        self.review_dock.setObjectName("review_dock")
        self.review_dock.setWidget(self.review_panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.review_dock)
        self.review_dock.hide()
        window.tabifyDockWidget(self.shell.labels_dock, self.review_dock)
        self.review_dock.visibilityChanged.connect(self._review_visibility)
        panel = self.review_panel
        panel.compareChanged.connect(self._review_compare_changed)
        panel.rowChosen.connect(self._review_row_chosen)
        panel.acceptA.connect(lambda: self.review_decide("a"))
        panel.acceptB.connect(lambda: self.review_decide("b"))
        panel.reject.connect(lambda: self.review_decide(None))
        panel.undo.connect(self.review_undo)
        panel.step.connect(self.review_step)
        panel.accept_agreed.clicked.connect(self.review_accept_agreed)

    def _opened(self) -> None:
        if self.reviewing:  # the new project's annotators, and the article painted by them
            self._review_fill_annotators()
            self._review_repaint()

    def _finish(self) -> None:
        if self.agreement_window is not None:
            self.agreement_window.wait()  # it reads the store on a thread

    def _closed(self) -> None:
        if self.agreement_window is not None:
            self.agreement_window.close()  # it holds the closed project's store
            self.agreement_window = None
        self.review_items = []
        self.review_panel.set_items([], {})
        self.review_panel.set_annotators([], {})

    @property
    def reviewing(self) -> bool:
        """True while the review dock is open."""
        return self.review_dock.isVisible()

    def start_review(self) -> None:
        """Open the review dock on the current article."""
        self._review_fill_annotators()
        self.review_dock.show()
        self.review_dock.raise_()
        # Room for the quotes in the differences table; the text keeps the rest.
        self.shell.window.resizeDocks(
            [self.review_dock], [max(460, self.review_dock.width())], Qt.Orientation.Horizontal
        )
        self.review_panel.table.setFocus()

    def open_agreement(self) -> None:
        """Tools > Agreement: figures and disagreements in a window of their own."""
        window = AgreementWindow(self.store, self.shell.window)
        window.openText.connect(self.open_text)
        window.show()
        self.agreement_window = window

    def open_text(self, uid: str, start: int, end: int) -> None:
        """Show an article (by uid) with [start, end) selected: where a disagreement is."""
        article_id = self.store.article_id(uid)
        if article_id is None:
            return self._warn(f"No article {uid!r} in this project.")
        self.navigator.open_article(article_id)  # shown even when the list's filter hides it
        if end > start:
            self.shell.view.select_range(start, end)
        self.shell.window.raise_()
        self.shell.window.activateWindow()
        if self.agreement_window is not None:  # keep it beside the text, not over it
            view = self.shell.view.viewport()
            corner = view.mapToGlobal(QPoint(0, 0))
            self.agreement_window.keep_beside(QRect(corner, view.size()))

    def _review_visibility(self, visible: bool) -> None:
        if not self.context.is_open:
            return
        if visible:
            self._review_fill_annotators()
        self._review_repaint()

    def _review_fill_annotators(self) -> None:
        # Who annotated something, most active first (a login name alone compares nothing).
        names = [name for name, _ in self.store.annotator_activity()]
        self.review_panel.set_annotators(names, self.store.annotator_colors())

    def _review_compare_changed(self) -> None:
        self._review_repaint()

    def _review_repaint(self) -> None:
        if self.article is not None:
            self.context.annotations_changed.emit()  # the view asks spans_for() what to paint
            self._article_shown()

    # --- what the view shows -------------------------------------------------------------

    def spans_for(self, article_id: int) -> ViewSpans | None:
        """In review: the shown annotators' spans, coloured by annotator; else None."""
        if not self.reviewing:
            return None
        a, b = self.review_panel.chosen()
        shown = self.review_panel.shown_names() | {a, b}
        colors = self.store.annotator_colors()
        spans = [s for s in self.store.spans(article_id) if s.annotator in shown]
        labels = {name: Label(name, color=colors.get(name, "#cccccc")) for name in shown}
        return spans, labels, "annotator"

    def _article_shown(self) -> None:
        """A new article is open: list its differences when reviewing."""
        if self.reviewing:
            self._review_refresh()

    def _review_refresh(self) -> None:
        if self.article is None:
            self.review_items = []
            self.review_panel.set_items([], {})
            return
        article_id = self.article.id
        everything = self._compared(article_id)
        decisions = self.store.decisions(article_id, self.review_panel.layer_name())
        listed = everything
        if not self.review_panel.show_agreed.isChecked():
            listed = [item for item in everything if item.is_difference]
        self.review_items = listed
        self.review_panel.set_items(listed, decisions)
        differences = sum(item.is_difference for item in everything)
        decided = sum(item.key in decisions for item in everything)
        self.review_panel.set_counts(differences, decided, len(everything) - differences)

    def _compared(self, article_id: int) -> list[ReviewItem]:
        """A's and B's tags, spans and relations on the article, each classed; relations
        last, so accepting everything agreed puts their spans in the layer first."""
        a, b = self.review_panel.chosen()
        tags = compare_tags(self.store.tags(article_id, a), self.store.tags(article_id, b))
        spans = compare_spans(self.store.spans(article_id, a), self.store.spans(article_id, b))
        everyone = {span.uuid: span for span in self.store.spans(article_id)}
        directed = {kind.name: kind.directed for kind in self.store.relation_types()}
        relations = compare_relations(
            self.store.relations(article_id, a), self.store.relations(article_id, b), everyone,
            directed,
        )  # fmt: skip
        return [*tags, *spans, *relations]

    # --- navigation ----------------------------------------------------------------------

    def _review_row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.review_items):
            return
        item = self.review_items[row]
        if item.kind in ("span", "relation"):
            side = item.a if item.a is not None else item.b
            self.shell.view.select_range(item.start, item.end)  # selects and scrolls to it
            if isinstance(side, Relation):  # its from end, whose arcs show the relation
                self.shell.view.set_selected_span(side.from_span)
            else:
                self.shell.view.set_selected_span(side.uuid if side is not None else None)

    def review_step(self, delta: int) -> None:
        """Go to the next (1) or previous (-1) difference in the list."""
        if not self.reviewing:
            self.start_review()
        table = self.review_panel.table
        row = table.currentRow()
        candidates = range(row + 1, len(self.review_items)) if delta > 0 else range(row - 1, -1, -1)
        for index in candidates:
            if self.review_items[index].is_difference:
                table.setCurrentCell(index, 0)
                table.setFocus()
                return
        where = "last" if delta > 0 else "first"
        self.shell.say(
            f"That was the {where} difference in this article (Ctrl+Down: next article).", 5000
        )

    # --- decisions -----------------------------------------------------------------------

    def review_decide(self, side: str | None) -> None:
        """Accept A's ("a") or B's ("b") version of the current item, or reject it (None)."""
        row = self.review_panel.table.currentRow()
        if self.article is None or not 0 <= row < len(self.review_items):
            return
        item = self.review_items[row]
        chosen = item.a if side == "a" else item.b if side == "b" else None
        if side is not None and chosen is None:
            who = "A" if side == "a" else "B"
            return self._warn(f"{who} has nothing here to accept; reject it or accept the other.")
        self._review_store([(item.key, item.kind, chosen)])
        self.review_step(1)

    def review_accept_agreed(self) -> None:
        """Accept every agreed, undecided item of the article into the layer, in one step."""
        if self.article is None:
            return
        article_id = self.article.id
        items = self._compared(article_id)
        decided = self.store.decisions(article_id, self.review_panel.layer_name())
        agreed = [
            (item.key, item.kind, item.a)
            for item in items
            if item.item_class is ItemClass.AGREED and item.key not in decided
        ]
        if agreed:
            self._review_store(agreed)
        self.shell.say(f"{len(agreed)} agreed items accepted.", 5000)

    def review_undo(self) -> None:
        """Take back the decision on the current item."""
        row = self.review_panel.table.currentRow()
        if self.article is None or not 0 <= row < len(self.review_items):
            return
        self.store.undecide(
            self.article.id, self.review_items[row].key, self.review_panel.layer_name()
        )
        self._review_after_change()

    def _review_store(
        self, choices: Sequence[tuple[str, str, Span | DocumentTag | Relation | None]]
    ) -> None:
        assert self.article is not None
        try:
            self.store.decide(
                self.article.id,
                choices,
                self.context.annotator,
                self.review_panel.layer_name(),
            )
        except StoreError as error:
            return self._warn(str(error))
        self._review_after_change()

    def _review_after_change(self) -> None:
        if self.review_panel.layer_name() not in self.review_panel.shown_names():
            self._review_fill_annotators()  # a new layer appears among the annotators
        self._review_refresh()
        self.context.annotations_changed.emit()
