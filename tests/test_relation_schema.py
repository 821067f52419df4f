"""Relation types in the YAML label schema: read, checked like labels, written, diffed, merged."""

from pathlib import Path

import pytest

from desktop_app.core.model import Label, LabelSchema, RelationType
from desktop_app.core.schema import SchemaError, load_schema, parse_schema, schema_to_yaml
from desktop_app.core.schema_changes import MERGE, REPLACE, merged_schema, schema_changes

DEFAULT_SCHEMA = Path(__file__).resolve().parent.parent / "resources" / "labels.yaml"

HEAD = """\
span_labels:
  - {name: Person, key: p}
  - {name: Quote, key: q}
  - {name: Location}
document_tags:
  - {name: Politics, key: Ctrl+1}
relation_types:
"""


def parse(relations: str) -> LabelSchema:
    return parse_schema(HEAD + relations, "rel.yaml")


def test_default_schema_declares_news_relations_between_its_labels():
    schema = load_schema(DEFAULT_SCHEMA)
    kinds = {kind.name: kind for kind in schema.relation_types}
    assert list(kinds) == ["said_by", "attributed_to", "member_of", "located_in"]
    assert kinds["said_by"].from_labels == ("Quote", "Claim")
    assert kinds["said_by"].to_labels == ("Person", "Organization")
    assert kinds["located_in"].to_labels == ("Location",)
    assert all(kind.directed and kind.key for kind in kinds.values())
    assert parse_schema(schema_to_yaml(schema)) == schema


def test_relation_type_fields_defaults_and_round_trip():
    schema = parse(
        "  - said_by\n"
        "  - {name: same_as, directed: false, color: '#ABC', description: One entity}\n"
        "  - {name: quoted, key: Shift+Q, from: [quote], to: Person}\n"
    )
    said, same, quoted = schema.relation_types
    assert said == RelationType("said_by", said.color)  # directed, any labels, a colour chosen
    assert said.directed and said.color.startswith("#")
    assert (same.directed, same.color, same.description) == (False, "#aabbcc", "One entity")
    # "quote" is the label Quote in another case; a single value is a list of one.
    assert (quoted.from_labels, quoted.to_labels, quoted.key) == (
        ("Quote",),
        ("Person",),
        "Shift+Q",
    )
    assert parse_schema(schema_to_yaml(schema)) == schema
    assert "relation_types" not in schema_to_yaml(LabelSchema("x", (Label("A"),)))


@pytest.mark.parametrize(
    ("relations", "line", "path", "reason"),
    [
        ("  - {name: said_by, from: [Speaker]}\n", 8, "relation_types[0].from",
         "'Speaker' is not a span label (span labels: Person, Quote, Location)"),
        ("  - {name: said_by, to: [Politics]}\n", 8, "relation_types[0].to",
         "'Politics' is not a span label"),
        ("  - said_by\n  - Said_By\n", 9, "relation_types[1].name",
         "'Said_By' is already used by relation type 'said_by'"),
        ("  - person\n", 8, "relation_types[0].name", "'person' is already used by label 'Person'"),
        ("  - {name: said_by, key: P}\n", 8, "relation_types[0].key",
         "key P is already used by label 'Person'"),
        ("  - {name: a, key: Shift+B}\n  - {name: b, key: shift+b}\n", 9, "relation_types[1].key",
         "key Shift+B is already used by relation type 'a'"),
        ("  - {name: said_by, key: Ctrl+Z}\n", 8, "relation_types[0].key", "reserved"),
        ("  - {name: said_by, key: Ctrl+Bogus}\n", 8, "relation_types[0].key", "is not a shortcut"),
        ("  - {name: a, color: '#111111'}\n  - {name: b, color: '#111'}\n", 9,
         "relation_types[1].color", "colour #111111 is already used by relation type 'a'"),
        ("  - {name: said_by, color: red}\n", 8, "relation_types[0].color", "is not a colour"),
        ("  - {name: said_by, directed: maybe}\n", 8, "relation_types[0].directed",
         "must be true or false"),
        ("  - {name: said_by, form: [Quote]}\n", 8, "relation_types[0].form",
         "unknown key 'form' (did you mean 'from'?)"),
        ("  - {key: x}\n", 8, "relation_types[0].name", "is missing"),
        ("  - \"said\\u0007by\"\n", 8, "relation_types[0].name", "control character"),
        ("  said_by: {}\n", 8, "relation_types", "must be a list"),
    ],
)  # fmt: skip
def test_bad_relation_types_are_named_by_file_line_and_key(relations, line, path, reason):
    with pytest.raises(SchemaError) as caught:
        parse(relations)
    error = caught.value
    assert (error.origin, error.line, error.path) == ("rel.yaml", line, path)
    assert reason in error.reason


def test_saving_and_loading_a_schema_carries_relation_types():
    said = RelationType("said_by", "#111111", "Shift+S", True, ("Quote",), ("Person",))
    located = RelationType("located_in", "#222222", "Shift+L")
    labels = (Label("Person", key="p"), Label("Quote", color="#eeeeee"))
    current = LabelSchema("here", labels, relation_types=(said, located))
    changed = RelationType("said_by", "#111111", "Shift+S", False)
    member = RelationType("member_of", "#222222", "Shift+L")
    incoming = LabelSchema("file", labels, relation_types=(changed, member))
    changes = schema_changes(current, incoming, {})
    assert changes.relations_added == ["member_of"]
    assert changes.relations_changed == ["said_by"]
    assert changes.relations_removed == ["located_in"]
    assert "Relation types added (1): member_of" in changes.lines(MERGE)
    assert "Relation types kept as they are, not in the file (1): located_in" in changes.lines(
        MERGE
    )
    assert "Relation types removed unless in use (1): located_in" in changes.lines(REPLACE)
    merged = merged_schema(current, incoming)
    assert [k.name for k in merged.relation_types] == ["said_by", "member_of", "located_in"]
    kept = merged.relation_types[2]
    # The kept type gives up the key and the colour the file's types use.
    assert kept.key == "" and kept.color not in ("#111111", "#222222")
    assert parse_schema(schema_to_yaml(merged)) == merged
