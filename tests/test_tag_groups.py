"""Exclusive tag groups: one choice per annotator (Relevant / Not relevant), schema to window."""

import pytest

from desktop_app.core.editing import Editor
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.core.schema import SchemaError, load_schema, parse_schema, schema_to_yaml
from desktop_app.paths import default_schema_path

GROUPS = """name: G
span_labels: [Person]
document_tags:
  - {name: Relevant, group: Relevance}
  - {name: Not relevant, group: Relevance}
  - {name: Politics, group: Topic}
  - {name: Economy, group: Topic}
tag_groups:
  Relevance: {exclusive: true}
"""


def test_schema_reads_exclusive_groups():
    schema = parse_schema(GROUPS, "g.yaml")
    assert schema.exclusive_groups == ("Relevance",)
    assert parse_schema(schema_to_yaml(schema), "again.yaml") == schema


def test_default_schema_relevance_is_exclusive():
    assert load_schema(default_schema_path()).exclusive_groups == ("Relevance",)


@pytest.mark.parametrize(
    "tail, line, key, words",
    [
        ("tag_groups:\n  Relevance: {exclusive: yes please}\n", 9, "tag_groups.Relevance.exclusive",
         "true or false"),
        ("tag_groups:\n  Relevence: {exclusive: true}\n", 9, "tag_groups.Relevence",
         "no document tag"),
        ("tag_groups:\n  Relevance: {exclusiv: true}\n", 9, "tag_groups.Relevance.exclusiv",
         "did you mean 'exclusive'"),
        ("tag_groups: [Relevance]\n", 8, "tag_groups", "must be a mapping"),
    ],
)  # fmt: skip
def test_tag_group_errors_name_file_line_and_key(tail, line, key, words):
    text = GROUPS.split("tag_groups:")[0] + tail
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "g.yaml")
    assert info.value.line == line, str(info.value)
    assert info.value.path == key
    assert words in str(info.value) and str(info.value).startswith("g.yaml:")


@pytest.fixture
def store(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft("Some text.", "u1", title="One")])
    yield store
    store.close()


def test_project_keeps_exclusive_groups(store):
    assert store.exclusive_groups() == {"Relevance"}
    store.apply_schema(parse_schema(GROUPS.replace("Relevance: {exclusive: true}", "{}"), "x"))
    assert store.exclusive_groups() == set()


def test_exclusive_tag_replaces_the_other_in_one_undo(store):
    editor = Editor(store, "ana")
    other = Editor(store, "bob")
    article_id = store.article_id("u1")
    other.set_tag(article_id, "Relevant", True)
    editor.set_tag(article_id, "Relevant", True)
    editor.set_tag(article_id, "Politics", True)
    editor.set_tag(article_id, "Economy", True)  # not exclusive: both stay
    assert editor.set_tag(article_id, "Not relevant", True)
    mine = {t.label for t in store.tags(article_id, "ana")}
    assert mine == {"Not relevant", "Politics", "Economy"}
    assert {t.label for t in store.tags(article_id, "bob")} == {"Relevant"}  # bob's stays
    editor.undo()  # one step brings Relevant back and takes Not relevant off
    assert {t.label for t in store.tags(article_id, "ana")} == {"Relevant", "Politics", "Economy"}
    editor.redo()
    assert {t.label for t in store.tags(article_id, "ana")} == {
        "Not relevant",
        "Politics",
        "Economy",
    }
