"""Relations in the window (issue 16 items 2, 3 and 6): R, hints and Enter; digits and Tab;
Shift+R, Delete, Esc; Alt-drag; arcs, tooltips, the Relations dock and the list's filter."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence

from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.relation_hints import hint_labels

TEXT = "Mayor Ana Lopez said “we will build a bridge” at the Paris office of Acme Corp today."
OTHER = "Nothing related happens in this short article about Bob."


def _at(word):
    start = TEXT.index(word)
    return start, start + len(word)


@pytest.fixture
def window(tmp_path, show_window):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft(TEXT, "a", title="A"), ArticleDraft(OTHER, "b", title="B")])
    a = store.article_id("a")
    spans = {
        name: store.add_span(a, *_at(words), label, "ana").uuid
        for name, words, label in (
            ("ana", "Ana Lopez", "Person"),
            ("quote", "we will build a bridge", "Quote"),
            ("paris", "Paris", "Location"),
            ("acme", "Acme Corp", "Organization"),
        )
    }
    window = show_window(store, "ana")
    window.resize(1200, 800)
    window.spans = spans
    window.article_id = a
    assert window.article.id == a
    yield window
    store.close()


def _select(window, name):
    window.view.setFocus()
    window.select_span(window.spans[name])


def _hint_for(window, name):
    hints = window.relating.scene.hints
    return next(c.hint for c in hints.options if c.span.uuid == window.spans[name])


def _type_hint(qtbot, view, hint):
    for letter in hint:
        qtbot.keyClick(view, getattr(Qt.Key, f"Key_{letter.upper()}"))


def _live(window):
    return window.store.relations(window.article_id)


def test_hint_labels_are_prefix_free_and_shortest_for_the_nearest():
    for count in (1, 5, 14, 15, 200, 300):
        hints = hint_labels(count)
        assert len(set(hints)) == count
        assert not any(a != b and b.startswith(a) for a in hints for b in hints)
        assert [len(h) for h in hints] == sorted(len(h) for h in hints)
    assert hint_labels(2) == ["s", "a"]  # the home row, as Vimium


def test_r_hint_and_enter_make_the_relation(qtbot, window):
    view, relating = window.view, window.relating
    _select(window, "quote")
    qtbot.keyClick(view, Qt.Key.Key_R)
    hints = relating.scene.hints
    assert hints is not None and hints.kind.name == "said_by"
    # Only the labels said_by allows at the far end (Person, Organization), nearest first.
    assert [c.span.label for c in hints.options] == ["Person", "Organization"]
    assert "said_by" in window.statusBar().currentMessage()
    _type_hint(qtbot, view, _hint_for(window, "acme"))
    assert hints.chosen().span.uuid == window.spans["acme"]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    [made] = _live(window)
    assert (made.type, made.from_span, made.to_span, made.annotator) == (
        "said_by", window.spans["quote"], window.spans["acme"], "ana",
    )  # fmt: skip
    assert relating.scene.hints is None
    assert relating.scene.selected_relation == made.uuid
    assert window.statusBar().currentMessage().startswith("Saved: said_by")
    assert window.store.span(window.spans["quote"]).label == "Quote"  # no label key fired
    assert relating.list.uuids() == [made.uuid]
    window.undo()
    assert _live(window) == [] and relating.list.uuids() == []
    window.editing.redo()
    assert [r.uuid for r in _live(window)] == [made.uuid]
    assert relating.list.uuids() == [made.uuid]


def test_a_digit_picks_another_type_and_the_next_r_starts_with_the_last_used(qtbot, window):
    view, relating = window.view, window.relating
    names = [kind.name for kind in relating.types]
    _select(window, "ana")
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert relating.scene.hints.kind.name == "said_by"  # the selected span is the to end
    assert [c.forward for c in relating.scene.hints.options] == [False]
    qtbot.keyClick(view, getattr(Qt.Key, f"Key_{names.index('located_in') + 1}"))
    hints = relating.scene.hints
    assert hints.kind.name == "located_in"
    assert [c.span.uuid for c in hints.options] == [window.spans["paris"]]
    assert "[4 located_in]" in relating.scene.type_keys
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    [made] = _live(window)
    assert (made.type, made.from_span, made.to_span) == (
        "located_in", window.spans["ana"], window.spans["paris"],
    )  # fmt: skip
    _select(window, "acme")
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert relating.scene.hints.kind.name == "located_in"  # the last used, as it fits
    qtbot.keyClick(view, Qt.Key.Key_Escape)


def test_a_types_own_key_starts_the_pick_with_that_type(qtbot, window):
    view, relating = window.view, window.relating
    _select(window, "ana")
    qtbot.keyClick(view, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)  # member_of
    assert relating.scene.hints.kind.name == "member_of"
    assert [c.span.uuid for c in relating.scene.hints.options] == [window.spans["acme"]]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert [r.type for r in _live(window)] == ["member_of"]


def test_tab_cycles_the_hints_and_esc_cancels(qtbot, window):
    view, relating = window.view, window.relating
    _select(window, "quote")
    qtbot.keyClick(view, Qt.Key.Key_R)
    hints = relating.scene.hints
    first = hints.chosen().span.uuid
    assert first == window.spans["ana"]  # the nearest is current at first
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert hints.chosen().span.uuid == window.spans["acme"]
    assert view.hasFocus()  # Tab stayed in the text
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert hints.chosen().span.uuid == first
    qtbot.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert hints.chosen().span.uuid == window.spans["acme"]
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert relating.scene.hints is None
    assert _live(window) == []
    assert "cancelled" in window.statusBar().currentMessage()


def test_label_keys_never_fire_while_hints_are_shown(qtbot, window):
    view, relating = window.view, window.relating
    _select(window, "quote")
    qtbot.keyClick(view, Qt.Key.Key_R)
    qtbot.keyClick(view, Qt.Key.Key_P)  # Person's key, and a hint letter
    assert window.store.span(window.spans["quote"]).label == "Quote"
    assert relating.scene.hints is not None
    qtbot.keyClick(view, Qt.Key.Key_Escape)


def test_r_without_a_selected_span_says_what_to_do(qtbot, window):
    window.view.setFocus()
    window.view.select_range(0, 0)
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert window.relating.scene.hints is None
    assert "Click a span first" in window.statusBar().currentMessage()


def _make(window, kind, a, b):
    return window.relating.link(kind, window.spans[a], window.spans[b])


def test_shift_r_reverses_and_delete_removes_the_selected_relation_with_undo(qtbot, window):
    view, relating = window.view, window.relating
    view.setFocus()
    made = _make(window, "member_of", "ana", "acme")
    assert relating.scene.selected_relation == made.uuid and view.selected_span() is None
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert "member_of" in window.statusBar().currentMessage()  # not allowed the other way
    assert window.store.relation(made.uuid).from_span == window.spans["ana"]
    same = _make(window, "located_in", "acme", "paris")
    assert same is not None
    # An undirected type would refuse; a directed one whose labels allow both ways reverses:
    # here the store refuses Paris -> Acme as located_in, and says so.
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert "Not saved" in window.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert window.store.relation(same.uuid).deleted
    assert not window.store.span(window.spans["acme"]).deleted  # the span stays
    assert [r.uuid for r in _live(window)] == [made.uuid]
    window.undo()
    assert not window.store.relation(same.uuid).deleted
    window.editing.redo()
    assert window.store.relation(same.uuid).deleted


def test_shift_r_reverses_a_relation_whose_labels_allow_both_ways(qtbot, tmp_path, show_window):
    from desktop_app.core.model import Label, LabelSchema, RelationType

    store, _ = open_project(tmp_path / "q.sqlite", default_schema_path())
    store.apply_schema(
        LabelSchema(
            "t",
            (Label("Person", "span", "#ffadad", "p"),),
            relation_types=(RelationType("knows", "#aa0000", "", True),),
        )
    )
    store.add_articles([ArticleDraft("Ann met Bob.", "k")])
    k = store.article_id("k")
    ann = store.add_span(k, 0, 3, "Person", "ana")
    bob = store.add_span(k, 8, 11, "Person", "ana")
    window = show_window(store, "ana")
    try:
        window.view.setFocus()
        made = window.relating.link("knows", ann.uuid, bob.uuid)
        qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
        after = store.relation(made.uuid)
        assert (after.from_span, after.to_span) == (bob.uuid, ann.uuid)
        assert window.statusBar().currentMessage().startswith("Saved: reversed knows")
        window.undo()
        assert store.relation(made.uuid).from_span == ann.uuid
        window.editing.redo()
        assert store.relation(made.uuid).from_span == bob.uuid
    finally:
        window.close()
        store.close()


def test_esc_deselects_a_relation_and_delete_then_deletes_the_span(qtbot, window):
    view, relating = window.view, window.relating
    view.setFocus()
    made = _make(window, "member_of", "ana", "acme")
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert relating.scene.selected_relation == ""
    window.select_span(window.spans["acme"])
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # a span is selected: the window's Delete span
    assert window.store.span(window.spans["acme"]).deleted
    assert window.store.relation(made.uuid).deleted
    assert relating.list.uuids() == [] and relating.relations() == []
    window.undo()  # the span and its relation come back, in the view and the dock
    assert not window.store.span(window.spans["acme"]).deleted
    assert [r.uuid for r in relating.relations()] == [made.uuid]
    assert relating.list.uuids() == [made.uuid]
    assert window.spans["acme"] in {s.uuid for s in view.shown_spans()}


def _point_of(view, name_span):
    rect = view.span_rects(name_span)[0]
    return rect.center().toPoint()


def test_alt_drag_from_span_to_span_makes_the_relation(qtbot, window):
    view = window.view
    start = _point_of(view, window.spans["quote"])
    end = _point_of(view, window.spans["ana"])
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, alt, start)
    assert window.relating.scene.drag is not None
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, alt, end)
    [made] = _live(window)
    assert (made.type, made.from_span, made.to_span) == (
        "said_by", window.spans["quote"], window.spans["ana"],
    )  # fmt: skip
    assert window.relating.scene.drag is None
    assert view.selected_range() is None  # no exact text selection was made
    window.undo()
    assert _live(window) == []
    # A drop on plain text links nothing and says how.
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, alt, start)
    blank = view.range_rects(0, 4)[0].center().toPoint()
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, alt, blank)
    assert _live(window) == []
    assert "Alt-drag" in window.statusBar().currentMessage()


def test_clicking_a_candidate_chooses_it(qtbot, window):
    view, relating = window.view, window.relating
    _select(window, "quote")
    qtbot.keyClick(view, Qt.Key.Key_R)
    acme = _point_of(view, window.spans["acme"])
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=acme)
    assert relating.scene.hints.chosen().span.uuid == window.spans["acme"]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert [r.to_span for r in _live(window)] == [window.spans["acme"]]


def test_arcs_show_for_the_selected_and_hovered_span_and_all_on_demand(qtbot, window):
    view, relating = window.view, window.relating
    said = _make(window, "said_by", "quote", "ana")
    where = _make(window, "located_in", "acme", "paris")
    relating.select_relation("")
    window.select_span(window.spans["ana"])
    scene = relating.scene
    view.repaint()
    assert scene.shown() == [said]
    assert [uuid for _, uuid in scene.label_boxes] == [said.uuid]  # painted, with its name
    qtbot.mouseMove(view.viewport(), _point_of(view, window.spans["paris"]))
    assert scene.hovered_span == window.spans["paris"]
    assert {r.uuid for r in scene.shown()} == {said.uuid, where.uuid}
    qtbot.mouseMove(view.viewport(), QPoint(2, view.viewport().height() - 2))
    window.select_span("")
    view.repaint()
    assert scene.shown() == [] and scene.label_boxes == []
    relating.show_all_action.trigger()  # View > Show all relations
    view.repaint()
    assert {uuid for _, uuid in scene.label_boxes} == {said.uuid, where.uuid}
    relating.show_all_action.trigger()
    assert scene.shown() == []


def test_arcs_follow_scrolling_and_line_spacing(qtbot, window):
    view, relating = window.view, window.relating
    relating.show_all_action.trigger()
    _make(window, "said_by", "quote", "ana")
    view.repaint()
    [(box, _)] = relating.scene.label_boxes
    view.set_line_spacing(200)
    view.repaint()
    [(spaced, _)] = relating.scene.label_boxes
    ana_top = view.span_rects(window.spans["ana"])[0].top()
    assert spaced.center().y() < ana_top  # above the text it links, at any spacing
    assert spaced != box
    relating.show_all_action.trigger()


def test_clicking_an_arcs_name_selects_the_relation_and_its_ends_flash(qtbot, window):
    view, relating = window.view, window.relating
    said = _make(window, "said_by", "quote", "ana")
    relating.select_relation("")
    window.select_span(window.spans["ana"])
    view.repaint()
    [(box, _)] = relating.scene.label_boxes
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center().toPoint())
    assert relating.scene.selected_relation == said.uuid
    assert relating.scene.flash_on
    assert relating.list.selected() == said.uuid
    qtbot.waitUntil(lambda: not relating._flash_timer.isActive(), timeout=3000)
    assert not relating.scene.flash_on


def test_the_tooltip_lists_the_spans_relations(window):
    _make(window, "said_by", "quote", "ana")
    _make(window, "member_of", "ana", "acme")
    tip = window.view.tooltip_at(TEXT.index("Lopez"))
    assert "Relations:" in tip
    assert "← <b>said_by</b> “we will build a bridge” (Quote)" in tip
    assert "→ <b>member_of</b> “Acme Corp” (Organization)" in tip
    assert "Relations" not in window.view.tooltip_at(TEXT.index("Paris"))


def test_the_dock_lists_sorts_filters_and_selecting_a_row_scrolls(qtbot, window):
    relating, view = window.relating, window.view
    said = _make(window, "said_by", "quote", "ana")
    member = _make(window, "member_of", "ana", "acme")
    dock = relating.list
    assert dock.uuids() == [said.uuid, member.uuid]
    row = [dock.proxy.index(0, c).data() for c in range(5)]
    assert row == ["said_by", "we will build a bridge (Quote)", "Ana Lopez (Person)", "ana", ""]
    dock.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert dock.uuids() == [member.uuid, said.uuid]
    dock.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert dock.uuids() == [said.uuid, member.uuid]
    qtbot.keyClicks(dock.filter, "acme")
    assert dock.uuids() == [member.uuid]
    dock.filter.clear()
    view.set_line_spacing(300)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    relating.select_relation("")
    dock.select("")
    dock.table.selectRow(dock.uuids().index(said.uuid))
    assert relating.scene.selected_relation == said.uuid
    assert view.span_rects(window.spans["quote"])  # scrolled to it
    assert view.selected_span() is None


def test_the_note_is_edited_from_the_dock_as_one_undo_step(qtbot, window, monkeypatch):
    relating = window.relating
    said = _make(window, "said_by", "quote", "ana")
    monkeypatch.setattr(
        "desktop_app.ui.relation_actions.edit_note", lambda parent, prompt, note: "direct"
    )
    dock = relating.list
    dock.table.setFocus()
    dock.select(said.uuid)
    qtbot.keyClick(dock.table, Qt.Key.Key_F2)
    assert window.store.relation(said.uuid).note == "direct"
    assert dock.proxy.index(0, 4).data() == "direct"
    assert window.store.span(window.spans["quote"]).note == ""  # not the span's F2
    window.undo()
    assert window.store.relation(said.uuid).note == ""
    qtbot.keyClick(dock.table, Qt.Key.Key_Delete)  # the dock's Delete is the relation's
    assert window.store.relation(said.uuid).deleted
    assert not window.store.span(window.spans["quote"]).deleted


def test_a_colleagues_relation_is_shown_but_not_changed(qtbot, window):
    store, relating = window.store, window.relating
    theirs = store.add_relation("said_by", window.spans["quote"], window.spans["ana"], "bea")
    window.reading.reread_article()
    assert [r.annotator for r in relating.relations()] == ["bea"]
    relating.select_relation(theirs.uuid)
    relating.delete_selected()
    assert not store.relation(theirs.uuid).deleted
    assert "bea's" in window.statusBar().currentMessage()


def test_the_list_filters_by_relation_type(qtbot, window):
    _make(window, "member_of", "ana", "acme")
    combo = window.filter_bar.relation
    assert combo.isVisibleTo(window.filter_bar)
    assert [combo.itemData(i) for i in range(combo.count())][1:] == [
        kind.name for kind in window.relating.types
    ]
    combo.setCurrentIndex(combo.findData("member_of"))
    assert window.filter_bar.current_filter().relation == "member_of"
    assert window.table_model.rowCount() == 1
    combo.setCurrentIndex(combo.findData("said_by"))
    assert window.table_model.rowCount() == 0
    combo.setCurrentIndex(0)
    assert window.table_model.rowCount() == 2


def test_every_relation_action_is_in_the_shortcuts_sheet(qtbot, window):
    window.help.open_shortcuts()
    sheet = window.help.sheet
    listed = {(text, keys) for rows in sheet.groups.values() for text, keys in rows}
    native = QKeySequence.SequenceFormat.NativeText
    for text, keys in (
        ("Link the selected span", "R"),
        ("Reverse the selected relation", "Shift+R"),
        ("Delete the selected relation", "Del"),
        ("Show all relations", "Ctrl+Shift+L"),
        ("Link as said_by", "Shift+S"),
        ("Link as member_of", "Shift+M"),
    ):
        assert (text, QKeySequence(keys).toString(native)) in listed, text
    assert "Edit › Relations" in sheet.groups
    assert "Relations (while its list has the focus)" in sheet.groups  # Delete, F2
    sheet.close()


def test_r_is_left_to_a_label_that_took_it(qtbot, tmp_path, show_window):
    from desktop_app.core.model import Label

    store, _ = open_project(tmp_path / "r.sqlite", default_schema_path())
    store.save_label(Label("Rumour", "span", "#ffadad", "r"))
    store.add_articles([ArticleDraft("A rumour spread.", "r")])
    window = show_window(store, "ana")
    try:
        assert window.relating.link_action.shortcut().isEmpty()
        window.view.setFocus()
        window.view.select_range(2, 8)
        qtbot.keyClick(window.view, Qt.Key.Key_R)
        [span] = store.spans(store.article_id("r"))
        assert span.label == "Rumour"
    finally:
        window.close()
        store.close()


def test_hints_never_survive_another_article(qtbot, window):
    _select(window, "quote")
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert window.relating.scene.hints is not None
    window.reading.step(1)
    assert window.relating.scene.hints is None
