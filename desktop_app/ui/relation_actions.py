"""Relations in the window: R (or a type's key) on a selected span marks the spans it may link
to with hint letters, Enter links; Alt-drag from span to span does the same; Shift+R reverses
and Delete removes the selected relation; arcs, tooltips and the Relations dock show them."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from desktop_app.core.model import Relation, RelationType, Span
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.note_editor import edit_note
from desktop_app.ui.ports import Navigator
from desktop_app.ui.relation_dock import RelationDock, RelationRow
from desktop_app.ui.relation_hints import HintSession, candidates, fitting_type
from desktop_app.ui.relation_input import RelationInput
from desktop_app.ui.relation_painter import RelationPainter, RelationScene, relation_tips, type_keys
from desktop_app.ui.shell import Shell

RELATIONS = "relations"  # the Edit menu's Relations submenu
LINK_KEY = "R"
FLASHES = 6  # half-blinks of a selected relation's ends


class RelationController(Controller):
    """Makes, reverses, deletes and shows the open article's relations, each edit one undo step.

    Keys: while hints are shown every key is the pick's (so label keys never fire then);
    otherwise Delete and Esc are the relation's only while a relation, not a span, is
    selected, and the window's own Delete (delete span) keeps working on spans.
    """

    def __init__(self, context: ProjectContext, shell: Shell, navigator: Navigator) -> None:
        super().__init__(context, shell)
        self.navigator = navigator
        self.scene = RelationScene()
        self.painter = RelationPainter(shell.view, self.scene)
        self.types: list[RelationType] = []
        self.type_actions: list[QAction] = []
        self.last_type = ""
        self._quotes: dict[str, str] = {}
        self._flashes = 0
        self._flash_timer = QTimer(self, interval=160)
        self._flash_timer.timeout.connect(self._flash_step)
        a = self._action
        self.link_action = a(RELATIONS, "&Link the selected span…", self.start_linking, LINK_KEY)
        self.reverse_action = a(
            RELATIONS, "Re&verse the selected relation", self.reverse_selected, "Shift+R"
        )
        self.delete_action = a(
            RELATIONS, "&Delete the selected relation", self.delete_selected, "Delete"
        )
        # Shown in the menu and the shortcuts sheet only: the text and the dock take Delete
        # while a relation is selected, and the window's Delete stays the span's.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        a(RELATIONS, "Relation &note…", lambda: self.edit_note(self.scene.selected_relation))
        self._separator(RELATIONS)
        self.show_all_action = a(
            "&View", "Show all &relations", self.toggle_show_all, "Ctrl+Shift+L", False
        )
        self.show_all_action.setCheckable(True)
        a("&View", "Show the relations lis&t", self.show_dock, needs_project=False)
        self.list = RelationDock()
        self.dock = QDockWidget("Relations", shell.window)
        self.dock.setObjectName("relations")
        self.dock.setWidget(self.list)
        shell.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        shell.window.tabifyDockWidget(shell.annotations_dock, self.dock)
        shell.annotations_dock.raise_()
        self.list.relationChosen.connect(self.select_relation)
        self.list.noteWanted.connect(self.edit_note)
        self.list.deleteWanted.connect(self.delete_relation)
        view = shell.view
        self.input = RelationInput(view, self.scene, self.painter, self)
        view.tip_sources.append(lambda spans: relation_tips(spans, self.scene, self._quotes))
        view.spanClicked.connect(self._span_clicked)
        context.project_opened.connect(self._read_types)
        context.labels_changed.connect(self._read_types)
        context.project_closed.connect(self._read_types)
        context.article_shown.connect(self.refresh)
        context.annotations_changed.connect(self.refresh)

    def place_actions(self, menus: dict[str, QMenu]) -> None:
        """The relation actions go into Edit > Relations; the rest where named."""
        menus["&Edit"].addSeparator()
        self.submenu = menus["&Edit"].addMenu("Re&lations")
        super().place_actions({**menus, RELATIONS: self.submenu})

    # ------------------------------------------------------------------ reading

    def _read_types(self) -> None:
        """The project's relation types: the type keys, the filter's choices, the scene."""
        self.types = self.store.relation_types() if self.context.is_open else []
        self.scene.types = {kind.name: kind for kind in self.types}
        for action in self.type_actions:
            self.shell.window.removeAction(action)
            self.submenu.removeAction(action)
            action.deleteLater()
        self.type_actions = []
        for kind in self.types:
            action = QAction(f"Link as {kind.name}…", self)
            if kind.key:
                action.setShortcut(QKeySequence(kind.key))
            action.triggered.connect(partial(self._type_key, kind.name))
            self.shell.window.addAction(action)  # window-wide, as label keys are
            self.submenu.addAction(action)
            self.type_actions.append(action)
        # A project whose labels took R before relations came keeps it for the label.
        taken = [lb.name for lb in self.context.labels.values() if _same_key(lb.key, LINK_KEY)]
        self.link_action.setShortcut(QKeySequence() if taken else QKeySequence(LINK_KEY))
        self.shell.filter_bar.set_relation_choices([kind.name for kind in self.types])
        self.refresh()

    def refresh(self) -> None:
        """Read the open article's relations (everyone's) and the spans they link again."""
        self.scene.hints = None
        self.input.reset()
        article = self.article if self.context.is_open else None
        if article is None:
            self.scene.relations, self.scene.spans, self._quotes = [], {}, {}
        else:
            self.scene.relations = self.store.relations(article.id)
            # The spans the text shows (just read by the reading view), and a colleague's
            # span a relation reaches while only the annotator's own are shown.
            spans = {span.uuid: span for span in self.shell.view.shown_spans()}
            for relation in self.scene.relations:
                for end in (relation.from_span, relation.to_span):
                    if end not in spans:
                        spans[end] = self.store.span(end)
            self.scene.spans = spans
            self._quotes = {uuid: _clip(span.quote, 60) for uuid, span in spans.items()}
        live = {r.uuid for r in self.scene.relations}
        if self.scene.selected_relation not in live:
            self.scene.selected_relation = ""
        self.list.set_rows(
            [self._row(r) for r in self.scene.relations], self.scene.selected_relation
        )
        self.painter.update()

    def _row(self, relation: Relation) -> RelationRow:
        def end(uuid: str) -> str:
            span = self.scene.spans.get(uuid)
            return f"{self._quotes.get(uuid, '')} ({span.label})" if span else "(gone)"

        return RelationRow(
            relation.uuid, relation.type, end(relation.from_span), end(relation.to_span),
            relation.annotator, relation.note,
        )  # fmt: skip

    def relations(self) -> list[Relation]:
        """The open article's live relations, as shown in the dock."""
        return list(self.scene.relations)

    # ------------------------------------------------------------------ making one

    def _type_key(self, name: str) -> None:
        if self.scene.hints is not None:
            self.pick_type(name)
        else:
            self.start_linking(name)

    def start_linking(self, kind_name: str = "") -> None:
        """R (or a type's key): mark the spans the selected span may link to with hints."""
        span = self.scene.spans.get(self.shell.view.selected_span() or "")
        if self.article is None or span is None:
            return self._warn(f"Click a span first, then press {LINK_KEY} to link it to another.")
        if not self.types:
            return self._warn("This project has no relation types: load a schema with some.")
        if kind_name:
            kind = self.scene.types.get(kind_name)
        else:
            kind = fitting_type(self.types, span, self.last_type)
        if kind is None:
            return self._warn(f"No relation type links a {span.label}.")
        self._begin(span, kind)

    def _begin(self, source: Span, kind: RelationType) -> None:
        existing = {(r.type, r.from_span, r.to_span) for r in self.scene.relations}
        found = candidates(source, self.shell.view.shown_spans(), kind, existing)
        self.scene.hints = HintSession(source, kind, found)
        self.scene.type_keys = type_keys(self.types, kind.name)
        self.shell.view.setFocus()  # the pick's keys arrive through the text
        if found:
            self.shell.say(f"Link “{_clip(source.quote)}” as {kind.name}: type a hint or Tab, "
                           "then Enter; 1–9 another type; Esc cancels")  # fmt: skip
        else:
            self._warn(f"No span here can be linked as {kind.name}; 1–9 pick another type.")
        self.painter.update()

    def pick_type(self, name: str) -> None:
        """Another type for the pick in progress (a digit or a type's key)."""
        kind, hints = self.scene.types.get(name), self.scene.hints
        if kind is not None and hints is not None:
            self._begin(hints.source, kind)

    def cancel(self) -> None:
        """Esc: no pick, no drag."""
        if self.scene.hints is not None or self.scene.drag is not None:
            self.shell.say("Linking cancelled", 3000)
        self.scene.hints = None
        self.input.reset()
        self.painter.update()

    def commit(self) -> None:
        """Enter: link the selected span with the chosen candidate."""
        hints = self.scene.hints
        ends = hints.ends() if hints is not None else None
        if hints is None or ends is None:
            return self._warn("No span to link to: Esc cancels, 1–9 pick another type.")
        self.scene.hints = None
        self.link(hints.kind.name, *ends)

    def link(self, kind: str, from_span: str, to_span: str) -> Relation | None:
        """Make the relation, as one undoable edit, and select it."""
        with self._edit():
            relation = self.editor.add_relation(kind, from_span, to_span)
            self.last_type = kind
            self._after_edit(f"{kind} {self._ends_text(relation)}")
            self.select_relation(relation.uuid, scroll=False)
            return relation
        return None

    def _ends_text(self, relation: Relation) -> str:
        kind = self.scene.types.get(relation.type)
        arrow = "→" if kind is None or kind.directed else "—"
        quotes = self._quotes
        return (
            f"“{quotes.get(relation.from_span, '')}” {arrow} “{quotes.get(relation.to_span, '')}”"
        )

    def say(self, message: str, ms: int = 0) -> None:
        """Tell the analyst in the status bar."""
        self.shell.say(message, ms)

    def _after_edit(self, message: str) -> None:
        # Only called after the store has committed: "saved" is never a promise.
        self.refresh()
        self.context.history_changed.emit()
        self.navigator.list_after_edit()  # a relation filter may take the article in or out
        self.shell.say(f"Saved: {message}", 5000)

    # ------------------------------------------------------------------ the selected one

    def selected(self) -> Relation | None:
        """The selected relation, if any."""
        uuid = self.scene.selected_relation
        return next((r for r in self.scene.relations if r.uuid == uuid), None)

    def select_relation(self, uuid: str, scroll: bool = True) -> None:
        """Select a relation (a dock row, an arc's name, one just made): its ends flash."""
        self.scene.selected_relation = uuid
        self.list.select(uuid)
        relation = self.selected()
        if relation is not None:
            view = self.shell.view
            view.set_selected_span(None)  # a relation, not a span: Delete is the relation's
            self.shell.annotation_list.select_span(None)
            if scroll:
                for end in (relation.to_span, relation.from_span):  # both, when they fit
                    view.scroll_to_span(end)
            self._flashes = FLASHES
            self.scene.flash_on = True
            self._flash_timer.start()
        self.painter.update()

    def _flash_step(self) -> None:
        self._flashes -= 1
        self.scene.flash_on = self._flashes > 0 and not self.scene.flash_on
        if self._flashes <= 0:
            self._flash_timer.stop()
        self.painter.update()

    def _span_clicked(self, uuid: str) -> None:
        if uuid or not self.scene.hints:
            self.scene.selected_relation = ""
            self.list.select("")
        self.painter.update()

    def _own(self, uuid: str) -> Relation | None:
        relation = next((r for r in self.scene.relations if r.uuid == uuid), None)
        if relation is None:
            self._warn("Select a relation first (in the Relations list, or click its name).")
            return None
        if relation.annotator != self.context.annotator:
            self._warn(f"That relation is {relation.annotator}'s; switch annotator to change it.")
            return None
        return relation

    def reverse_selected(self) -> None:
        """Shift+R: swap the selected relation's ends (one undoable edit)."""
        relation = self._own(self.scene.selected_relation)
        if relation is not None:
            with self._edit():
                after = self.editor.reverse_relation(relation.uuid)
                self._after_edit(f"reversed {after.type} {self._ends_text(after)}")
                self.select_relation(after.uuid, scroll=False)

    def delete_selected(self) -> None:
        """Delete the selected relation."""
        self.delete_relation(self.scene.selected_relation)

    def delete_relation(self, uuid: str) -> None:
        """Delete a relation (one undoable edit)."""
        relation = self._own(uuid)
        if relation is not None:
            with self._edit():
                self.editor.delete_relation(relation.uuid)
                self.scene.selected_relation = ""
                self._after_edit(f"deleted {relation.type} {self._ends_text(relation)}")

    def edit_note(self, uuid: str) -> None:
        """Write or change a relation's note (F2 or a double-click in the dock)."""
        relation = self._own(uuid)
        if relation is None:
            return
        note = edit_note(self.shell.window, f"Note on {relation.type}:", relation.note)
        if note is not None:
            with self._edit():
                self.editor.set_relation_note(relation.uuid, note)
                self._after_edit(f"note on {relation.type}")
                self.list.select(relation.uuid)

    # ------------------------------------------------------------------ showing

    def toggle_show_all(self) -> None:
        """Show every relation of the article, or only those near the selection."""
        self.scene.show_all = self.show_all_action.isChecked()
        self.painter.update()

    def show_dock(self) -> None:
        """Show and raise the Relations dock."""
        self.dock.show()
        self.dock.raise_()


def _same_key(a: str, b: str) -> bool:
    return bool(a) and QKeySequence(a) == QKeySequence(b)


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
