"""Labels > Save schema as… and Load schema…: a round trip, the changes shown, Merge or Replace."""

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.model import DOCUMENT, SPAN, ArticleDraft, Label, LabelSchema
from desktop_app.core.project import open_project
from desktop_app.core.schema import SchemaError, key_label, parse_schema, validate_labels
from desktop_app.core.schema_changes import MERGE, REPLACE, merged_schema, schema_changes
from desktop_app.paths import default_schema_path


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft("Gordon Brown spoke in London.", "u1", title="One")])
    yield store
    store.close()


@pytest.fixture
def window(project, show_window):
    return show_window(project, "ana")


def answer(monkeypatch, button, shown):
    """Answer the Merge/Replace box by clicking `button`, keeping its text in `shown`."""

    def exec_(box):
        shown.append(box.text())
        [chosen] = [b for b in box.buttons() if b.text().replace("&", "") == button]
        chosen.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_save_schema_loads_back_identically(qtbot, window, tmp_path, monkeypatch):
    window.store.save_label(Label("Weapon", SPAN, "#123456", "Shift+W", "Things", "Arms: guns"))
    out = tmp_path / "saved.yaml"
    monkeypatch.setattr(
        window.labelling.shell.dialogs, "save_file", lambda *args: (str(out), "YAML (*.yaml *.yml)")
    )
    window.labelling.save_schema_dialog()
    fresh, _ = open_project(tmp_path / "fresh.sqlite", out)
    try:
        for kind in (SPAN, DOCUMENT):  # every field, in the palette's and the panel's order
            assert fresh.labels(kind) == window.store.labels(kind)
        assert fresh.exclusive_groups() == window.store.exclusive_groups() == {"Relevance"}
        assert fresh.setting("schema_name") == window.store.setting("schema_name")
        assert fresh.schema() == window.store.schema()
    finally:
        fresh.close()


OTHER = """name: Other
span_labels:
  - {name: Person, key: x, color: "#010101"}
  - {name: Weapon, key: w}
document_tags:
  - {name: Relevant, group: Relevance}
"""


def test_changes_are_listed(project):
    project.add_span(project.article_id("u1"), 0, 12, "Person", "ana")
    project.add_span(project.article_id("u1"), 22, 28, "Location", "ana")
    changes = schema_changes(
        project.schema(), parse_schema(OTHER, "o.yaml"), project.annotation_counts()
    )
    assert changes.added == ["Weapon"]
    assert ("Person", "#ffc09f", "#010101") in changes.recoloured
    assert ("Person", "p", "x") in changes.rekeyed
    assert "Location" in changes.removed and "Politics" in changes.removed
    text = "\n".join(changes.lines(REPLACE))
    assert "Keys changed: Person P → X" in text
    assert "Annotations affected: 2" in text  # Person recoloured, Location removed (kept)
    assert "Annotations affected: 1" in "\n".join(changes.lines(MERGE))


def test_merge_keeps_labels_without_clashes(project):
    merged = merged_schema(project.schema(), parse_schema(OTHER, "o.yaml"))
    validate_labels(merged.labels, "merged")
    names = [label.name for label in merged.labels]
    assert names[:3] == ["Person", "Weapon", "Relevant"] and "Location" in names
    assert merged.exclusive_groups == ("Relevance",)


@pytest.mark.parametrize(
    "button, expect_location, expect_politics", [("Merge", True, True), ("Replace", True, False)]
)
def test_load_schema_asks_then_merges_or_replaces(
    qtbot, window, tmp_path, monkeypatch, button, expect_location, expect_politics
):
    window.store.add_span(window.store.article_id("u1"), 22, 28, "Location", "ana")
    path = tmp_path / "other.yaml"
    path.write_text(OTHER, encoding="utf-8")
    shown: list[str] = []
    answer(monkeypatch, button, shown)
    assert window.load_schema(path)
    assert "Added (1): Weapon" in shown[0] and "Recoloured: Person #ffc09f → #010101" in shown[0]
    labels = {label.name: label for label in window.store.labels()}
    assert labels["Person"].key == "x" and "Weapon" in window.label_palette.buttons
    assert ("Location" in labels) == expect_location  # used: kept even by Replace
    assert ("Politics" in labels) == expect_politics
    validate_labels(list(labels.values()), "after")  # no colour or key shared in a kind


def test_load_schema_cancel_changes_nothing(qtbot, window, tmp_path, monkeypatch):
    before = window.store.labels()
    path = tmp_path / "other.yaml"
    path.write_text(OTHER, encoding="utf-8")
    answer(monkeypatch, "Cancel", [])
    assert not window.load_schema(path)
    assert window.store.labels() == before


def test_colours_are_distinct_per_kind_only():
    # A span label may share a colour with a document tag (never drawn on the text)...
    validate_labels([Label("A", SPAN, "#111111"), Label("B", DOCUMENT, "#111111")], "x")
    # ...but not with another span label, and the clash is said in plain words.
    with pytest.raises(SchemaError, match="colour #111111 is already used by A"):
        validate_labels([Label("A", SPAN, "#111111"), Label("B", SPAN, "#111111")], "x")


def test_key_clash_in_plain_words_one_case():
    text = "span_labels:\n  - {name: Person, key: p}\n  - {name: Place, key: P}\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "k.yaml")
    assert "key P is already used by Person" in str(info.value)
    assert [key_label(k) for k in ("p", "ctrl+shift+g", "F5")] == ["P", "Ctrl+Shift+G", "F5"]


def test_replace_keeps_used_label_colour_distinct(project):
    project.add_span(project.article_id("u1"), 22, 28, "Location", "ana")
    taken = next(lb.color for lb in project.labels() if lb.name == "Location")
    schema = LabelSchema("New", (Label("Actor", SPAN, taken, "a"),))
    project.apply_schema(schema)  # Location is kept (in use) but may not keep Actor's colour
    validate_labels(project.labels(), "after")


def test_palette_shows_keys_in_one_case(qtbot, window):
    assert window.label_palette.buttons["Person"].text().endswith("[P]")
