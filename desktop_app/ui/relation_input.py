"""The keys and mouse of relations in the article text: the pick's keys while hints are shown,
Delete and Esc on a selected relation, Alt-drag from span to span, hovering, clicking a name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent

from desktop_app.core.model import Relation, RelationType, Span
from desktop_app.ui.article_view import ArticleView
from desktop_app.ui.relation_hints import HintSession, pair_type
from desktop_app.ui.relation_painter import RelationPainter, RelationScene

_KEY, _OVERRIDE = QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride
_PRESS, _MOVE = QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove
_RELEASE, _DOUBLE = QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick
_NO_MODIFIERS = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class RelationActs(Protocol):
    """What the input asks of the relation feature."""

    types: list[RelationType]
    last_type: str

    def cancel(self) -> None:
        """Esc: no pick, no drag."""

    def commit(self) -> None:
        """Enter: make the chosen link."""

    def pick_type(self, name: str) -> None:
        """Another type for the pick in progress."""

    def delete_selected(self) -> None:
        """Delete the selected relation."""

    def select_relation(self, uuid: str, scroll: bool = True) -> None:
        """Select a relation ("" for none)."""

    def link(self, kind: str, from_span: str, to_span: str) -> Relation | None:
        """Make a relation as one undoable edit."""

    def say(self, message: str, ms: int = 0) -> None:
        """Tell the analyst (status bar)."""


class RelationInput(QObject):
    """An event filter on the article text and its viewport, for relations."""

    def __init__(
        self, view: ArticleView, scene: RelationScene, painter: RelationPainter, acts: RelationActs
    ) -> None:
        super().__init__(view)
        self.view, self.scene, self.painter, self.acts = view, scene, painter, acts
        self._drag_from = ""
        self._eat_release = False
        # Kept, so events during the view's destruction are told apart without asking it.
        self._viewport = view.viewport()
        view.installEventFilter(self)
        self._viewport.installEventFilter(self)
        self._viewport.setMouseTracking(True)  # the hovered span's arcs

    def reset(self) -> None:
        """Forget a drag in progress (the article changed)."""
        self._drag_from, self.scene.drag = "", None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt hook on the text and its viewport: the pick's keys, Alt-drag, hovering."""
        if watched is self.view and isinstance(event, QKeyEvent):
            if event.type() in (_KEY, _OVERRIDE):
                return self._key(event, event.type() == _KEY)
        elif watched is self._viewport and isinstance(event, QMouseEvent):
            return self._mouse(event)
        return False

    # ------------------------------------------------------------------ keys

    def _key(self, event: QKeyEvent, press: bool) -> bool:
        act: Callable[[], object] | None = None
        if self.scene.hints is not None:
            act = self._hint_key(event, self.scene.hints)
        elif (
            self.scene.selected_relation
            and not self.view.selected_span()
            and event.modifiers() in _NO_MODIFIERS
        ):
            act = {
                Qt.Key.Key_Delete: self.acts.delete_selected,
                Qt.Key.Key_Escape: lambda: self.acts.select_relation(""),
            }.get(Qt.Key(event.key()))
        if act is None:
            return False
        if press:  # an override only claims the key; the press that follows does it
            act()
        event.accept()
        return True

    def _hint_key(self, event: QKeyEvent, hints: HintSession) -> Callable[[], object] | None:
        """What a key does while hints are shown (None: not the pick's key)."""
        key, mods = Qt.Key(event.key()), event.modifiers()
        for kind in self.acts.types:
            if kind.key and QKeySequence(event.keyCombination()) == QKeySequence(kind.key):
                return partial(self.acts.pick_type, kind.name)
        plain = mods in _NO_MODIFIERS
        simple: dict[Qt.Key, Callable[[], object]] = {
            Qt.Key.Key_Escape: self.acts.cancel, Qt.Key.Key_Return: self.acts.commit,
            Qt.Key.Key_Enter: self.acts.commit, Qt.Key.Key_Tab: partial(self._step, 1),
            Qt.Key.Key_Backtab: partial(self._step, -1), Qt.Key.Key_Backspace: self._backspace,
        }  # fmt: skip
        if key in simple and (plain or key == Qt.Key.Key_Backtab):
            return simple[key]
        if plain and Qt.Key.Key_1.value <= key.value <= Qt.Key.Key_9.value:
            return partial(self._digit, key.value - Qt.Key.Key_1.value)
        text = event.text()
        if len(text) == 1 and text.isalpha() and not mods & ~Qt.KeyboardModifier.ShiftModifier:
            return partial(self._letter, text, hints)
        return None

    def _digit(self, number: int) -> None:
        if number < len(self.acts.types):
            self.acts.pick_type(self.acts.types[number].name)

    def _step(self, by: int) -> None:
        if self.scene.hints is not None:
            self.scene.hints.step(by)
            chosen = self.scene.hints.chosen()
            if chosen is not None:
                self.view.scroll_to_span(chosen.span.uuid)
            self.painter.update()

    def _backspace(self) -> None:
        if self.scene.hints is not None:
            self.scene.hints.backspace()
            self.painter.update()

    def _letter(self, letter: str, hints: HintSession) -> None:
        if not hints.type_letter(letter):
            self.acts.say(f"No hint starts with {(hints.typed + letter).upper()}", 3000)
        self.painter.update()

    # ------------------------------------------------------------------ mouse

    def span_at(self, point: QPointF) -> Span | None:
        """The innermost span under a viewport point."""
        cp = self.view.cp_at_point(point.toPoint())
        found = self.view.spans_at(cp) if cp is not None else []
        return self.scene.spans.get(found[0].uuid) if found else None

    def _mouse(self, event: QMouseEvent) -> bool:
        kind, point = event.type(), event.position()
        left = event.button() == Qt.MouseButton.LeftButton
        if kind in (_RELEASE, _DOUBLE) and self._eat_release:
            self._eat_release = kind == _DOUBLE  # a double-click's last release too
            return True
        if kind == _PRESS and left and self.scene.hints is not None:
            span = self.span_at(point)
            if span is None or not self.scene.hints.choose(span.uuid):
                self.acts.cancel()
            self.painter.update()
            self._eat_release = True
            return True
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if kind == _PRESS and left and alt and (span := self.span_at(point)) is not None:
            self._drag_from, self.scene.drag = span.uuid, (span.uuid, point)
            self.painter.update()
            return True
        if kind == _PRESS and left and (uuid := self.scene.relation_at(point)):
            self.acts.select_relation(uuid, scroll=False)
            self._eat_release = True
            return True
        if kind == _MOVE and self._drag_from:
            self.scene.drag = (self._drag_from, point)
            self.painter.update()
            return True
        if kind == _MOVE and not event.buttons():
            self._hover(point)
        if kind == _RELEASE and self._drag_from:
            self._drop(point)
            return True
        return False

    def _hover(self, point: QPointF) -> None:
        span = self.span_at(point)
        uuid = span.uuid if span is not None else ""
        if uuid != self.scene.hovered_span:
            had, self.scene.hovered_span = self.scene.hovered_span, uuid
            if _has_relations(self.scene.relations, (had, uuid)):
                self.painter.update()

    def _drop(self, point: QPointF) -> None:
        source = self.scene.spans.get(self._drag_from)
        self.reset()
        self.painter.update()
        target = self.span_at(point)
        if source is None or target is None or target.uuid == source.uuid:
            return self.acts.say("Alt-drag from a span onto another span to link them.", 8000)
        found = pair_type(self.acts.types, source, target, self.acts.last_type)
        if found is None:
            return self.acts.say(
                f"No relation type links a {source.label} and a {target.label}.", 8000
            )
        kind, forward = found
        ends = (source.uuid, target.uuid) if forward else (target.uuid, source.uuid)
        self.acts.link(kind.name, *ends)


def _has_relations(relations: Sequence[Relation], uuids: Sequence[str]) -> bool:
    wanted = set(uuids) - {""}
    return any(r.from_span in wanted or r.to_span in wanted for r in relations)
