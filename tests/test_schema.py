from pathlib import Path

import pytest

from desktop_app.core.model import DOCUMENT, SPAN, Label, LabelSchema
from desktop_app.core.schema import (
    PALETTE,
    RESERVED_KEYS,
    SchemaError,
    load_schema,
    next_free_color,
    parse_schema,
    schema_to_yaml,
    validate_labels,
)

DEFAULT_SCHEMA = Path(__file__).resolve().parent.parent / "resources" / "labels.yaml"


def write(tmp_path: Path, text: str, name: str = "labels.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def contrast_with_black(color: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(color[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) / 0.05


def test_default_schema_loads():
    schema = load_schema(DEFAULT_SCHEMA)
    assert schema.name == "News analysis"
    spans = {label.name: label.key for label in schema.span_labels}
    assert spans == {
        "Person": "p",
        "Organization": "o",
        "Location": "l",
        "Event": "e",
        "Date/Time": "d",
        "Quote": "q",
        "Claim": "c",
        "Number/Figure": "n",
        "Source attribution": "s",
    }
    topics = [t.name for t in schema.document_tags if t.group == "Topic"]
    assert topics == [
        "Politics",
        "Economy",
        "Energy",
        "Diplomacy",
        "Security/Conflict",
        "Society",
        "Technology",
        "Environment",
    ]
    relevance = [t.name for t in schema.document_tags if t.group == "Relevance"]
    assert relevance == ["Relevant", "Not relevant"]
    assert all(label.kind == SPAN for label in schema.span_labels)
    assert all(label.kind == DOCUMENT for label in schema.document_tags)
    assert all(label.description for label in schema.labels)


def test_default_schema_keys_and_colours():
    schema = load_schema(DEFAULT_SCHEMA)
    keys = [label.key.lower() for label in schema.labels]
    assert all(keys)
    assert len(set(keys)) == len(keys)
    assert not set(keys) & {k.lower() for k in RESERVED_KEYS}
    colors = [label.color for label in schema.labels]
    assert len(set(colors)) == len(colors)
    for color in colors:
        assert contrast_with_black(color) >= 7, color


def test_palette_is_readable_and_distinct():
    assert len(set(PALETTE)) == len(PALETTE)
    for color in PALETTE:
        assert contrast_with_black(color) >= 7, color


@pytest.mark.parametrize(
    "text,line,key,words",
    [
        # invalid YAML: unclosed flow sequence, reported on the line where it happens
        ("name: X\nspan_labels:\n  - name: A\n    key: [p\n", 4, "", "invalid YAML"),
        (
            "span_labels:\n  - name: Person\n  - name: Org\ndocument_tags:\n  - person\n",
            5,
            "document_tags[0].name",
            "already used by span_labels[0] (line 2)",
        ),
        (
            "span_labels:\n  - {name: A, key: p}\n  - {name: B, key: x}\n  - {name: C, key: P}\n",
            4,
            "span_labels[2].key",
            "key P is already used by A (span_labels[0], line 2)",
        ),
        (
            "span_labels:\n  - name: A\n    color: '#ABC'\n  - name: B\n    color: '#aabbcc'\n",
            5,
            "span_labels[1].color",
            "already used",
        ),
        (
            "span_labels:\n  - A\n  - B\n  - name: C\n    key: c\n    color: '#zzz'\n",
            6,
            "span_labels[2].color",
            "'#zzz' is not a colour like #1a2b3c",
        ),
        (
            "span_labels:\n  - name: A\n    colour: '#abcdef'\n",
            3,
            "span_labels[0].colour",
            "did you mean 'color'",
        ),
        ("span_labels:\n  - A\n  - key: b\n    group: G\n", 3, "span_labels[1].name", "missing"),
        ("span_labels:\n  - A\n  - [B, b]\n", 3, "span_labels[1]", "not a list"),
        ("span_labels:\n  Person: p\n", 2, "span_labels", "must be a list, not a mapping"),
        ("- Person\n- Org\n", 1, "", "must be a mapping"),
        (
            "span_labels: [A]\ndocument_tags:\n  - {name: B, key: ctrl+z}\n",
            3,
            "document_tags[0].key",
            "reserved",
        ),
        ("span_labels: [A]\ndocument_tags:\n  - {name: B, key: Shift+Ctrl+Z}\n", 3, "", "reserved"),
        ("name: X\nlabels: [A]\n", 2, "labels", "unknown key 'labels'"),
        ("span_labels:\n  - name: A\n    color: #abcdef\n", 3, "span_labels[0].color", "comment"),
        ("span_labels:\n  - name: A\n    name: B\n", 3, "span_labels[0].name", "appears twice"),
        ("span_labels:\n  - name: A\n    key: Ctrl+Hyper+1\n", 3, "span_labels[0].key", "shortcut"),
        ("span_labels:\n  - name: A\n    key: 10\n", 3, "span_labels[0].key", "not a number"),
        ("span_labels:\n  - name: A\n  - name: yes\n", 3, "span_labels[1].name", "true/false"),
        ("span_labels:\n  - name: A\n    group: [x]\n", 3, "span_labels[0].group", "a list"),
        ("", 1, "", "empty"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, text, line, key, words):
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: ")
    assert "labels.yaml" in message
    assert info.value.line == line
    if key:
        assert info.value.path == key
        assert f": {key}: " in message
    assert words in message


def test_python_tags_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    text = f"span_labels:\n  - name: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(SchemaError) as info:
        load_schema(write(tmp_path, text))
    assert info.value.line == 2
    assert not marker.exists()


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_bytes(b"name: X\nspan_labels:\n  - Soci\xe9t\xe9\n")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert "UTF-8" in str(info.value)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_bytes("\ufeffname: Étiquettes\nspan_labels: [Société]\n".encode())
    schema = load_schema(path)
    assert schema.name == "Étiquettes"
    assert [label.name for label in schema.labels] == ["Société"]


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "labels.yaml"
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert str(info.value) == f"{path}: file not found"
    assert info.value.line is None


def test_control_character_reports_line(tmp_path):
    with pytest.raises(SchemaError) as info:
        load_schema(write(tmp_path, "name: X\nspan_labels:\n  - A\x01\n"))
    assert info.value.line == 3
    assert "U+0001" in str(info.value)


def test_int_keys_are_accepted():
    schema = parse_schema("span_labels:\n  - {name: A, key: 1}\n  - {name: B, key: 0}\n")
    assert [label.key for label in schema.labels] == ["1", "0"]
    assert all(isinstance(label.key, str) for label in schema.labels)


def test_key_shapes():
    good = ["P", "1", "Ctrl+1", "Shift+G", "f12", "Space", "Alt+Shift+F3", "Alt++", "?"]
    good += ["Meta+Del"]
    items = [f"  - {{name: L{i}, key: '{k}'}}\n" for i, k in enumerate(good)]
    text = "span_labels:\n" + "".join(items)
    assert [label.key for label in parse_schema(text).labels] == good
    for bad in ["F13", "Ctrl+", "Ctrl+Ctrl+1", "Hyper+1", "pp", "Ctrl+ 1", " "]:
        with pytest.raises(SchemaError, match="is not a shortcut"):
            parse_schema(f"span_labels:\n  - {{name: A, key: '{bad}'}}\n")


def test_modifier_order_does_not_hide_duplicates():
    text = "document_tags:\n  - {name: A, key: Ctrl+Shift+1}\n  - {name: B, key: shift+ctrl+1}\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "x.yaml")
    assert str(info.value) == (
        "x.yaml:3: document_tags[1].key: key Ctrl+Shift+1 is already used by A"
        " (document_tags[0], line 2)"
    )


def test_defaults_are_filled():
    text = (
        "span_labels:\n"
        "  - Person\n"
        f"  - {{name: Place, color: '{PALETTE[0].upper()}'}}\n"
        "document_tags:\n"
        "  - {name: Energy, group: Topic}\n"
    )
    schema = parse_schema(text)
    assert schema == LabelSchema(
        name="Labels",
        labels=(
            Label(name="Person", kind=SPAN, color=PALETTE[1]),
            Label(name="Place", kind=SPAN, color=PALETTE[0]),
            Label(name="Energy", kind=DOCUMENT, color=PALETTE[2], group="Topic"),
        ),
    )


def test_short_colour_is_normalised():
    schema = parse_schema("span_labels:\n  - {name: A, color: '#AbC'}\n")
    assert schema.labels[0].color == "#aabbcc"


def test_empty_sections_and_spans_first():
    schema = parse_schema("name: Tags only\ndocument_tags: [B]\nspan_labels: [A]\n")
    assert [(label.name, label.kind) for label in schema.labels] == [("A", SPAN), ("B", DOCUMENT)]
    assert parse_schema("span_labels:\ndocument_tags: []\n").labels == ()


def test_unicode_label_names():
    text = "name: Метки\nspan_labels:\n  - {name: Организация, key: о}\n  - 地点\n"
    schema = parse_schema(text)
    assert schema.name == "Метки"
    names_keys = [(label.name, label.key) for label in schema.labels]
    assert names_keys == [("Организация", "о"), ("地点", "")]
    assert parse_schema(schema_to_yaml(schema)) == schema
    with pytest.raises(SchemaError, match="already used"):
        parse_schema("span_labels: [Организация, ОРГАНИЗАЦИЯ]\n")


def test_round_trip_default_schema():
    schema = load_schema(DEFAULT_SCHEMA)
    assert parse_schema(schema_to_yaml(schema)) == schema


def test_round_trip_tricky_values():
    schema = LabelSchema(
        name="yes",
        labels=(
            Label(name="1", kind=SPAN, color="#123456", key="1", description="a: b # c\nsecond"),
            Label(name="null", kind=SPAN, color="#abcdef", key="Alt++", group="'quoted'"),
            Label(name="True", kind=DOCUMENT, color="#fedcba", key="F11", description=" pad "),
        ),
    )
    validate_labels(schema.labels, "test")
    text = schema_to_yaml(schema)
    assert parse_schema(text) == schema
    assert "'#123456'" in text


def test_validate_labels_without_lines():
    labels = [
        Label(name="A", kind=SPAN, color="#111111", key="a"),
        Label(name="B", kind=DOCUMENT, color="#222222", key="A"),
    ]
    with pytest.raises(SchemaError) as info:
        validate_labels(labels, "Edit labels")
    assert str(info.value) == (
        "Edit labels: document_tags[0].key: key A is already used by A (span_labels[0])"
    )
    assert info.value.line is None


@pytest.mark.parametrize(
    "label,key,words",
    [
        (Label(name=" A", color="#111111"), "span_labels[0].name", "spaces"),
        (Label(name="", color="#111111"), "span_labels[0].name", "empty"),
        (Label(name="A\nB", color="#111111"), "span_labels[0].name", "line break"),
        (Label(name="A", color="#ABC"), "span_labels[0].color", "not a colour"),
        (Label(name="A", color="#111111", key="Delete"), "span_labels[0].key", "reserved"),
        (Label(name="A", color="#111111", key="Ctrl+Y"), "span_labels[0].key", "reserved"),
        (Label(name="A", kind="word", color="#111111"), "labels[0].kind", "not a kind"),
    ],
)
def test_validate_labels_shapes(label, key, words):
    with pytest.raises(SchemaError) as info:
        validate_labels([label], "window")
    assert info.value.path == key
    assert words in str(info.value)


def test_validate_labels_accepts_valid():
    validate_labels(load_schema(DEFAULT_SCHEMA).labels, "default")


def test_next_free_color():
    assert next_free_color([]) == PALETTE[0]
    assert next_free_color([PALETTE[0].upper(), PALETTE[1]]) == PALETTE[2]
    used: list[str] = []
    for _ in range(len(PALETTE) + 40):
        used.append(next_free_color(used))
    assert len(set(used)) == len(used)
    assert used[: len(PALETTE)] == list(PALETTE)
    for color in used:
        assert contrast_with_black(color) >= 7, color


def test_many_labels_get_distinct_colours():
    text = "span_labels:\n" + "".join(f"  - L{i}\n" for i in range(40))
    colors = [label.color for label in parse_schema(text).labels]
    assert len(set(colors)) == 40


def test_empty_optional_values_mean_default():
    text = "span_labels:\n  - name: A\n    key:\n    color: ~\n    description: ''\n"
    assert parse_schema(text).labels == (Label(name="A", kind=SPAN, color=PALETTE[0]),)


def test_yaml_merge_keys_work_like_safe_load():
    text = (
        "span_labels:\n"
        "  - &base {name: A, group: People, description: Shared}\n"
        "  - {<<: *base, name: B}\n"
    )
    labels = parse_schema(text).labels
    assert [(label.name, label.group, label.description) for label in labels] == [
        ("A", "People", "Shared"),
        ("B", "People", "Shared"),
    ]
