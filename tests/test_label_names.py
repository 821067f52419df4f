"""One rule for label names: schema, every import, merge and sample (issue 11, item 4)."""

import json
import zipfile

import pytest

from desktop_app.cli import main
from desktop_app.core.model import ArticleDraft, Label, LabelSchema, SpanDraft
from desktop_app.core.schema import (
    LabelNameError,
    SchemaError,
    canonical_label,
    check_label_name,
    parse_schema,
    validate_labels,
)
from desktop_app.core.store import Store, StoreError

SCHEMA = LabelSchema(
    "names",
    (
        Label("Person", "span", "#ffadad", "p"),
        Label("Place", "span", "#a0c4ff", "l"),
        Label("Energy", "document", "#caffbf", "Ctrl+1"),
    ),
)
TEXT = "Nino met Amélie in Tbilisi 🇬🇪 on Monday."


@pytest.fixture
def lead(tmp_path):
    """A project with the schema above and one article."""
    path = tmp_path / "lead.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(TEXT, "a1")])
    store.close()
    return path


def _labels(path):
    store = Store.open(path)
    try:
        return [label.name for label in store.labels()]
    finally:
        store.close()


def _span(label, start=0, end=4, **more):
    return {"start": start, "end": end, "label": label, "annotator": "bob", **more}


def _write_jsonl(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


# ------------------------------------------------------------------ the rule itself


def test_check_label_name_cleans_ends_and_refuses_what_cannot_be_one_line():
    assert check_label_name("  Person ") == "Person"
    assert check_label_name("Nüchternheit 🇬🇪") == "Nüchternheit 🇬🇪"
    for bad, reason in [
        ("", "empty"),
        ("   ", "empty"),
        ("Per\nson", "line break or control character"),
        ("Per\u2028son", "line break or control character"),
        ("Bell\x07", "line break or control character"),
    ]:
        with pytest.raises(LabelNameError, match=reason) as caught:
            check_label_name(bad)
        assert isinstance(caught.value, ValueError)


def test_canonical_label_maps_a_case_variant_to_the_existing_label():
    assert canonical_label("PERSON", ["Place", "Person"]) == "Person"
    assert canonical_label("person", ["Place", "Person"]) == "Person"
    # The same letters composed differently (NFD) are the same label.
    assert canonical_label("Ame\u0301lie", ["Amélie"]) == "Amélie"
    # An exact name wins over an earlier variant (a project that already holds both).
    assert canonical_label("PERSON", ["Person", "PERSON"]) == "PERSON"
    assert canonical_label("Organisation", ["Person"]) == "Organisation"


def test_schema_uses_the_same_rule():
    with pytest.raises(SchemaError, match="already used"):
        parse_schema("span_labels: [Person, PERSON]")
    with pytest.raises(SchemaError, match="line break or control character"):
        validate_labels([Label("Per\u2029son", "span", "#ffadad")], "label")
    with pytest.raises(SchemaError, match="spaces at the start or end"):
        validate_labels([Label(" Person", "span", "#ffadad")], "label")


# ------------------------------------------------------------------ import


def test_import_maps_case_variants_and_refuses_control_characters(lead, tmp_path, capsys):
    other = "Amélie in Tbilisi"
    path = _write_jsonl(
        tmp_path / "odd.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [_span("PERSON"), _span("person", 9, 15), _span("Per\nson", 19, 26)],
            "tags": [{"label": "ENERGY", "annotator": "bob"}],
        },
        {"uid": "a2", "text": other, "spans": [_span(" Place ", 10, 17)]},
    )
    code = main(["import", str(path), "--db", str(lead)])
    out, err = capsys.readouterr()
    assert code == 1  # one span was refused
    assert "'PERSON' read as 'Person' (1 spans)" in out
    assert "'person' read as 'Person' (1 spans)" in out
    assert "'ENERGY' read as 'Energy' (1 tags)" in out
    assert "' Place ' read as 'Place' (1 spans)" in out
    assert f"{path}:1" in err and "'Per\\nson'" in err
    assert "line break or control character" in err
    assert _labels(lead) == ["Person", "Place", "Energy"]
    store = Store.open(lead)
    try:
        spans = store.spans(store.article_id("a1"), "bob")
        assert sorted(s.label for s in spans) == ["Person", "Person"]
        assert [t.label for t in store.tags(store.article_id("a1"), "bob")] == ["Energy"]
        assert [s.label for s in store.spans(store.article_id("a2"), "bob")] == ["Place"]
    finally:
        store.close()
    # Importing the same file again adds nothing and maps the same way.
    assert main(["import", str(path), "--db", str(lead)]) == 1
    store = Store.open(lead)
    try:
        assert len(store.spans(store.article_id("a1"), "bob")) == 2
    finally:
        store.close()


def test_a_new_label_and_its_variant_in_one_file_become_one_label(tmp_path, capsys):
    path = _write_jsonl(
        tmp_path / "new.jsonl",
        {"uid": "a1", "text": TEXT, "spans": [_span("Weekday", 33, 39), _span("WEEKDAY", 0, 4)]},
    )
    db = tmp_path / "fresh.sqlite"
    assert main(["import", str(path), "--db", str(db)]) == 0
    assert "'WEEKDAY' read as 'Weekday' (1 spans)" in capsys.readouterr().out
    assert "WEEKDAY" not in _labels(db) and "Weekday" in _labels(db)


def test_other_formats_go_through_the_same_rule(lead, tmp_path, capsys):
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(
        json.dumps({"text": TEXT, "label": [[0, 4, "PERSON"], [19, 26, "Pla\tce"]]}) + "\n",
        "utf-8",
    )
    assert main(["import", str(doccano), "--db", str(lead), "--annotator", "eve"]) == 1
    out, err = capsys.readouterr()
    assert "'PERSON' read as 'Person' (1 spans)" in out
    assert "'Pla\\tce'" in err
    assert _labels(lead) == ["Person", "Place", "Energy"]


def test_store_add_labels_keeps_ours_and_leaves_out_bad_names(lead):
    store = Store.open(lead)
    try:
        added = store.add_labels(
            [Label("PERSON", "span", "#123456"), Label("Bad\nname", "span"), Label(" Date ")]
        )
        assert added == ["Date"]
        assert [label.name for label in store.labels()] == ["Person", "Place", "Energy", "Date"]
    finally:
        store.close()


# ------------------------------------------------------------------ merge


def test_merge_maps_their_case_variants_to_ours(lead, tmp_path, capsys):
    theirs = tmp_path / "bob.sqlite"
    bob = Store.open(theirs)
    bob.apply_schema(LabelSchema("bob", (Label("PERSON", "span", "#ffadad", "p"),)))
    bob.add_articles(
        [ArticleDraft(TEXT, "a1", spans=(SpanDraft(0, 4, "PERSON", annotator="bob"),))]
    )
    bob.close()
    assert main(["merge", str(theirs), "--db", str(lead)]) == 0
    assert "'PERSON' read as 'Person' (1 spans)" in capsys.readouterr().out
    assert _labels(lead) == ["Person", "Place", "Energy"]
    store = Store.open(lead)
    try:
        assert [s.label for s in store.spans(store.article_id("a1"), "bob")] == ["Person"]
    finally:
        store.close()
    # Merging again changes nothing (their label still reads as ours).
    assert main(["merge", str(theirs), "--db", str(lead), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spans_added"] == 0 and report["spans_updated"] == 0 and not report["conflicts"]


# ------------------------------------------------------------------ samples


def _odd_project(path):
    """A project as an older version left it: case variants and a label with a line break."""
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(f"Story {i} about Tbilisi.", f"s{i}") for i in range(5)])
    with store.db.atomic():  # what imports used to create, written as they wrote it
        for position, (name, kind, color, key) in enumerate(
            [
                ("PERSON", "span", "#bdb2ff", "P"),
                ("Bad\nlabel", "span", "#ffc6ff", ""),
                ("energy", "document", "#e2d4b7", "Ctrl+1"),
            ],
            start=10,
        ):
            store.db.execute(
                "INSERT INTO labels (name, kind, color, key, label_group, description, position)"
                " VALUES (?, ?, ?, ?, '', '', ?)",
                (name, kind, color, key, position),
            )
    store.close()
    return path


def test_a_sample_from_a_project_with_odd_labels_imports_into_a_fresh_project(tmp_path, capsys):
    lead = _odd_project(tmp_path / "lead.sqlite")
    package = tmp_path / "sample.zip"
    code = main(["sample", "--db", str(lead), "--size", "3", "--for", "bob", "-o", str(package)])
    assert code == 0
    out = capsys.readouterr().out
    assert "'PERSON'" in out and "'Bad\\nlabel'" in out  # what the package leaves out is said
    with zipfile.ZipFile(package) as archive:
        schema = parse_schema(archive.read("labels.yaml").decode("utf-8"), "labels.yaml")
    assert [label.name for label in schema.labels] == ["Person", "Place", "Energy"]
    fresh = tmp_path / "bob.sqlite"
    assert main(["import", str(package), "--db", str(fresh)]) == 0
    names = _labels(fresh)
    assert {"Person", "Place", "Energy"} <= set(names)
    assert not {"PERSON", "energy", "Bad\nlabel"} & set(names)


def test_a_package_written_before_the_rule_still_imports(tmp_path, capsys):
    """An old package may list case variants: the first is kept, the rest are reported."""
    package = tmp_path / "old.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"marginalia_package": 1, "articles": 1}))
        archive.writestr(
            "labels.yaml",
            "name: old\nspan_labels:\n  - {name: Person, color: '#ffadad'}\n"
            "  - {name: PERSON, color: '#ffadad', key: p}\n",
        )
        archive.writestr("articles.jsonl", json.dumps({"uid": "a1", "text": TEXT}) + "\n")
    fresh = tmp_path / "bob.sqlite"
    assert main(["import", str(package), "--db", str(fresh)]) == 0
    out = capsys.readouterr().out
    assert "'PERSON'" in out
    names = _labels(fresh)
    assert "Person" in names and "PERSON" not in names


def test_labels_edited_in_the_window_follow_the_rule(lead):
    """Labels > Add/Edit label saves through the store, which holds the same rule."""
    store = Store.open(lead)
    try:
        with pytest.raises(StoreError, match="already exists"):
            store.save_label(Label("PERSON", "span", "#123456"))
        with pytest.raises(StoreError, match="already exists"):
            store.save_label(Label("PLACE", "span", "#a0c4ff"), old_name="Person")
        with pytest.raises(StoreError, match="line break or control character"):
            store.save_label(Label("Per\nson", "span", "#123456"))
        store.save_label(Label("PERSON", "span", "#ffadad", "p"), old_name="Person")  # recased
        store.save_label(Label(" Date ", "span", "#123456"))
        assert [label.name for label in store.labels()] == ["PERSON", "Place", "Energy", "Date"]
    finally:
        store.close()


def test_a_project_that_already_holds_variants_can_still_edit_them(tmp_path):
    store = Store.open(_odd_project(tmp_path / "old.sqlite"))
    try:
        store.save_label(Label("Person", "span", "#f4a261", "p"), old_name="Person")
        store.save_label(Label("PERSON", "span", "#bdb2ff", "P"))
        assert store.labels()[0].color == "#f4a261"
    finally:
        store.close()


def test_loading_a_schema_takes_its_spelling_for_a_label_in_use(lead, tmp_path):
    """'PERSON' in use here and 'Person' in the schema are one label: the schema's spelling."""
    store = Store.open(lead)
    try:
        a1 = store.article_id("a1")
        store.save_label(Label("PERSON", "span", "#ffadad", "p"), old_name="Person")
        store.add_span(a1, 0, 4, "PERSON", "ana")
        kept = store.apply_schema(SCHEMA)
        assert kept == []
        assert [label.name for label in store.labels()] == ["Person", "Place", "Energy"]
        assert [s.label for s in store.spans(a1)] == ["Person"]
        store.set_tag(a1, "Energy", "ana", True)
        clash = LabelSchema("clash", (Label("ENERGY", "span", "#ffadad"),))
        with pytest.raises(StoreError, match="'Energy' is a document label with annotations; it"):
            store.apply_schema(clash)
    finally:
        store.close()


def test_a_label_kept_with_spaces_by_an_older_version_is_still_found(tmp_path):
    store = Store.open(tmp_path / "old.sqlite")
    try:
        with store.db.atomic():
            store.db.execute(
                "INSERT INTO labels (name, kind, color, key, label_group, description, position)"
                " VALUES ('Person ', 'span', '#ffadad', '', '', '', 0)"
            )
        assert canonical_label("Person", [label.name for label in store.labels()]) == "Person "
        store.add_articles([ArticleDraft(TEXT, "a1", spans=(SpanDraft(0, 4, "PERSON"),))])
        assert [label.name for label in store.labels()] == ["Person "]
    finally:
        store.close()


# ------------------------------------------------------------------ look-alike names


def test_invisible_and_full_width_variants_are_the_existing_label():
    assert check_label_name("\u200bPerson\ufeff") == "Person"  # invisible ends removed
    assert check_label_name("\u200e Person \u200f") == "Person"  # bidi marks and spaces
    assert check_label_name("👩\u200d🔬") == "👩\u200d🔬"  # a joiner inside is kept
    assert canonical_label("Person\u200b", ["Place", "Person"]) == "Person"
    assert canonical_label("Per\u200bson", ["Place", "Person"]) == "Person"
    assert canonical_label("Ｐｅｒｓｏｎ", ["Place", "Person"]) == "Person"
    assert canonical_label("ＰＥＲＳＯＮ", ["Place", "Person"]) == "Person"
    assert canonical_label("Persona", ["Person"]) == "Persona"
    with pytest.raises(SchemaError, match="already used"):
        parse_schema("span_labels: [Person, Ｐｅｒｓｏｎ]")
    with pytest.raises(SchemaError, match="already used"):
        parse_schema('span_labels: [Person, "Per\\u200bson"]')
    with pytest.raises(SchemaError, match="invisible characters at the start or end"):
        validate_labels([Label("Person\u200b", "span", "#ffadad")], "label")


def test_import_maps_look_alike_labels_to_the_existing_one(lead, tmp_path, capsys):
    path = _write_jsonl(
        tmp_path / "alike.jsonl",
        {
            "uid": "a1",
            "text": TEXT,
            "spans": [
                _span("Person\u200b"),
                _span("Ｐｅｒｓｏｎ", 9, 15),
                _span("Per\u200bson", 19, 26),
            ],
        },
    )
    code = main(["import", str(path), "--db", str(lead)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert _labels(lead) == ["Person", "Place", "Energy"]
    assert "read as 'Person'" in out
